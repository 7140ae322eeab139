"""prepare_item_for_response for comments: the fields in WordPress's order, and _links.

`CommentRelations` loads what a page of comments needs from other tables (the posts for
links and permalinks, which comments have replies) in a fixed number of queries.
"""

import functools

from wpcompat import dates, render
from wpcompat.queries import comments as comment_queries
from wpcompat.queries import posts as post_queries
from wpcompat.responses.posts import REST_BASES, PostRelations, permalink
from wpcompat.responses.users import avatar_urls

XMLRPC_STATUSES = {"approved": "approve", "hold": "hold", "spam": "spam", "trash": "trash"}


@functools.lru_cache(maxsize=2048)
def render_comment(text):
    """comment_text's filters: wptexturize, convert_chars, wpautop, capital_P_dangit (no smilies, no
    make_clickable)."""
    text = render.texturize(text or "")
    text = render.convert_chars(text)
    text = render.autop(text)
    return render.capital_p_dangit(text)


class CommentRelations:
    """The posts of a batch of comments (links, permalinks) and which comments have replies."""

    def __init__(self, comments):
        posts = post_queries.find_many({comment.post_wp_id for comment in comments})
        self.posts = {post.id: post for post in posts.values()}
        self.post_relations = PostRelations(list(self.posts.values()))
        self.with_children = comment_queries.has_children([comment.id for comment in comments])

    def post_of(self, comment):
        return self.posts.get(comment.post_id)


def comment_link(comment, home, relations):
    """get_comment_link: the post's permalink and #comment-ID (comments are not paged)."""
    post = relations.post_of(comment)
    base = permalink(post, home, relations.post_relations) if post is not None else f"{home}/"
    return f"{base}#comment-{comment.wp_id}"


def prepare_comment(comment, ctx, relations):
    included = ctx.included
    data = {}
    if included("id"):
        data["id"] = comment.wp_id
    if included("post"):
        data["post"] = comment.post_wp_id or 0
    if included("parent"):
        data["parent"] = getattr(comment, "parent_wp_id", None) or 0
    if included("author"):
        data["author"] = getattr(comment, "user_wp_id", None) or 0
    if included("author_name"):
        data["author_name"] = comment.author_name
    if included("author_email"):
        data["author_email"] = comment.author_email
    if included("author_url"):
        data["author_url"] = comment.author_url
    if included("author_ip"):
        data["author_ip"] = comment.author_ip
    if included("author_user_agent"):
        data["author_user_agent"] = comment.user_agent
    if included("date"):
        data["date"] = dates.fmt(comment.date_local)
    if included("date_gmt"):
        data["date_gmt"] = dates.fmt(comment.date_gmt)
    if included("content"):
        data["content"] = {"rendered": render_comment(comment.content), "raw": comment.content}
    if included("link"):
        data["link"] = comment_link(comment, ctx.home, relations)
    if included("status"):
        data["status"] = comment.status
    if included("type"):
        data["type"] = comment.comment_type or "comment"
    if included("author_avatar_urls"):
        email = getattr(comment, "user_email", None) or comment.author_email
        data["author_avatar_urls"] = avatar_urls(email)
    if included("meta"):
        data["meta"] = []
    return data


def comment_links(comment, ctx, relations):
    root = ctx.rest_root
    links = {"self": [{"href": f"{root}wp/v2/comments/{comment.wp_id}"}],
             "collection": [{"href": f"{root}wp/v2/comments"}]}
    user = getattr(comment, "user_wp_id", None)
    if user:
        links["author"] = [{"embeddable": True, "href": f"{root}wp/v2/users/{user}"}]
    post = relations.post_of(comment)
    if post is not None:
        links["up"] = [{"embeddable": True, "post_type": post.post_type,
                        "href": f"{root}wp/v2/{REST_BASES.get(post.post_type, post.post_type)}/{post.wp_id}"}]
    parent = getattr(comment, "parent_wp_id", None)
    if parent:
        links["in-reply-to"] = [{"embeddable": True, "href": f"{root}wp/v2/comments/{parent}"}]
    if comment.id in relations.with_children:
        links["children"] = [{"embeddable": True, "href": f"{root}wp/v2/comments?parent={comment.wp_id}"}]
    return links


def replies_link(post, root):
    """The `replies` link of a post, page or attachment (post types that support comments)."""
    return [{"embeddable": True, "href": f"{root}wp/v2/comments?post={post.wp_id}"}]


def xmlrpc_struct(comment, home, relations):
    """_prepare_comment: wp.getComment(s)' struct, members in WordPress's order, ids as strings."""
    post = relations.post_of(comment)
    return {
        "date_created_gmt": comment.date_gmt,
        "user_id": str(getattr(comment, "user_wp_id", None) or 0),
        "comment_id": str(comment.wp_id),
        "parent": str(getattr(comment, "parent_wp_id", None) or 0),
        "status": XMLRPC_STATUSES.get(comment.status, comment.status),
        "content": comment.content,
        "link": comment_link(comment, home, relations),
        "post_id": str(comment.post_wp_id or 0),
        "post_title": render.render_title(post.title) if post is not None else "",
        "author": comment.author_name,
        "author_url": comment.author_url,
        "author_email": comment.author_email,
        "author_ip": comment.author_ip,
        "type": comment.comment_type or "comment",
    }
