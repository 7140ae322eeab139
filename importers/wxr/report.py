"""What an import did: counts per kind, remapped ids, bytes, PHI flags, warnings (`--report FILE` JSON)."""

import collections
import dataclasses
import json
import time

KINDS = ("users", "terms", "posts", "media", "custom_fields", "term_meta", "comments")
OUTCOMES = ("created", "updated", "skipped", "failed")
MAX_WARNINGS = 1000


@dataclasses.dataclass
class Report:
    tenant: str = ""
    files: list = dataclasses.field(default_factory=list)
    dry_run: bool = False
    counts: dict = dataclasses.field(default_factory=lambda: {kind: dict.fromkeys(OUTCOMES, 0) for kind in KINDS})
    skipped_reasons: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    remapped_ids: dict = dataclasses.field(default_factory=lambda: {"post": {}, "user": {}, "term": {}, "comment": {}})
    bytes_downloaded: int = 0
    phi: dict = dataclasses.field(default_factory=lambda: {"posts": 0, "custom_fields": 0, "comments": 0,
                                                           "findings": 0})
    warnings: list = dataclasses.field(default_factory=list)
    warnings_dropped: int = 0
    started: float = dataclasses.field(default_factory=time.monotonic)
    elapsed: float = 0.0

    def count(self, kind, outcome, number=1, reason=None):
        if not number:
            return
        self.counts[kind][outcome] += number
        if reason and outcome in ("skipped", "failed"):
            self.skipped_reasons[f"{kind}: {reason}"] += number

    def warn(self, message):
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)
        else:
            self.warnings_dropped += 1

    def remapped(self, kind, old, new):
        if old is not None and old != new:
            self.remapped_ids[kind][str(old)] = new

    def finish(self):
        self.elapsed = round(time.monotonic() - self.started, 3)
        return self

    def as_dict(self):
        return {"tenant": self.tenant, "files": self.files, "dry_run": self.dry_run, "counts": self.counts,
                "skipped_reasons": dict(sorted(self.skipped_reasons.items())),
                "remapped_ids": self.remapped_ids, "bytes_downloaded": self.bytes_downloaded, "phi": self.phi,
                "warnings": self.warnings, "warnings_dropped": self.warnings_dropped,
                "elapsed_seconds": self.elapsed}

    def write_json(self, path):
        with open(path, "w", encoding="utf-8") as out:
            json.dump(self.as_dict(), out, ensure_ascii=False, indent=2)
            out.write("\n")

    def summary(self):
        """The lines printed at the end of `wpcompat import wxr`."""
        head = "dry run (nothing written)" if self.dry_run else "imported"
        lines = [f"{head}: {', '.join(self.files)} into {self.tenant} in {self.elapsed:.1f}s"]
        for kind in KINDS:
            numbers = self.counts[kind]
            if any(numbers.values()):
                lines.append(f"  {kind:<14} " + "  ".join(f"{outcome} {numbers[outcome]}" for outcome in OUTCOMES))
        remapped = sum(len(ids) for ids in self.remapped_ids.values())
        lines.append(f"  remapped ids {remapped}, downloaded {self.bytes_downloaded} bytes, "
                     f"PHI: {self.phi['posts']} post(s), {self.phi['custom_fields']} custom field(s), "
                     f"{self.phi['comments']} comment(s)")
        for reason, number in sorted(self.skipped_reasons.items()):
            lines.append(f"  not imported: {reason} ({number})")
        if self.warnings:
            lines.append(f"  {len(self.warnings) + self.warnings_dropped} warning(s); "
                         "see --report FILE for all of them" if len(self.warnings) > 5 else "  warnings:")
            lines.extend(f"    {warning}" for warning in self.warnings[:5])
        return "\n".join(lines)
