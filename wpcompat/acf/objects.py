"""The objects relational fields point at, loaded in one query per kind for a whole response.

`Refs` collects the ids every relational value of a response names (posts, media, terms,
users), loads the ones the viewer may see — another tenant's, a post of a compliance
level the viewer may not read, PHI media for a viewer without PHI rights, a deleted user:
all behave as non-existent (spec/acf.md §5.6) — and builds the shapes ACF's "standard"
format returns: WP_Post, acf_get_attachment's array, WP_Term, and the user field's array.
"""

import dataclasses
import posixpath

from wpcompat import permissions
from wpcompat.auth import can
from wpcompat.models import Media, Term, User
from wpcompat.queries import media as media_queries
from wpcompat.queries import posts as post_queries
from wpcompat.queries import terms as term_queries
from wpcompat.responses.media import IMAGE_SIZES, constrain, is_image, media_dates, source_url
from wpcompat.responses.posts import local_dates
from wpcompat.responses.users import avatar_urls

KIND_OF_TYPE = {"relationship": "post", "post_object": "post", "image": "media", "file": "media",
                "taxonomy": "term", "user": "user"}
SQL_DATE = "%Y-%m-%d %H:%M:%S"


@dataclasses.dataclass
class View:
    """Who reads, and what a response needs to build URLs and dates."""

    user: object
    zone: object
    home: str
    rest_root: str
    site_slug: str
    standard: bool = False          # ACF's "standard" format (else "light")

    @property
    def may_read_phi(self):
        return "phi" in permissions.compliance_levels(self.user)


class Refs:
    def __init__(self, view):
        self.view = view
        self.wanted = {"post": set(), "media": set(), "term": set(), "user": set()}
        self.found = {kind: {} for kind in self.wanted}

    def want(self, field_type, ids):
        self.wanted[KIND_OF_TYPE[field_type]].update(ids)

    def get(self, field_type, wp_id):
        return self.found[KIND_OF_TYPE[field_type]].get(wp_id)

    def load(self):
        """One query per kind that was asked for."""
        user = self.view.user
        if self.wanted["post"]:
            rows = post_queries.base_select().where(post_queries.Post.wp_id.in_(sorted(self.wanted["post"])))
            self.found["post"] = {post.wp_id: post for post in rows.objects()
                                  if permissions.can_read_post(user, post)}
        if self.wanted["media"]:
            query = media_queries.visible(media_queries.base_select(), user)
            rows = query.where(Media.wp_id.in_(sorted(self.wanted["media"]))).objects()
            self.found["media"] = {media.wp_id: media for media in rows}
        if self.wanted["term"]:
            rows = term_queries.base_select().where(Term.wp_id.in_(sorted(self.wanted["term"]))).objects()
            self.found["term"] = {term.wp_id: term for term in rows}
        if self.wanted["user"]:
            rows = User.select().where(User.wp_id.in_(sorted(self.wanted["user"])), User.deleted_at.is_null())
            self.found["user"] = {row.wp_id: row for row in rows}
        return self

    # --- ACF's standard shapes ------------------------------------------------------------------

    def post_object(self, post):
        """A WP_Post as PHP's json_encode prints it."""
        view = self.view
        date_local, modified_local = local_dates(post, view.zone)
        hidden = bool(post.password) and not permissions.can_edit_post(view.user, post)
        return {"ID": post.wp_id, "post_author": str(getattr(post, "author_wp_id", None) or 0),
                "post_date": _sql(date_local), "post_date_gmt": _sql(post.published_at),
                "post_content": "" if hidden else post.content or "", "post_title": post.title,
                "post_excerpt": "" if hidden else post.excerpt or "", "post_status": post.status,
                "comment_status": post.comment_status or "open", "ping_status": post.ping_status or "open",
                "post_password": post.password if not hidden else "", "post_name": post.slug, "to_ping": "",
                "pinged": "", "post_modified": _sql(modified_local), "post_modified_gmt": _sql(post.updated_at),
                "post_content_filtered": "", "post_parent": getattr(post, "parent_wp_id", None) or 0,
                "guid": post.guid or f"{view.home}/?p={post.wp_id}", "menu_order": post.menu_order or 0,
                "post_type": post.post_type, "post_mime_type": "", "comment_count": "0", "filter": "raw"}

    def attachment(self, media):
        """acf_get_attachment(): the array the image and file fields return by default."""
        view = self.view
        url = source_url(media, view.home, view.site_slug)
        local, _gmt, modified, _modified_gmt = media_dates(media, view.zone)
        major, _, minor = (media.mime_type or "").partition("/")
        data = {"ID": media.wp_id, "id": media.wp_id, "title": media.title or "",
                "filename": posixpath.basename(url), "filesize": media.file_size or 0, "url": url,
                "link": f"{view.home}/?attachment_id={media.wp_id}", "alt": media.alt_text or "",
                "author": str(getattr(media, "author_wp_id", None) or 0), "description": media.description or "",
                "caption": media.caption or "", "name": media.slug or "", "status": "inherit",
                "uploaded_to": getattr(media, "parent_wp_id", None) or 0, "date": _sql(local),
                "modified": _sql(modified), "menu_order": 0, "mime_type": media.mime_type, "type": major,
                "subtype": minor, "icon": f"{view.home}/wp-includes/images/media/default.png"}
        if is_image(media):
            data.update({"width": media.width or 0, "height": media.height or 0, "sizes": _sizes(media, url)})
        return data

    def term_object(self, term):
        return {"term_id": term.wp_id, "name": term.name, "slug": term.slug, "term_group": 0,
                "term_taxonomy_id": term.wp_id, "taxonomy": term.taxonomy, "description": term.description or "",
                "parent": getattr(term, "parent_wp_id", None) or 0, "count": int(term.count or 0),
                "filter": "raw"}

    def user_array(self, user):
        """The user field's `array` format; the email only for who may list users (not ACF: privacy)."""
        email = user.email if can(self.view.user, "list_users") or self.view.user.id == user.id else ""
        return {"ID": user.wp_id, "user_firstname": user.first_name, "user_lastname": user.last_name,
                "nickname": user.login, "user_nicename": user.nicename, "display_name": user.display_name,
                "user_email": email, "user_url": user.url, "user_registered": _sql(user.created_at),
                "user_description": user.description,
                "user_avatar": avatar_urls(user.email, self.view.home.split(":", 1)[0])["96"]}


def _sql(value):
    return value.strftime(SQL_DATE) if value is not None else "0000-00-00 00:00:00"


def _sizes(media, url):
    """{size: url, size-width: w, size-height: h} for WordPress's default sizes."""
    meta = media.metadata if isinstance(media.metadata, dict) else {}
    known = meta.get("sizes") if isinstance(meta.get("sizes"), dict) else {}
    base = url.rsplit("/", 1)[0]
    sizes = {}
    for name, max_width, max_height, _crop in IMAGE_SIZES:
        size = known.get(name)
        if isinstance(size, dict) and size.get("file"):
            sizes.update({name: f"{base}/{size['file']}", f"{name}-width": size.get("width", 0),
                          f"{name}-height": size.get("height", 0)})
            continue
        width, height = (constrain(media.width, media.height, max_width, max_height)
                         if media.width and media.height else (0, 0))
        sizes.update({name: url, f"{name}-width": width, f"{name}-height": height})
    return sizes

