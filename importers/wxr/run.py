"""One import: read each file once, write it in batches, resolve references at the end.

Transactions. Records are written in batches of `batch_size` (authors and terms count as
records too); each batch is one transaction, in the tenant (tenant_scope: the app role and
app.tenant_id on PostgreSQL, so RLS guards every statement), together with its audit rows
(operation `create`, one per row, metadata: source file and source id). A file that fails to
parse before its first batch is full leaves the tenant as it was; one that fails later keeps
the batches already committed. Resuming is running the same command again: rows are matched
by their source ids (posts.source_id, media.source_id), terms by slug, users by login/e-mail,
so what was committed is skipped and the rest is written; the last step (parents, featured
images, term parents and levels, URL rewriting, term counts) is recomputed from the file and
the database on every run. `dry_run` runs everything in one transaction that is rolled back,
and never touches the network.
"""

import contextlib
import os

import peewee

from wpcompat import audit, dates
from wpcompat.db import db, enter_tenant, current_tenant, transaction_hooks
from wpcompat.errors import WPError
from wpcompat.models import Media, Post, Tenant, User
from wpcompat.models.base import utcnow
from wpcompat.responses.media import source_url as stored_media_url
from wpcompat.sites import Site

from importers.wxr import phi, references, urls
from importers.wxr.acf import Acf
from importers.wxr.attachments import Attachments
from importers.wxr.authors import Authors
from importers.wxr.context import Batch, FileState, Options
from importers.wxr.downloads import Fetcher
from importers.wxr.posts import Posts, classify
from importers.wxr.reader import WxrError, read
from importers.wxr.report import Report
from importers.wxr.terms import Terms

AUDIT_CHUNK = 500


class _DryRun(Exception):
    """Raised to roll the dry run's one transaction back."""


def import_wxr(paths, tenant, options=None, database=None):
    """Import WXR files into `tenant` (a Tenant row or its slug). Returns the Report; raises WxrError."""
    options = options or Options()
    database = database if database is not None else db
    if isinstance(tenant, str):
        token = current_tenant.set(None)
        try:
            tenant = Tenant.get_or_none(Tenant.slug == tenant)
        finally:
            current_tenant.reset(token)
        if tenant is None:
            raise WxrError("no such tenant")
    importer = WxrImporter(tenant, options, database)
    return importer.run([os.fspath(path) for path in paths])


class WxrImporter:
    def __init__(self, tenant, options, database):
        self.tenant, self.options, self.database = tenant, options, database
        self.site = Site.from_row(tenant)
        self.zone = dates.zone_of(self.site)
        self.report = Report(tenant=tenant.slug, dry_run=options.dry_run)
        self.now = utcnow()
        self.fetcher = options.fetcher or Fetcher()
        self.link_head = options.link_head and not options.dry_run
        if options.dry_run and options.media == "download":
            options.media, self.link_head = "link", False          # a dry run never touches the network
        self.authors = Authors(options.authors, self.report)
        self.terms = Terms(self.report)
        self.posts = Posts(self)
        self.attachments = Attachments(self)
        self.detector = phi.Detector(self.report, options.phi)
        self._users = {}

    # --- the run --------------------------------------------------------------------------------

    def run(self, paths):
        self.report.files = [os.path.basename(path) for path in paths]
        if self.options.dry_run:
            try:
                with self.scope():
                    self._run(paths)
                    raise _DryRun
            except _DryRun:
                pass
        else:
            self._run(paths)
        return self.report.finish()

    def _run(self, paths):
        with self.scope():
            self.authors.resolve_fixed()
            self.fallback = self._fallback_user()
            self.acf = Acf()
        for path in paths:
            self.import_file(path)

    @contextlib.contextmanager
    def scope(self):
        """One transaction in the tenant; files the media store wrote are removed again on rollback."""
        hooks = ([], [])
        hook_token = transaction_hooks.set(hooks)
        token = current_tenant.set(self.tenant.id)
        try:
            with self.database.atomic():
                enter_tenant(self.database, self.tenant.id)
                yield
        except BaseException:
            for action in hooks[1]:
                action()
            raise
        finally:
            current_tenant.reset(token)
            transaction_hooks.reset(hook_token)
        for action in hooks[0]:
            action()

    def _fallback_user(self):
        """Posts whose author is not in the file (or not mapped) go to the tenant's first administrator."""
        user = (User.select(User.id).where(User.role == "administrator", User.deleted_at.is_null())
                .order_by(User.wp_id).first())
        if user is None:
            raise WxrError(f"tenant {self.tenant.slug} has no administrator to own posts without a known author "
                           "(create one, or use --authors assign:LOGIN)")
        return user.id

    def import_file(self, path):
        name = os.path.basename(path)
        state = FileState(path=path, name=name)
        total = os.path.getsize(path) if os.path.exists(path) else 0
        done = [0]

        def progress(number):
            done[0] += number
            if self.options.progress is not None:
                self.options.progress(done[0], total)

        buffer = []
        for kind, record in read(path, name, progress):
            if kind == "site":
                state.base_url = record["base_site_url"] or record["base_blog_url"]
                state.version = record["wxr_version"]
                if self.options.rewrite_urls:
                    state.site_rewrite = urls.site_rewriter(state.base_url, self.tenant.url,
                                                            keep_uploads=self.options.media != "download")
                if state.version not in ("1.0", "1.1", "1.2"):
                    self.report.warn(f"{name}: WXR version {state.version} is newer than 1.2; imported as 1.2")
                continue
            if kind == "end":
                if record["control_chars_dropped"]:
                    self.report.warn(f"{name}: {record['control_chars_dropped']} control character(s) "
                                     "not allowed in XML were dropped")
                continue
            buffer.append((kind, record))
            if len(buffer) >= self.options.batch_size:
                self.flush(buffer, state)
                buffer = []
        if buffer:
            self.flush(buffer, state)
        with self.scope():
            references.finish(self, state)

    # --- one batch --------------------------------------------------------------------------------

    def flush(self, records, state):
        try:
            with self.scope():
                batch = Batch(state, self.fallback)
                authors = [record for kind, record in records if kind == "author"]
                terms = [record for kind, record in records if kind == "term"]
                items = [record for kind, record in records if kind == "item"]
                self.authors.load(authors, state, batch)
                self.terms.load(terms, state, batch)
                self.load_items(items, state, batch)
                for start in range(0, len(batch.audit), AUDIT_CHUNK):
                    audit.write(batch.audit[start:start + AUDIT_CHUNK])
        except (peewee.DatabaseError, WPError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise WxrError(f"{state.name}: a batch failed and was rolled back ({reason}); batches before it "
                           "are committed: run the same import again to finish it") from None

    def load_items(self, items, state, batch):
        posts, attachments = [], []
        for item in items:
            if item["post_id"] and item["post_id"] in state.seen_items:
                self.report.count("posts", "skipped", reason="post_id repeated in the file")
                continue
            if item["post_id"]:
                state.seen_items.add(item["post_id"])
            reason = classify(item)
            if reason is not None:
                self.report.count("posts", "skipped", reason=reason)
                self.report.count("comments", "skipped", len(item["comments"]), reason="their item is not imported")
                continue
            if item["post_type"] == "attachment":
                attachments.append(item)
                self.report.count("comments", "skipped", len(item["comments"]), reason="comments on attachments")
            else:
                posts.append(item)
        self.attachments.load(attachments, state, batch)       # first: their URLs feed the posts' rewriting
        if posts:
            try:
                with self.database.atomic():
                    self.posts.load(posts, state, batch)
            except peewee.IntegrityError:
                self._one_by_one(posts, state, batch)

    def _one_by_one(self, posts, state, batch):
        """A multi-row insert failed: write each item in its own savepoint so one bad item fails alone."""
        for item in posts:
            mark = len(batch.audit)
            try:
                with self.database.atomic():
                    self.posts.load([item], state, batch)
            except peewee.IntegrityError as error:
                del batch.audit[mark:]
                self.report.count("posts", "failed", reason="database refused the row")
                self.report.warn(f"post {item['post_id']}: {str(error).strip().splitlines()[0]}")

    # --- helpers the mapping modules use -------------------------------------------------------------

    def author_for(self, item, state):
        if self.authors.assign_to:
            return self.authors.fixed[self.authors.assign_to]
        creator = (item.get("creator") or "").strip()
        return (state.users_by_login.get(creator) or state.users_by_login.get(_sanitized(creator))
                or self.fallback)

    def user_row(self, user_id):
        if user_id not in self._users:
            self._users[user_id] = User.get_by_id(user_id)
        return self._users[user_id]

    def media_url(self, media):
        home = (self.options.media_base_url or self.tenant.url or "").rstrip("/")
        return stored_media_url(media, home, self.tenant.slug)


def _sanitized(text):
    from importers.wxr.authors import sanitize_login

    return sanitize_login(text)


__all__ = ["import_wxr", "WxrImporter", "Options", "WxrError", "Media", "Post"]
