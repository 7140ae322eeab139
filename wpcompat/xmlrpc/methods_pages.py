"""Pages: wp.getPage(s), wp.newPage, wp.editPage, wp.deletePage, wp.getPageList.

wp.getPage and wp.editPage take the page id *before* the credentials (blog_id, page_id,
username, password); the writes are metaWeblog's (mw.py) with post_type forced to page.
"""

from wpcompat import permissions
from wpcompat.auth import can
from wpcompat.models import Post
from wpcompat.queries import posts as post_queries
from wpcompat.xmlrpc.call import arg, php_int, struct, truthy
from wpcompat.xmlrpc.faults import Fault
from wpcompat.xmlrpc.methods_posts import delete_post
from wpcompat.xmlrpc.mw import mw_edit, mw_new, page_struct, parent_titles
from wpcompat.xmlrpc.structs import PostBatch, post_dates, xml_date
from wpcompat.xmlrpc.table import method
from wpcompat.xmlrpc.writing import visible_post

PAGE_STATUSES = ("publish", "future", "draft", "pending", "private")      # get_posts(post_status=any)


def _page(call, page_id):
    post = visible_post(call, page_id)
    if post is None or post.post_type != "page":
        raise Fault(404, "Sorry, no such page.")
    return post


def _structs(call, pages):
    batch = PostBatch(call, pages, terms=False, media=False, authors=True)
    titles = parent_titles(pages, call.user)
    return [page_struct(page, batch, titles) for page in pages]


@method("wp.getPage", keep_answer=True)
def wp_get_page(call, args):
    call.login(arg(args, 2), arg(args, 3))
    post = visible_post(call, arg(args, 1))
    if post is None:
        raise Fault(404, "Invalid post ID.")
    if not permissions.can_edit_post(call.user, post):
        raise Fault(401, "Sorry, you are not allowed to edit this page.")
    if post.post_type != "page":
        raise Fault(404, "Sorry, no such page.")
    call.touched(post.id, wp_id=post.wp_id)
    return _structs(call, [post])[0]


@method("wp.getPages", keep_answer=True)
def wp_get_pages(call, args):
    number = php_int(arg(args, 3), 10) if arg(args, 3) is not None else 10
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_pages"):
        raise Fault(401, "Sorry, you are not allowed to edit pages.")
    query, _count = post_queries.collection(call.user, "page", {"status": list(PAGE_STATUSES)}, call.zone)
    if number > 0:
        query = query.limit(number)
    pages = [page for page in query.objects() if permissions.can_edit_post(call.user, page)]
    call.touched(None, ids=[page.wp_id for page in pages])
    return _structs(call, pages)


@method("wp.newPage")
def wp_new_page(call, args):
    call.login(arg(args, 1), arg(args, 2))
    content = dict(struct(arg(args, 3)), post_type="page")
    post = mw_new(call, content, truthy(arg(args, 4, False)))
    call.touched(post.id, wp_id=post.wp_id)
    return str(post.wp_id)


@method("wp.editPage")
def wp_edit_page(call, args):
    call.login(arg(args, 2), arg(args, 3))
    post = _page(call, arg(args, 1))
    if not permissions.can_edit_post(call.user, post):
        raise Fault(401, "Sorry, you are not allowed to edit this page.")
    mw_edit(call, post, dict(struct(arg(args, 4)), post_type="page"), truthy(arg(args, 5, False)))
    call.touched(post.id, wp_id=post.wp_id)
    return True


@method("wp.deletePage")
def wp_delete_page(call, args):
    call.login(arg(args, 1), arg(args, 2))
    post = _page(call, arg(args, 3))
    if not permissions.can_delete_post(call.user, post):
        raise Fault(401, "Sorry, you are not allowed to delete this page.")
    delete_post(call, post)
    call.touched(post.id, wp_id=post.wp_id)
    return True


@method("wp.getPageList")
def wp_get_page_list(call, args):
    call.login(arg(args, 1), arg(args, 2))
    if not can(call.user, "edit_pages"):
        raise Fault(401, "Sorry, you are not allowed to edit pages.")
    query = post_queries.readable(post_queries.base_select().where(Post.post_type == "page"), call.user, "page",
                                  post_queries.ALL_STATUSES).order_by(Post.wp_id)
    pages = list(query.objects())
    call.touched(None, ids=[page.wp_id for page in pages])
    out = []
    for page in pages:
        date_local, date_gmt, _modified, _modified_gmt = post_dates(page, call.zone)
        out.append({"page_id": str(page.wp_id), "page_title": page.title or "",
                    "page_parent_id": str(getattr(page, "parent_wp_id", None) or 0),
                    "dateCreated": xml_date(date_local), "date_created_gmt": xml_date(date_gmt)})
    return out
