"""S.4 (S.4-1.1-3) CFM compliance validator: the objective parts of the medical council's rules.

Input: :class:`CfmInput` — the post's facts (compliance level, medical category, disclaimer, the
author's registry and its validation, images with their descriptions, the consent flag) and the
results of S.2.1 and S.3.1. Output: :class:`CfmResult` — ``checks`` (``lgpd_check``,
``cfm_check``, ``anvisa_check``: "passed" or "failed"), ``issues`` (``check``, ``code``,
``message``) and ``passed``.

- lgpd_check: patient data (S.2.1 ``contains_phi``) only in content classified ``phi``.
- cfm_check: a disclaimer for professional/restricted content; the author's professional registry
  (CRM/UF number, or another health council's) present and validated when the content is
  professional/restricted or has a medical category; no promise of cure or guaranteed results
  (CFM Resolution 2.336/2023, art. 9 and 11); no before/after patient images unless the
  ``image_consent`` field is set; no claim left unsupported by S.3.1.
- anvisa_check: no "no side effects"/"no contraindications"/"100% safe" claims about treatments
  (ANVISA RDC 96/2008, art. 8 and 9).
"""

import re
from dataclasses import dataclass, field

COUNCILS = r"(?:CRM|CRO|CRF|COREN|CRN|CRP|CREFITO|CRBM|CRFa|CREFONO|CRMV)"
UFS = ("AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO").split()
_REGISTRY = re.compile(r"^\s*" + COUNCILS + r"\s*[-/ ]?\s*([A-Z]{2})\s*[-/ nº°.]*\s*(\d{3,7})(?:\s*[-/]\s*[A-Z]{2})?\s*$"
                       r"|^\s*" + COUNCILS + r"\s*[-/ nº°.]*\s*(\d{3,7})\s*[-/ ]\s*([A-Z]{2})\s*$", re.I)
REGISTRY_LEVELS = ("professional", "restricted")
DISCLAIMER_LEVELS = ("professional", "restricted")

_PROMISES = re.compile(
    r"\b(?:cura\s+(?:garantida|definitiva|total|certa|100\s*%)|garant\w*\s+(?:a\s+)?(?:cura|resultados?|"
    r"sucesso|emagrecimento)|resultados?\s+garantid[oa]s?|sucesso\s+garantido|"
    r"cura(?:r|mos)?\s+(?:o|a|os|as|seu|sua|de)?\s*(?:câncer|cancer|diabetes|hipertensão|autismo|depressão|"
    r"ansiedade|artrose|obesidade|alzheimer|hiv|aids)|"
    r"100\s*%\s*(?:eficaz|efetiv[oa]|garantid[oa]|de\s+(?:cura|sucesso))|milagros[oa]|"
    r"guaranteed\s+(?:cure|results?|success|weight loss)|cure\s+guaranteed|guarantee[sd]?\s+(?:a\s+)?"
    r"(?:cure|results?)|100\s*%\s*(?:effective|success|cure)|miracle\s+(?:cure|treatment|drug)|"
    r"(?:we|will)\s+cure\s+(?:your\s+)?\w+|permanent\s+cure)\b", re.I)
_ANVISA = re.compile(
    r"\b(?:sem\s+(?:nenhum\s+)?(?:efeitos?\s+(?:colaterais|adversos)|contraindica[çc][õo]es|riscos?)|"
    r"(?:100\s*%|totalmente|completamente|absolutamente)\s+(?:segur[oa]|inofensiv[oa])|"
    r"por\s+ser\s+natural\s+n[ãa]o\s+faz\s+mal|"
    r"no\s+side[\s-]effects|without\s+(?:any\s+)?side[\s-]effects|no\s+contraindications|"
    r"(?:100\s*%|completely|totally|absolutely)\s+(?:safe|harmless)|risk[\s-]free)\b", re.I)
_BEFORE_AFTER = re.compile(r"antes\s*(?:e|/|-|x)\s*depois|before\s*(?:and|&|/|-|x)\s*after|"
                           r"antes[_-]depois|before[_-]after", re.I)
CONSENT_KEYS = ("image_consent", "patient_consent", "consentimento_imagem", "termo_consentimento")
_TRUE = ("1", "true", "yes", "sim", "on", "y", "s")


@dataclass(frozen=True)
class CfmInput:
    compliance_level: str
    medical_category: str | None
    disclaimer: str | None
    registry: str | None
    registry_validated: bool
    images: list          # descriptions of images (alt, title, caption, file name)
    consent: bool
    texts: dict           # {field: text}, for promises and ANVISA phrases
    contains_phi: bool
    unsupported_claims: list


@dataclass(frozen=True)
class CfmResult:
    checks: dict
    issues: list = field(default_factory=list)

    @property
    def passed(self):
        return all(value == "passed" for value in self.checks.values())


def registry_valid(value):
    match = _REGISTRY.match(value or "")
    if not match:
        return False
    uf = (match.group(1) or match.group(4) or "").upper()
    return uf in UFS


def consent_given(fields):
    """The consent flag from custom fields {key: value}."""
    return any(str(fields.get(key, "")).strip().lower() in _TRUE for key in CONSENT_KEYS)


def validate(facts):
    issues = []
    level = facts.compliance_level or "public"
    if facts.contains_phi and level != "phi":
        issues.append(("lgpd_check", "phi_not_classified",
                       "Patient data was found (S.2.1): the content must be classified phi by a user "
                       "with PHI access, or the data removed."))
    if level in DISCLAIMER_LEVELS and not (facts.disclaimer or "").strip():
        issues.append(("cfm_check", "missing_disclaimer", f"A medical disclaimer is required for {level} content."))
    if level in REGISTRY_LEVELS or facts.medical_category:
        if not (facts.registry or "").strip():
            issues.append(("cfm_check", "missing_registry",
                           "The author has no professional registry (CRM/UF and number)."))
        elif not registry_valid(facts.registry):
            issues.append(("cfm_check", "invalid_registry",
                           "The author's professional registry is not a valid council registry (e.g. CRM/SP 123456)."))
        elif not facts.registry_validated:
            issues.append(("cfm_check", "unvalidated_registry", "The author's professional registry is not validated."))
    for name, text in facts.texts.items():
        for match in _PROMISES.finditer(_plain(text)):
            issues.append(("cfm_check", "promise_of_cure",
                           f"Promise of cure or guaranteed results in {name} at {match.start()}."))
        for match in _ANVISA.finditer(_plain(text)):
            issues.append(("anvisa_check", "absolute_safety_claim",
                           f"Claim of absolute safety or no side effects in {name} at {match.start()}."))
    if not facts.consent and any(_BEFORE_AFTER.search(image or "") for image in facts.images):
        issues.append(("cfm_check", "before_after_without_consent",
                       "Before/after patient images need the image_consent field set."))
    for claim in facts.unsupported_claims:
        issues.append(("cfm_check", "unsupported_claim",
                       f"Unsupported claim in {claim['field']} at {claim['start']}: no reference (S.3.1)."))
    checks = {name: "passed" for name in ("lgpd_check", "cfm_check", "anvisa_check")}
    for check, _code, _message in issues:
        checks[check] = "failed"
    return CfmResult(checks=checks, issues=[{"check": c, "code": code, "message": m} for c, code, m in issues])


_TAG = re.compile(r"<[^>]*>|&nbsp;")


def _plain(text):
    return _TAG.sub(lambda match: " " * len(match.group()), str(text or ""))


_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r"\b(alt|title|src|data-caption)\s*=\s*(\"[^\"]*\"|'[^']*')", re.I)
_FIGURE = re.compile(r"<figure\b.*?</figure>", re.I | re.S)


def images_in(html):
    """Descriptions of the images of a post's HTML: attributes and figure captions."""
    html = html or ""
    found = []
    for figure in _FIGURE.finditer(html):
        if _IMG.search(figure.group()):
            found.append(_TAG.sub(" ", figure.group()) + " " + " ".join(
                value for _name, value in _ATTR.findall(figure.group())))
    for tag in _IMG.finditer(html):
        found.append(" ".join(value for _name, value in _ATTR.findall(tag.group())))
    return found
