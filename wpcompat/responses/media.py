"""prepare_item_for_response for media (attachments): the fields in WordPress's order, and _links.

`MediaRelations` loads the parent posts of a page of media (and their page paths) in a
fixed number of queries. The image HTML of `description.rendered` (prepend_attachment:
the medium size with srcset, linked to the file) and `missing_image_sizes` follow
WordPress 6.1's media functions with its default image sizes.
"""

import copy
import html
import json
import posixpath
import re

from wpcompat import dates
from wpcompat.auth import can
from wpcompat.content_tags import ContentImage, close, constrain, image_ids, images_for, meta_int
from wpcompat.queries import media as media_queries
from wpcompat.queries import posts as post_queries
from wpcompat.responses.posts import REST_BASES, permalink, render_content, render_excerpt, render_title

UPLOADS_PATH = "/wp-content/uploads/"
PHI_FILE_PATH = "/wp-json/wpcompat/v1/media/{id}/file"        # routes/media.py's download route
MEDIUM = (300, 300)
# WordPress's default sub-sizes: (name, width, height, crop).
IMAGE_SIZES = (("thumbnail", 150, 150, True), ("medium", 300, 300, False), ("medium_large", 768, 0, False),
               ("large", 1024, 1024, False), ("1536x1536", 1536, 1536, False), ("2048x2048", 2048, 2048, False))
TAGS = re.compile(r"<[^>]*>")
# What every attachment answers for the fields no media column holds (editing/media.py refuses other values).
FIXED_FIELDS = {"comment_status": "open", "ping_status": "closed", "template": ""}


class MediaRelations:
    """The posts a page of media is attached to, and their permalinks' page paths, loaded once."""

    def __init__(self, media_items):
        self.parents = media_queries.parents_by_id(media_items)
        pages = [post for post in self.parents.values() if post.post_type == "page"]
        self.paths = post_queries.page_paths(pages) if pages else {}
        self.items, self.images = media_items, None

    def description_images(self, media, ctx):
        """The content filter's hook for a description: the whole batch's attachments loaded when first asked."""
        if self.images is None:
            self.images = content_images(ctx, [item.description for item in self.items])
        return images_for(media.description, self.images)

    def parent(self, media):
        return self.parents.get(media.post_id) if media.post_id is not None else None


# --- URLs -------------------------------------------------------------------------------

def source_url(media, home, tenant_slug):
    """wp_get_attachment_url: the stored URL, else the uploads URL of the file key
    (`{tenant}/{yyyy}/{mm}/{name}`, served under /wp-content/uploads/{yyyy}/{mm}/{name}).
    PHI is never at a public URL: its URL is the authenticated download route."""
    if media.contains_phi:
        return f"{home}{PHI_FILE_PATH.format(id=media.wp_id)}"
    if media.url:
        return media.url
    key = media.filename or ""
    prefix = f"{tenant_slug}/"
    return f"{home}{UPLOADS_PATH}{key[len(prefix):] if key.startswith(prefix) else key}"


def _parent_link(media, home, relations):
    parent = relations.parent(media)
    if parent is None or parent.wp_id == media.wp_id:
        return None
    return permalink(parent, home, relations)


def attachment_link(media, home, relations):
    """get_attachment_link with pretty permalinks: under a published parent, else at the root."""
    parent_link = _parent_link(media, home, relations)
    fallback = f"{home}/?attachment_id={media.wp_id}"
    if parent_link is not None:
        if "?" in parent_link or not media.slug:
            return fallback
        name = f"attachment/{media.slug}" if media.slug.isdigit() else media.slug
        return f"{parent_link.rstrip('/')}/{name}/"
    return f"{home}/{media.slug}/" if media.slug else fallback


def permalink_template(media, home, relations):
    parent_link = _parent_link(media, home, relations)
    if parent_link is not None and "?" not in parent_link:
        return f"{parent_link.rstrip('/')}/%postname%/"
    return f"{home}/?attachment_id={media.wp_id}"


def content_images(ctx, texts):
    """{wp_id: ContentImage or None} of the attachments `texts` name (wp-image-N): one query for the
    ids this request has not looked up yet (request.memo), tenant-scoped and visible to the user."""
    known = ctx.request.memo.setdefault("content_images", {})
    wanted = set().union(*(image_ids(text) for text in texts)) - known.keys()
    if wanted:
        found = {media.wp_id: media for media in media_queries.content_images(wanted, ctx.user)}
        slug = ctx.request.site.slug
        for wp_id in wanted:
            media = found.get(wp_id)
            known[wp_id] = (ContentImage.of(wp_id, media.metadata, source_url(media, ctx.home, slug))
                            if media is not None else None)
    return known


def content_filter(ctx, text):
    """render_content's filter_image hook for one text (a revision, an autosave)."""
    return images_for(text, content_images(ctx, [text]))


# --- the item -------------------------------------------------------------------------------

def is_image(media):
    """wp_attachment_is_image."""
    return (media.mime_type or "").startswith("image/")


def media_dates(media, zone):
    """(date, date_gmt, modified, modified_gmt): an imported date_local wins over the upload time."""
    if media.date_local is not None:
        local, gmt = media.date_local, dates.to_utc(media.date_local, zone)
    else:
        local, gmt = dates.to_local(media.inserted_at, zone), media.inserted_at
    return local, gmt, dates.to_local(media.updated_at, zone), media.updated_at


def prepare_media(media, ctx, relations):
    """The attachment as WordPress answers it. ctx: PrepareContext (request facts shared by a list)."""
    included, home = ctx.included, ctx.home
    url = source_url(media, home, ctx.request.site.slug)
    meta = media.metadata if isinstance(media.metadata, dict) else {}
    data = _post_fields(media, ctx, relations, url)
    if included("description"):
        data["description"] = {"raw": media.description or "", "rendered": render_description(
            media, meta, url, relations.description_images(media, ctx))}
    if included("caption"):
        data["caption"] = {"raw": media.caption or "", "rendered": render_caption(media, url)}
    if included("alt_text"):
        data["alt_text"] = media.alt_text or ""
    if included("media_type"):
        data["media_type"] = "image" if is_image(media) else "file"
    if included("mime_type"):
        data["mime_type"] = media.mime_type
    if included("media_details"):
        data["media_details"] = media_details(media, meta, url)
    if included("post"):
        data["post"] = getattr(media, "parent_wp_id", None) or None
    if included("source_url"):
        data["source_url"] = url
    if ctx.context == "edit":
        if included("missing_image_sizes"):
            data["missing_image_sizes"] = missing_image_sizes(media, meta)
        _healthcare_fields(data, media, included)
    return data


def _post_fields(media, ctx, relations, url):
    """The fields attachments share with posts, in the posts controller's order."""
    included, home = ctx.included, ctx.home
    local, gmt, modified_local, modified_gmt = media_dates(media, ctx.zone)
    values = {
        "id": lambda: media.wp_id, "date": lambda: dates.fmt(local), "date_gmt": lambda: dates.fmt(gmt),
        "guid": lambda: {"rendered": media.guid or url, "raw": media.guid or url},
        "modified": lambda: dates.fmt(modified_local), "modified_gmt": lambda: dates.fmt(modified_gmt),
        "slug": lambda: media.slug, "status": lambda: "inherit", "type": lambda: "attachment",
        "link": lambda: attachment_link(media, home, relations),
        "title": lambda: {"raw": media.title or "", "rendered": render_title(media.title or "")},
        "author": lambda: getattr(media, "author_wp_id", None) or 0,
        "comment_status": lambda: FIXED_FIELDS["comment_status"], "ping_status": lambda: FIXED_FIELDS["ping_status"],
        "template": lambda: FIXED_FIELDS["template"],
        "meta": lambda: [],
    }
    if ctx.context == "edit":
        values["permalink_template"] = lambda: permalink_template(media, home, relations)
        values["generated_slug"] = lambda: media.slug
    return {name: value() for name, value in values.items() if included(name)}


def _healthcare_fields(data, media, included):
    if included("medical_content"):
        data["medical_content"] = bool(media.medical_content)
    if included("contains_phi"):
        data["contains_phi"] = bool(media.contains_phi)
    if included("access_level"):
        data["access_level"] = media.access_level
    if included("encryption_status"):
        data["encryption_status"] = media.encryption_status or "none"
    if included("dicom_metadata"):
        data["dicom_metadata"] = _json_or_none(media.dicom_metadata)


def _json_or_none(text):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def media_details(media, meta, url):
    """wp_get_attachment_metadata as REST shows it: sizes get mime_type and source_url, plus `full`."""
    if not meta:
        return {}
    details = copy.deepcopy(meta)
    sizes = details.get("sizes")
    if not isinstance(sizes, dict) or not sizes:
        details["sizes"] = {}
        return details
    base = url.rsplit("/", 1)[0]
    for size in sizes.values():
        if not isinstance(size, dict):
            continue
        if "mime-type" in size:
            size["mime_type"] = size.pop("mime-type")
        if size.get("file"):
            size["source_url"] = f"{base}/{size['file']}"
    full = details if is_image(media) else sizes.get("full")
    if isinstance(full, dict) and (is_image(media) or full.get("file")):
        full_url = url if is_image(media) else f"{base}/{full['file']}"
        sizes["full"] = {"file": posixpath.basename(full_url), "width": full.get("width", media.width),
                         "height": full.get("height", media.height), "mime_type": media.mime_type,
                         "source_url": full_url}
    return details


# --- rendered HTML ----------------------------------------------------------------------------

def esc_attr(value):
    return html.escape(str(value), quote=True).replace("&#x27;", "&#039;")


def esc_url(url):
    return url.replace("&", "&#038;").replace("'", "&#039;")


def _link_html(media, meta, url):
    """wp_get_attachment_link(0, 'medium'): the medium image (or the title) linked to the file."""
    text = medium_image(media, meta, url) if is_image(media) else ""
    if not text.strip():
        text = media.title or ""
    if not text.strip():
        text = html.escape(posixpath.splitext(posixpath.basename(media.filename or ""))[0], quote=False)
    return f"<a href='{esc_url(url)}'>{text}</a>"


def render_description(media, meta, url, images=None):
    """description.rendered: the_content of the description, after prepend_attachment's paragraph.
    images: the content filter's hook for the description's attachment images."""
    prepended = f'<p class="attachment">{_link_html(media, meta, url)}</p>'
    return f"{prepended}\n{render_content(media.description or '', images)}"


def render_caption(media, url):
    """caption.rendered: the_excerpt of the caption; an empty caption is made from the description
    (with prepend_attachment's link, whose text is the title for files that are not images)."""
    content = media.description or ""
    if not is_image(media) and (media.title or "").strip():
        content = f"<p class=\"attachment\"><a href='{esc_url(url)}'>{media.title}</a></p>\n{content}"
    return render_excerpt(media.caption or "", content)


def medium_image(media, meta, url):
    """wp_get_attachment_image(id, 'medium'): width/height, src, class, alt, decoding, loading, srcset."""
    medium = (meta.get("sizes") or {}).get("medium") if isinstance(meta.get("sizes"), dict) else None
    if isinstance(medium, dict) and medium.get("file"):
        src = f"{url.rsplit('/', 1)[0]}/{medium['file']}"
        width, height = meta_int(medium.get("width")), meta_int(medium.get("height"))
    else:
        src = url
        width, height = meta_int(meta.get("width") or media.width), meta_int(meta.get("height") or media.height)
    if width and height:
        width, height = constrain(width, height, *MEDIUM)
    attrs = {"src": src, "class": "attachment-medium size-medium",
             "alt": TAGS.sub("", media.alt_text or "").strip(), "decoding": "async", "loading": "lazy"}
    srcset = ContentImage.of(media.wp_id, meta, url).srcset(width, height, src)
    if srcset:
        attrs["srcset"] = srcset
        attrs["sizes"] = f"(max-width: {width}px) 100vw, {width}px"
    size = (f' width="{width}"' if width else "") + (f' height="{height}"' if height else "")
    return f"<img{size}" + "".join(f' {name}="{esc_attr(value)}"' for name, value in attrs.items()) + " />"


def _needs_resize(width, height, target_width, target_height, crop):
    """image_resize_dimensions is truthy: the size would differ from the original."""
    if crop:
        new_width, new_height = min(target_width, width), min(target_height, height)
    else:
        new_width, new_height = constrain(width, height, target_width, target_height)
    return not (close(new_width, width) and close(new_height, height))


def missing_image_sizes(media, meta):
    """wp_get_missing_image_subsizes: default sizes the image is big enough for but lacks."""
    if not is_image(media):
        return []
    if not meta:
        return [name for name, *_rest in IMAGE_SIZES]
    width, height = int(meta.get("width") or 0), int(meta.get("height") or 0)
    have = meta.get("sizes") if isinstance(meta.get("sizes"), dict) else {}
    if not width or not height:
        return []
    return [name for name, target_width, target_height, crop in IMAGE_SIZES
            if name not in have and _needs_resize(width, height, target_width, target_height, crop)]


# --- links ---------------------------------------------------------------------------------

def media_links(media, ctx, relations):
    """_links: self, collection, about, author, wp:attached-to, and edit-context actions."""
    root = ctx.rest_root
    self_href = f"{root}wp/v2/media/{media.wp_id}"
    links = {"self": [{"href": self_href}], "collection": [{"href": f"{root}wp/v2/media"}],
             "about": [{"href": f"{root}wp/v2/types/attachment"}]}
    author = getattr(media, "author_wp_id", None)
    if author:
        links["author"] = [{"embeddable": True, "href": f"{root}wp/v2/users/{author}"}]
    # attachments support comments in WordPress; none can be stored on them here, so the list is empty
    links["replies"] = [{"embeddable": True, "href": f"{root}wp/v2/comments?post={media.wp_id}"}]
    parent = relations.parent(media)
    if parent is not None:
        base = REST_BASES.get(parent.post_type, parent.post_type)
        links["wp:attached-to"] = [{"embeddable": True, "post_type": parent.post_type, "id": parent.wp_id,
                                    "href": f"{root}wp/v2/{base}/{parent.wp_id}"}]
    if ctx.context == "edit":
        if can(ctx.user, "unfiltered_html"):
            links["wp:action-unfiltered-html"] = [{"href": self_href}]
        if can(ctx.user, "edit_others_posts"):
            links["wp:action-assign-author"] = [{"href": self_href}]
    return links
