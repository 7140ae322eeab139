"""Options of one import and the state it carries from batch to batch (kept small: maps, not rows)."""

import dataclasses
import datetime

from wpcompat.db import NIL_UUID
from wpcompat.models.base import utcnow

AUDIT_TRUST = 90              # a local operator running the CLI with database access


@dataclasses.dataclass
class Options:
    authors: str = "create"           # create | assign:LOGIN | path of a CSV map (source login,target login)
    media: str = "link"               # download | link | skip
    media_base_url: str = ""          # where downloaded files are served from (default: the tenant's URL)
    batch_size: int = 500
    dry_run: bool = False
    link_head: bool = True            # link mode: ask each file's size with a HEAD request
    store: object = None              # MediaStore for downloads (default: wpcompat.storage.current())
    fetcher: object = None            # downloads.Fetcher (tests pass one with a fake resolver)
    rewrite_urls: bool = True         # links under the old site's URL → the tenant's URL (needs both)
    phi: bool = True                  # run the LGPD analyzer on new posts and comments
    progress: object = None           # callable(bytes read so far, total bytes) or None


@dataclasses.dataclass
class FileState:
    """What one file's import remembers between batches."""

    path: str
    name: str
    base_url: str = ""
    version: str = ""
    users_by_login: dict = dataclasses.field(default_factory=dict)      # source login → user uuid
    users_by_source_id: dict = dataclasses.field(default_factory=dict)  # wp:author_id → user uuid
    seen_items: set = dataclasses.field(default_factory=set)            # post_ids already handled
    parents: list = dataclasses.field(default_factory=list)             # (model name, row uuid, source parent)
    thumbnails: list = dataclasses.field(default_factory=list)          # (post uuid, source attachment id)
    media_ids: dict = dataclasses.field(default_factory=dict)           # source attachment id → media uuid (this file)
    term_parents: list = dataclasses.field(default_factory=list)        # (term uuid, taxonomy, parent ref)
    comment_parents: list = dataclasses.field(default_factory=list)     # (comment uuid, post uuid, source parent)
    galleries: list = dataclasses.field(default_factory=list)           # post uuids whose content has ids="…"
    url_remap: dict = dataclasses.field(default_factory=dict)           # old URL → new URL
    site_rewrite: object = None                                         # site_links.site_rewriter(...) or None
    touched_terms: set = dataclasses.field(default_factory=set)
    taxonomies: set = dataclasses.field(default_factory=set)
    phi_posts: list = dataclasses.field(default_factory=list)


class Batch:
    """Rows one batch writes, and the audit rows that go with them in the same transaction.

    Posts, their terms links, custom fields and comments are not written as they are mapped: they
    are collected in `writes` ((model, rows), in order) and written when the batch completes,
    together with the audit rows (run.py: on PostgreSQL by a writer thread while the next batch is
    read). `flagged` are the (post row, LGPD result) to record in workflow_states once they exist.
    """

    def __init__(self, state, actor_id):
        self.state, self.actor_id = state, actor_id
        self.audit = []
        self.writes = []
        self.flagged = []

    def write(self, model, rows):
        if rows:
            self.writes.append((model, rows))

    def audited(self, resource_type, resource_id, source_id):
        self.audit.append(audit_row(self.state, self.actor_id, "create", resource_type, resource_id,
                                    event=f"{resource_type}:import", source_id=source_id))


def audit_row(state, actor_id, operation, resource_type, resource_id, **metadata):
    """An audit_trail row of the import of `state`'s file (metadata: event, source ids...). No id: the
    column's default gives it (bulk.insert), nobody reads it here."""
    return {"operation": operation, "resource_type": resource_type, "resource_id": resource_id,
            "user_id": actor_id or NIL_UUID, "metadata": {**metadata, "source_file": state.name},
            "trust_score": AUDIT_TRUST, "policy_decision": "allow", "created_at": utcnow()}


ZERO_DATE = "0000-00-00 00:00:00"


def parse_wp_date(text):
    """'YYYY-MM-DD HH:MM:SS' → naive datetime, None for empty or all-zero values."""
    text = (text or "").strip()
    if not text or text.startswith("0000-00-00"):
        return None
    try:
        return datetime.datetime.fromisoformat(text[:19])
    except ValueError:
        try:
            return datetime.datetime.strptime(text[:10], "%Y-%m-%d")
        except ValueError:
            return None
