"""The last step of a file's import: everything that points at another item, resolved once all are in.

Recomputed from the file and the database on every run (so an interrupted import, run again,
finishes it): parents of posts and media (`wp:post_parent`, which may come later in the file),
featured images (`_thumbnail_id`), term parents listed after their children and term levels,
gallery shortcodes' `ids="…"` and ACF relational values (source ids → the ids kept or given),
old attachment URLs in content, and term counts.
"""

import json
import re

import peewee

from wpcompat.db import is_postgres
from wpcompat.models import AuditTrail, CustomField, Media, Post, PostTerm, Term

from importers.wxr import bulk, comments, urls
from importers.wxr.context import audit_row

CHUNK = 500
GALLERY_IDS = re.compile(r'(\[gallery[^\]]*\bids=)(["\']?)([\d,\s]+)\2')


def finish(importer, state):
    comments.finish(importer, state)
    _term_parents(importer, state)
    _post_parents(importer, state)
    _thumbnails(importer, state)
    _galleries(importer, state)
    _acf_relations(importer, state)
    _rewrite_urls(importer, state)
    if state.touched_terms:
        recount_terms(state.touched_terms)


def recount_terms(term_ids):
    """wpcompat.editing.posts.recount_terms for many terms at once: the same count (published posts that
    anyone may see), the same locks in the same order, but one grouped count per chunk of terms instead
    of one count per term, and an UPDATE only where the stored count differs."""
    term_ids = sorted(set(term_ids), key=str)
    for start in range(0, len(term_ids), CHUNK):
        part = term_ids[start:start + CHUNK]
        stored = Term.select(Term.id, Term.count).where(Term.id.in_(part)).order_by(Term.id)
        if is_postgres():
            stored = stored.for_update("FOR NO KEY UPDATE")
        stored = dict(stored.tuples())
        if is_postgres():       # statistics are stale right after a bulk load: no per-post nested loop
            Term._meta.database.execute_sql("SET LOCAL enable_nestloop = off")
        counts = dict(PostTerm.select(PostTerm.term, peewee.fn.COUNT(PostTerm.id))
                      .join(Post, on=(PostTerm.post == Post.id))
                      .where(PostTerm.term.in_(part), Post.status == "publish",
                             Post.compliance_level.is_null() | (Post.compliance_level == "public"))
                      .group_by(PostTerm.term).tuples())
        if is_postgres():
            Term._meta.database.execute_sql("SET LOCAL enable_nestloop = on")
        for term_id, count in stored.items():
            if count != counts.get(term_id, 0):
                Term.update(count=counts.get(term_id, 0)).where(Term.id == term_id).execute()


def _by_source(model, source_ids):
    """{source id: (uuid, wp_id)} of the tenant's rows that came from these source ids."""
    wanted = list({value for value in source_ids if value})
    found = {}
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start:start + CHUNK]
        for row_id, source_id, wp_id in model.select(model.id, model.source_id, model.wp_id).where(
                model.source_id.in_(part)).tuples():
            found.setdefault(source_id, (row_id, wp_id))
    return found


def _term_parents(importer, state):
    for term_id, taxonomy, ref in state.term_parents:
        parent = importer.terms.find(taxonomy, ref, ref)
        if parent is not None and parent[0] != term_id:
            Term.update(parent=parent[0]).where(Term.id == term_id, Term.parent.is_null()).execute()
        else:
            importer.report.warn(f"{taxonomy} term: parent {ref!r} is not in the site; left top-level")
    for taxonomy in state.taxonomies:
        rows = {row_id: (parent, level) for row_id, parent, level in
                Term.select(Term.id, Term.parent, Term.level).where(Term.taxonomy == taxonomy).tuples()}
        for row_id, (_parent, level) in rows.items():
            depth, seen, current = 0, {row_id}, rows[row_id][0]
            while current is not None and current in rows and current not in seen:
                seen.add(current)
                depth += 1
                current = rows[current][0]
            if depth != (level or 0):
                Term.update(level=depth).where(Term.id == row_id).execute()


def _post_parents(importer, state):
    if not state.parents:
        return
    found = _by_source(Post, [source for _kind, _row, source in state.parents])
    posts, media = [], []
    for kind, row_id, source in state.parents:
        parent = found.get(source)
        if parent is None:
            importer.report.warn(f"{kind} {row_id}: parent {source} is not in the site; left without parent")
        elif kind == "post" and parent[0] != row_id:
            posts.append((row_id, parent[0]))
        elif kind == "media":
            media.append((row_id, parent[0]))
    bulk.set_where_null(Post, Post.parent, posts)
    bulk.set_where_null(Media, Media.post, media)


def _thumbnails(importer, state):
    if not state.thumbnails:
        return
    found = _by_source(Media, [source for _row, source in state.thumbnails])
    pairs = []
    for row_id, source in state.thumbnails:
        media = found.get(source)
        if media is None:
            importer.report.warn(f"featured image {source} of post {row_id} is not in the site")
        else:
            pairs.append((row_id, media[0]))
    bulk.set_where_null(Post, Post.featured_media, pairs)


def _id_map(sources):
    found = _by_source(Post, sources)
    for source, value in _by_source(Media, sources).items():
        found.setdefault(source, value)
    return {source: wp_id for source, (_row, wp_id) in found.items()}


def _galleries(importer, state):
    """Gallery shortcodes of posts written in this run: source attachment ids → their ids here."""
    for start in range(0, len(state.galleries), CHUNK):
        rows = list(Post.select(Post.id, Post.content).where(Post.id.in_(state.galleries[start:start + CHUNK])))
        sources = {int(value) for row in rows for match in GALLERY_IDS.finditer(row.content or "")
                   for value in re.findall(r"\d+", match.group(3))}
        mapping = _id_map(sources)

        def remap(match):
            numbers = [str(mapping.get(int(value), value)) for value in re.findall(r"\d+", match.group(3))]
            return f"{match.group(1)}{match.group(2)}{','.join(numbers)}{match.group(2)}"

        for row in rows:
            content = GALLERY_IDS.sub(remap, row.content or "")
            if content != row.content:
                Post.update(content=content).where(Post.id == row.id).execute()


def _acf_relations(importer, state):
    pending = importer.acf.relational
    if not pending:
        return
    rows = []
    for post_id, key in pending:
        row = CustomField.get_or_none(CustomField.post == post_id, CustomField.meta_key == key)
        if row is not None and row.meta_value:
            rows.append(row)
    sources = set()
    for row in rows:
        sources.update(int(value) for value in re.findall(r"\d+", row.meta_value))
    mapping = _id_map(sources)
    for row in rows:
        text = row.meta_value
        if text.startswith("["):
            values = [mapping.get(int(value), int(value)) for value in json.loads(text)
                      if str(value).strip().isdigit()]
            new = json.dumps(values)
        else:
            new = str(mapping.get(int(text), text)) if text.strip().isdigit() else text
        if new != text:
            CustomField.update(meta_value=new).where(CustomField.id == row.id).execute()
    importer.acf.relational = []


def _rewrite_urls(importer, state):
    """Old attachment URLs → new ones in every post of the tenant that mentions an old host (WordPress: all
    posts). Posts of earlier imports or written by users can change here: each changed post gets an audit
    row (operation update, event post:import-url-rewrite)."""
    if not state.url_remap:
        return
    for prefix in urls.prefixes(state.url_remap):
        last = None
        while True:
            query = (Post.select(Post.id, Post.content).where(Post.content.contains(prefix))
                     .order_by(Post.id).limit(CHUNK))
            if last is not None:
                query = query.where(Post.id > last)
            rows = list(query)
            if not rows:
                break
            changed = []
            for row in rows:
                content = urls.rewrite(row.content, state.url_remap)
                if content != row.content:
                    Post.update(content=content).where(Post.id == row.id).execute()
                    changed.append(row.id)
            bulk.insert(AuditTrail, [audit_row(state, importer.fallback, "update", "post", post_id,
                                               event="post:import-url-rewrite") for post_id in changed])
            last = rows[-1].id
