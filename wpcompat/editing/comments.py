"""Writing comments: wp_new_comment / wp_update_comment / wp_set_comment_status / wp_delete_comment.

Shared by REST and XML-RPC. Text goes through kses (users without unfiltered_html), WordPress's
length limits, its duplicate and flood checks and its approval rules (check_comment), then the
PHI detector (workflow/lgpd.py): a comment whose text identifies a patient is held for moderation
and flagged `contains_phi`, whoever wrote it; only who may read PHI sees it (queries/comments.py).
"""

import datetime
import re

from wpcompat import kses
from wpcompat.auth import can
from wpcompat.editing.users import sanitize_url
from wpcompat.errors import WPError
from wpcompat.models import Comment
from wpcompat.models.base import utcnow
from wpcompat.queries import comments as comment_queries
from wpcompat.wp_ids import next_wp_id

MAX_LENGTHS = (("author_name", 245, "comment_author_column_length", "Your name is too long."),
               ("author_email", 100, "comment_author_email_column_length", "Your email address is too long."),
               ("author_url", 200, "comment_author_url_column_length", "Your URL is too long."),
               ("content", 65525, "comment_content_column_length", "Your comment is too long."))
DUPLICATE = "Duplicate comment detected; it looks as though you&#8217;ve already said that!"
FLOOD = "You are posting comments too quickly. Slow down."
FLOOD_SECONDS = 15
LINKS = re.compile(r"(href\t*?=\t*?['\"]?)?(https?:)?//", re.I)
SET_STATUS = {"approved": "approved", "approve": "approved", "1": "approved", "hold": "hold", "0": "hold",
              "spam": "spam", "trash": "trash"}


def option(site, name, default):
    return (getattr(site, "options", None) or {}).get(name, default)


def sanitized_author(struct_values):
    """Author name, URL and e-mail given by a client, as wp_filter_comment saves them (the REST schema's
    sanitize callbacks): plain text, and a URL with an allowed scheme."""
    sanitizers = {"author_name": kses.sanitize_text_field, "author_email": kses.sanitize_text_field,
                  "author_url": sanitize_url}
    return {column: sanitizers[column](value) for column, value in struct_values.items()}


def filter_content(text, user):
    """pre_comment_content: wp_filter_kses for users without unfiltered_html."""
    text = str(text or "").strip()
    return text if can(user, "unfiltered_html") else kses.filter_small(text)


def check_lengths(values, message=None):
    """wp_check_comment_data_max_lengths."""
    for name, limit, code, own_message in MAX_LENGTHS:
        if len(values.get(name) or "") > limit:
            raise WPError(code, message or own_message, 400)


def check_allowed(site, post, parent, values, user):
    """wp_allow_comment: duplicate (409) and flood (400) checks, then WordPress's approval rules."""
    if comment_queries.is_duplicate(post, parent, values["content"], values.get("author_name", ""),
                                    values.get("author_email", ""), user):
        raise WPError("comment_duplicate", DUPLICATE, 409)
    moderator = can(user, "moderate_comments") or can(user, "manage_options")
    if not moderator and _flooding(values, user):
        raise WPError("comment_flood", FLOOD, 400)
    if moderator or (user.is_authenticated and post.author_id == user.id):
        return "approved"
    return "approved" if _check_comment(site, values) else "hold"


def _flooding(values, user):
    """wp_check_comment_flood: a signed-in user's last comment, else the same IP or e-mail's, too recent."""
    since = utcnow() - datetime.timedelta(seconds=FLOOD_SECONDS)
    if user.is_authenticated:
        who = Comment.user == user.id
    else:
        who = Comment.author_ip == values.get("author_ip", "")
        if values.get("author_email"):
            who = who | (Comment.author_email == values["author_email"])
    return Comment.select(Comment.id).where(who, Comment.date_gmt >= since).exists()


def _check_comment(site, values):
    """check_comment: manual moderation, too many links, or a first comment by this person → hold."""
    if option(site, "comment_moderation", False):
        return False
    if len(LINKS.findall(values["content"])) > int(option(site, "comment_max_links", 2)):
        return False
    if option(site, "comment_previously_approved", True):
        return comment_queries.previously_approved(values.get("author_name", ""), values.get("author_email", ""))
    return True


def phi_check(content):
    """(contains_phi, lgpd score, counts of findings by kind) of a comment's text."""
    from wpcompat.workflow import lgpd

    result = lgpd.analyze({"content": content or ""})
    return result.contains_phi, result.score, result.counts()


def create(post, parent, values, status, request_status=None):
    """A new comment row. `values`: the columns (user, author_*, author_ip, user_agent, content, date_local,
    date_gmt). Returns (comment, PHI findings by kind). A PHI comment stays held whatever was asked."""
    contains_phi, score, findings = phi_check(values["content"])
    if contains_phi:
        status = "hold"
    comment = Comment(wp_id=next_wp_id("comment"), post=post.id, parent=parent.id if parent else None,
                      status=status, contains_phi=contains_phi, lgpd_score=score, **values)
    comment.save(force_insert=True)
    if request_status is not None and not contains_phi:
        set_status(comment, request_status)
    return comment, findings


def new_comment(site, post, parent, values, user, length_message=None, request_status=None):
    """wp_new_comment: lengths, duplicate/flood checks and approval, then the row and its PHI check."""
    check_lengths(values, length_message)
    status = check_allowed(site, post, parent, values, user)
    return create(post, parent, values, status, request_status)


def author_values(user):
    """The columns a signed-in commenter's profile fills."""
    return {"user": user.id, "author_name": user.display_name, "author_email": user.email,
            "author_url": user.url or ""}


def update(comment, values):
    """wp_update_comment with the given columns; the text is checked for PHI again when it changes."""
    findings = {}
    if "content" in values and values["content"] != comment.content:
        comment.contains_phi, comment.lgpd_score, findings = phi_check(values["content"])
        if comment.contains_phi and comment.status == "approved":
            comment.status = "hold"
    for name, value in values.items():
        setattr(comment, name, value)
    comment.save()
    return findings


def set_status(comment, new_status):
    """handle_status_param / wp_set_comment_status: True when the status changed."""
    old = comment.status
    if new_status == "unspam":
        target = comment.pre_trash_status or "hold" if old == "spam" else None
    elif new_status == "untrash":
        target = comment.pre_trash_status or "hold" if old == "trash" else None
    else:
        target = SET_STATUS.get(str(new_status))
    if target is None or target == old:
        return False
    if target in ("trash", "spam"):
        comment.pre_trash_status = old
        comment.deleted_at = utcnow() if target == "trash" else None
    else:
        comment.pre_trash_status = None
        comment.deleted_at = None
    comment.status = target
    comment.save()
    return True


def trash(comment):
    return set_status(comment, "trash")


def delete_for_good(comment):
    """wp_delete_comment(force): replies move up to the comment's parent, then the row goes."""
    Comment.update(parent=comment.parent_id).where(Comment.parent == comment.id).execute()
    Comment.delete().where(Comment.id == comment.id).execute()
