"""Attachment items → media (wxr.md §8.4, DESIGN.md §4).

- download: the file is fetched (downloads.Fetcher: address checks, limits) and stored through
  the one upload path, `wpcompat.uploads.upload` (type sniffed from the bytes, allow-list, quota,
  image sizes, the configured media store). The row then gets the source id, slug, guid and dates.
  Old URLs → new ones go into the URL remap for post content.
- link: nothing is downloaded; the media row points at the original URL. The MIME type comes
  from the extension, the size from a HEAD request when one answers (else 0, and
  `metadata.filesize_unknown` says so), width and height from `_wp_attachment_metadata`.
- skip: attachments are counted as skipped.
A failed attachment is reported and does not affect any other item.
"""

import datetime
import mimetypes
import posixpath
import re
import uuid
from urllib.parse import unquote, urlsplit

import peewee

from wpcompat import slugs, storage, uploads
from wpcompat.errors import WPError
from wpcompat.models import Media, Post

from importers.wxr import bulk, ids, meta, urls
from importers.wxr.context import parse_wp_date
from importers.wxr.downloads import DownloadError
from importers.wxr.posts import existing_by_source

UPLOADS = "/wp-content/uploads/"


def source_url(item, base_url):
    url = (item["attachment_url"] or item["guid"] or "").strip()
    if url.startswith("/") and base_url:
        url = base_url.rstrip("/") + url
    return url


def attached_file(item):
    for row in item["postmeta"]:
        if row["key"] == "_wp_attached_file" and row["value"].strip():
            return row["value"].strip()
    return ""


def meta_value(item, key):
    for row in item["postmeta"]:
        if row["key"] == key:
            return row["value"]
    return None


def upload_month(item):
    """The upload folder's date: the YYYY/MM prefix of _wp_attached_file, else the post date (WordPress's rule)."""
    match = re.match(r"^(\d{4})/(\d{2})/", attached_file(item))
    if match and int(match.group(1)) >= 1 and 1 <= int(match.group(2)) <= 12:     # 0000/05: the post date
        return datetime.datetime(int(match.group(1)), int(match.group(2)), 1)
    return parse_wp_date(item.get("post_date"))


def attachment_type(mime):
    major = (mime or "").split("/", 1)[0]
    return major if major in ("image", "video", "audio") else "file"


class Attachments:
    def __init__(self, importer):
        self.importer = importer
        self.report = importer.report
        self.mode = importer.options.media

    def load(self, items, state, batch):
        if self.mode == "skip":
            self.report.count("media", "skipped", len(items), reason="--media skip")
            return
        existing = existing_by_source(Media, items)
        fresh = []
        for item in items:
            row = existing.get(item["post_id"])
            if row is not None:
                self.report.count("media", "skipped", reason="already imported (same source id)")
                state.media_ids[item["post_id"]] = row.id
                if self.mode == "download":
                    self._remember_urls(state, item, Media.get_by_id(row.id))
                if item["post_parent"]:
                    state.parents.append(("media", row.id, item["post_parent"]))
            elif not source_url(item, state.base_url):
                self.report.count("media", "failed", reason="attachment without a URL")
            else:
                fresh.append(item)
        if self.mode == "link" and fresh and self.importer.deferred_writes():
            self._link_batch(fresh, state, batch)                # the rows go with the batch's writes
            return
        if self.mode == "link" and fresh:
            try:
                with self.importer.database.atomic():
                    self._link_batch(fresh, state, batch)
                return
            except peewee.IntegrityError:
                pass                                             # one by one below: the bad item fails alone
        for item in fresh:
            self._one(item, state, batch)

    def _one(self, item, state, batch):
        url = source_url(item, state.base_url)
        try:
            with self.importer.database.atomic():          # a savepoint: one failure undoes only itself
                if self.mode == "download":
                    media_id = self._download(item, url, state).id
                else:
                    media_id = self._link_batch([item], state, None)[0]
        except (DownloadError, WPError, peewee.IntegrityError) as error:
            reason = error.message if isinstance(error, WPError) else str(error).strip().splitlines()[0]
            self.report.count("media", "failed", reason="download or storage failed")
            self.report.warn(f"attachment {item['post_id']}: {reason}")
            return
        self.report.count("media", "created")
        if item["post_id"]:
            state.media_ids[item["post_id"]] = media_id
        batch.audited("media", media_id, item["post_id"])
        if item["post_parent"]:
            state.parents.append(("media", media_id, item["post_parent"]))

    def _link_batch(self, items, state, batch):
        """Link mode for many items: a few queries and one multi-row insert. Returns the new ids."""
        importer = self.importer
        wp_ids = ids.allocate("post", [item["post_id"] for item in items], self.report, importer.inflight("post"))
        slug_taken = _taken(items, lambda item: _slug_base(item), ((Media, Media.slug), (Post, Post.slug)))
        slug_taken.update(importer.inflight("slug"), importer.inflight("media_slug"))   # the batch being written
        keys = [(item, self._key(item)) for item in items]
        key_taken = _taken([key for _item, key in keys], lambda key: key, ((Media, Media.filename),))
        key_taken.update(importer.inflight("filename"))
        rows = []
        for (item, key), wp_id in zip(keys, wp_ids):
            rows.append(self._link_row(item, key, wp_id, state, slug_taken, key_taken))
        if batch is not None and importer.deferred_writes():
            batch.write(Media, rows)                             # before the posts that show them
        else:
            bulk.insert(Media, rows)
        for row, item in zip(rows, items):
            if item["post_id"]:
                state.media_ids[item["post_id"]] = row["id"]     # featured images of later posts: set on insert
        if batch is not None:
            self.report.count("media", "created", len(rows))
            for row, item in zip(rows, items):
                batch.audited("media", row["id"], item["post_id"])
                if item["post_parent"]:
                    state.parents.append(("media", row["id"], item["post_parent"]))
        return [row["id"] for row in rows]

    def _key(self, item):
        url = source_url(item, "")
        name = posixpath.basename(unquote(urlsplit(url).path)) or "file"
        date = upload_month(item) or self.importer.now
        return f"{storage.folder_key(self.importer.site.slug, date)}/{storage.sanitize_file_name(name)}"

    def _link_row(self, item, key, wp_id, state, slug_taken, key_taken):
        importer = self.importer
        url = source_url(item, state.base_url)
        name = posixpath.basename(unquote(urlsplit(url).path)) or "file"
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        size = importer.fetcher.head_size(url) if importer.link_head else None
        metadata = {"source_url": url, "stored": "link", "file": attached_file(item) or name}
        info = meta.python_value(meta_value(item, "_wp_attachment_metadata") or "")
        width = height = None
        if isinstance(info, dict):
            width, height = _int(info.get("width")), _int(info.get("height"))
            if size is None and _int(info.get("filesize")):
                size = _int(info.get("filesize"))
        if size is None:
            metadata["filesize_unknown"] = True
        if width and height:
            metadata.update(width=width, height=height)
        folder, file_name = key.rsplit("/", 1)
        key = storage.unique_key(_NoStore(), folder, file_name, lambda candidate: candidate in key_taken)
        key_taken.add(key)
        base = _slug_base(item)                  # its use in the database was asked for the whole batch
        slug = slugs.unique_slug(base, lambda candidate: candidate in slug_taken
                                 or (candidate != base and _slug_in_use(candidate)))
        slug_taken.add(slug)
        alt = meta_value(item, "_wp_attachment_image_alt") or ""
        return {"id": uuid.uuid4(), "filename": key, "original_filename": name[:255], "mime_type": mime,
                "file_size": size or 0, "file_path": None, "url": url[:500], "width": width, "height": height,
                "attachment_type": attachment_type(mime), "metadata": metadata, "wp_id": wp_id, "slug": slug,
                "guid": item["guid"].strip()[:500], "title": item["title"][:255], "alt_text": alt[:255] or None,
                "caption": item["excerpt"] or None, "description": item["content"] or None,
                "date_local": parse_wp_date(item.get("post_date")), "source_id": item["post_id"],
                "uploaded_by": importer.author_for(item, state), "inserted_at": importer.now,
                "updated_at": importer.now}

    def _common(self, item, state):
        """Columns both modes set: ids, slug, texts, dates, author."""
        (wp_id,) = ids.allocate("post", [item["post_id"]], self.report)
        alt = meta_value(item, "_wp_attachment_image_alt") or ""
        return {"wp_id": wp_id, "slug": self._slug(item), "guid": item["guid"].strip()[:500],
                "title": item["title"][:255], "alt_text": alt[:255] or None, "caption": item["excerpt"] or None,
                "description": item["content"] or None, "date_local": parse_wp_date(item.get("post_date")),
                "source_id": item["post_id"], "uploaded_by": self.importer.author_for(item, state)}

    def _slug(self, item):
        return slugs.unique_slug(_slug_base(item), _slug_in_use)

    def _download(self, item, url, state):
        importer = self.importer
        data, _mime = importer.fetcher.fetch(url)
        name = posixpath.basename(unquote(urlsplit(url).path)) or "file"
        common = self._common(item, state)
        media = uploads.upload(importer.site, importer.user_row(common["uploaded_by"]), name, data,
                               fields={"title": common["title"], "alt_text": common["alt_text"],
                                       "caption": common["caption"], "description": common["description"]},
                               store=importer.options.store, when=upload_month(item))
        self.report.bytes_downloaded += len(data)
        Media.update(**{key: value for key, value in common.items() if key != "uploaded_by"}).where(
            Media.id == media.id).execute()
        media = Media.get_by_id(media.id)
        self._remember_urls(state, item, media)
        return media

    def _remember_urls(self, state, item, media):
        new_url = self.importer.media_url(media)
        for old in {source_url(item, state.base_url), item["guid"].strip()}:
            if old and old.startswith(("http://", "https://")):
                urls.add(state.url_remap, old, new_url)


def _slug_base(item):
    return item["post_name"][:200] or slugs.sanitize_title(item["title"]) or "attachment"


def _slug_in_use(candidate):
    return (Media.select().where(Media.slug == candidate).exists()
            or Post.select().where(Post.slug == candidate).exists())


def _taken(things, value_of, columns):
    """The values (value_of each thing) already used in any of `columns` ((model, field) pairs)."""
    wanted = list({value_of(thing) for thing in things})
    found = set()
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        for model, field in columns:
            found.update(value for (value,) in bulk.values_in(model, (field,), field, part, probe=model is Post))
    return found


class _NoStore:
    """unique_key's store in link mode: nothing is on disk."""

    def exists(self, key):
        return False


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
