"""The golden WordPress site (../shared/golden) as data, and rebuilt as a wpcompat tenant.

`load_cases()` reads every `NNN-name.json` answer. `golden_content()` derives the site's
content from the answers themselves (site-fixtures.json only has ids): each post, page,
term, user and image is merged from every answer that shows it — REST view and edit
contexts, and the XML-RPC `wp.getPost(s)` / `wp.getMediaLibrary` values, which carry raw
fields. Only the answers captured before the first write (files < 193) are used, so the
data is the site as it was when the reads ran.

Where no answer carries a raw value, it is rebuilt: titles are un-texturized from
`title.rendered`, and post bodies follow the capture's template (`post_body`), with the
two posts whose rendered content shows extra blocks (9: an image, 28: a paragraph).
Post 46 (the second trashed post) appears in no answer; it is made up to match the README.

`build_site(engine, label)` writes all of it into a fresh tenant whose URL is the golden
site's (http://127.0.0.1:8081), so links compare equal. TenantHost.host is unique across
the database, so each tenant gets its own Host header value (`GoldenSite.host`); links come
from the tenant URL, not from the Host.
"""

import dataclasses
import datetime
import functools
import json
import re
import uuid
from pathlib import Path

from wpcompat import passwords
from wpcompat.db import bind, tenant_scope
from wpcompat.models import AppPassword, CustomField, Media, Post, PostTerm, Revision, Term, User
from wpcompat.sites import create_site
from wpcompat.wp_ids import reserve_wp_id

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "shared" / "golden"
GOLDEN_URL = "http://127.0.0.1:8081"
FIRST_WRITE = 193                       # files from here on changed the site
# Ids the golden site had used before the writes (revisions, theme and format terms, comments):
# the first REST-created post is 57, term 24, comment 8.
LAST_USED_IDS = {"post": 56, "term": 23, "user": 5, "comment": 7}
LOGIN_PASSWORD = "{login}-pass-123"              # the golden site's login passwords (XML-RPC bodies)
UPLOADS = "/wp-content/uploads/"

ENTITIES = (("&#8217;", "'"), ("&#8216;", "'"), ("&#8220;", '"'), ("&#8221;", '"'), (" &#8212; ", " -- "),
            ("&#8211;", "-"), ("&#8230;", "..."), ("&#038;", "&"), ("&amp;", "&"))


# --- the answers ----------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class GoldenCase:
    name: str            # "051-post-single-view.json"
    request: dict        # {method, path, query, auth, headers, body}
    status: int
    headers: dict
    body: object
    xmlrpc: object = None

    @property
    def number(self):
        return int(self.name[:3])

    @property
    def is_xmlrpc(self):
        return self.request["path"].startswith("/xmlrpc.php")


@functools.lru_cache(maxsize=1)
def load_cases():
    cases = []
    for path in sorted(GOLDEN_DIR.glob("[0-9][0-9][0-9]-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        cases.append(GoldenCase(path.name, data["request"], data["status"], data["headers"], data["body"],
                                data.get("xmlrpc")))
    return tuple(cases)


def fixture_ids():
    """site-fixtures.json: the ids of the golden site's users, terms, posts, pages, media and comments."""
    return json.loads((GOLDEN_DIR / "site-fixtures.json").read_text(encoding="utf-8"))


def untexturize(text):
    """The raw text behind a texturized `*.rendered` (good for the golden titles and excerpts)."""
    for entity, plain in ENTITIES:
        text = text.replace(entity, plain)
    return text


def post_body(number, title):
    """The block markup the capture script gave post N (wp id N + 7)."""
    return (f'<!-- wp:paragraph -->\n<p>Introdução ao post {number}: "{title}". Isto é um parágrafo com '
            f'<strong>negrito</strong>, <em>itálico</em> e um <a href="https://example.com/{number}">link</a>. '
            f"It's a test -- with quotes...</p>\n<!-- /wp:paragraph -->\n\n"
            f"<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->\n\n"
            f"<!-- wp:heading -->\n<h2>Seção {number}</h2>\n<!-- /wp:heading -->\n\n"
            f"{{extra_after_heading}}"
            f"<!-- wp:list -->\n<ul><li>um</li><li>dois 🚀</li><li>três</li></ul>\n<!-- /wp:list -->\n\n"
            f'<!-- wp:quote -->\n<blockquote class="wp-block-quote"><p>Citação número {number}.</p>'
            f"<cite>Alguém</cite></blockquote>\n<!-- /wp:quote -->\n\n"
            f'<!-- wp:code -->\n<pre class="wp-block-code"><code>print("olá {number}")</code></pre>\n'
            f"<!-- /wp:code -->{{extra_at_end}}")


# Blocks seen in content.rendered of two posts, beyond the template.
BODY_EXTRAS = {
    9: {"extra_after_heading": (
        '<!-- wp:image {"id":4,"sizeSlug":"full","linkDestination":"none"} -->\n'
        f'<figure class="wp-block-image size-full"><img src="{GOLDEN_URL}{UPLOADS}2024/01/azul.png" alt="" '
        'class="wp-image-4"/></figure>\n<!-- /wp:image -->\n\n')},
    28: {"extra_at_end": "\n\n<!-- wp:paragraph -->\n<p>A palavra agulha está escondida aqui.</p>\n"
                         "<!-- /wp:paragraph -->"},
}
INVENTED_POSTS = {   # in no answer: the README's second trashed post
    46: {"id": 46, "type": "post", "status": "trash", "slug": "outro-post-na-lixeira__trashed",
         "title_raw": "Outro post na lixeira", "author": 1, "date": "2024-02-11T16:39:00",
         "date_gmt": "2024-02-11T16:39:00", "modified": "2026-11-24T16:17:06",
         "modified_gmt": "2026-11-24T16:17:06", "categories": [1], "tags": [], "comment_status": "open",
         "ping_status": "closed", "guid": f"{GOLDEN_URL}/outro-post-na-lixeira/"},
}


# --- deriving the content -------------------------------------------------------------------------

def _walk(value):
    """Every dict inside an answer (REST items, _embedded items, XML-RPC structs)."""
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child)


def _xml_date(value):
    return value.replace(" ", "T") if value else None


def _merge(record, values):
    for key, value in values.items():
        if value is not None and key not in record:
            record[key] = value


def _from_rest(item):
    """The fields of a REST post/page item (any context) as a flat record."""
    record = {key: item.get(key) for key in ("id", "type", "status", "slug", "date", "date_gmt", "modified",
                                             "modified_gmt", "author", "featured_media", "comment_status",
                                             "ping_status", "sticky", "format", "template", "parent",
                                             "menu_order", "categories", "tags", "password")}
    for name in ("title", "content", "excerpt"):
        field = item.get(name)
        if isinstance(field, dict):
            record[f"{name}_raw"] = field.get("raw")
            record[f"{name}_rendered"] = field.get("rendered")
            if name != "title":
                record[f"{name}_protected"] = field.get("protected")
    if isinstance(item.get("guid"), dict):
        record["guid"] = item["guid"].get("raw") or item["guid"].get("rendered")
    if isinstance(item.get("meta"), dict):
        record["meta"] = item["meta"]
    return record


def _from_xmlrpc(item):
    """The fields of a wp.getPost(s) struct as a flat record (raw title, content, excerpt...)."""
    terms = item.get("terms") or []
    record = {
        "id": int(item["post_id"]), "type": item.get("post_type"), "status": item.get("post_status"),
        "slug": item.get("post_name"), "title_raw": item.get("post_title"), "content_raw": item.get("post_content"),
        "excerpt_raw": item.get("post_excerpt"), "password": item.get("post_password"),
        "date": _xml_date(item.get("post_date")), "date_gmt": _xml_date(item.get("post_date_gmt")),
        "modified": _xml_date(item.get("post_modified")), "modified_gmt": _xml_date(item.get("post_modified_gmt")),
        "author": int(item["post_author"]) if item.get("post_author") else None,
        "parent": int(item["post_parent"]) if item.get("post_parent") is not None else None,
        "menu_order": item.get("menu_order"), "comment_status": item.get("comment_status"),
        "ping_status": item.get("ping_status"), "sticky": item.get("sticky"), "guid": item.get("guid"),
        "format": item.get("post_format"), "custom_fields": item.get("custom_fields"),
    }
    if "terms" in item:
        record["categories"] = [int(t["term_id"]) for t in terms if t["taxonomy"] == "category"]
        record["tags"] = [int(t["term_id"]) for t in terms if t["taxonomy"] == "post_tag"]
    thumbnail = item.get("post_thumbnail")
    if isinstance(thumbnail, dict) and thumbnail.get("attachment_id"):
        record["featured_media"] = int(thumbnail["attachment_id"])
    elif "post_thumbnail" in item:
        record["featured_media"] = 0
    return record


REST_POST_ROUTE = re.compile(r"^/wp/v2/(posts|pages)(?:/\d+)?$")


def rest_route(request):
    """The REST route a golden request addressed (`/wp-json/...` or `?rest_route=`), else None."""
    if request["path"].startswith("/wp-json"):
        return request["path"][len("/wp-json"):].rstrip("/") or "/"
    route = (request.get("query") or {}).get("rest_route")
    return (route.rstrip("/") or "/") if isinstance(route, str) else None


def _rest_post_items(case):
    """Post and page items of an answer: the top-level items of a posts/pages route (whatever
    `_fields` kept), and embedded items that say they are posts or pages."""
    found = REST_POST_ROUTE.match(rest_route(case.request) or "")
    top = case.body if isinstance(case.body, list) else [case.body]
    seen = set()
    for item in top:
        if found and isinstance(item, dict) and isinstance(item.get("id"), int):
            seen.add(id(item))
            yield {"type": "post" if found.group(1) == "posts" else "page", **item}
    for item in _walk(case.body):
        if id(item) not in seen and item.get("type") in ("post", "page") and isinstance(item.get("id"), int):
            yield item


def _records(cases):
    """Flat records: REST edit context first (raw fields), then REST views, then XML-RPC structs,
    which only fill gaps (XML-RPC reports a future post as `publish`)."""
    edit, view, xmlrpc = [], [], []
    for case in cases:
        for item in _walk(case.xmlrpc):
            if "post_id" in item and "post_type" in item:
                xmlrpc.append(_from_xmlrpc(item))
        if case.status != 200:
            continue
        for item in _rest_post_items(case):
            record = _from_rest(item)
            (edit if record.get("title_raw") is not None else view).append(record)
    return edit + view + xmlrpc


def _complete_post(record):
    post_id = record["id"]
    if record.get("title_raw") is None:
        record["title_raw"] = untexturize(record.get("title_rendered") or "")
    if record.get("content_raw") is None:
        title = record["title_raw"] or "sem título"
        extras = {"extra_after_heading": "", "extra_at_end": "", **BODY_EXTRAS.get(post_id, {})}
        record["content_raw"] = post_body(post_id - 7, title).format(**extras)
    if record.get("excerpt_raw") is None:
        rendered = record.get("excerpt_rendered") or ""
        manual = rendered.startswith("<p>") and "Introdução ao post" not in rendered
        record["excerpt_raw"] = untexturize(rendered[3:].rsplit("</p>", 1)[0]) if manual else ""
    record.setdefault("password", "")
    record.setdefault("sticky", False)
    record.setdefault("format", "standard")
    record.setdefault("template", "")
    record.setdefault("featured_media", 0)
    record.setdefault("parent", 0)
    record.setdefault("menu_order", 0)
    record.setdefault("categories", [])
    record.setdefault("tags", [])
    return record


@functools.lru_cache(maxsize=1)
def golden_content():
    """{"users", "terms", "posts", "media", "settings"}: the golden site before the writes, as plain data."""
    cases = [case for case in load_cases() if case.number < FIRST_WRITE]
    posts = {}
    for record in _records(cases):
        _merge(posts.setdefault(record["id"], {}), record)
    for post_id, record in INVENTED_POSTS.items():
        _merge(posts.setdefault(post_id, {}), record)
    posts = {post_id: _complete_post(record) for post_id, record in sorted(posts.items())}
    return {"users": _users(cases), "terms": _terms(cases), "posts": posts, "media": _media(cases),
            "settings": _case(cases, "118-settings-auth.json").body, "comments": _comments(cases)}


# Comments: from the REST comment answers (view and edit context) and wp.getComment(s) structs. The
# spam comment appears in no answer (invented, on post 9); e-mails no answer shows come from the
# Gravatar hash the answers do show.
INVENTED_COMMENTS = {6: {"id": 6, "post": 9, "parent": 0, "author": 0, "author_name": "Spammer",
                         "author_email": "spam@example.com", "author_url": "https://spam.example",
                         "content": "Compre já!", "status": "spam", "type": "comment",
                         "date": "2024-02-01T12:30:00", "date_gmt": "2024-02-01T12:30:00"}}
AVATAR_EMAILS = {"d7a973c7dab26985da5f961be7b74480": "wapuu@wordpress.example",
                 "5044ffdab4102e32dc97a1cf32e9c429": "visitante@example.com"}


def _comments(cases):
    """{id: record} of the golden site's comments (raw content, author data, status, dates)."""
    comments = {}
    for case in cases:
        route = rest_route(case.request) or ""
        if case.status == 200 and route.startswith("/wp/v2/comments"):
            for item in case.body if isinstance(case.body, list) else [case.body]:
                _merge(comments.setdefault(item["id"], {}), _comment_from_rest(item))
        for item in _walk(case.xmlrpc):
            if "comment_id" in item:
                _merge(comments.setdefault(int(item["comment_id"]), {}), {
                    "id": int(item["comment_id"]), "post": int(item["post_id"]), "parent": int(item["parent"]),
                    "author": int(item["user_id"]), "author_name": item["author"], "author_url": item["author_url"],
                    "author_email": item["author_email"], "author_ip": item["author_ip"], "content": item["content"],
                    "status": {"approve": "approved"}.get(item["status"], item["status"]), "type": item["type"],
                    "date_gmt": _xml_date(item["date_created_gmt"])})
    for comment_id, record in INVENTED_COMMENTS.items():
        _merge(comments.setdefault(comment_id, {}), record)
    for record in comments.values():
        if record.get("content") is None:
            rendered = record.pop("rendered")
            record["content"] = rendered.removeprefix("<p>").removesuffix("</p>\n").replace("<br />\n", "\n")
        record.pop("rendered", None)
        record.setdefault("author_ip", "127.0.0.1")
        record.setdefault("author_user_agent", "")
    return dict(sorted(comments.items()))


def _comment_from_rest(item):
    record = {key: item[key] for key in ("id", "post", "parent", "author", "author_name", "author_url", "date",
                                         "date_gmt", "status", "type", "author_email", "author_ip",
                                         "author_user_agent") if key in item}
    content = item["content"]
    record["content" if "raw" in content else "rendered"] = content.get("raw", content["rendered"])
    digest = item["author_avatar_urls"]["24"].rsplit("/", 1)[-1].split("?", 1)[0]
    if digest in AVATAR_EMAILS:
        record.setdefault("author_email", AVATAR_EMAILS[digest])
    return record


def _write_comments(comments, post_ids, users):
    """The comments, same ids, parents first (ids grow with the thread)."""
    from wpcompat.models import Comment

    ids = {comment_id: uuid.uuid4() for comment_id in comments}
    Comment.insert_many([{
        "id": ids[record["id"]], "wp_id": record["id"], "post": post_ids[record["post"]],
        "parent": ids[record["parent"]] if record["parent"] else None,
        "user": users[record["author"]] if record["author"] else None, "status": record["status"],
        "author_name": record["author_name"], "author_email": record.get("author_email", ""),
        "author_url": record["author_url"], "author_ip": record["author_ip"],
        "user_agent": record["author_user_agent"], "content": record["content"], "comment_type": record["type"],
        "date_local": _parse(record.get("date") or record["date_gmt"]), "date_gmt": _parse(record["date_gmt"]),
    } for record in comments.values()]).execute()


def _case(cases, name):
    return next(case for case in cases if case.name == name)


def _users(cases):
    users = _case(cases, "096-users-list-auth-edit.json").body
    return sorted(({key: user[key] for key in ("id", "username", "name", "first_name", "last_name", "email",
                                               "url", "description", "slug", "roles", "registered_date")}
                   for user in users), key=lambda user: user["id"])


def _terms(cases):
    terms = {}
    for name in ("076-categories-per100.json", "086-tags-list.json"):
        for term in _case(cases, name).body:
            terms[term["id"]] = {key: term.get(key) for key in ("id", "name", "slug", "taxonomy", "description",
                                                                "count", "parent")}
    return [terms[term_id] for term_id in sorted(terms)]


def _media(cases):
    library = {int(item["attachment_id"]): item for item in _walk(_case(cases, "173-wp.getMediaLibrary.json").xmlrpc)
               if "attachment_id" in item}
    media = []
    for item in _case(cases, "090-media-list.json").body:
        raw = library[item["id"]]
        media.append({
            "id": item["id"], "slug": item["slug"], "title": raw["title"], "author": item["author"],
            "date": item["date"], "modified": item["modified"], "guid": item["guid"]["rendered"],
            "caption": raw["caption"], "description": raw["description"], "alt_text": item["alt_text"],
            "mime_type": item["mime_type"], "post": item["post"], "metadata": raw["metadata"],
            "file": raw["metadata"]["file"], "file_size": raw["metadata"].get("filesize", 0),
        })
    return sorted(media, key=lambda row: row["id"])


# --- the tenant -------------------------------------------------------------------------------------

LOGINS = ("admin", "editor", "author", "contributor", "subscriber")


def app_password(login):
    """A fixed 24-character application password per user (the same in every golden tenant)."""
    return (login.capitalize() + "GoldenReplay0123456789xyz")[:24]


@functools.lru_cache(maxsize=None)
def _login_hash(login):
    return passwords.hash_password(LOGIN_PASSWORD.format(login=login))    # argon2: once per run


@dataclasses.dataclass
class GoldenSite:
    tenant: object
    host: str
    logins: dict           # golden `auth.credential` → (login, password) for HTTP Basic

    @property
    def id(self):
        return self.tenant.id


def credentials():
    """The golden `auth.credential` names → (login, password) as the capture sent them."""
    mapping = {login: (login, app_password(login)) for login in LOGINS}
    mapping["bad"] = ("admin", "wrong wrong wrong wrong")                  # not admin's app password
    mapping["admin-login-pass"] = ("admin", LOGIN_PASSWORD.format(login="admin"))
    return mapping


def build_site(engine, label="golden"):
    """A fresh tenant holding the golden site's users, terms, posts, pages and images, same ids."""
    bind(engine.database)
    slug = f"{label}-{uuid.uuid4().hex[:8]}"
    host = f"{slug}.golden.test"
    content = golden_content()
    with engine.database.atomic():
        tenant = create_site(slug, content["settings"]["title"], [host], **site_settings(content["settings"]))
    with tenant_scope(tenant.id):
        users = _write_users(content["users"])
        terms = _write_terms(content["terms"])
        post_ids = _write_posts(content["posts"], users, terms, tenant.slug, content["media"])
        _write_comments(content["comments"], post_ids, users)
        _write_revisions(post_ids)
        for kind, value in LAST_USED_IDS.items():
            reserve_wp_id(kind, value)
    return GoldenSite(tenant, host, credentials())


# The golden site's revisions (post id → revision ids), from its posts' predecessor-version links.
GOLDEN_REVISIONS = {45: [48]}


def _write_revisions(post_ids):
    """The revisions the golden posts link to, with their ids (their content is not replayed)."""
    for post_id, revision_ids in GOLDEN_REVISIONS.items():
        post = Post.get_by_id(post_ids[post_id])
        for wp_id in revision_ids:
            Revision.create(post=post.id, author=post.author_id, wp_id=wp_id, title=post.title,
                            content=post.content, excerpt=post.excerpt, created_at=post.updated_at,
                            updated_at=post.updated_at)


# /wp/v2/settings keys kept in a `tenants` column (DESIGN.md §2); the others go to `tenants.options`.
SETTING_COLUMNS = {"title": "name", "description": "description", "url": "url", "timezone": "timezone_string",
                   "date_format": "date_format", "time_format": "time_format", "start_of_week": "start_of_week",
                   "language": "language", "use_smilies": "use_smilies", "default_category": "default_category",
                   "default_post_format": "default_post_format", "posts_per_page": "posts_per_page"}


def site_settings(settings):
    """create_site() keywords for the golden settings (GET /wp/v2/settings as the admin saw them)."""
    columns = {SETTING_COLUMNS[key]: value for key, value in settings.items() if key in SETTING_COLUMNS}
    columns["options"] = {key: value for key, value in settings.items()
                          if key not in SETTING_COLUMNS and value is not None}
    columns.pop("name")
    return columns


def _parse(value):
    if not value:
        return None
    return datetime.datetime.fromisoformat(value).replace(tzinfo=None)


def _write_users(users):
    """{wp id: uuid} of the users, each with an application password (and the golden login password)."""
    rows, keys = [], []
    ids = {user["id"]: uuid.uuid4() for user in users}
    for user in users:
        registered = _parse(user["registered_date"])
        rows.append({"id": ids[user["id"]], "wp_id": user["id"], "login": user["username"], "nicename": user["slug"],
                     "display_name": user["name"], "first_name": user["first_name"], "last_name": user["last_name"],
                     "email": user["email"], "url": user["url"], "description": user["description"],
                     "role": user["roles"][0], "password_hash": _login_hash(user["username"]),
                     "created_at": registered, "updated_at": registered})
        keys.append({"id": uuid.uuid4(), "user": ids[user["id"]], "uuid": uuid.uuid4(), "name": "golden replay",
                     "password_hash": passwords.hash_app_password(app_password(user["username"]))})
    User.insert_many(rows).execute()
    AppPassword.insert_many(keys).execute()
    return ids


def _write_terms(terms):
    """{wp id: uuid} of the categories and tags, parents kept."""
    ids = {term["id"]: uuid.uuid4() for term in terms}
    by_id = {term["id"]: term for term in terms}

    def level(term):
        return 0 if not term.get("parent") else level(by_id[term["parent"]]) + 1

    Term.insert_many([{"id": ids[term["id"]], "wp_id": term["id"], "name": term["name"], "slug": term["slug"],
                       "taxonomy": term["taxonomy"], "description": term["description"], "count": term["count"],
                       "parent": ids[term["parent"]] if term.get("parent") else None, "level": level(term)}
                      for term in terms]).execute()
    return ids


def _write_posts(posts, users, terms, tenant_slug, media):
    """Images first (unattached), then posts and pages with their featured image, terms and meta."""
    post_ids = {post_id: uuid.uuid4() for post_id in posts}
    image_ids = _write_media(media, users, tenant_slug)
    Post.insert_many([_post_row(record, post_ids, users, terms, image_ids) for record in posts.values()]).execute()
    for item in media:
        if item["post"]:
            Media.update(post=post_ids[item["post"]]).where(Media.id == image_ids[item["id"]]).execute()
    links, fields = [], []
    for record in posts.values():
        post = post_ids[record["id"]]
        for order, term_id in enumerate(record["categories"] + record["tags"]):
            links.append({"id": uuid.uuid4(), "post": post, "term": terms[term_id], "term_order": order})
        for key, value in _custom_fields(record).items():
            fields.append({"id": uuid.uuid4(), "post": post, "meta_key": key, "meta_value": value})
    PostTerm.insert_many(links).execute()
    CustomField.insert_many(fields).execute()
    return post_ids


def _custom_fields(record):
    """The registered meta (REST `meta`) and XML-RPC custom fields. custom_fields is unique per
    (post, key), so of post 30's two `related_link` values only the first is kept."""
    fields = {key: str(value) for key, value in (record.get("meta") or {}).items() if value not in ("", 0)}
    for field in record.get("custom_fields") or []:
        fields.setdefault(field["key"], field["value"])
    return fields


def _post_row(record, post_ids, users, terms, image_ids):
    date, date_gmt = _parse(record["date"]), _parse(record["date_gmt"])
    modified, modified_gmt = _parse(record["modified"]), _parse(record["modified_gmt"])
    status = record["status"]
    return {
        "id": post_ids[record["id"]], "wp_id": record["id"], "post_type": record["type"], "status": status,
        "slug": record["slug"] or "", "title": record["title_raw"], "content": record["content_raw"],
        "excerpt": record["excerpt_raw"], "password": record["password"] or "", "author": users[record["author"]],
        "parent": post_ids[record["parent"]] if record["parent"] else None, "menu_order": record["menu_order"] or 0,
        "sticky": bool(record["sticky"]), "format": record["format"] or "standard",
        "template": record["template"] or "", "guid": record.get("guid") or "",
        "comment_status": record["comment_status"], "ping_status": record["ping_status"],
        "category": terms[record["categories"][0]] if record["categories"] else None,
        "featured_media": image_ids[record["featured_media"]] if record["featured_media"] else None,
        "date_local": date, "published_at": date_gmt, "modified_local": modified, "updated_at": modified_gmt,
        "inserted_at": date_gmt or modified_gmt, "compliance_level": "public",
        "scheduled_at": date_gmt if status == "future" else None,
        "deleted_at": modified_gmt if status == "trash" else None,
        "pre_trash_status": "publish" if status == "trash" else None,
    }


def _write_media(media, users, tenant_slug):
    ids = {item["id"]: uuid.uuid4() for item in media}
    rows = []
    for item in media:
        date, modified = _parse(item["date"]), _parse(item["modified"])
        rows.append({
            "id": ids[item["id"]], "wp_id": item["id"], "title": item["title"], "slug": item["slug"],
            "guid": item["guid"], "filename": f"{tenant_slug}/{item['file']}",
            "original_filename": item["file"].rsplit("/", 1)[-1], "mime_type": item["mime_type"],
            "file_size": item["file_size"], "width": item["metadata"].get("width"),
            "height": item["metadata"].get("height"), "alt_text": item["alt_text"], "caption": item["caption"],
            "description": item["description"], "uploaded_by": users[item["author"]], "post": None,
            "metadata": item["metadata"], "date_local": date, "inserted_at": date, "updated_at": modified})
    Media.insert_many(rows).execute()
    return ids
