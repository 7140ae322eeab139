"""S.3.1 medical claims extractor: quantitative and efficacy claims, and the references behind them.

Input: ``{field name: text}`` (as lgpd.analyze) and optionally the LGPD findings, so that a claim's
sentence is stored with any personal data in it masked. Output: :class:`ClaimsResult` —
``claims`` (``text``, ``kind`` quantitative/efficacy, ``field``, ``start``, ``end``, ``references``
(ids), ``evidence_level``, ``validated``, ``link``) and ``references`` (``type`` pubmed/doi/scielo,
``id``, ``url``, ``field``, ``start``, ``end``).

A claim is linked to references, in this order: in its own sentence (``link: sentence``); cited
by a marker such as ``[2]`` or ``<sup>2</sup>`` to the second reference of the text
(``marker``); in its paragraph (``paragraph``); in the post's fields — a ``references``/``pmid``/
``doi`` custom field (``field``). A claim with no reference is unsupported (``validated: false``).
"""

import re
from dataclasses import dataclass, field

from wpcompat.workflow.lgpd import mask_text

_TAG = re.compile(r"<[^>]*>|&nbsp;")

# Quantitative: a number with % or "x times" next to an outcome verb, or an effect-size term.
_VERBS = (r"(?:reduz\w*|diminu\w*|aument\w*|melhor\w*|cort\w*|evit\w*|previn\w*|baix\w*|"
          r"reduc\w*|reduce\w*|lower\w*|increas\w*|improv\w*|cut\w*|decreas\w*|prevent\w*|boost\w*|"
          r"risco|risk|mortalidade|mortality|chance|eficácia|efficacy|sobrevida|survival)")
_QUANTITY = (r"(?:\d+(?:[.,]\d+)?\s*(?:%|por\s*cento|percent|pontos percentuais|percentage points)|"
             r"\d+(?:[.,]\d+)?\s*(?:vezes|times|x)\s+(?:mais|menos|more|less|fewer|maior|menor|higher|lower)|"
             r"\bmetade\b|\bhalf\b|\bdobr\w+|\bdoubl\w+|\btripl\w+)")
_QUANTITATIVE = [
    re.compile(_VERBS + r"[^.;!?]{0,80}?" + _QUANTITY, re.I),
    re.compile(_QUANTITY + r"[^.;!?]{0,60}?" + _VERBS, re.I),
    re.compile(r"\b(?:hazard ratio|odds ratio|risco relativo|relative risk|razão de chances|"
               r"NNT|number needed to treat|número necessário para tratar|(?-i:HR|RR|OR))\b(?:\s+(?:was|of|is|foi|de|é))?"
               r"\s*[=:]?\s*\d", re.I),
]
_EFFICACY = re.compile(
    r"\b(?:cura[mr]?|curou|curativ[oa]|cures?|cured|curing|100\s*%\s*(?:eficaz|efetiv[oa]|effective|"
    r"seguro|safe|garantid[oa])|eficácia comprovada|comprovadamente eficaz|cientificamente comprovad[oa]|"
    r"clinicamente comprovad[oa]|clinically proven|scientifically proven|proven to|comprovad[oa] que|"
    r"elimina\w*\s+(?:definitivamente|completamente|totalmente)|eliminates|reverte\w*|reverses?|"
    r"acaba com|milagros[oa]|miracle|garante\w*|guarantee[sd]?|sem efeitos colaterais|no side effects)\b",
    re.I)
# "cura" as a noun in a heading of care ("cura da ferida") is still a claim the editor should see.

_REFERENCES = [
    ("pubmed", re.compile(r"\bPMID\s*:?\s*(\d{4,9})\b", re.I), None),
    ("pubmed", re.compile(r"https?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/"
                          r"(\d{4,9})/?", re.I), "url"),
    ("pmc", re.compile(r"\bPMC(\d{5,9})\b"), None),
    ("doi", re.compile(r"(?:\bdoi\s*:?\s*|https?://(?:dx\.)?doi\.org/)?\b(10\.\d{4,9}/[^\s\"'<>]*[^\s\"'<>.,;)\]])",
                       re.I), None),
    ("scielo", re.compile(r"https?://(?:www\.)?scielo\.(?:br|org|org\.\w\w|cl|sa\.cr)/[^\s\"'<>]*[^\s\"'<>.,;)]",
                          re.I), "url"),
]
_EVIDENCE = re.compile(
    r"(?:n[íi]vel de evid[êe]ncia|level of evidence|evidence level|grau de recomenda[çc][ãa]o|"
    r"grade of recommendation|\bNE\b)\s*[:=]?\s*(1[abcABC]?|2[abcABC]?|3[abAB]?|4|5|I{1,3}V?|IV|V|[ABCD])\b",
    re.I)
_MARKER = re.compile(r"\[(\d{1,3})(?:[,\-–]\s*\d{1,3})*\]|<sup>\s*(\d{1,3})\s*</sup>")
_REFERENCE_FIELDS = ("references", "referencias", "referências", "scientific_references", "pmid", "doi",
                     "sources", "fontes", "bibliografia", "bibliography")
# The end mark first, then the abbreviations it must not follow (a leading lookbehind is tried everywhere).
_SENTENCE_END = re.compile(r"[.!?](?<!\bet al\.)(?<!\bDr\.)(?<!\bDra\.)(?<!\bp\.)(?<!\bvs\.)(?<!\bfig\.)"
                           r"(?<!\bSr\.)(?<!\bSra\.)(?=\s+[A-ZÀ-Ý0-9\"“(<]|\s*$|\s*<)|\n\s*\n|</p>|</li>|</h\d>|"
                           r"<br\s*/?>")


@dataclass(frozen=True)
class ClaimsResult:
    claims: list = field(default_factory=list)
    references: list = field(default_factory=list)

    @property
    def unsupported(self):
        return [claim for claim in self.claims if not claim["validated"]]

    def claims_json(self):
        """The seed's medical_claims shape: {"claim_1": {...}, ...}."""
        return {f"claim_{index}": claim for index, claim in enumerate(self.claims, 1)}


def extract(texts, findings=()):
    references, claims = [], []
    for name, text in texts.items():
        if text:
            references.extend(_references(name, str(text)))
    field_refs = [ref for ref in references if _base(ref["field"]) in _REFERENCE_FIELDS]
    evidence_fields = [str(text) for name, text in texts.items()
                       if _base(name) in ("evidence_level", "nivel_evidencia", "nível_de_evidência") and text]
    for name, text in texts.items():
        if not text or _base(name) in _REFERENCE_FIELDS:
            continue
        own = [item for item in findings if item["field"] == name]
        text_refs = [ref for ref in references if ref["field"] == name]
        claims.extend(_claims(name, str(text), text_refs, field_refs, evidence_fields, own))
    return ClaimsResult(claims=claims, references=_unique(references))


def _base(name):
    return name.split(".", 1)[-1].lower()


def _references(name, text):
    found, taken = [], []
    for kind, pattern, url in _REFERENCES:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            ident = match.group(1) if pattern.groups else match.group()
            ref = {"type": kind, "id": ident.rstrip("/"), "field": name, "start": start, "end": end}
            if kind == "scielo":
                ref["url"] = match.group()
            elif kind == "pubmed":
                ref["url"] = f"https://pubmed.ncbi.nlm.nih.gov/{ident}/"
            elif kind == "doi":
                ref["url"] = f"https://doi.org/{ident}"
            found.append(ref)
    found.sort(key=lambda ref: ref["start"])
    return found


def _unique(references):
    seen, unique = set(), []
    for ref in references:
        key = (ref["type"], ref["id"].lower())
        if key not in seen:
            seen.add(key)
            unique.append(ref)
    return unique


def _spans(text, pattern, plain=None):
    """(start, end) of the pieces `pattern` separates, stripped (of markup too, given `plain`)."""
    plain = plain or text
    spans, start = [], 0
    for match in pattern.finditer(text):
        spans.append((start, match.end() if match.group().strip() in ".!?" else match.start()))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for a, b in spans:
        while a < b and plain[a].isspace():
            a += 1
        while b > a and plain[b - 1].isspace():
            b -= 1
        if b > a:
            result.append((a, b))
    return result


_PARAGRAPH = re.compile(r"\n\s*\n|</p>|</li>|</h\d>|<!-- /wp:\w+ -->")


def _claims(name, text, text_refs, field_refs, evidence_fields, findings):
    plain = _TAG.sub(lambda match: " " * len(match.group()), text)
    paragraphs = _spans(text, _PARAGRAPH)
    numbered = _numbered(text, text_refs)
    claims = []
    for start, end in _spans(text, _SENTENCE_END, plain):
        sentence = plain[start:end]
        kind = _kind(sentence)
        if kind is None:
            continue
        refs, link = _link(text, start, end, text_refs, numbered, paragraphs, field_refs)
        level = _EVIDENCE.search(plain[start:end])
        if level is None:
            para = next(((a, b) for a, b in paragraphs if a <= start < b), None)
            level = _EVIDENCE.search(plain[para[0]:para[1]]) if para else None
        evidence = level.group(1).upper() if level else _field_evidence(evidence_fields)
        masked = mask_text(plain[start:end], findings, offset=start)
        claims.append({"text": " ".join(masked.split()),
                       "kind": kind, "field": name, "start": start, "end": end,
                       "references": [f"{ref['type']}:{ref['id']}" for ref in refs],
                       "evidence_level": evidence, "validated": bool(refs), "link": link})
    return claims


def _field_evidence(values):
    for value in values:
        match = re.search(r"\b(1[abc]?|2[abc]?|3[ab]?|4|5|I{1,3}V?|IV|V|[ABCD])\b", value, re.I)
        if match:
            return match.group(1).upper()
    return None


_NUMBERISH = re.compile(r"\d|metade|half|dobr|doubl|tripl", re.I)


def _kind(sentence):
    if _NUMBERISH.search(sentence) and any(pattern.search(sentence) for pattern in _QUANTITATIVE):
        return "quantitative"
    if _EFFICACY.search(sentence):
        return "efficacy"
    return None


_REFERENCE_HEADING = re.compile(r"\b(?:Refer[êe]ncias|References|Bibliografia|Bibliography|Fontes|Sources)\b",
                                re.I)


def _numbered(text, refs):
    """Reference n of a numbered list: the n-th reference after a "References" heading (else of the text)."""
    headings = list(_REFERENCE_HEADING.finditer(text))
    if headings:
        listed = [ref for ref in refs if ref["start"] >= headings[-1].end()]
        if listed:
            refs = listed
    return {index: ref for index, ref in enumerate(refs, 1)}


def _link(text, start, end, text_refs, numbered, paragraphs, field_refs):
    own = [ref for ref in text_refs if start <= ref["start"] < end]
    if own:
        return own, "sentence"
    cited = []
    for match in _MARKER.finditer(text, start, min(len(text), end + 12)):
        number = int(match.group(1) or match.group(2))
        if number in numbered:
            cited.append(numbered[number])
    if cited:
        return cited, "marker"
    para = next(((a, b) for a, b in paragraphs if a <= start < b), None)
    if para is not None:
        near = [ref for ref in text_refs if para[0] <= ref["start"] < para[1]]
        if near:
            return near, "paragraph"
    if field_refs:
        return list(field_refs), "field"
    return [], None
