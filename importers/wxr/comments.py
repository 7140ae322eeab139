"""wp:comment → comments (threaded), for the posts of a batch (wxr.md §4.1).

Sorted by source comment id, as WordPress does. A comment already imported (same post and
source id) is skipped, so re-imports and resumed imports add nothing. `comment_parent` is
remapped to the new row (a parent later in the list, or in an earlier run, is back-filled at
the end); `comment_user_id` goes through the file's author ids. Comment meta is unserialized into
the `meta` JSON. Comment ids are kept where free. The LGPD analyzer flags comments whose text
identifies a patient (`contains_phi`, `lgpd_score`).
"""

import uuid

from wpcompat.models import Comment

from importers.wxr import ids, meta
from importers.wxr.context import parse_wp_date

STATUS = {"1": "approved", "approve": "approved", "0": "hold", "spam": "spam", "trash": "trash",
          "post-trashed": "trash"}


def existing(post_ids):
    """{(post uuid, source id): comment uuid} of comments already imported for these posts."""
    found = {}
    post_ids = list(post_ids)
    for start in range(0, len(post_ids), 500):
        query = Comment.select(Comment.id, Comment.post, Comment.source_id).where(
            Comment.post.in_(post_ids[start:start + 500]), Comment.source_id.is_null(False))
        for row_id, post_id, source_id in query.tuples():
            found[(post_id, source_id)] = row_id
    return found


def load(importer, pairs, state, batch, already=None):
    """pairs: [(post uuid, item)]. The items' comments go to the batch's writes (one multi-row insert)."""
    report = importer.report
    wanted = [(post_id, item) for post_id, item in pairs if item["comments"]]
    if not wanted:
        return
    done = existing({post_id for post_id, _item in wanted}) if already is None else already
    rows = []
    for post_id, item in wanted:
        comments = sorted(item["comments"], key=lambda comment: _int(comment.get("comment_id")) or 0)
        fresh = [comment for comment in comments if (post_id, _int(comment.get("comment_id"))) not in done]
        report.count("comments", "skipped", len(comments) - len(fresh), reason="already imported (same source id)")
        wp_ids = ids.allocate("comment", [_int(comment.get("comment_id")) for comment in fresh], report,
                              importer.inflight("comment"))
        local = dict(((key[1], value) for key, value in done.items() if key[0] == post_id))
        for comment, wp_id in zip(fresh, wp_ids):
            row = _row(importer, comment, post_id, wp_id, state, local)
            local[_int(comment.get("comment_id"))] = row["id"]
            rows.append(row)
            batch.audited("comment", row["id"], _int(comment.get("comment_id")))
    batch.write(Comment, rows)
    report.count("comments", "created", len(rows))


def _row(importer, comment, post_id, wp_id, state, local):
    source_id = _int(comment.get("comment_id"))
    parent_source = _int(comment.get("comment_parent"))
    parent = local.get(parent_source) if parent_source else None
    row_id = uuid.uuid4()
    if parent_source and parent is None:
        state.comment_parents.append((row_id, post_id, parent_source))
    gmt = parse_wp_date(comment.get("comment_date_gmt"))
    local_date = parse_wp_date(comment.get("comment_date"))
    from wpcompat import dates
    if gmt is None:
        gmt = dates.to_utc(local_date, importer.zone) if local_date else importer.now
    if local_date is None:
        local_date = dates.to_local(gmt, importer.zone)
    values = {}
    for entry in comment.get("commentmeta") or []:
        if entry["key"]:
            value = meta.python_value(entry["value"])
            if entry["key"] in values:
                previous = values[entry["key"]]
                values[entry["key"]] = (previous if isinstance(previous, list) else [previous]) + [value]
            else:
                values[entry["key"]] = value
    content = comment.get("comment_content") or ""
    contains_phi, score = importer.detector.comment(content)
    return {"id": row_id, "wp_id": wp_id, "post": post_id, "parent": parent,
            "user": state.users_by_source_id.get(_int(comment.get("comment_user_id")) or 0),
            "status": STATUS.get((comment.get("comment_approved") or "").strip(), "hold"),
            "author_name": (comment.get("comment_author") or "")[:255],
            "author_email": (comment.get("comment_author_email") or "").strip()[:100],
            "author_url": (comment.get("comment_author_url") or "").strip()[:200],
            "author_ip": (comment.get("comment_author_IP") or "").strip()[:100],
            "content": content, "comment_type": (comment.get("comment_type") or "").strip()[:20] or "comment",
            "meta": values, "contains_phi": contains_phi, "lgpd_score": score,
            "date_local": local_date, "date_gmt": gmt, "source_id": source_id,
            "inserted_at": importer.now, "updated_at": importer.now}


def finish(importer, state):
    """Parents that came after their replies (or in an earlier run)."""
    for row_id, post_id, parent_source in state.comment_parents:
        parent = Comment.get_or_none(Comment.post == post_id, Comment.source_id == parent_source)
        if parent is None:
            importer.report.warn(f"comment {row_id}: parent comment {parent_source} is not in the site")
            continue
        Comment.update(parent=parent.id).where(Comment.id == row_id, Comment.parent.is_null()).execute()


def _int(text):
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None
