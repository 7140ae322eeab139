"""Items → posts (posts, pages, custom types), their terms and their meta (wxr.md §8.2, §8.5).

One batch of items is written with a handful of multi-row inserts (posts, post_terms,
custom_fields, comments: the batch's writes, see run.py), never one ORM save per row. An item
whose source id is already in the tenant (posts.source_id with the same guid) is left alone:
importing again changes nothing, and an interrupted import run again goes on where it stopped.
Parents are noted and resolved at the end (they may come later in the file); so are featured
images, unless their attachment is already in.
"""

import collections
import re
import uuid

from wpcompat import dates, slugs
from wpcompat.models import CustomField, Post, PostTerm

from importers.wxr import bulk, comments, ids, meta, urls
from importers.wxr.context import parse_wp_date
from importers.wxr.terms import stored

# Post types WordPress exports that have no place here (menus, site editor data): skipped and counted.
SKIP_TYPES = {"nav_menu_item", "wp_template", "wp_template_part", "wp_global_styles", "wp_navigation",
              "wp_font_family", "wp_font_face", "custom_css", "revision", "customize_changeset",
              "oembed_cache", "user_request", "wp_block"}
STATUSES = {"publish", "draft", "pending", "private", "future", "trash"}
MAX_TITLE = 255
GALLERY = re.compile(r"\[gallery[^\]]*\bids=")
Found = collections.namedtuple("Found", "id source_id guid wp_id")


def classify(item):
    """None when the item is to be imported as a post, else the reason it is not."""
    post_type = item["post_type"]
    if not post_type:
        return "invalid post type (item without wp:post_type)"
    if item["status"] == "auto-draft":
        return "auto-draft"
    if post_type in SKIP_TYPES:
        return f"post type {post_type} has no place in this schema"
    if len(post_type) > 30:
        return "post type name longer than 30 characters"
    return None


def existing_by_source(model, items):
    """{source id: row} of rows that came from these items in an earlier run (same source id and guid)."""
    wanted = [item["post_id"] for item in items if item["post_id"]]
    found = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        for values in bulk.values_in(model, (model.id, model.source_id, model.guid, model.wp_id), model.source_id,
                                     part, probe=model is Post):
            row = Found(*values)
            found.setdefault(row.source_id, []).append(row)
    out = {}
    for item in items:
        for row in found.get(item["post_id"], ()):
            if not row.guid or not item["guid"] or row.guid == item["guid"].strip()[:500]:
                out[item["post_id"]] = row
    return out


class Posts:
    def __init__(self, importer):
        self.importer = importer
        self.report = importer.report

    def load(self, items, state, batch):
        existing = existing_by_source(Post, items)
        new, old = [], []
        for item in items:
            row = existing.get(item["post_id"])
            if row is not None:
                self.report.count("posts", "skipped", reason="already imported (same source id)")
                self._note_references(state, row.id, item)
                old.append((row.id, item))
            else:
                new.append(item)
        comments.load(self.importer, old, state, batch)
        if not new:
            return
        wp_ids = ids.allocate("post", [item["post_id"] for item in new], self.report, self.importer.inflight("post"))
        slugs_in_use = self._taken_slugs(new) | set(self.importer.inflight("slug"))
        rows, links, fields, ahead = [], [], [], {}
        for item, wp_id in zip(new, wp_ids):
            rows.append(self._row(item, wp_id, state, slugs_in_use, links, fields, batch))
            if item.get("_ahead") is not None:
                ahead[rows[-1]["id"]] = item["_ahead"][2]
        batch.flagged.extend(self.importer.detector.check(rows, fields, state, ahead))
        batch.write(Post, rows)
        batch.write(PostTerm, links)
        batch.write(CustomField, fields)
        comments.load(self.importer, [(row["id"], item) for row, item in zip(rows, new)], state, batch, already={})
        self.report.count("posts", "created", len(rows))
        self.report.count("custom_fields", "created", len(fields))

    def _taken_slugs(self, items):
        wanted = list({item["post_name"] for item in items if item["post_name"]})
        taken = set()
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            taken.update(slug for (slug,) in bulk.values_in(Post, (Post.slug,), Post.slug, part, probe=True))
        return taken

    def _slug(self, item, taken):
        slug = item["post_name"][:200]
        if not slug:
            return ""                                   # drafts keep an empty slug, as in WordPress
        if slug in taken:
            def in_use(candidate):
                return candidate in taken or Post.select().where(Post.slug == candidate).exists()
            new = slugs.unique_slug(slug, in_use)
            self.report.warn(f"post {item['post_id']}: slug {slug} is taken; stored as {new}")
            slug = new
        taken.add(slug)
        return slug

    def _row(self, item, wp_id, state, taken, links, fields, batch):
        post_id = uuid.uuid4()
        importer = self.importer
        title = item["title"]
        if len(title) > MAX_TITLE:
            self.report.warn(f"post {item['post_id']}: title cut to {MAX_TITLE} characters")
            title = title[:MAX_TITLE]
        status = item["status"] if item["status"] in STATUSES else "draft"
        if item["status"] not in STATUSES:
            self.report.warn(f"post {item['post_id']}: unknown status {item['status']!r} stored as draft")
        local, gmt = self._dates(item)
        content, excerpt = self._texts(item, state, post_id)
        post_format, category = self._terms(item, post_id, state, links, batch)
        template, featured = self._meta(item, post_id, state, fields)
        if item["post_parent"]:
            state.parents.append(("post", post_id, item["post_parent"]))
        batch.audited("post", post_id, item["post_id"])
        return {
            "id": post_id, "title": title, "slug": self._slug(item, taken), "content": content,
            "excerpt": excerpt, "status": status, "post_type": item["post_type"],
            "comment_status": (item.get("comment_status") or "open").strip()[:10],
            "ping_status": (item.get("ping_status") or "open").strip()[:10],
            "published_at": gmt, "scheduled_at": gmt if status == "future" else None,
            "date_local": local, "modified_local": parse_wp_date(item.get("post_modified")),
            "updated_at": parse_wp_date(item.get("post_modified_gmt")) or importer.now, "inserted_at": importer.now,
            "author": importer.author_for(item, state), "category": category, "wp_id": wp_id,
            "menu_order": item["menu_order"] or 0, "password": (item.get("post_password") or "")[:255],
            "sticky": bool(item["is_sticky"]), "format": post_format[:20], "template": template,
            "guid": item["guid"].strip()[:500], "source_id": item["post_id"], "compliance_level": "public",
            "featured_media": featured,
        }

    def _dates(self, item):
        """(local, GMT): a missing GMT date (drafts: all zeros) comes from the local one in the site's zone."""
        local = parse_wp_date(item.get("post_date"))
        gmt = parse_wp_date(item.get("post_date_gmt"))
        if gmt is None and local is not None:
            gmt = dates.to_utc(local, self.importer.zone)
        if local is None and gmt is not None:
            local = dates.to_local(gmt, self.importer.zone)
        return local, gmt

    def prepare(self, item, state):
        """What needs no database, done while the previous batch is written (run.py): the item's texts
        rewritten and the LGPD scans of its title, excerpt and content. Not when downloading media (the
        URL remap grows with each stored file)."""
        if (self.importer.options.media == "download" or item["post_type"] == "attachment"
                or classify(item) is not None):
            return
        content, excerpt = self._rewritten(item, state)
        scans = self.importer.detector.scan_ahead({"title": item["title"][:MAX_TITLE], "excerpt": excerpt or "",
                                                   "content": content or ""})
        item["_ahead"] = (content, excerpt, scans)

    def _rewritten(self, item, state):
        content = urls.rewrite(item["content"], state.url_remap)
        excerpt = item["excerpt"]
        if state.site_rewrite is not None:
            content, excerpt = state.site_rewrite(content), state.site_rewrite(excerpt)
        return content, excerpt

    def _texts(self, item, state, post_id):
        ahead = item.get("_ahead")
        content, excerpt = (ahead[0], ahead[1]) if ahead is not None else self._rewritten(item, state)
        if GALLERY.search(content):
            state.galleries.append(post_id)
        return content, excerpt

    def _terms(self, item, post_id, state, links, batch):
        """Link the item's terms (created on the fly when missing); (post format, primary category)."""
        post_format, category, linked = "standard", None, set()
        for term in item["terms"]:
            if term["domain"] == "post_format":
                post_format = term["slug"].removeprefix("post-format-") or "standard"
                continue
            found = self.importer.terms.ensure({"taxonomy": term["domain"], "slug": term["slug"],
                                                "name": term["name"], "parent": "", "term_id": None},
                                               state, batch, from_item=True)
            if found is None or found[0] in linked:
                continue
            links.append({"post": post_id, "term": found[0], "term_order": len(linked)})
            linked.add(found[0])
            state.touched_terms.add(found[0])
            if term["domain"] == "category" and category is None:
                category = found[0]
        return post_format, category

    def _meta(self, item, post_id, state, fields):
        """custom_fields rows of the item (one per key). Returns (page template, featured image): the featured
        image when its attachment is already in (this file, and not in a batch still being written: that
        one may commit after this one), else it is noted for the end of the import."""
        template, grouped, featured, first = "", {}, None, True
        for row in item["postmeta"]:
            key = row["key"]
            if key == "_thumbnail_id":
                source = _int(row["value"])
                if source and first and source in state.media_ids \
                        and state.media_ids[source] not in self.importer.inflight("media_row"):
                    featured = state.media_ids[source]          # the first one wins, as at the end
                elif source:
                    state.thumbnails.append((post_id, source))
                first = first and not source
                continue
            if key == "_wp_page_template":
                template = row["value"][:255]
            if key and meta.skipped(key):
                self.report.count("custom_fields", "skipped", reason=f"WordPress-internal key ({_family(key)})")
            elif key:
                grouped.setdefault(key, []).append(row["value"])
        acf = self.importer.acf
        for position, (key, values) in enumerate(grouped.items()):
            if acf.is_reference(key, grouped):
                continue
            if len(key) > meta.MAX_KEY:
                self.report.count("custom_fields", "failed", reason=f"meta key longer than {meta.MAX_KEY}")
                continue
            meta_type, text, broken = stored(values)
            if broken:
                self.report.warn(f"post {item['post_id']} meta {key}: looks PHP-serialized but does not parse; "
                                 "kept as text")
            fields.append(acf.field_row(post_id, key, text, meta_type, grouped, position))
        return template, featured

    def _note_references(self, state, row_id, item):
        if item["post_parent"]:
            state.parents.append(("post", row_id, item["post_parent"]))
        for row in item["postmeta"]:
            if row["key"] == "_thumbnail_id" and _int(row["value"]):
                state.thumbnails.append((row_id, _int(row["value"])))


def _family(key):
    for prefix in meta.SKIP_PREFIXES:
        if key.startswith(prefix):
            return prefix + "*"
    return key


def _int(text):
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None

