"""The older APIs WordPress keeps: metaWeblog.*, blogger.* and mt.* on posts (spec/xmlrpc.md §5.2-5.4).

metaWeblog.getPost/editPost and the mt.* post methods take the post id first and no
blog id; blogger.* methods start with an ignored appkey.
"""

from wpcompat import permissions
from wpcompat.auth import can
from wpcompat.editing import posts as editing
from wpcompat.xmlrpc.call import absint, arg, php_int, struct, truthy
from wpcompat.xmlrpc.faults import Fault
from wpcompat.xmlrpc.methods_posts import DEFAULT_STATUSES, delete_post, editable_post, recent_posts
from wpcompat.xmlrpc.mw import blogger_content, blogger_struct, mw_edit, mw_new, mw_post_struct
from wpcompat.xmlrpc.structs import PostBatch, post_dates, xml_date
from wpcompat.xmlrpc.table import alias, method
from wpcompat.xmlrpc.writing import default_category, save, visible_post

NO_POSTS = "No posts found or an error occurred while retrieving posts."


# --- metaWeblog ----------------------------------------------------------------------------------

@method("metaWeblog.newPost")
def mw_new_post(call, args):
    call.login(arg(args, 1), arg(args, 2))
    post = mw_new(call, arg(args, 3), truthy(arg(args, 4, False)))
    call.touched(post.id, wp_id=post.wp_id)
    return str(post.wp_id)


@method("metaWeblog.editPost")
def mw_edit_post(call, args):
    call.login(arg(args, 1), arg(args, 2))
    post = editable_post(call, arg(args, 0))
    mw_edit(call, post, arg(args, 3), truthy(arg(args, 4, False)))
    call.touched(post.id, wp_id=post.wp_id)
    return True


@method("metaWeblog.getPost", keep_answer=True)
def mw_get_post(call, args):
    call.login(arg(args, 1), arg(args, 2))
    post = editable_post(call, arg(args, 0))
    call.touched(post.id, wp_id=post.wp_id)
    return mw_post_struct(post, PostBatch(call, [post], authors=True), postid_as_int=True)


@method("metaWeblog.getRecentPosts", keep_answer=True)
def mw_get_recent_posts(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_posts"):
        raise Fault(401, "Sorry, you are not allowed to edit posts.")
    number = absint(arg(args, 3)) if arg(args, 3) is not None else 10
    posts = recent_posts(call, "post", DEFAULT_STATUSES, number or 10)
    call.touched(None, ids=[post.wp_id for post in posts])
    batch = PostBatch(call, posts, media=False, authors=True)
    return [mw_post_struct(post, batch, postid_as_int=False) for post in posts]


# --- Blogger -------------------------------------------------------------------------------------

def _post_only(call, post_id):
    post = visible_post(call, post_id)
    if post is None or post.post_type != "post":
        raise Fault(404, "Sorry, no such post.")
    return post


@method("blogger.getPost", keep_answer=True)
def blogger_get_post(call, args):
    call.login(arg(args, 2), arg(args, 3))
    post = editable_post(call, arg(args, 1))
    call.touched(post.id, wp_id=post.wp_id)
    return blogger_struct(post, PostBatch(call, [post], fields=False, media=False))


@method("blogger.getRecentPosts", keep_answer=True)
def blogger_get_recent_posts(call, args):
    call.login(arg(args, 2), arg(args, 3))
    if not can(call.user, "edit_posts"):
        raise Fault(401, "Sorry, you are not allowed to edit posts.")
    number = absint(arg(args, 4)) if arg(args, 4) is not None else 10
    posts = recent_posts(call, "post", DEFAULT_STATUSES, number or 10)
    if not posts:
        raise Fault(500, NO_POSTS)
    call.touched(None, ids=[post.wp_id for post in posts])
    batch = PostBatch(call, posts, fields=False, media=False)
    return [blogger_struct(post, batch) for post in posts]


def _blogger_args(content):
    title, categories, body = blogger_content(content)
    return {"title": title, "content": body}, categories


@method("blogger.newPost")
def blogger_new_post(call, args):
    user = call.login(arg(args, 2), arg(args, 3))
    publish = truthy(arg(args, 5, False))
    if not permissions.can_create(user, "post") or (publish and not permissions.can_publish(user, "post")):
        raise Fault(401, "Sorry, you are not allowed to post on this site.")
    values, categories = _blogger_args(arg(args, 4))
    values.update(status="publish" if publish else "draft", author=user.wp_id)
    terms = {"category": categories} if categories else None
    post = save(call, editing.new_post("post", user), values, True, terms)
    call.touched(post.id, wp_id=post.wp_id)
    return post.wp_id


@method("blogger.editPost")
def blogger_edit_post(call, args):
    user = call.login(arg(args, 2), arg(args, 3))
    post = _post_only(call, arg(args, 1))
    if not permissions.can_edit_post(user, post):
        raise Fault(401, "Sorry, you are not allowed to edit this post.")
    if post.status == "publish" and not permissions.can_publish(user, "post"):
        raise Fault(401, "Sorry, you are not allowed to publish this post.")
    values, categories = _blogger_args(arg(args, 4))
    values["status"] = "publish" if truthy(arg(args, 5, False)) else "draft"
    save(call, post, values, False, {"category": categories} if categories else None)
    call.touched(post.id, wp_id=post.wp_id)
    return True


@method("blogger.deletePost")
def blogger_delete_post(call, args):
    user = call.login(arg(args, 2), arg(args, 3))
    post = _post_only(call, arg(args, 1))
    if not permissions.can_delete_post(user, post):
        raise Fault(401, "Sorry, you are not allowed to delete this post.")
    delete_post(call, post)
    call.touched(post.id, wp_id=post.wp_id)
    return True


alias("metaWeblog.deletePost", "blogger.deletePost")


# --- Movable Type --------------------------------------------------------------------------------

@method("mt.getRecentPostTitles")
def mt_get_recent_post_titles(call, args):
    call.login(arg(args, 1), arg(args, 2))
    number = absint(arg(args, 3)) if arg(args, 3) is not None else 10
    posts = recent_posts(call, "post", DEFAULT_STATUSES, number or 10)
    if not posts:
        raise Fault(500, NO_POSTS)
    call.touched(None, ids=[post.wp_id for post in posts])
    out = []
    for post in posts:
        date_local, date_gmt, _modified, _modified_gmt = post_dates(post, call.zone)
        out.append({"dateCreated": xml_date(date_local), "userid": str(getattr(post, "author_wp_id", None) or 0),
                    "postid": str(post.wp_id), "title": post.title or "", "post_status": post.status,
                    "date_created_gmt": xml_date(date_gmt)})
    return out


@method("mt.getPostCategories")
def mt_get_post_categories(call, args):
    call.login(arg(args, 1), arg(args, 2))
    post = editable_post(call, arg(args, 0))
    call.touched(post.id, wp_id=post.wp_id)
    terms = PostBatch(call, [post], fields=False, media=False).post_terms(post, "category")
    return [{"categoryName": term.name, "categoryId": str(term.wp_id), "isPrimary": index == 0}
            for index, term in enumerate(terms)]


@method("mt.setPostCategories")
def mt_set_post_categories(call, args):
    call.login(arg(args, 1), arg(args, 2))
    post = editable_post(call, arg(args, 0))
    categories = arg(args, 3)
    ids = [php_int(struct(item).get("categoryId")) for item in categories] if isinstance(categories, list) else []
    touched = editing.assign_terms(post, {"categories": ids}, default_category(call))
    post.save()
    editing.recount_terms(touched)
    call.touched(post.id, wp_id=post.wp_id, categories=ids)
    return True


@method("mt.publishPost")
def mt_publish_post(call, args):
    user = call.login(arg(args, 1), arg(args, 2))
    post = visible_post(call, arg(args, 0))
    if post is None:
        raise Fault(404, "Invalid post ID.")
    if not permissions.can_publish(user, post.post_type) or not permissions.can_edit_post(user, post):
        raise Fault(401, "Sorry, you are not allowed to publish this post.")
    save(call, post, {"status": "publish"}, False)
    call.touched(post.id, wp_id=post.wp_id)
    return post.wp_id


@method("mt.getTrackbackPings")
def mt_get_trackback_pings(call, args):
    """No login, as WordPress. Trackbacks are comments, which are not stored yet: always []."""
    post = visible_post(call, arg(args, 0))
    if post is None:
        raise Fault(404, "Sorry, no such post.")
    call.touched(post.id, wp_id=post.wp_id)
    return []
