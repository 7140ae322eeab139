"""wp:category, wp:tag, wp:term and item terms → categories rows of their taxonomy (wxr.md §8.3).

A term that exists (same taxonomy and slug) is reused and left as it is. The parent is looked up
among the terms that exist by slug, then by name (WXR 1.0 names the parent); a parent that comes
later in the file is back-filled at the end (WordPress does not; it is harmless and more correct),
and levels are recomputed then. A name already used by a sibling gets ` (slug)` appended (the
schema's name index is per parent). Term ids are kept where free. Term meta goes to
term_custom_fields of newly created terms, unserialized like post meta. Post formats are not terms
here: they set posts.format.
"""

import uuid

from wpcompat import slugs
from wpcompat.models import Term
from wpcompat.models.acf import TermCustomField

from importers.wxr import ids, meta

MAX_NAME = MAX_SLUG = 100
MAX_TAXONOMY = 32


class Terms:
    def __init__(self, report):
        self.report = report
        self.cache = {}            # (taxonomy, slug) → (uuid, wp_id, level)
        self.by_name = {}          # (taxonomy, name) → same

    def find(self, taxonomy, slug=None, name=None):
        """(uuid, wp_id, level) of an existing term, by slug, else by name; None."""
        if slug and (taxonomy, slug) in self.cache:
            return self.cache[(taxonomy, slug)]
        if name and (taxonomy, name) in self.by_name:
            return self.by_name[(taxonomy, name)]
        query = Term.select(Term.id, Term.wp_id, Term.level, Term.slug, Term.name).where(Term.taxonomy == taxonomy)
        row = query.where(Term.slug == slug).first() if slug else None
        if row is None and name:
            row = query.where(Term.name == name).first()
        if row is None:
            return None
        return self._remember(taxonomy, row.slug, row.name, row.id, row.wp_id, row.level or 0)

    def _remember(self, taxonomy, slug, name, term_id, wp_id, level):
        found = (term_id, wp_id, level)
        self.cache[(taxonomy, slug)] = found
        self.by_name.setdefault((taxonomy, name), found)
        return found

    def load(self, records, state, batch):
        for record in records:
            self.ensure(record, state, batch)

    def ensure(self, record, state, batch, from_item=False):
        """The term's (uuid, wp_id, level), creating it when missing; None when it cannot be stored."""
        taxonomy = record["taxonomy"]
        if not taxonomy or len(taxonomy) > MAX_TAXONOMY:
            self.report.count("terms", "skipped", reason=f"taxonomy name empty or longer than {MAX_TAXONOMY}")
            return None
        name = record["name"] or record["slug"]
        slug = record["slug"] or slugs.sanitize_title(name)
        if not slug:
            self.report.count("terms", "skipped", reason="term without slug or name")
            return None
        if len(slug) > MAX_SLUG:
            self.report.warn(f"{taxonomy} {slug[:40]}…: slug cut to {MAX_SLUG} characters")
            slug = slug[:MAX_SLUG]
        existing = self.find(taxonomy, slug)
        if existing is not None:
            if not from_item:
                self.report.count("terms", "skipped", reason="term already exists (same taxonomy and slug)")
            return existing
        parent = None
        ref = record.get("parent") or ""
        if ref:
            parent = self.find(taxonomy, ref, ref)
        term_id = uuid.uuid4()
        level = parent[2] + 1 if parent else 0
        name = self._free_name(taxonomy, name, slug, parent[0] if parent else None, record)
        source_id = _int(record.get("term_id"))
        (wp_id,) = ids.allocate("term", [source_id], self.report)
        Term.insert(id=term_id, name=name, slug=slug, description=record.get("description") or None,
                    parent=parent[0] if parent else None, level=level, wp_id=wp_id, taxonomy=taxonomy,
                    count=0).execute()
        if ref and parent is None:
            state.term_parents.append((term_id, taxonomy, ref))
        self.report.count("terms", "created")
        batch.audited("term", term_id, source_id or f"{taxonomy}:{slug}")
        state.touched_terms.add(term_id)
        state.taxonomies.add(taxonomy)
        self._term_meta(term_id, record.get("termmeta") or [])
        return self._remember(taxonomy, slug, name, term_id, wp_id, level)

    def _free_name(self, taxonomy, name, slug, parent_id, record):
        if len(name) > MAX_NAME:
            self.report.warn(f"{taxonomy} {slug}: name cut to {MAX_NAME} characters")
            name = name[:MAX_NAME]
        query = Term.select().where(Term.taxonomy == taxonomy, Term.name == name)
        query = query.where(Term.parent.is_null() if parent_id is None else Term.parent == parent_id)
        if query.exists():
            renamed = f"{name[:MAX_NAME - len(slug) - 3]} ({slug})"
            self.report.warn(f"{taxonomy} {slug}: name {name!r} is used by a sibling; stored as {renamed!r}")
            return renamed
        return name

    def _term_meta(self, term_id, rows):
        grouped = {}
        for row in rows:
            if row["key"] and not meta.skipped(row["key"]):
                grouped.setdefault(row["key"], []).append(row["value"])
        for key, values in grouped.items():
            if len(key) > meta.MAX_KEY:
                self.report.count("term_meta", "skipped", reason=f"meta key longer than {meta.MAX_KEY}")
                continue
            meta_type, text, broken = stored(values)
            if broken:
                self.report.warn(f"term meta {key}: looks PHP-serialized but does not parse; kept as text")
            TermCustomField.insert(term=term_id, meta_key=key, meta_value=text, meta_type=meta_type).execute()
            self.report.count("term_meta", "created")


def stored(values):
    """(meta_type, text, broken) for one key's values: one value as itself, several as a JSON list."""
    import json

    if len(values) == 1:
        return meta.decode(values[0])
    return "multiple", json.dumps([meta.python_value(value) for value in values], ensure_ascii=False), False


def _int(text):
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None
