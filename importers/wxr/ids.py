"""Keep the source site's ids where they are free in the tenant, else allocate new ones (DESIGN.md §3).

Posts and media share one id space ('post'), as attachments are posts in WordPress. A batch
asks once which of its wanted ids are taken, reserves the highest one it keeps (one
statement, `reserve_wp_id`), and draws fresh ids only for the ones it must remap.
"""

from wpcompat.models import Comment, Media, Post, Term, User
from wpcompat.wp_ids import next_wp_id, reserve_wp_id

from importers.wxr import bulk

TABLES = {"post": (Post, Media), "user": (User,), "term": (Term,), "comment": (Comment,)}
CHUNK = 500


def taken_ids(kind, wanted):
    """Which of `wanted` already name a row of `kind` in the current tenant."""
    wanted = [value for value in set(wanted) if value]
    taken = set()
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start:start + CHUNK]
        for model in TABLES[kind]:
            taken.update(value for (value,) in bulk.values_in(model, (model.wp_id,), model.wp_id, part,
                                                                     probe=model is Post))
    return taken


def allocate(kind, wanted, report=None, inflight=()):
    """[wp id for each wanted source id (None/0: no wish)]: the source id when free, else a new one.
    `inflight`: ids given to rows not committed yet (the batch a writer thread is sending)."""
    taken = taken_ids(kind, [value for value in wanted if value and value > 0])
    taken.update(value for value in wanted if value in inflight)
    kept, out = set(), []
    for value in wanted:
        if value and value > 0 and value not in taken and value not in kept:
            kept.add(value)
            out.append(value)
        else:
            out.append(None)
    if kept:
        reserve_wp_id(kind, max(kept))
    for index, value in enumerate(out):
        if value is None:
            out[index] = next_wp_id(kind)
            if report is not None:
                report.remapped(kind, wanted[index], out[index])
    return out
