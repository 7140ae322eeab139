"""`wpcompat demo`: a small clinic site with a bit of everything, for `make run` and for trying clients.

Users of every WordPress role, categories three levels deep, tags, posts and pages of
each status and compliance level, custom fields and workflow states. Loading it a
second time does nothing.
"""

import datetime

from slugify import slugify

from wpcompat.accounts import create_user
from wpcompat.editing.posts import recount_terms
from wpcompat.db import db, tenant_scope
from wpcompat.models import CustomField, Post, PostTerm, Tenant, Term, User
from wpcompat.models.base import utcnow
from wpcompat.sites import create_site
from wpcompat.wp_ids import next_wp_id
from wpcompat import workflow

DEMO_HOSTS = ("localhost", "127.0.0.1", "demo.wpcompat.test")
DISCLAIMER = "Conteúdo informativo para profissionais de saúde; não substitui consulta médica."

USERS = [  # login, role, display name, professional registry
    ("admin", "administrator", "Ana Administradora", None),
    ("editor", "editor", "Éder Editor", "CRM/SP 100200"),
    ("author", "author", "Álvaro Autor", "CRM/RJ 300400"),
    ("contributor", "contributor", "Clara Colaboradora", None),
    ("subscriber", "subscriber", "Sérgio Assinante", None),
]

CATEGORIES = [  # name, parent name, medical specialty
    ("Sem categoria", None, None),
    ("Cardiologia", None, "cardiology"),
    ("Hipertensão", "Cardiologia", "cardiology"),
    ("Hipertensão na gravidez", "Hipertensão", "obstetrics"),
    ("Pediatria", None, "pediatrics"),
    ("Notícias", None, None),
]
TAGS = ["prevenção", "vacinas", "pressão arterial", "café"]

POSTS = [  # title, status, compliance level, author, categories, tags, days ago
    ("Como medir a pressão arterial em casa", "publish", "public", "author",
     ["Hipertensão"], ["pressão arterial", "prevenção"], 20),
    ("Calendário de vacinação infantil 2026", "publish", "public", "editor",
     ["Pediatria"], ["vacinas", "prevenção"], 15),
    ("Novas diretrizes de hipertensão: o que muda na prática", "publish", "professional", "author",
     ["Hipertensão", "Notícias"], ["pressão arterial"], 10),
    ("Protocolo interno de pré-eclâmpsia", "publish", "restricted", "editor",
     ["Hipertensão na gravidez"], [], 8),
    ("Relato de caso: paciente com crise hipertensiva", "private", "phi", "admin",
     ["Cardiologia"], [], 6),
    ("Café e coração: mitos e verdades", "publish", "public", "author", ["Cardiologia"], ["café"], 3),
    ("Rascunho: campanha de inverno", "draft", "public", "contributor", ["Notícias"], ["vacinas"], 2),
    ("Revisão pendente: exercícios para hipertensos", "pending", "public", "contributor",
     ["Hipertensão"], [], 1),
    ("Mutirão de vacinação no próximo mês", "future", "public", "editor", ["Notícias"], ["vacinas"], -30),
    ("Post antigo removido", "trash", "public", "author", ["Sem categoria"], [], 40),
]
PAGES = [  # title, status, parent title, menu order
    ("Sobre a clínica", "publish", None, 1),
    ("Especialidades", "publish", None, 2),
    ("Cardiologia na clínica", "publish", "Especialidades", 1),
    ("Contato", "publish", None, 3),
    ("Política interna (rascunho)", "draft", None, 4),
]


def create_demo_site(slug="demo"):
    """The demo tenant, created as the schema owner if it does not exist yet."""
    with db.atomic():
        existing = Tenant.get_or_none(Tenant.slug == slug)
        if existing is not None:
            return existing
        hosts = DEMO_HOSTS if slug == "demo" else (f"{slug}.wpcompat.test",)
        return create_site(slug, "Clínica Demo", hosts, description="Saúde com evidência",
                           timezone_string="America/Sao_Paulo", language="pt_BR")


def load_demo_content(tenant, login_passwords=True):
    """The demo site's content, written as the app role inside the tenant, in one transaction.

    Returns a summary line. A site that has users already is left as it is, so a
    second run does nothing, and a run that failed half-way (nothing committed) is
    completed by the next one. Users get the login password "<login>-demo-password"
    (`login_passwords=False` skips the slow argon2 hashing, for tests).
    """
    with tenant_scope(tenant.id):
        if User.select().exists():
            return f"demo site {tenant.slug!r} is already loaded"
        users = {login: create_user(login, f"{login}@demo.wpcompat.test", role, display_name=name,
                                    professional_registry=registry,
                                    professional_type="medico" if registry else None,
                                    validated=bool(registry),
                                    password=f"{login}-demo-password" if login_passwords else None)
                 for login, role, name, registry in USERS}
        terms = _terms()
        posts = _posts(users, terms)
        _pages(users)
        _custom_fields_and_workflow(posts)
    return (f"loaded demo site {tenant.slug!r}: {len(users)} users, {len(terms)} terms, "
            f"{len(POSTS)} posts, {len(PAGES)} pages")


def _terms():
    terms = {}
    for name, parent_name, specialty in CATEGORIES:
        parent = terms.get(parent_name)
        terms[name] = Term.create(name=name, slug=slugify(name), taxonomy="category", wp_id=next_wp_id("term"),
                                  parent=parent, level=(parent.level + 1) if parent else 0,
                                  medical_specialty=specialty, compliance_required=bool(specialty))
    for name in TAGS:
        terms[name] = Term.create(name=name, slug=slugify(name), taxonomy="post_tag", wp_id=next_wp_id("term"))
    return terms


def _new_post(author, title, status, days_ago, post_type="post", **fields):
    when = utcnow() - datetime.timedelta(days=days_ago)
    slug = slugify(title)[:200]
    if status == "trash":
        slug += "__trashed"
    return Post.create(
        title=title, slug=slug, status=status, post_type=post_type, author=author.id, wp_id=next_wp_id("post"),
        content=f"<!-- wp:paragraph -->\n<p>{title}. Conteúdo de demonstração.</p>\n<!-- /wp:paragraph -->",
        excerpt="", published_at=when, date_local=when - datetime.timedelta(hours=3), inserted_at=when,
        updated_at=when, modified_local=when - datetime.timedelta(hours=3), guid="",
        scheduled_at=when if status == "future" else None,
        deleted_at=utcnow() if status == "trash" else None, **fields)


def _posts(users, terms):
    posts = []
    for title, status, level, login, categories, tags, days_ago in POSTS:
        post = _new_post(users[login], title, status, days_ago, compliance_level=level,
                         category=terms[categories[0]].id,
                         medical_category="cardiology" if "Hipertensão" in categories else None,
                         requires_crm_validation="Hipertensão" in categories,
                         medical_disclaimer=DISCLAIMER if level in ("professional", "restricted") else None,
                         sticky=title.startswith("Calendário"))
        for order, name in enumerate(categories + tags):
            PostTerm.create(post=post.id, term=terms[name].id, term_order=order)
        posts.append(post)
    recount_terms([term.id for term in terms.values()])
    return posts


def _pages(users):
    pages = {}
    for title, status, parent_title, order in PAGES:
        parent = pages.get(parent_title)
        pages[title] = _new_post(users["editor"], title, status, 30, post_type="page", menu_order=order,
                                 parent=parent.id if parent else None, compliance_level="public",
                                 comment_status="closed", ping_status="closed")
    return pages


def _custom_fields_and_workflow(posts):
    for post in posts:
        CustomField.create(post=post.id, meta_key="evidence_level", meta_value="1", meta_type="number",
                           medical_significance="high", field_group="group_evidence", field_order=0)
        CustomField.create(post=post.id, meta_key="peer_reviewed", meta_value="true", meta_type="true_false",
                           field_group="group_evidence", field_order=1)
    CustomField.create(post=posts[4].id, meta_key="patient_initials", meta_value="J.S.", is_phi=True,
                       medical_significance="critical")
    for post in Post.select():              # the real workflow (S.2.1 → S.4) on posts and pages, as the system
        workflow.run(post, None, source="demo", audited=False)
