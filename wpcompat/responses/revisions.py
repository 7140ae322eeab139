"""prepare_item_for_response for revisions and autosaves: WordPress's fields, in its order, and _links.

A draft autosaved in place answers as the post itself in the revision's shape (WordPress returns
get_post($autosave_id), which is then the post), hence `RevisionView.of_post`.
"""

import dataclasses
import datetime

from wpcompat import dates
from wpcompat.responses.media import content_filter
from wpcompat.responses.posts import REST_BASES, render_content, render_excerpt, render_title


@dataclasses.dataclass
class RevisionView:
    wp_id: int
    parent: int
    author: int
    slug: str
    date_gmt: datetime.datetime
    modified_gmt: datetime.datetime
    title: str
    content: str
    excerpt: str
    guid: str = ""
    post_type: str = "post"
    autosave: bool = False

    @classmethod
    def of_revision(cls, revision, post):
        kind = "autosave" if revision.kind == "autosave" else "revision"
        return cls(revision.wp_id, post.wp_id, getattr(revision, "author_wp_id", None) or 0,
                   f"{post.wp_id}-{kind}-v1", revision.created_at, revision.updated_at, revision.title or "",
                   revision.content or "", revision.excerpt or "", post_type=post.post_type,
                   autosave=revision.kind == "autosave")

    @classmethod
    def of_post(cls, post):
        return cls(post.wp_id, getattr(post, "parent_wp_id", None) or 0, getattr(post, "author_wp_id", None) or 0,
                   post.slug, post.published_at, post.updated_at, post.title or "", post.content or "",
                   post.excerpt or "", post.guid, post.post_type)


def prepare_revision(view, ctx, preview=False):
    """The revision as WordPress answers it (before context filtering)."""
    included, zone, data = ctx.included, ctx.zone, {}
    if included("author"):
        data["author"] = view.author
    if included("date"):
        data["date"] = dates.fmt(dates.to_local(view.date_gmt, zone))
    if included("date_gmt"):
        data["date_gmt"] = dates.fmt(view.date_gmt)
    if included("id"):
        data["id"] = view.wp_id
    if included("modified"):
        data["modified"] = dates.fmt(dates.to_local(view.modified_gmt, zone))
    if included("modified_gmt"):
        data["modified_gmt"] = dates.fmt(view.modified_gmt)
    if included("parent"):
        data["parent"] = view.parent
    if included("slug"):
        data["slug"] = view.slug
    if included("guid"):
        guid = view.guid or f"{ctx.home}/?p={view.wp_id}"
        data["guid"] = {"rendered": guid, "raw": guid}
    if included("title"):
        data["title"] = {"raw": view.title, "rendered": render_title(view.title)}
    if included("content"):
        rendered = render_content(view.content, content_filter(ctx, view.content))
        data["content"] = {"raw": view.content, "rendered": rendered}
    if included("excerpt"):
        data["excerpt"] = {"raw": view.excerpt, "rendered": render_excerpt(
            view.excerpt, view.content, filter_image=content_filter(ctx, view.excerpt))}
    if included("meta"):
        data["meta"] = []
    if preview and included("preview_link"):
        target = view.parent if view.autosave else view.wp_id
        query = f"&preview_id={target}" if view.autosave else ""
        data["preview_link"] = f"{ctx.home}/?p={target}{query}&preview=true"
    return data


def revision_links(view, ctx):
    if not view.parent:
        return {}
    base = REST_BASES.get(view.post_type, view.post_type)
    return {"parent": [{"href": f"{ctx.rest_root}wp/v2/{base}/{view.parent}"}]}
