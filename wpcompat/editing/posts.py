"""Creating, updating, trashing and deleting posts and pages (wp_insert_post's rules, no HTTP).

Input has been validated against the item schema already; what is checked here are
the rules that need the database: authors, parents, terms, slugs, statuses, dates,
and the healthcare rules of DESIGN.md §8.
"""

import peewee

from wpcompat import dates, kses, permissions
from wpcompat.db import current_tenant, db, is_postgres
from wpcompat.editing import revisions
from wpcompat.errors import WPError
from wpcompat.models import Media, Post, PostTerm, Term, User
from wpcompat.models.base import utcnow
from wpcompat.queries import media as media_queries
from wpcompat.rest.validation import parse_date
from wpcompat.slugs import sanitize_title, unique_slug
from wpcompat.wp_ids import next_wp_id
from wpcompat.workflow import gate as workflow_gate

PUBLISHING = ("publish", "future", "private")
DISCLAIMER_LEVELS = ("professional", "restricted")


def _text(value):
    """title/content/excerpt arrive as a string or {"raw": ...}."""
    if isinstance(value, dict):
        return value.get("raw", "")
    return value if value is not None else ""


def check_publishing(user, post_type, status):
    if status in PUBLISHING and not permissions.can_publish(user, post_type):
        noun = "pages" if post_type == "page" else "posts"
        raise WPError.not_allowed("rest_cannot_publish", user,
                                  f"Sorry, you are not allowed to publish {noun} in this post type.")


def resolve_author(user, post_type, wp_id):
    author = User.get_or_none(User.wp_id == wp_id, User.deleted_at.is_null())
    if author is None:
        raise WPError("rest_invalid_author", "Invalid author ID.", 400)
    if author.id != user.id and not permissions.can_edit_others(user, post_type):
        raise WPError.not_allowed("rest_cannot_edit_others", user,
                                  "Sorry, you are not allowed to update posts as this user.")
    return author


def _resolve_parent(post, wp_id):
    if not wp_id:
        return None
    parent = Post.get_or_none(Post.wp_id == wp_id)
    if parent is None or parent.id == post.id:
        raise WPError("rest_post_invalid_id", "Invalid post parent ID.", 400)
    return parent.id


def _resolve_media(wp_id, user):
    """The featured media's uuid; an id unknown, or one this user may not see (PHI, the file of a post of a
    level or status hidden from them), is ignored as WordPress ignores an unknown id."""
    if not wp_id:
        return None
    media = media_queries.visible(Media.select(Media.id).where(Media.wp_id == wp_id), user).first()
    return media.id if media is not None else None


def apply_fields(post, args, user, site_zone, creating, *, home):
    """Copy the validated request fields onto `post` (unsaved). Title, content and excerpt go through
    kses unless `user` has unfiltered_html; `home` is the site's address (PDF embeds must be on it)."""
    texts = {name: _text(args[name]) for name in ("title", "content", "excerpt") if name in args}
    for name, text in kses.for_user(texts, user, home).items():
        setattr(post, name, text)
    for name in ("comment_status", "ping_status", "template", "password", "medical_category",
                 "medical_disclaimer", "compliance_level"):
        if name in args and args[name] is not None:
            setattr(post, name, args[name])
    if "medical_category" in args:
        post.medical_category = args["medical_category"] or None
    if "format" in args:
        post.format = args["format"]
    if "sticky" in args:
        post.sticky = bool(args["sticky"])
    if "menu_order" in args:
        post.menu_order = args["menu_order"]
    if "parent" in args:
        post.parent = _resolve_parent(post, args["parent"])
    if "featured_media" in args:
        post.featured_media = _resolve_media(args["featured_media"], user)
    if "author" in args:
        post.author = resolve_author(user, post.post_type, args["author"]).id
    _apply_dates(post, args, site_zone, creating)
    _apply_status_and_slug(post, args, user)
    _apply_healthcare_rules(post, user)
    workflow_gate.on_save(post, user)          # runs the workflow's stages; refuses an ungated publish


def requested_dates(args, zone):
    """(local, utc) naive datetimes, to the second, of the request's date or date_gmt (validated
    already; `date` wins when both are given, as in prepare_item_for_database), or None when neither is
    given (posts and media)."""
    given = None
    if args.get("date"):
        given = dates.split(parse_date(args["date"]), zone, is_gmt=False)
    elif args.get("date_gmt"):
        given = dates.split(parse_date(args["date_gmt"]), zone, is_gmt=True)
    return None if given is None else tuple(value.replace(microsecond=0) for value in given)


def _apply_dates(post, args, zone, creating):
    now = utcnow()
    given = requested_dates(args, zone)
    if given is not None:
        post.date_local, post.published_at = given
    elif creating:
        post.published_at, post.date_local = now, dates.to_local(now, zone)
    post.updated_at, post.modified_local = now, dates.to_local(now, zone)
    if creating:
        post.inserted_at = now


def _apply_status_and_slug(post, args, user):
    if "status" in args:
        post.status = args["status"]
    if post.status == "publish" and post.published_at and post.published_at > utcnow():
        post.status = "future"                           # wp_insert_post: a future date schedules it
    elif post.status == "future" and post.published_at and post.published_at <= utcnow():
        post.status = "publish"
    post.scheduled_at = post.published_at if post.status == "future" else None
    if post.status in ("publish", "future", "private") and post.password and post.sticky:
        raise WPError("rest_invalid_field", "A post can not be sticky and have a password.", 400)
    if "slug" in args:
        post.slug = sanitize_title(args["slug"] or "")
    if not post.slug and post.status not in ("draft", "pending"):
        post.slug = sanitize_title(post.title) or str(post.wp_id)
    if post.slug:
        post.wanted_slug = post.slug                     # save_new/save_existing suffix it again on a race
        post.slug = unique_slug(post.slug, lambda candidate: _slug_taken(candidate, post))


def _slug_taken(candidate, post):
    query = Post.select(Post.id).where(Post.slug == candidate)
    if post.id is not None:
        query = query.where(Post.id != post.id)
    return query.exists()


def _apply_healthcare_rules(post, user):
    level = post.compliance_level or "public"
    if not permissions.may_see_level(user, level):
        raise WPError.not_allowed("rest_cannot_edit", user,
                                  f"Sorry, you are not allowed to publish {level} content.")
    if level in DISCLAIMER_LEVELS and not (post.medical_disclaimer or "").strip():
        raise WPError.invalid_params(
            {"medical_disclaimer": f"A medical disclaimer is required for {level} content."},
            {"medical_disclaimer": {"code": "rest_missing_disclaimer",
                                    "message": f"A medical disclaimer is required for {level} content.",
                                    "data": None}})
    post.requires_crm_validation = bool(post.medical_category)


def assign_terms(post, args, default_category=None):
    """Replace the post's categories and tags with the given ids (unknown ids are dropped)."""
    touched = set()
    for key, taxonomy in (("categories", "category"), ("tags", "post_tag")):
        if key not in args and not (key == "categories" and default_category and not _has_any(post, taxonomy)):
            continue
        wanted = args.get(key) or ([default_category] if key == "categories" and default_category else [])
        terms = list(Term.select(Term.id, Term.wp_id).where(Term.taxonomy == taxonomy, Term.wp_id.in_(wanted)))
        order = {wp_id: index for index, wp_id in enumerate(wanted)}
        terms.sort(key=lambda term: order.get(term.wp_id, 0))
        old = [row.term_id for row in PostTerm.select(PostTerm.term).join(Term).where(
            PostTerm.post == post.id, Term.taxonomy == taxonomy)]
        touched.update(old)
        if old:
            PostTerm.delete().where(PostTerm.post == post.id, PostTerm.term.in_(old)).execute()
        for index, term in enumerate(terms):
            PostTerm.create(post=post.id, term=term.id, term_order=index)
            touched.add(term.id)
        if taxonomy == "category":
            post.category = terms[0].id if terms else None
    return touched


def _has_any(post, taxonomy):
    return PostTerm.select().join(Term).where(PostTerm.post == post.id, Term.taxonomy == taxonomy).exists()


def recount_terms(term_ids):
    """A term's `count`: published posts carrying it that anyone may see.

    WordPress counts published posts. Here content of a restricted compliance level is
    left out: the count is shown to everybody, and hidden content must not be counted
    (DESIGN.md §8), so the number (and hide_empty) is what the public can see.

    Concurrent writers: the terms are locked (in one order, so two recounts cannot deadlock)
    before counting. A writer waiting for the lock counts after the other one committed, and
    READ COMMITTED lets that count see its rows; without the lock, two writers each count
    without the other's post and the last one stores a number one short. FOR NO KEY UPDATE,
    the lock the count's UPDATE takes anyway: it does not wait for the key-share locks that
    inserting post_terms rows holds on their terms (FOR UPDATE would, and deadlock).
    """
    term_ids = sorted(set(term_ids), key=str)
    if term_ids and is_postgres():
        list(Term.select(Term.id).where(Term.id.in_(term_ids)).order_by(Term.id).for_update("FOR NO KEY UPDATE"))
    for term_id in term_ids:
        count = (PostTerm.select().join(Post, on=(PostTerm.post == Post.id))
                 .where(PostTerm.term == term_id, Post.status == "publish",
                        Post.compliance_level.is_null() | (Post.compliance_level == "public")).count())
        Term.update(count=count).where(Term.id == term_id).execute()


def terms_of(post):
    return [row.term_id for row in PostTerm.select(PostTerm.term).where(PostTerm.post == post.id)]


def save_new(post, attempts=10):
    """Insert with a fresh wp_id; a slug taken by a concurrent writer is suffixed again."""
    return _save_with_unique_slug(post, True, attempts)


def save_existing(post, attempts=10):
    """Update; a slug taken by a concurrent writer meanwhile is suffixed again (as save_new)."""
    return _save_with_unique_slug(post, False, attempts)


def _lock_post_ids():
    """Before updating a post, take the lock a new post takes first: its wp_id row (PostgreSQL).

    A create holds the tenant's `post` id row (next_wp_id) and then, through the post_counts
    trigger, a post_counts row. An update took them the other way round: the trigger (it fires on
    every save, which sets every column) and then the revision's wp_id — a deadlock with any
    concurrent create. Both in one order now; updates already queued on the post_counts row.
    """
    if is_postgres():
        db.execute_sql(f"SELECT 1 FROM wp_id_sequences WHERE tenant_id = {db.param} AND kind = 'post' FOR UPDATE",
                       (str(current_tenant.get()),))


def _save_with_unique_slug(post, force_insert, attempts):
    """Save in a savepoint; on the slug's unique index, take the next free suffix of the wanted slug.

    unique_slug() only sees committed rows: a concurrent writer may take the same candidate before
    we save. Our save then waits for it on the unique index and fails once it commits; the next
    candidate is computed from the wanted slug ("title-3", not "title-2-2") and the rows now seen.
    """
    wanted = getattr(post, "wanted_slug", None) or post.slug
    if not force_insert:
        _lock_post_ids()
    for attempt in range(attempts):
        try:
            with db.atomic():
                post.save(force_insert=force_insert)
            return post
        except peewee.IntegrityError as error:
            if attempt == attempts - 1 or not post.slug or "slug" not in str(error):
                raise
            post.slug = unique_slug(wanted, lambda candidate: _slug_taken(candidate, post))
    return post


def new_post(post_type, user):
    return Post(post_type=post_type, author=user.id, wp_id=next_wp_id("post"), status="draft", slug="",
                title="", content="", excerpt="", comment_status="closed" if post_type == "page" else "open",
                ping_status="closed" if post_type == "page" else "open", compliance_level="public",
                format="standard", template="", password="", guid="")


def trash(post, user=None):
    """wp_trash_post: an update to status trash (which, as any update, may keep a revision)."""
    post.pre_trash_status = post.status
    post.status = "trash"
    post.deleted_at = utcnow()
    if not post.slug.endswith("__trashed"):              # an empty draft slug becomes "__trashed" too
        post.wanted_slug = f"{post.slug}__trashed"
        post.slug = unique_slug(post.wanted_slug, lambda candidate: _slug_taken(candidate, post))
    save_existing(post)
    if user is not None:
        after_update(post, user)


def untrash_if_needed(post, args):
    if post.status == "trash" and "status" in args and args["status"] != "trash":
        post.deleted_at = None
        post.pre_trash_status = None
        if post.slug.endswith("__trashed"):
            base = post.slug[: -len("__trashed")]
            post.wanted_slug = base
            post.slug = unique_slug(base, lambda candidate: _slug_taken(candidate, post)) if base else ""


def after_update(post, user):
    """post_updated: what follows a saved update of a post or page — it keeps a revision."""
    return revisions.keep_revision(post, user)


def delete_for_good(post):
    Post.delete().where(Post.id == post.id).execute()


def is_empty(args):
    return not any(_text(args.get(name)).strip() for name in ("title", "content", "excerpt"))

