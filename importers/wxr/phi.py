"""PHI/PII flags for imported content, through the workflow's S.2.1 LGPD analyzer.

`wpcompat.workflow.lgpd.analyze(texts) -> LgpdResult` (score 0–100, findings with kind,
field, start, end; `contains_phi`) is run on each new post's title, excerpt, content and custom
field values. A post with a PHI finding gets `compliance_level = 'phi'` (only administrators
and users granted PHI access see it); a custom field with a PHI finding (a kind in lgpd.PHI_KINDS) gets `is_phi`. Every
analysed post with a finding is recorded in workflow_states through `record_lgpd` (stage S.2.1,
lgpd_score). When the analyzer is not installed, nothing is flagged and the report says so.
"""

import importlib


SHORT = 200                 # texts up to this length are scanned once per import (cached)
SHORT_CACHE = 4096
lgpd = None


def _load():
    global lgpd
    try:
        workflow = importlib.import_module("wpcompat.workflow")
    except ImportError:
        return None, None, frozenset()
    lgpd = importlib.import_module("wpcompat.workflow.lgpd")
    return workflow.analyze, workflow.record_lgpd, lgpd.PHI_KINDS


class Detector:
    def __init__(self, report, enabled=True):
        self.report = report
        self.analyze, self.record_lgpd, self.phi_kinds = _load() if enabled else (None, None, frozenset())
        self._short = {}
        if not enabled:
            report.warn("PHI/PII detection switched off for this import: nothing flagged")
        elif self.analyze is None:
            report.warn("PHI/PII detection unavailable (wpcompat.workflow.lgpd is not installed): nothing flagged")

    def scan_ahead(self, texts):
        """{field: (text, findings)} of a post's long texts, scanned before its batch is mapped (while the
        previous batch is written); check() uses a scan when the row's text is the one scanned."""
        if self.analyze is None:
            return None
        return {name: (text, lgpd.scan(name, text)) for name, text in texts.items()}

    def _scan(self, name, text, ahead):
        if not text:
            return []
        if ahead is not None and name in ahead and ahead[name][0] == text:
            return list(ahead[name][1])
        if len(text) > SHORT:
            return lgpd.scan(name, text)
        key = (name, text)                 # short values (flags, counters, labels) repeat from post to post
        cached = self._short.get(key)
        if cached is None:
            if len(self._short) >= SHORT_CACHE:
                self._short.clear()
            cached = self._short[key] = tuple(lgpd.scan(name, text))
        return [dict(finding) for finding in cached]

    def check(self, rows, fields, state, ahead=None):
        """Flag rows and fields in place (before they are inserted); [(post row, result)] to record.
        `ahead`: {post uuid: scan_ahead(...)} for the rows whose long texts were scanned already."""
        if self.analyze is None:
            return []
        ahead = ahead or {}
        by_post = {}
        for field in fields:
            by_post.setdefault(field["post"], []).append(field)
        found = []
        for row in rows:
            texts = {"title": row["title"], "excerpt": row["excerpt"] or "", "content": row["content"] or ""}
            for field in by_post.get(row["id"], ()):
                texts[f"meta.{field['meta_key']}"] = field["meta_value"] or ""
            scanned = ahead.get(row["id"])
            findings = []
            for name, text in texts.items():          # = analyze(texts), field by field
                findings.extend(self._scan(name, str(text), scanned))
            result = lgpd.result_of(findings)
            phi_fields = {finding["field"] for finding in result.findings
                          if finding.get("contains_phi") or finding["kind"] in self.phi_kinds}
            if not result.findings:
                continue
            self.report.phi["findings"] += len(result.findings)
            if phi_fields:
                row["compliance_level"] = "phi"
                self.report.phi["posts"] += 1
                for field in by_post.get(row["id"], ()):
                    if f"meta.{field['meta_key']}" in phi_fields:
                        field["is_phi"] = True
                        self.report.phi["custom_fields"] += 1
            found.append((row, result))
        return found

    def comment(self, text):
        """(contains_phi, lgpd_score) of a comment's text; (False, None) without the analyzer."""
        if self.analyze is None or not text:
            return False, None
        result = self.analyze({"content": text})
        phi = any(finding["kind"] in self.phi_kinds for finding in result.findings)
        if phi:
            self.report.phi["comments"] = self.report.phi.get("comments", 0) + 1
        return phi, result.score

    def record(self, found, user):
        """workflow_states S.2.1 for the posts with findings (one call each: only those, to keep imports fast)."""
        if self.record_lgpd is None:
            return
        from wpcompat.models import Post

        for row, result in found:
            self.record_lgpd(Post.get_by_id(row["id"]), result, user=user, source="import")
