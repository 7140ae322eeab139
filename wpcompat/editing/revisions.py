"""Keeping, autosaving, restoring and deleting revisions (wp-includes/revision.php's rules, no HTTP).

- keep_revision (wp_save_post_revision, on post_updated): after an update, the post's new
  title, content and excerpt (and its ACF values) become a revision, unless they equal the
  latest revision's. `posts.version` is then 1 + the number of the post's revisions.
- autosave (WP_REST_Autosaves_Controller::create_item): a draft by its own author is saved
  in place, without a revision; otherwise the user's one autosave of the post is created or
  replaced (nothing changed and one exists: that one is returned).
- restore (wp_restore_post_revision): the revision's fields back onto the post — itself an
  update, so it keeps a revision too.

Concurrent updates of one post: each runs in its own transaction and keeps its own revision;
the later UPDATE of the post waits for the earlier transaction (row lock), so the later save
wins and both states are in the history. The version is recounted from the rows, never
incremented from a value read before the lock.
"""

import re

import peewee

from wpcompat.acf import values as acf_values
from wpcompat.db import db
from wpcompat.models import CustomField, Post, Revision
from wpcompat.models.base import utcnow
from wpcompat.wp_ids import next_wp_id

REVISION_FIELDS = ("title", "content", "excerpt")
REVISIONED_TYPES = ("post", "page", "wp_block")     # post types that support "revisions"


def field_text(value):
    """title/content/excerpt arrive as a string or {"raw": ...}."""
    return value.get("raw", "") if isinstance(value, dict) else (value if value is not None else "")


def normalize_whitespace(text):
    """WordPress's normalize_whitespace: trimmed, CR to LF, runs of LF and of blanks collapsed."""
    text = (text or "").strip().replace("\r", "\n")
    return re.sub(r"[ \t]+", " ", re.sub(r"\n+", "\n", text))


def differs(fields, other):
    """Whether title, content or excerpt differ (whitespace-normalised, as WordPress compares them)."""
    return any(normalize_whitespace(fields.get(name)) != normalize_whitespace(getattr(other, name))
               for name in REVISION_FIELDS)


def acf_snapshot(post):
    """The post's ACF values (custom_fields rows ACF manages: those with a field group)."""
    rows = (CustomField.select().where(CustomField.post == post.id, CustomField.field_group.is_null(False))
            .order_by(CustomField.field_order, CustomField.meta_key))
    return {row.meta_key: {name: getattr(row, name) for name in acf_values.COLUMNS} for row in rows}


def latest(post, kind="revision", author=None):
    query = Revision.select().where(Revision.post == post.id, Revision.kind == kind)
    if author is not None:
        query = query.where(Revision.author == author)
    return query.order_by(Revision.created_at.desc(), Revision.wp_id.desc()).first()


def keep_revision(post, user):
    """wp_save_post_revision for a saved update of `post` by `user`. Returns the new revision or None."""
    if post.post_type not in REVISIONED_TYPES or post.status == "auto-draft":
        return None
    state = {name: getattr(post, name) or "" for name in REVISION_FIELDS}
    snapshot = acf_snapshot(post)
    previous = latest(post)
    if previous is not None and not differs(state, previous) and previous.field_values == snapshot:
        return None
    now = utcnow()
    revision = Revision.create(post=post.id, author=user.id if user.is_authenticated else None,
                               wp_id=next_wp_id("post"), kind="revision", field_values=snapshot,
                               created_at=post.updated_at or now, updated_at=now, **state)
    sync_version(post)
    return revision


def sync_version(post):
    """posts.version = 1 + the post's revisions, counted now (after this transaction's row lock)."""
    count = Revision.select().where(Revision.post == post.id, Revision.kind == "revision").count()
    Post.update(version=count + 1).where(Post.id == post.id).execute()
    post.version = count + 1


def is_saved_in_place(post, user):
    """A draft (or auto-draft) by the autosaving user is updated itself, with no revision."""
    return post.status in ("draft", "auto-draft") and user.is_authenticated and post.author_id == user.id


def autosave(post, user, fields):
    """create_post_autosave: `user`'s one autosave of `post` with `fields` (title/content/excerpt;
    absent ones keep the post's). Returns the autosave row."""
    state = {name: fields[name] if fields.get(name) is not None else (getattr(post, name) or "")
             for name in REVISION_FIELDS}
    old = latest(post, "autosave", user.id)
    if old is not None and not differs(state, post):
        return old                              # nothing to save: the existing autosave stands
    now = utcnow()
    if old is not None:
        Revision.update(updated_at=now, created_at=post.updated_at or now, **state).where(
            Revision.id == old.id).execute()
        return Revision.get_by_id(old.id)
    try:
        with db.atomic():                       # a concurrent autosave of the same user: replace it
            return Revision.create(post=post.id, author=user.id, wp_id=next_wp_id("post"), kind="autosave",
                                   field_values=acf_snapshot(post), created_at=post.updated_at or now,
                                   updated_at=now, **state)
    except peewee.IntegrityError:
        return autosave(post, user, fields)


def restore_fields(revision):
    """The update that restores `revision`: its title, content and excerpt."""
    return {name: getattr(revision, name) or "" for name in REVISION_FIELDS}


def restore_custom_fields(post, revision, may_write_phi):
    """The revision's ACF values back onto the post (PHI values only for who may write them)."""
    kept = {key: columns for key, columns in (revision.field_values or {}).items()
            if may_write_phi or not columns.get("is_phi")}
    current = acf_snapshot(post)
    removable = {key for key, columns in current.items() if key not in kept and
                 (may_write_phi or not columns.get("is_phi"))}
    acf_values.upsert("post", post.id, kept)
    acf_values.delete("post", post.id, removable)


def delete(revision):
    Revision.delete().where(Revision.id == revision.id).execute()
    post = Post.get_or_none(Post.id == revision.post_id)
    if post is not None and revision.kind == "revision":
        sync_version(post)
