"""prepare_item_for_response for posts and pages: the fields, in WordPress's order, and _links.

`PostRelations` loads what a page of posts needs from other tables in a fixed number
of queries (terms, page paths, the attachments content images name), so a list of 100 costs
what a list of 10 does.
"""

import datetime
import functools
from urllib.parse import unquote

from wpcompat import dates, permissions, render
from wpcompat.content_tags import images_for
from wpcompat.queries import posts as post_queries
from wpcompat.queries import revisions as revision_queries
from wpcompat.slugs import sanitize_title
from wpcompat.workflow.state import summaries as workflow_summaries

REST_BASES = {"post": "posts", "page": "pages", "wp_block": "blocks"}

# Rendering is pure and costs ~0.3 ms a post; popular posts are rendered once per worker.
render_title = functools.lru_cache(maxsize=4096)(render.render_title)
render_content = functools.lru_cache(maxsize=1024)(render.render_content)
render_excerpt = functools.lru_cache(maxsize=2048)(render.render_excerpt)


class PostRelations:
    """Terms and permalinks for a batch of posts, loaded once."""

    def __init__(self, posts):
        self.terms = post_queries.terms_by_post([post.id for post in posts])
        pages = [post for post in posts if post.post_type == "page"]
        self.paths = post_queries.page_paths(pages) if pages else {}
        self.posts, self.workflows = posts, None
        self.post_ids, self.revisions = [post.id for post in posts], None
        self.images = None

    def content_filters(self, post, ctx):
        """The content filter's hooks (content, excerpt) for a post's attachment images: one query
        for the whole batch, made when first asked (none when no post names an attachment)."""
        if self.images is None:
            from wpcompat.responses.media import content_images      # media.py imports this module
            self.images = content_images(ctx, [text for item in self.posts for text in (item.content, item.excerpt)])
        return images_for(post.content, self.images), images_for(post.excerpt, self.images)

    def term_ids(self, post, taxonomy):
        return self.terms.get(post.id, {}).get(taxonomy, [])

    def workflow(self, post):
        """The healthcare workflow summary (edit context): loaded for the whole batch when first asked."""
        if self.workflows is None:
            self.workflows = workflow_summaries(self.posts)
        return self.workflows.get(post.id)

    def revision_summary(self, post):
        """(count, latest revision id) of a post: one query for the whole batch, made when first asked."""
        if self.revisions is None:
            self.revisions = revision_queries.summaries(list(self.post_ids))
        return self.revisions.get(post.id, (0, None))


def fmt(value):
    """dates.fmt (strftime "%Y-%m-%dT%H:%M:%S"), a tenth of its cost for what posts hold: a naive
    datetime of a 4-digit year gives the same text through isoformat; anything else goes to dates.fmt."""
    if value.__class__ is datetime.datetime and value.tzinfo is None and value.year >= 1000:
        return value.isoformat(timespec="seconds")
    return dates.fmt(value)


def permalink(post, home, relations):
    """get_permalink: pretty for published/private, ?p= (or ?page_id=) while unpublished."""
    if post.status in ("draft", "pending", "future", "trash") or not post.slug:
        return f"{home}/?page_id={post.wp_id}" if post.post_type == "page" else f"{home}/?p={post.wp_id}"
    path = relations.paths.get(post.id, post.slug) if post.post_type == "page" else post.slug
    return f"{home}/{path}/"


def local_dates(post, zone):
    date_local = post.date_local or dates.to_local(post.published_at or post.inserted_at, zone)
    modified_local = post.modified_local or dates.to_local(post.updated_at, zone)
    return date_local, modified_local


def featured_media_id(post, user):
    """The featured image's id, or 0 when it is PHI the user may not see (it does not exist for them)."""
    wp_id = getattr(post, "featured_wp_id", None) or 0
    if wp_id and getattr(post, "featured_phi", False) and "phi" not in permissions.compliance_levels(user):
        return 0
    return wp_id


def prepare_post(post, ctx, relations):
    """The post as WordPress answers it. ctx: PrepareContext (request facts shared by a list)."""
    included = ctx.included
    zone = ctx.zone
    home = ctx.home
    data = {}
    date_local, modified_local = local_dates(post, zone)
    link = permalink(post, home, relations)
    protected = bool(post.password)
    show_protected = (not protected or ctx.password == post.password
                      or permissions.can_edit_post(ctx.user, post))
    if included("id"):
        data["id"] = post.wp_id
    if included("date"):
        data["date"] = fmt(date_local)
    if included("date_gmt"):
        data["date_gmt"] = fmt(post.published_at or dates.to_utc(date_local, zone))
    if included("guid"):
        guid = post.guid or f"{home}/?p={post.wp_id}"
        data["guid"] = {"rendered": guid, "raw": guid}
    if included("modified"):
        data["modified"] = fmt(modified_local)
    if included("modified_gmt"):
        data["modified_gmt"] = fmt(post.updated_at)
    if included("password"):
        data["password"] = post.password or ""
    if included("slug"):
        data["slug"] = post.slug
    if included("status"):
        data["status"] = post.status
    if included("type"):
        data["type"] = post.post_type
    if included("link"):
        data["link"] = link
    if included("title"):
        data["title"] = {"raw": post.title, "rendered": render_title(post.title)}
    content_hook, excerpt_hook = (relations.content_filters(post, ctx) if show_protected
                                  and (included("content") or included("excerpt")) else (None, None))
    if included("content"):
        rendered = render_content(post.content or "", content_hook) if show_protected else ""
        data["content"] = {"raw": post.content or "", "rendered": rendered, "protected": protected,
                           "block_version": 1 if "<!-- wp:" in (post.content or "") else 0}
    if included("excerpt"):
        rendered = (render_excerpt(post.excerpt or "", post.content or "", filter_image=excerpt_hook)
                    if show_protected else "")
        data["excerpt"] = {"raw": post.excerpt or "", "rendered": rendered, "protected": protected}
    if included("author"):
        data["author"] = getattr(post, "author_wp_id", None) or 0
    if included("featured_media"):
        data["featured_media"] = featured_media_id(post, ctx.user)
    if post.post_type == "page":
        if included("parent"):
            data["parent"] = getattr(post, "parent_wp_id", None) or 0
        if included("menu_order"):
            data["menu_order"] = post.menu_order
    if included("comment_status"):
        data["comment_status"] = post.comment_status or "open"
    if included("ping_status"):
        data["ping_status"] = post.ping_status or "open"
    if post.post_type == "post" and included("sticky"):
        data["sticky"] = bool(post.sticky)
    if included("template"):
        data["template"] = post.template or ""
    if post.post_type == "post" and included("format"):
        data["format"] = post.format or "standard"
    if included("meta"):
        data["meta"] = []
    if post.post_type == "post":
        if included("categories"):
            data["categories"] = relations.term_ids(post, "category")
        if included("tags"):
            data["tags"] = relations.term_ids(post, "post_tag")
    _healthcare_fields(data, post, included)
    if ctx.context == "edit":
        if post.post_type in ("post", "page") and included("workflow"):
            data["workflow"] = relations.workflow(post)
        if included("permalink_template"):
            data["permalink_template"] = permalink_template(post, home, link)
        if included("generated_slug"):
            data["generated_slug"] = generated_slug(post)
    return data


def permalink_template(post, home, link):
    """get_sample_permalink's template: the trashed post's own link, else the structure."""
    if post.status == "trash":
        return link
    return f"{home}/%pagename%/" if post.post_type == "page" else f"{home}/%postname%/"


def generated_slug(post):
    """The slug WordPress would make from the current title, decoded as it shows it.

    A number alone would clash with date archives under /%postname%/, so WordPress adds -2.
    """
    candidate = sanitize_title(post.title, fallback_title=str(post.wp_id))
    if candidate.isdigit():
        candidate += "-2"
    return unquote(candidate)


def _healthcare_fields(data, post, included):
    if included("medical_category"):
        data["medical_category"] = post.medical_category
    if included("compliance_level"):
        data["compliance_level"] = post.compliance_level or "public"
    if included("requires_crm_validation"):
        data["requires_crm_validation"] = bool(post.requires_crm_validation)
    if included("medical_disclaimer"):
        data["medical_disclaimer"] = post.medical_disclaimer


def post_links(post, ctx, relations):
    """_links: WordPress's relations for a post or page (compact wp: names)."""
    base = REST_BASES.get(post.post_type, post.post_type)
    root = ctx.rest_root
    self_href = f"{root}wp/v2/{base}/{post.wp_id}"
    links = {
        "self": [{"href": self_href}],
        "collection": [{"href": f"{root}wp/v2/{base}"}],
        "about": [{"href": f"{root}wp/v2/types/{post.post_type}"}],
    }
    author = getattr(post, "author_wp_id", None)
    if author:
        links["author"] = [{"embeddable": True, "href": f"{root}wp/v2/users/{author}"}]
    if post.post_type in ("post", "page"):           # the post types that support comments
        links["replies"] = [{"embeddable": True, "href": f"{root}wp/v2/comments?post={post.wp_id}"}]
    revisions, latest = relations.revision_summary(post)
    links["version-history"] = [{"count": revisions, "href": f"{self_href}/revisions"}]
    if revisions:
        links["predecessor-version"] = [{"id": latest, "href": f"{self_href}/revisions/{latest}"}]
    parent = getattr(post, "parent_wp_id", None)
    if post.post_type == "page" and parent:
        links["up"] = [{"embeddable": True, "href": f"{root}wp/v2/pages/{parent}"}]
    featured = featured_media_id(post, ctx.user)
    if featured:
        links["wp:featuredmedia"] = [{"embeddable": True, "href": f"{root}wp/v2/media/{featured}"}]
    links["wp:attachment"] = [{"href": f"{root}wp/v2/media?parent={post.wp_id}"}]
    if post.post_type == "post":
        links["wp:term"] = [
            {"taxonomy": "category", "embeddable": True, "href": f"{root}wp/v2/categories?post={post.wp_id}"},
            {"taxonomy": "post_tag", "embeddable": True, "href": f"{root}wp/v2/tags?post={post.wp_id}"}]
    if ctx.context == "edit":
        links.update(_action_links(post, ctx, self_href))
    return links


def _action_links(post, ctx, self_href):
    from wpcompat.auth import can

    user, actions = ctx.user, {}
    if permissions.can_publish(user, post.post_type):
        actions["wp:action-publish"] = [{"href": self_href}]
    if can(user, "unfiltered_html"):
        actions["wp:action-unfiltered-html"] = [{"href": self_href}]
    if post.post_type == "post" and permissions.can_edit_others(user, "post"):
        actions["wp:action-sticky"] = [{"href": self_href}]
    if permissions.can_edit_others(user, post.post_type):
        actions["wp:action-assign-author"] = [{"href": self_href}]
    if post.post_type == "post":
        if can(user, "manage_categories"):
            actions["wp:action-create-categories"] = [{"href": self_href}]
        if can(user, "edit_posts"):
            actions["wp:action-assign-categories"] = [{"href": self_href}]
            actions["wp:action-create-tags"] = [{"href": self_href}]
            actions["wp:action-assign-tags"] = [{"href": self_href}]
    return actions
