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

Throughput (bench/import.py). Rows go as COPY (bulk.py); on PostgreSQL a batch's posts, links,
fields, comments and their audit rows are sent by one of WRITERS writer threads, in a transaction of
its own, while this thread reads and maps the next batch (see "one batch" below).
"""

import collections
import concurrent.futures
import contextlib
import logging
import os

import peewee

from wpcompat import dates
from wpcompat.db import db, enter_tenant, current_tenant, is_postgres, transaction_hooks
from wpcompat.errors import WPError, database_failure
from wpcompat.models import AuditTrail, Comment, Media, Post, Tenant, User
from wpcompat.models.base import utcnow
from wpcompat.responses.media import source_url as stored_media_url
from wpcompat.sites import Site

from importers.wxr import bulk, phi, references, site_links
from importers.wxr import writes as writes_module
from importers.wxr.acf import Acf
from importers.wxr.attachments import Attachments
from importers.wxr.authors import Authors
from importers.wxr.context import Batch, FileState, Options
from importers.wxr.downloads import Fetcher
from importers.wxr.posts import Posts, classify
from importers.wxr.reader import WxrError, read
from importers.wxr.report import Report
from importers.wxr.terms import Terms

WRITE_ATTEMPTS = 3       # a writer's batch that loses a deadlock is written again (see _write_job)
WRITERS = 2              # batches sent at once on PostgreSQL (one connection, so one backend and core, each)
log = logging.getLogger("wpcompat.import")
PROBE_ABOVE = 5000       # posts in the tenant from which the per-batch lookups probe value by value (bulk.values_in)


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
        self._pending = collections.deque()   # batches the writer threads are sending: (future, state, inflight)
        self._union = {}                # inflight() of several pending batches: {kind: union}
        self._executors = []            # the writer threads (PostgreSQL), one connection each
        self._sent = 0                  # batches handed to them (round robin)
        self._posts_before = 0

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
            try:
                self._run(paths)
            finally:
                self._close_writer()
        return self.report.finish()

    def _run(self, paths):
        with self.scope():
            self.authors.resolve_fixed()
            self.fallback = self._fallback_user()
            self.acf = Acf()
            self._posts_before = self._tenant_posts()
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

    def _tenant_posts(self):
        """How many posts the tenant has (post_counts: no scan of posts)."""
        (total,) = self.database.execute_sql("SELECT COALESCE(SUM(count), 0) FROM post_counts WHERE tenant_id = "
                                             f"{self.database.param}", (str(self.tenant.id),)).fetchone()
        return int(total or 0)

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
        try:
            self._read_into_batches(path, name, progress, state, buffer)
        except BaseException:
            self.complete()                 # the batch being written is committed, as the ones before it
            raise
        self.complete()
        with self.scope():
            references.finish(self, state)

    def _read_into_batches(self, path, name, progress, state, buffer):
        for kind, record in read(path, name, progress):
            if kind == "site":
                state.base_url = record["base_site_url"] or record["base_blog_url"]
                state.version = record["wxr_version"]
                if self.options.rewrite_urls:
                    state.site_rewrite = site_links.site_rewriter(state.base_url, self.tenant.url,
                                                            keep_uploads=self.options.media == "link")
                if state.version not in ("1.0", "1.1", "1.2"):
                    self.report.warn(f"{name}: WXR version {state.version} is newer than 1.2; imported as 1.2")
                continue
            if kind == "end":
                if record["control_chars_dropped"]:
                    self.report.warn(f"{name}: {record['control_chars_dropped']} control character(s) "
                                     "not allowed in XML were dropped")
                continue
            if kind == "item" and self._pending:
                self.posts.prepare(record, state)      # while the previous batch is being written
            buffer.append((kind, record))
            if len(buffer) >= self.options.batch_size:
                self.flush(buffer, state)
                buffer = []
        if buffer:
            self.flush(buffer, state)

    # --- one batch --------------------------------------------------------------------------------
    #
    # A batch is mapped in a transaction: authors, terms and media are written as they come (with their
    # audit rows); posts, their term links, custom fields and comments are collected in batch.writes.
    #
    # SQLite, dry runs, media downloads: the writes, the rest of the audit rows and the workflow_states
    # rows of flagged posts follow in the same transaction, which then commits.
    #
    # PostgreSQL otherwise: the mapping transaction commits, and the writes go to one of WRITERS writer
    # threads, which sends them on its own connection in a transaction of their own, with their audit
    # rows and the workflow_states rows (each transaction holds the audit rows of what it writes).
    # Meanwhile this thread reads, parses and maps the next batch, so the database inserts up to WRITERS
    # batches (on as many backends, so cores) while Python prepares the next. Batches in flight are not
    # visible to the next one's lookups: their post and comment ids and their slugs are kept in memory
    # until they commit (`inflight`), so nothing is given twice. Batches are independent (references
    # between items are resolved at the end of the file), so they may commit in any order; an
    # interrupted import, run again, finds what committed by source id. A writer failure surfaces when a
    # batch is handed over after it (or at the end of the file), once the other batches in flight are in.

    def flush(self, records, state):
        if self._pipelined():
            return self._flush_to_writer(records, state)
        stack = contextlib.ExitStack()
        try:
            stack.enter_context(self.scope())
            batch = self._map(records, state)
            try:
                writes_module.write_here(self.database, batch.writes + [(AuditTrail, batch.audit)])
            except peewee.IntegrityError:
                failed, operations = writes_module.one_by_one(self.database, batch.writes, batch.audit)
                writes_module.apply(self.report, operations)
                batch.flagged = [(row, result) for row, result in batch.flagged if row["id"] not in failed]
            self.detector.record(batch.flagged, self.user_row(self.fallback))
        except BaseException as error:
            self._fail(stack, error, state)
        try:
            stack.close()                                          # COMMIT
        except BaseException as error:
            self._fail(stack, error, state)

    def _map(self, records, state):
        counts = self.report.counts
        bulk.probing.set(self._posts_before + counts["posts"]["created"] + counts["media"]["created"] > PROBE_ABOVE)
        batch = Batch(state, self.fallback)
        authors = [record for kind, record in records if kind == "author"]
        terms = [record for kind, record in records if kind == "term"]
        items = [record for kind, record in records if kind == "item"]
        self.authors.load(authors, state, batch)
        self.terms.load(terms, state, batch)
        self.load_items(items, state, batch)
        return batch

    def _flush_to_writer(self, records, state):
        stack = contextlib.ExitStack()
        try:
            stack.enter_context(self.scope())
            batch = self._map(records, state)
            written = {row["id"] for model, rows in batch.writes if model in (Post, Comment, Media) for row in rows}
            bulk.insert(AuditTrail, [row for row in batch.audit if row["resource_id"] not in written])
            theirs = [row for row in batch.audit if row["resource_id"] in written]
        except BaseException as error:
            self._fail(stack, error, state)
        try:
            stack.close()                                          # COMMIT the mapping (terms, media, ids)
        except BaseException as error:
            self._fail(stack, error, state)
        while len(self._pending) >= len(self._writers()):
            self._complete_oldest()                                # a writer is free
        inflight = {"post": set(), "comment": set(), "slug": set(), "media_slug": set(), "filename": set(),
                    "media_row": set()}
        for model, rows in batch.writes:
            if model is Post:
                inflight["post"].update(row["wp_id"] for row in rows)
                inflight["slug"].update(row["slug"] for row in rows if row["slug"])
            elif model is Media:
                inflight["post"].update(row["wp_id"] for row in rows)
                inflight["media_slug"].update(row["slug"] for row in rows)
                inflight["filename"].update(row["filename"] for row in rows)
                inflight["media_row"].update(row["id"] for row in rows)
            elif model is Comment:
                inflight["comment"].update(row["wp_id"] for row in rows)
        future = self._writer().submit(self._write_job, batch.writes + [(AuditTrail, theirs)], batch.flagged)
        self._pending.append((future, state, inflight))
        self._union = {}

    def complete(self):
        """Wait for every batch the writer threads are sending (PostgreSQL); their report corrections
        apply here. The first failure is raised once all are in."""
        failure = None
        while self._pending:
            try:
                self._complete_oldest()
            except Exception as error:           # any failure: the other batches are still awaited
                failure = failure or error
        if failure is not None:
            raise failure

    def _complete_oldest(self):
        future, state, _inflight = self._pending.popleft()
        self._union = {}
        try:
            operations = future.result()
        except (peewee.DatabaseError, WPError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise WxrError(f"{state.name}: a batch failed and was rolled back ({reason}); other batches "
                           "are committed: run the same import again to finish it") from None
        writes_module.apply(self.report, operations)

    def _write_job(self, writes, flagged):
        """In the writer thread: one batch's rows in one transaction of its own connection. Returns the
        report corrections for posts the database refused (applied by the importer's thread).

        The two writers lock shared rows (post_counts, a featured image protected as PHI) in one order in
        the bulk moves, but not always elsewhere (one_by_one takes posts in file order): a transaction that
        loses a deadlock was rolled back whole, and is run again, up to WRITE_ATTEMPTS times."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return self._write_once(writes, flagged)
            except peewee.DatabaseError as error:
                failure = database_failure(error)
                if attempt == WRITE_ATTEMPTS or failure is None or failure.code != "db_write_conflict":
                    raise
                log.info("wxr import: a batch lost a deadlock and is written again (attempt %d)", attempt + 1)

    def _write_once(self, writes, flagged):
        operations = []
        with self.scope():
            try:
                writes_module.write_here(self.database, writes)
            except peewee.IntegrityError:
                rows = [(model, rows) for model, rows in writes if model is not AuditTrail]
                audit = [row for model, audit_rows in writes if model is AuditTrail for row in audit_rows]
                failed, operations = writes_module.one_by_one(self.database, rows, audit)
                flagged = [(row, result) for row, result in flagged if row["id"] not in failed]
            self.detector.record(flagged, self.user_row(self.fallback))
        return operations

    def inflight(self, kind):
        """Ids ("post": posts and media, "comment"), slugs ("slug": posts, "media_slug"), media file keys
        ("filename") or media row ids ("media_row": not to be referenced, as they may commit after the
        batch mapped now) of the batches the writer threads are sending."""
        if len(self._pending) == 1:
            return self._pending[0][2][kind]
        if kind not in self._union:                      # called per post: the union once per change
            self._union[kind] = set().union(*(inflight[kind] for _future, _state, inflight in self._pending))
        return self._union[kind]

    def deferred_writes(self):
        """Whether media rows go with the batch's writes (to the writer thread) rather than at once."""
        return self._pipelined()

    def _fail(self, stack, error, state):
        """Roll the batch back and raise (a database refusal as WxrError, naming the batch)."""
        stack.__exit__(type(error), error, error.__traceback__)
        if isinstance(error, (peewee.DatabaseError, WPError)):
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise WxrError(f"{state.name}: a batch failed and was rolled back ({reason}); batches before it "
                           "are committed: run the same import again to finish it") from None
        raise error

    def _pipelined(self):
        return (is_postgres(self.database.obj if isinstance(self.database, peewee.DatabaseProxy) else self.database)
                and not self.options.dry_run and self.options.media != "download")

    def _writers(self):
        """The writer threads, made on first use: WRITERS, or fewer when the connection pool has fewer
        connections free for them."""
        if not self._executors:
            target = self.database.obj if isinstance(self.database, peewee.DatabaseProxy) else self.database
            limit = getattr(target, "_max_connections", None)      # peewee pool internals: no public API
            free = WRITERS if not limit else limit - len(getattr(target, "_in_use", ()))
            self._executors = [concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"wxr-writer-{n}")
                               for n in range(max(1, min(WRITERS, free)))]
        return self._executors

    def _writer(self):
        """The next writer thread, round robin (one thread each: one connection each)."""
        writers = self._writers()
        self._sent += 1
        return writers[self._sent % len(writers)]

    def _close_writer(self):
        executors, self._executors = self._executors, []
        for executor in executors:
            try:
                executor.submit(self.database.close).result()       # its pooled connection goes back
            except Exception as error:                               # the others still give theirs back
                log.warning("wxr import: a writer's connection did not close cleanly: %s", error)
            finally:
                executor.shutdown(wait=True)

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
            self.posts.load(posts, state, batch)

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
