"""S.2.1 LGPD analyzer: personal and patient data in a post's texts (Portuguese and English).

Input: ``{field name: text}`` (``title``, ``content``, ``excerpt``, ``meta.<key>`` by convention; any
names work). Output: :class:`LgpdResult` — ``score`` (100 = nothing found, 0 = heavily identifying),
``findings`` (``kind``, ``field``, ``start``, ``end``, ``masked``, ``weight``; offsets index the text
as given, HTML included) and ``contains_phi``. A finding never carries the matched value: ``masked``
keeps its shape only (every letter and digit becomes ``*``), so findings may be stored and audited.

Kinds: ``cpf``, ``cnpj`` and ``cns`` (check digits verified), ``rg``, ``phone`` (Brazilian and
international), ``email``, ``address`` (street addresses and CEPs), ``date_of_birth`` (a date next to a
birth cue) and ``patient`` (a patient named in the text: "paciente João da Silva, 45 anos",
"patient Mary Smith", "Sra. Ana Souza, 62 anos"). ``contains_phi`` is true when a text identifies a
person as a patient or by a personal identifier (patient, cns, cpf, rg, date_of_birth; and
``phi_field``, which the pipeline adds for a filled custom field flagged is_phi — see ``flagged``);
contact data alone (a clinic's phone, e-mail, address or CNPJ) lowers the score without being PHI.
Measured precision and recall on tests/data/workflow/lgpd_samples.json: README, "Healthcare workflow".
"""

import re
from dataclasses import dataclass, field

PHI_KINDS = frozenset({"phi_field", "patient", "cns", "cpf", "rg", "date_of_birth"})

# Points taken from 100 per finding; a kind repeated costs half after its first finding.
WEIGHTS = {"phi_field": 40, "patient": 40, "cns": 40, "cpf": 35, "rg": 30, "date_of_birth": 25,
           "address": 10, "phone": 5, "email": 5, "cnpj": 2}


@dataclass(frozen=True)
class LgpdResult:
    score: int
    findings: list = field(default_factory=list)
    contains_phi: bool = False

    def to_dict(self):
        return {"score": self.score, "contains_phi": self.contains_phi,
                "findings": [dict(item) for item in self.findings]}

    def counts(self):
        totals = {}
        for item in self.findings:
            totals[item["kind"]] = totals.get(item["kind"], 0) + 1
        return totals


def analyze(texts):
    """Analyse ``{field: text}``; see the module docstring."""
    findings = []
    for name, text in texts.items():
        if text:
            findings.extend(_scan(name, str(text)))
    return result_of(findings)


def scan(name, text):
    """The findings of one field (``analyze({name: text}).findings``, unsorted); for callers that analyse
    fields apart (a bulk import scans the long texts ahead) and join them with :func:`result_of`."""
    return _scan(name, str(text)) if text else []


def result_of(findings):
    """The LgpdResult of findings gathered field by field with :func:`scan` (sorted here, in place)."""
    findings.sort(key=lambda item: (item["field"], item["start"]))
    return LgpdResult(score=score_of(findings), findings=findings,
                      contains_phi=any(item["kind"] in PHI_KINDS for item in findings))


def mask(value):
    """The shape of a value without its letters and digits."""
    return re.sub(r"\w", "*", value)


def mask_text(text, findings, offset=0):
    """``text`` with every finding inside it masked (findings' offsets relative to ``offset``)."""
    chars = list(text)
    for item in findings:
        start, end = max(item["start"] - offset, 0), min(item["end"] - offset, len(chars))
        for index in range(start, end):
            if chars[index].isalnum():
                chars[index] = "*"
    return "".join(chars)


def flagged(name, value):
    """A finding for a whole field flagged is_phi (its value is patient data by definition)."""
    return {"kind": "phi_field", "field": name, "start": 0, "end": len(value), "masked": mask(value),
            "weight": WEIGHTS["phi_field"]}


def score_of(findings):
    seen, penalty = set(), 0.0
    for item in findings:
        weight = WEIGHTS[item["kind"]]
        penalty += weight if item["kind"] not in seen else weight / 2
        seen.add(item["kind"])
    return max(0, 100 - round(penalty))


# --- scanning -------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>|&nbsp;|&#160;")


def _plain(text):
    """Tags and non-breaking-space entities blanked to spaces of the same length (offsets kept)."""
    return _TAG.sub(lambda match: " " * len(match.group()), text)


def _scan(name, text):
    plain = _plain(text) if "<" in text or "&" in text else text
    gates = _gates(plain)
    if not gates:
        return []
    taken = []      # spans already claimed by an earlier (more specific) detector
    found = []
    for kind, detector in _DETECTORS:
        if kind not in gates:
            continue
        for start, end in detector(plain):
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            taken.append((start, end))
            found.append({"kind": kind, "field": name, "start": start, "end": end,
                          "masked": mask(plain[start:end]), "weight": WEIGHTS[kind]})
    return found


def _digits(value):
    return [int(char) for char in value if char.isdigit()]


def _cpf_valid(value):
    digits = _digits(value)
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    for size in (9, 10):
        total = sum(digit * weight for digit, weight in zip(digits[:size], range(size + 1, 1, -1)))
        if (total * 10 % 11) % 10 != digits[size]:
            return False
    return True


def _cnpj_valid(value):
    digits = _digits(value)
    if len(digits) != 14 or len(set(digits)) == 1:
        return False
    for size in (12, 13):
        weights = list(range(size - 7, 1, -1)) + list(range(9, 1, -1))
        remainder = sum(d * w for d, w in zip(digits[:size], weights)) % 11
        if (0 if remainder < 2 else 11 - remainder) != digits[size]:
            return False
    return True


def _cns_valid(value):
    digits = _digits(value)
    if len(digits) != 15 or digits[0] not in (1, 2, 7, 8, 9):
        return False
    return sum(d * w for d, w in zip(digits, range(15, 0, -1))) % 11 == 0


def _matches(pattern, valid=None, group=0):
    def detect(text):
        for match in pattern.finditer(text):
            if valid is None or valid(match.group(group)):
                yield match.start(group), match.end(group)
    return detect


_CPF = re.compile(r"(?<![\d./-])\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?![\d/-]|\.\d)")
_CNPJ = re.compile(r"(?<![\d./-])\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}(?![\d/-]|\.\d)")
_CNS = re.compile(r"(?<![\d.-])[12789]\d{2}[ .]?\d{4}[ .]?\d{4}[ .]?\d{4}(?![\d-]|\.\d)")
_RG = re.compile(
    r"(?:\bRG\b|\bR\.G\.|\bregistro geral\b|\bidentidade\b)\s*(?:n[º°o.]*\s*|:\s*|=\s*)*"
    r"(\d{1,2}\.?\d{3}\.?\d{3}-?[\dXx]\b|\d{5,10}\b)"
    r"|(?<![\d.])(\d{2}\.\d{3}\.\d{3}-[\dXx])(?![\d-])", re.I)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_PHONES = [
    # +55 (11) 98765-4321, +44 20 7946 0958, +1 415 555 2671
    re.compile(r"\+(?<![\w+]\+)\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,5}){1,4}(?![\d-])"),
    # (11) 98765-4321, (11) 3456 7890
    re.compile(r"\((?<![\w)]\()\d{2,3}\)\s?9?\d{4}[\s-]?\d{4}(?![\d-])"),
    # 11 98765-4321, 11 3456-7890
    re.compile(r"\d(?<![\w.,/-]\d)\d\s9?\d{4}-\d{4}(?![\d-])"),
    # 98765-4321 after a phone cue
    re.compile(r"(?:\b(?:tel|telefone|fone|celular|cel|whatsapp|phone|mobile|call)\b[.:]?\s*)"
               r"(9?\d{4}-?\d{4})(?![\d-])", re.I),
    # (415) 555-2671, 415-555-2671
    re.compile(r"(?:\((?<![\w-]\()\d{3}\)\s?|\d(?<![\w-]\d)\d{2}[-.])\d{3}[-.]\d{4}(?![\d-])"),
]

_STREET_PT = (r"(?:Rua|R\.|Avenida|Av\.|Alameda|Al\.|Travessa|Tv\.|Praça|Pça\.|Estrada|Rodovia|"
              r"Largo|Viela|Servidão)")
_ADDRESSES = [
    re.compile(_STREET_PT + r"\s+(?:[A-ZÀ-Ý0-9][\wÀ-ÿ'.-]*\s+|d[aeo]s?\s+|e\s+){0,6}?"
               r"[A-ZÀ-Ý0-9][\wÀ-ÿ'.-]*,?\s*(?:n[º°o.]\s*)?\d{1,5}\b"),
    re.compile(r"(?<![\w,.])\d{1,5}\s+(?:[A-Z][\w'.-]*\s+){1,4}"
               r"(?:Street|St\.|Avenue|Ave\.|Road|Rd\.|Boulevard|Blvd\.|Lane|Ln\.|Drive|Way|Court|Ct\.|"
               r"Place|Pl\.|Terrace)(?!\w)"),
    re.compile(r"\bCEP\b:?\s*(\d{5}-?\d{3})\b|(?<![\d.,/-])(\d{5}-\d{3})(?![\d-])"),
]

_MONTHS = (r"(?:janeiro|fevereiro|março|marco|abril|maio|junho|julho|agosto|setembro|outubro|"
           r"novembro|dezembro|January|February|March|April|May|June|July|August|September|"
           r"October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sep\.?|"
           r"Sept\.?|Oct\.?|Nov\.?|Dec\.?)")
_DATE = (r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|"
         r"\d{1,2}º?\s+(?:de\s+)?" + _MONTHS + r"\s+(?:de\s+)?\d{4}|" + _MONTHS + r"\s+\d{1,2},?\s+\d{4}|"
         r"\d{1,2}\s+" + _MONTHS + r"\s+\d{4})")
_DOB = re.compile(
    r"(?:\bnascid[oa]s?\s+(?:em|no dia|a)\b|\bdata\s+de\s+nascimento\b|\bnasc\.|\bD\.?N\.?\s*:|"
    r"\bborn\s+(?:on\s+)?|\bdate\s+of\s+birth\b|\bD\.?O\.?B\.?\b|\bbirth\s*date\b|\bbirthday\b)"
    r"[\s:,-]*(?:em\s+|on\s+|was\s+|is\s+)?(" + _DATE + r")", re.I)

# A name: capitalised words, with Portuguese particles and initials between them.
_NAME_WORD = r"(?:[A-ZÀ-Ý][a-zà-ÿ'-]+|[A-ZÀ-Ý]\.)"
_NAME = _NAME_WORD + r"(?:\s+(?:(?:da|de|do|das|dos|e|van|von|del)\s+)?" + _NAME_WORD + r"){0,4}"
_AGE = (r"(?:(?:,\s*|\s+(?:de|com|aged|age)\s+|\s*\(\s*(?:aged\s+)?)(?:\d{1,3})\s*(?:anos|a\b|years?(?:\s+old)?|"
        r"y/?o\b|-year-old)|,\s*(?:a|an)\s+\d{1,3}-year-old)")
_PATIENT_CUE = (r"(?:\b[Pp]acientes?|\b[Pp]atients?|\b[Uu]suári[oa]|\b[Gg]estante|\b[Pp]arturiente|"
                r"\b[Cc]ase of|\b[Cc]aso d[oa])")
_HONORIFIC = r"(?:\bSra?\.|\bSenhora|\bSenhor|\bDona|\bSeu|\bMrs?\.|\bMs\.|\bMiss)"
# Capitalised words that follow "paciente"/"patient" without naming anyone.
_NOT_NAMES = frozenset("""
A O As Os Um Uma The A An This That With Com Sem De Da Do Em No Na Para Por Que Who Which Whose
Education Educação Safety Segurança Care Cuidado Centered Centrado Portal Journey Jornada Experience
Experiência Zero SUS COVID Covid HIV Tipo Type Grupo Group Reported Relatado Relatados
""".split())
_PATIENTS = [
    re.compile(_PATIENT_CUE + r"\s*[:,]?\s+(" + _NAME + r")(" + _AGE + r")?"),
    re.compile(_HONORIFIC + r"\s+(" + _NAME + r")(" + _AGE + r")"),
]


def _patients(text):
    for pattern in _PATIENTS:
        for match in pattern.finditer(text):
            words = match.group(1).split()
            words = [word for word in words if word not in _NOT_NAMES]
            if not words or match.group(1).split()[0] in _NOT_NAMES:
                continue
            named = sum(1 for word in words if len(word) > 2 and word[0].isupper())
            # Two name words, or one with an age ("paciente João, 45 anos"), identify a person.
            if named >= 2 or (named >= 1 and match.group(2)):
                yield match.start(), match.end()


def _any(patterns):
    def detect(text):
        for pattern in patterns:
            for match in pattern.finditer(text):
                groups = [index for index in range(1, (pattern.groups or 0) + 1) if match.group(index)]
                index = groups[0] if groups else 0
                yield match.start(index), match.end(index)
    return detect


def _cpf(text):
    for match in _CPF.finditer(text):
        value = match.group()
        # Unformatted eleven digits pass the check digits one time in a hundred: also ask for a cue.
        formatted = "." in value or "-" in value
        if _cpf_valid(value) and (formatted or _cue(text, match.start(), ("cpf",))):
            yield match.start(), match.end()


def _cue(text, start, words, reach=24):
    before = text[max(0, start - reach):start].lower()
    return any(word in before for word in words)


# Gates: a cheap necessary condition per detector (a detector whose gate fails cannot match), so clean text
# costs a few substring tests and two short scans instead of every detector's pattern. The digit gate holds
# for every detector built on numbers (CPF, CNPJ, CNS, RG, CEP and phones need three digits, at most one
# separator, three more); the word gates are the cues the patterns require, lower-cased (a superset of
# their case-sensitive forms). tests/workflow/test_lgpd_gates.py checks gated == ungated on the samples.
_DIGIT_GATE = re.compile(r"\d{3}[\s./-]?\d{3}")
_PHONE_GATE = re.compile(r"\+\d|\(\d{2,3}\)")
_RG_WORDS = ("rg", "r.g.", "registro geral", "identidade")
_DOB_WORDS = ("nasc", "d.n", "dn", "born", "birth", "dob", "d.o", "do.b")
_PATIENT_WORDS = ("pacient", "patient", "usuári", "gestante", "parturiente", "case of", "caso d",
                  "sr.", "sra.", "senhor", "dona", "seu", "mr.", "mrs.", "ms.", "miss")
_STREET_WORDS = ("rua", "r.", "avenida", "av.", "alameda", "al.", "travessa", "tv.", "praça", "pça.", "estrada",
                 "rodovia", "largo", "viela", "servidão", "street", "st.", "avenue", "ave.", "road", "rd.",
                 "boulevard", "blvd.", "lane", "ln.", "drive", "way", "court", "ct.", "place", "pl.", "terrace")


def _gates(plain):
    """The kinds whose detectors can match in this (tag-blanked) text."""
    gates = set()
    if "@" in plain:
        gates.add("email")
    count = _digit_count(plain)
    number = count >= 6 and _DIGIT_GATE.search(plain) is not None
    if number:
        gates.update(("cns", "cnpj", "cpf", "rg", "address", "phone"))
    elif ("+" in plain or "(" in plain) and _PHONE_GATE.search(plain) is not None:
        gates.add("phone")
    lower = plain.lower() if plain.isascii() else plain.lower().replace("ſ", "s")    # re.I folds ſ to s
    if _has(lower, _PATIENT_WORDS):             # the only detector that may match without a digit
        gates.add("patient")
    if count >= 5 and not number and _has(lower, _RG_WORDS):
        gates.add("rg")
    if count >= 4 and _has(lower, _DOB_WORDS):   # every date form has four digits or more
        gates.add("date_of_birth")
    if count >= 1 and not number and _has(lower, _STREET_WORDS):
        gates.add("address")
    return gates


_NOT_DIGITS = bytes(byte for byte in range(256) if not 48 <= byte <= 57)
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def _digit_count(text):
    """How many ASCII digits the text has (any other decimal digit counts as many)."""
    if not text.isascii() and _OTHER_DIGIT.search(text) is not None:
        return 1 << 20
    return len(text.encode("utf-8", "surrogatepass").translate(None, _NOT_DIGITS))


def _has(text, words):
    for word in words:
        if word in text:
            return True
    return False


_DETECTORS = [
    ("email", _any([_EMAIL])),
    ("cns", _matches(_CNS, _cns_valid)),
    ("cnpj", _matches(_CNPJ, _cnpj_valid)),
    ("cpf", _cpf),
    ("rg", _any([_RG])),
    ("date_of_birth", _any([_DOB])),
    ("patient", _patients),
    ("address", _any(_ADDRESSES)),
    ("phone", _any(_PHONES)),
]
