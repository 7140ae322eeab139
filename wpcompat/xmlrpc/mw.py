"""The MetaWeblog, Blogger and page structs, and MetaWeblog's content struct on write (§3, §4).

metaWeblog.newPost/editPost and wp.newPage/editPage share `mw_new` / `mw_edit`; their
checks and quirks are mw_newPost's and mw_editPost's (an absent mt_keywords on edit
removes every tag; without the publish flag or a status an edited post becomes a draft).
"""

import re

from wpcompat import permissions
from wpcompat.editing import posts as editing
from wpcompat.models import Post, Term
from wpcompat.queries import users as user_queries
from wpcompat.schemas.posts import FORMATS
from wpcompat.xmlrpc.call import absint, php_int, struct, text
from wpcompat.xmlrpc.faults import Fault
from wpcompat.xmlrpc.structs import post_dates, xml_date
from wpcompat.xmlrpc.writing import check_thumbnail, date_args, save, tag_ids_by_names, toggle_sticky

MORE = re.compile(r"<!--more(.*?)?-->")
MW_STATUSES = ("draft", "pending", "private", "publish")


def _trim(value):
    """get_extended's `/^[\\s]*(.*)[\\s]*$/` (no /s: a multi-line text is left alone)."""
    return re.sub(r"^[\s]*(.*)[\s]*$", r"\1", value, count=1)


def get_extended(content):
    """(main, extended, more_text) of a post body split at <!--more-->."""
    content = content or ""
    match = MORE.search(content)
    if match is None:
        return _trim(content), "", ""
    main, extended = content.split(match.group(0), 1)
    return _trim(main), _trim(extended), _trim(match.group(1) or "")


def category_names(batch, post):
    return [term.name for term in batch.post_terms(post, "category")]


def _author_fields(batch, post):
    author = batch.author(post)
    return (str(author.wp_id) if author else "0"), (author.display_name or author.login) if author else ""


def mw_post_struct(post, batch, postid_as_int):
    """metaWeblog.getPost (postid int) / getRecentPosts (postid string, date_modified before sticky)."""
    zone = batch.call.zone
    date_local, date_gmt, modified_local, modified_gmt = post_dates(post, zone)
    main, extended, more_text = get_extended(post.content)
    link = batch.link(post)
    author_id, author_name = _author_fields(batch, post)
    data = {"dateCreated": xml_date(date_local), "userid": author_id,
            "postid": post.wp_id if postid_as_int else str(post.wp_id), "description": main,
            "title": post.title or "", "link": link, "permaLink": link, "categories": category_names(batch, post),
            "mt_excerpt": post.excerpt or "", "mt_text_more": extended, "wp_more_text": more_text,
            "mt_allow_comments": int(post.comment_status == "open"), "mt_allow_pings": int(post.ping_status == "open"),
            "mt_keywords": ", ".join(term.name for term in batch.post_terms(post, "post_tag")),
            "wp_slug": post.slug or "", "wp_password": post.password or "", "wp_author_id": author_id,
            "wp_author_display_name": author_name, "date_created_gmt": xml_date(date_gmt),
            "post_status": "publish" if post.status == "future" else post.status,
            "custom_fields": batch.custom_fields(post), "wp_post_format": post.format or "standard"}
    sticky = post.post_type == "post" and bool(post.sticky)
    if postid_as_int:
        data.update({"sticky": sticky, "date_modified": xml_date(modified_local),
                     "date_modified_gmt": xml_date(modified_gmt)})
    else:
        data.update({"date_modified": xml_date(modified_local), "date_modified_gmt": xml_date(modified_gmt),
                     "sticky": sticky})
    data["wp_post_thumbnail"] = int(getattr(post, "featured_wp_id", None) or 0)
    return data


def page_struct(post, batch, parent_titles):
    """_prepare_page."""
    date_local, date_gmt, _modified, _modified_gmt = post_dates(post, batch.call.zone)
    main, extended, _more = get_extended(post.content)
    link = batch.link(post)
    author_id, author_name = _author_fields(batch, post)
    parent = int(getattr(post, "parent_wp_id", None) or 0)
    return {"dateCreated": xml_date(date_local), "userid": author_id, "page_id": post.wp_id,
            "page_status": post.status, "description": main, "title": post.title or "", "link": link,
            "permaLink": link, "categories": [], "excerpt": post.excerpt or "", "text_more": extended,
            "mt_allow_comments": int(post.comment_status == "open"), "mt_allow_pings": int(post.ping_status == "open"),
            "wp_slug": post.slug or "", "wp_password": post.password or "", "wp_author": author_name,
            "wp_page_parent_id": parent, "wp_page_parent_title": parent_titles.get(post.parent_id, ""),
            "wp_page_order": int(post.menu_order or 0), "wp_author_id": author_id,
            "wp_author_display_name": author_name, "date_created_gmt": xml_date(date_gmt),
            "custom_fields": batch.custom_fields(post), "wp_page_template": post.template or "default"}


def parent_titles(posts, user):
    """{parent uuid: title} of the parents `user` may see at their compliance level (DESIGN.md §8)."""
    wanted = {post.parent_id for post in posts if post.parent_id}
    if not wanted:
        return {}
    rows = Post.select(Post.id, Post.title, Post.compliance_level).where(Post.id.in_(list(wanted)))
    return {row.id: row.title for row in rows if permissions.may_see_level(user, row.compliance_level)}


def blogger_struct(post, batch):
    categories = ",".join(str(term.wp_id) for term in batch.post_terms(post, "category"))
    date_local = post_dates(post, batch.call.zone)[0]
    return {"userid": str(getattr(post, "author_wp_id", None) or 0), "dateCreated": xml_date(date_local),
            "content": f"<title>{post.title or ''}</title><category>{categories}</category>{post.content or ''}",
            "postid": str(post.wp_id)}


# --- Blogger content strings -------------------------------------------------------------------

_TITLE = re.compile(r"<title>(.+?)</title>", re.I | re.S)
_CATEGORY = re.compile(r"<category>(.+?)</category>", re.I | re.S)


def blogger_content(content):
    """(title, category ids or None, body) from a Blogger content string."""
    content = text(content)
    title = _TITLE.search(content)
    category = _CATEGORY.search(content)
    ids = [php_int(part) for part in category.group(1).strip().split(",")] if category else None
    body = _CATEGORY.sub("", _TITLE.sub("", content)).strip()
    return (title.group(1) if title else ""), ids, body


# --- MetaWeblog content struct ------------------------------------------------------------------

def _discussion(value, default):
    if value in ("open", "closed"):
        return value
    number = php_int(value, -1)
    return "open" if number == 1 else "closed" if number in (0, 2) else default


def _keywords(value):
    if isinstance(value, list):
        return [text(item) for item in value]
    return [part for part in text(value).split(",")]


def category_ids_by_names(names):
    names = [text(name) for name in names] if isinstance(names, list) else []
    if not names:
        return []
    found = {term.name: term.wp_id for term in Term.select(Term.name, Term.wp_id)
             .where(Term.taxonomy == "category", Term.name.in_(names))}
    return [found[name] for name in names if name in found]


def _status(content, post_type, publish):
    status = "publish" if publish else "draft"
    given = text(content.get(f"{post_type}_status"))
    return given if given in MW_STATUSES else status


def _check_format(content):
    if "wp_post_format" in content:
        value = re.sub(r"[^a-z0-9_\-]", "", text(content["wp_post_format"]).lower())
        if value not in FORMATS:
            raise Fault(404, "Invalid post format.")
        return value
    return None


def _common_args(call, content, post_type, existing):
    args = {}
    for source, target in (("title", "title"), ("mt_excerpt", "excerpt"), ("wp_slug", "slug"),
                           ("wp_password", "password")):
        if source in content:
            args[target] = text(content[source])
    if "description" in content or "mt_text_more" in content:
        body = text(content.get("description")) if "description" in content else \
            (existing.content if existing is not None else "")
        more = text(content.get("mt_text_more"))
        args["content"] = f"{body}<!--more-->{more}" if more else body
    if "wp_page_parent_id" in content:
        args["parent"] = absint(content["wp_page_parent_id"])
    if "wp_page_order" in content:
        args["menu_order"] = php_int(content["wp_page_order"])
    if post_type == "page" and text(content.get("wp_page_template")):
        args["template"] = text(content["wp_page_template"])
    default = existing.comment_status if existing is not None else ("closed" if post_type == "page" else "open")
    if "mt_allow_comments" in content:
        args["comment_status"] = _discussion(content["mt_allow_comments"], default)
    ping_default = existing.ping_status if existing is not None else ("closed" if post_type == "page" else "open")
    if "mt_allow_pings" in content:
        args["ping_status"] = _discussion(content["mt_allow_pings"], ping_default)
    if "wp_post_thumbnail" in content:
        args["featured_media"] = check_thumbnail(call, content["wp_post_thumbnail"])
    args.update(date_args(content.get("dateCreated"), content.get("date_created_gmt")))
    return args


def _terms(content, post_type, creating):
    if post_type != "post":
        return None
    terms = {}
    categories = category_ids_by_names(content.get("categories"))
    if categories:
        terms["category"] = categories
    if "mt_keywords" in content or not creating:
        terms["post_tag"] = tag_ids_by_names(_keywords(content.get("mt_keywords", [])))
    return terms


def mw_new(call, content, publish):
    """mw_newPost: the new post."""
    user, content = call.user, struct(content)
    post_type = text(content.get("post_type")) or "post"
    if post_type not in ("post", "page"):
        raise Fault(401, "Invalid post type.")
    status = _status(content, post_type, publish)
    needs_publish = publish or text(content.get(f"{post_type}_status")) == "publish"
    if not permissions.can_create(user, post_type):
        raise Fault(401, "Sorry, you are not allowed to publish posts on this site.")
    if needs_publish and not permissions.can_publish(user, post_type):
        raise Fault(401, f"Sorry, you are not allowed to publish {'pages' if post_type == 'page' else 'posts'} "
                         f"on this site.")
    fmt = _check_format(content)
    args = _common_args(call, content, post_type, None)
    args["status"] = status
    args["author"] = _mw_author(user, post_type, content)
    if fmt is not None:
        args["format"] = fmt
    if post_type == "post" and "sticky" in content:
        sticky = toggle_sticky(user, status, args.get("password"), True, content["sticky"])
        args["sticky"] = bool(sticky)
    post = editing.new_post(post_type, user)
    return save(call, post, args, True, _terms(content, post_type, True), content.get("custom_fields"),
                content.get("enclosure"))


def _mw_author(user, post_type, content):
    if "wp_author_id" not in content or absint(content["wp_author_id"]) == user.wp_id:
        return user.wp_id
    if not permissions.can_edit_others(user, post_type):
        raise Fault(401, f"Sorry, you are not allowed to create {'pages' if post_type == 'page' else 'posts'} "
                         f"as this user.")
    if user_queries.find(absint(content["wp_author_id"])) is None:
        raise Fault(404, "Invalid author ID.")
    return absint(content["wp_author_id"])


def mw_edit(call, post, content, publish):
    """mw_editPost on `post` (already found, the caller may edit it)."""
    user, content = call.user, struct(content)
    post_type = post.post_type
    if post_type not in ("post", "page"):
        raise Fault(401, "Invalid post type.")
    if text(content.get("post_type")) and text(content["post_type"]) != post_type:
        raise Fault(401, "The post type may not be changed.")
    fmt = _check_format(content)
    args = _common_args(call, content, post_type, post)
    if "wp_author_id" in content:
        current = getattr(post, "author_wp_id", None)
        if absint(content["wp_author_id"]) != user.wp_id or current != user.wp_id:
            if not permissions.can_edit_others(user, post_type):
                raise Fault(401, f"Sorry, you are not allowed to change the {'page' if post_type == 'page' else 'post'}"
                                 f" author as this user.")
            args["author"] = absint(content["wp_author_id"])
    status = _status(content, post_type, publish)
    if status in ("publish", "private") and not permissions.can_publish(user, post_type):
        raise Fault(401, f"Sorry, you are not allowed to publish this {'page' if post_type == 'page' else 'post'}.")
    args["status"] = status
    if fmt is not None:
        args["format"] = fmt
    if post_type == "post" and "sticky" in content:
        sticky = toggle_sticky(user, status, args.get("password", post.password), True, content["sticky"])
        args["sticky"] = bool(sticky)
    return save(call, post, args, False, _terms(content, post_type, False), content.get("custom_fields"),
                content.get("enclosure"))

