"""The structs wp.* methods answer: post, term, media item, user (spec/xmlrpc.md §3).

`PostBatch` loads what a list of posts needs from other tables in a fixed number of
queries (terms, custom fields, featured images, authors, page paths), so wp.getPosts
with 100 posts costs what it costs with 10. Ids are strings where WordPress sends
strings; dates are naive datetimes (written as dateTime.iso8601 without a zone).
"""

import posixpath
import unicodedata

import peewee

from wpcompat import dates, permissions
from wpcompat.models import Media, PostTerm, Term, User
from wpcompat.queries import media as media_queries
from wpcompat.queries import posts as post_queries
from wpcompat.responses.media import media_dates, source_url
from wpcompat.responses.posts import local_dates, permalink
from wpcompat.xmlrpc import custom_fields
from wpcompat.workflow import state as workflow_state
from wpcompat.xmlrpc.parser import ZERO_DATE

ParentTerm = Term.alias("parent_term")
POST_TAXONOMIES = {"post": ("category", "post_tag", "post_format"), "page": ()}
DEFAULT_POST_FIELDS = ["post", "terms", "custom_fields"]


def xml_date(value):
    """A stored naive datetime as IXR_Date; the zero date when there is none."""
    return value.replace(microsecond=0) if value is not None else ZERO_DATE


def name_key(name):
    """MySQL's utf8mb4_unicode_ci order, near enough: case and accents ignored."""
    folded = unicodedata.normalize("NFKD", name or "").casefold()
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def terms_select():
    """Terms with their parent's integer id."""
    return (Term.select(Term, ParentTerm.wp_id.alias("parent_wp_id"))
            .join(ParentTerm, peewee.JOIN.LEFT_OUTER, on=(Term.parent == ParentTerm.id)).switch(Term))


def term_struct(term):
    """_prepare_term: WP_Term's members in its order; ids as strings, count as an int."""
    term_id = str(term.wp_id)
    return {"term_id": term_id, "name": term.name, "slug": term.slug, "term_group": "0",
            "term_taxonomy_id": term_id, "taxonomy": term.taxonomy, "description": term.description or "",
            "parent": str(getattr(term, "parent_wp_id", None) or 0), "count": int(term.count or 0),
            "filter": "raw", "custom_fields": []}


def sorted_terms(terms):
    return sorted(terms, key=lambda term: (name_key(term.name), term.wp_id))


class Paths:
    """What responses.posts.permalink needs: page paths."""

    def __init__(self, posts):
        pages = [post for post in posts if post.post_type == "page"]
        self.paths = post_queries.page_paths(pages) if pages else {}


class PostBatch:
    """Relations of a list of posts, loaded once."""

    def __init__(self, call, posts, terms=True, fields=True, media=True, authors=False):
        self.call = call
        ids = [post.id for post in posts]
        self.links = Paths(posts)
        self.terms = self._terms(ids) if terms else {}
        self.fields = custom_fields.rows_by_post(ids) if fields else {}
        self.media = self._media(posts) if media else {}
        self.authors = self._authors(posts) if authors else {}
        self.posts, self.workflows = posts, None
        self.visibility = custom_fields.Visibility(call.user)   # which field rows are PHI, which the caller sees
        context = call.req.context                     # the XML-RPC resource asks holds_phi() before keeping
        context.post_batches = [*getattr(context, "post_batches", ()), self]

    def holds_phi(self):
        """Whether the answer may hold anything PHI-grade, so that it is never kept (response_cache): a post
        at level phi or whose text the LGPD stage found patient data in, a page's ancestors (their titles
        and slugs are shown), a field flagged is_phi or under an ACF field defined as PHI, PHI media."""
        posts = self.posts
        if any(getattr(post, "compliance_level", None) == "phi" or getattr(post, "parent_id", None)
               for post in posts) or any(row.contains_phi for row in self.media.values()):
            return True
        if any(self.visibility.is_phi(row) for rows in self.fields.values() for row in rows):
            return True
        return workflow_state.patient_data_found([post.id for post in posts])

    @staticmethod
    def _terms(ids):
        result = {}
        if not ids:
            return result
        query = (terms_select().join(PostTerm, on=(PostTerm.term == Term.id))
                 .where(PostTerm.post.in_(ids)).select_extend(PostTerm.post.alias("for_post")))
        for term in query.objects():
            result.setdefault(term.for_post, []).append(term)
        return {post_id: sorted_terms(items) for post_id, items in result.items()}

    def _media(self, posts):
        wanted = {post.featured_media_id for post in posts if getattr(post, "featured_media_id", None)}
        if not wanted:
            return {}
        rows = media_queries.visible(media_queries.base_select().where(Media.id.in_(list(wanted))),
                                     self.call.user).objects()
        return {row.id: row for row in rows}

    @staticmethod
    def _authors(posts):
        wanted = {post.author_id for post in posts if post.author_id}
        if not wanted:
            return {}
        return {user.id: user for user in User.select().where(User.id.in_(list(wanted)))}

    def post_terms(self, post, taxonomy=None):
        terms = self.terms.get(post.id, [])
        allowed = POST_TAXONOMIES.get(post.post_type, ())
        return [term for term in terms if term.taxonomy in allowed and (taxonomy is None or term.taxonomy == taxonomy)]

    def link(self, post):
        return permalink(post, self.call.home, self.links)

    def thumbnail(self, post):
        return self.media.get(getattr(post, "featured_media_id", None))

    def custom_fields(self, post):
        return custom_fields.as_structs(self.fields.get(post.id), self.visibility) + self.workflow_fields(post)

    def workflow_fields(self, post):
        """The workflow summary of gated content as read-only custom fields, for those who may edit it."""
        if post.post_type not in ("post", "page") or not permissions.can_edit_post(self.call.user, post):
            return []
        if self.workflows is None:
            self.workflows = workflow_state.summaries(self.posts)
        info = self.workflows.get(post.id)
        return workflow_state.custom_field_structs(post, info) if info and info["gated"] else []

    def author(self, post):
        return self.authors.get(post.author_id)


def guid(post, home):
    if post.guid:
        return post.guid
    return f"{home}/?page_id={post.wp_id}" if post.post_type == "page" else f"{home}/?p={post.wp_id}"


def post_dates(post, zone):
    """(post_date, post_date_gmt, post_modified, post_modified_gmt) as naive datetimes."""
    date_local, modified_local = local_dates(post, zone)
    date_gmt = post.published_at or dates.to_utc(date_local, zone)
    return date_local, date_gmt, modified_local, post.updated_at


def post_struct(post, fields, batch):
    """_prepare_post: `post_id`, then the requested members in WordPress's order."""
    call = batch.call
    fields = DEFAULT_POST_FIELDS if fields is None else [str(name) for name in fields]
    data = {"post_id": str(post.wp_id)}
    date_local, date_gmt, modified_local, modified_gmt = post_dates(post, call.zone)
    values = {
        "post_title": lambda: post.title or "", "post_date": lambda: xml_date(date_local),
        "post_date_gmt": lambda: xml_date(date_gmt), "post_modified": lambda: xml_date(modified_local),
        "post_modified_gmt": lambda: xml_date(modified_gmt),
        "post_status": lambda: "publish" if post.status == "future" else post.status,
        "post_type": lambda: post.post_type, "post_name": lambda: post.slug or "",
        "post_author": lambda: str(getattr(post, "author_wp_id", None) or 0),
        "post_password": lambda: post.password or "", "post_excerpt": lambda: post.excerpt or "",
        "post_content": lambda: post.content or "",
        "post_parent": lambda: str(getattr(post, "parent_wp_id", None) or 0),
        "post_mime_type": lambda: "", "link": lambda: batch.link(post), "guid": lambda: guid(post, call.home),
        "menu_order": lambda: int(post.menu_order or 0), "comment_status": lambda: post.comment_status or "open",
        "ping_status": lambda: post.ping_status or "open",
        "sticky": lambda: post.post_type == "post" and bool(post.sticky),
        "post_thumbnail": lambda: _thumbnail(batch, post), "post_format": lambda: post.format or "standard",
    }
    every = "post" in fields
    for name, value in values.items():
        if every or name in fields:
            data[name] = value()
    if "terms" in fields or "taxonomies" in fields:
        data["terms"] = [term_struct(term) for term in batch.post_terms(post)]
    if "custom_fields" in fields:
        data["custom_fields"] = batch.custom_fields(post)
    if "enclosure" in fields:
        data["enclosure"] = enclosure_struct([row for row in batch.fields.get(post.id) or ()
                                              if batch.visibility.may_see(row)])
    return data


def _thumbnail(batch, post):
    media = batch.thumbnail(post)
    return media_struct(media, batch.call) if media is not None else []


def enclosure_struct(rows):
    """The first `enclosure` meta ("url\\nlength\\ntype") as {url, length, type}, or []."""
    value = custom_fields.first_value(rows, "enclosure")
    if not value:
        return []
    parts = value.split("\n")
    length = parts[1].strip() if len(parts) > 1 else "0"
    return {"url": parts[0].strip(), "length": int(length) if length.isdigit() else 0,
            "type": parts[2].strip() if len(parts) > 2 else ""}


# --- media -------------------------------------------------------------------------------------

META_ORDER = ("width", "height", "file", "filesize", "sizes", "image_meta")
SIZE_ORDER = ("file", "width", "height", "mime-type", "filesize")
IMAGE_META_ORDER = ("aperture", "credit", "camera", "caption", "created_timestamp", "copyright", "focal_length",
                    "iso", "shutter_speed", "title", "orientation", "keywords")


def _ordered(data, order):
    """`data` with WordPress's keys first, in its order (JSONB does not keep the stored order)."""
    return {**{key: data[key] for key in order if key in data},
            **{key: value for key, value in data.items() if key not in order}}


def _size(size):
    size = {key: value for key, value in size.items() if key != "source_url"}
    if "mime_type" in size and "mime-type" not in size:
        size["mime-type"] = size.pop("mime_type")
    return _ordered(size, SIZE_ORDER)


def media_metadata(media):
    """wp_get_attachment_metadata: the stored metadata in WordPress's order, or false when there is none."""
    meta = media.metadata if isinstance(media.metadata, dict) else {}
    if not meta:
        return False
    meta = dict(meta)
    sizes = meta.get("sizes")
    meta["sizes"] = {name: _size(size) for name, size in sizes.items() if isinstance(size, dict)} \
        if isinstance(sizes, dict) and sizes else []
    if isinstance(meta.get("image_meta"), dict):
        meta["image_meta"] = _ordered(meta["image_meta"], IMAGE_META_ORDER)
    return _ordered(meta, META_ORDER)


def media_struct(media, call):
    """_prepare_media_item, as WordPress 6.1 answers it."""
    link = source_url(media, call.home, call.site.slug)
    meta = media_metadata(media)
    thumbnail = link
    if meta and isinstance(meta.get("sizes"), dict) and isinstance(meta["sizes"].get("thumbnail"), dict):
        file_name = meta["sizes"]["thumbnail"].get("file")
        if file_name:
            thumbnail = f"{posixpath.dirname(link)}/{file_name}"
    return {"attachment_id": str(media.wp_id), "date_created_gmt": xml_date(media_dates(media, call.zone)[1]),
            "parent": int(getattr(media, "parent_wp_id", None) or 0), "link": link, "title": media.title or "",
            "caption": media.caption or "", "description": media.description or "", "metadata": meta,
            "type": media.mime_type or "", "thumbnail": thumbnail}       # 6.1 has no `alt` (added later)


# --- users -------------------------------------------------------------------------------------

USER_BASIC = ("username", "email", "registered", "display_name", "nicename")


def user_struct(user, fields=None):
    """_prepare_user: user_id always; `all` (default), `basic`, or single names."""
    fields = ["all"] if fields is None else [str(name) for name in fields]
    values = {
        "username": lambda: user.login, "first_name": lambda: user.first_name or "",
        "last_name": lambda: user.last_name or "", "registered": lambda: xml_date(user.created_at),
        "bio": lambda: user.description or "", "email": lambda: user.email, "nickname": lambda: user.login,
        "nicename": lambda: user.nicename, "url": lambda: user.url or "",
        "display_name": lambda: user.display_name or user.login, "roles": lambda: [user.role] if user.role else [],
    }
    data = {"user_id": str(user.wp_id)}
    for name, value in values.items():
        if "all" in fields or name in fields or ("basic" in fields and name in USER_BASIC):
            data[name] = value()
    return data
