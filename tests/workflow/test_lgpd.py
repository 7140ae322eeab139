"""S.2.1 LGPD analyzer: detectors, check digits, masking, score, and the labelled sample's precision."""

import json
from pathlib import Path

import pytest

from wpcompat.workflow import LgpdResult, analyze
from wpcompat.workflow.lgpd import _cnpj_valid, _cns_valid, _cpf_valid, mask_text

SAMPLES = json.loads((Path(__file__).parents[1] / "data" / "workflow" / "lgpd_samples.json").read_text())["samples"]
# Floors documented in README ("Healthcare workflow"); measured: precision 1.00, recall 0.94.
PRECISION_FLOOR, RECALL_FLOOR = 0.90, 0.85


def kinds(text, field="content"):
    return [(item["kind"], text[item["start"]:item["end"]]) for item in analyze({field: text}).findings]


def test_check_digits_decide_cpf_cnpj_and_cns():
    assert _cpf_valid("529.982.247-25") and not _cpf_valid("529.982.247-26")
    assert not _cpf_valid("111.111.111-11")
    assert _cnpj_valid("11.222.333/0001-81") and not _cnpj_valid("11.222.333/0001-82")
    assert _cns_valid("779 9075 1163 7265") and not _cns_valid("779 9075 1163 7266")
    assert not _cns_valid("379 9075 1163 7265")          # definitive cards start 1/2, provisional 7/8/9


def test_a_formatted_number_with_wrong_check_digits_is_not_a_cpf():
    assert kinds("CPF 529.982.247-26 (inválido)") == []
    assert kinds("CPF 529.982.247-25") == [("cpf", "529.982.247-25")]


def test_bare_eleven_digits_need_a_cpf_cue():
    assert kinds("Pedido 52998224725 enviado") == []
    assert kinds("CPF: 52998224725") == [("cpf", "52998224725")]


def test_findings_carry_offsets_in_each_field_and_never_the_value():
    texts = {"title": "Caso do paciente José Carlos Souza", "excerpt": "Contato: jose@example.com",
             "meta.telefone": "(11) 98765-4321", "content": ""}
    result = analyze(texts)
    assert isinstance(result, LgpdResult)
    by_field = {item["field"]: item for item in result.findings}
    assert set(by_field) == {"title", "excerpt", "meta.telefone"}
    title = by_field["title"]
    assert texts["title"][title["start"]:title["end"]] == "paciente José Carlos Souza"
    assert title["kind"] == "patient" and result.contains_phi
    dumped = json.dumps(result.to_dict(), ensure_ascii=False)
    for secret in ("José", "Souza", "jose@example.com", "98765"):
        assert secret not in dumped
    assert by_field["excerpt"]["masked"] == "****@*******.***"


def test_offsets_survive_html_markup():
    text = "<p>A <strong>paciente</strong> Maria Clara Nunes, 33 anos, voltou.</p>"
    (item,) = analyze({"content": text}).findings
    assert item["kind"] == "patient"
    assert text[item["start"]:item["end"]].endswith("Maria Clara Nunes, 33 anos")


def test_contact_data_lowers_the_score_without_being_phi():
    result = analyze({"content": "Clínica: Rua Augusta, 1500 — (11) 3061-7000 — contato@clinica.com.br"})
    assert {item["kind"] for item in result.findings} == {"address", "phone", "email"}
    assert not result.contains_phi and 75 <= result.score < 100


def test_clean_text_scores_100_and_identified_patients_score_low():
    assert analyze({"content": "A hipertensão afeta 30% dos adultos."}).score == 100
    heavy = analyze({"content": "Paciente Ana Lima, 40 anos, CPF 529.982.247-25, RG 12.345.678-9, "
                                "nascida em 01/02/1984."})
    assert heavy.contains_phi and heavy.score <= 10


def test_english_patient_phrases_and_international_phones():
    assert kinds("patient Mary Smith reported pain") == [("patient", "patient Mary Smith")]
    assert kinds("Reach us at +44 20 7946 0958.") == [("phone", "+44 20 7946 0958")]
    assert kinds("DOB: 04/17/1965") == [("date_of_birth", "04/17/1965")]


def test_doctors_and_cohorts_are_not_patients():
    assert kinds("Segundo a Dra. Fernanda Rocha, pacientes com diabetes devem...") == []
    assert kinds("Patient Education and Patient Safety programmes") == []


def test_mask_text_hides_letters_and_digits_of_findings_only():
    assert mask_text("CPF 529.982.247-25 ok", [{"start": 4, "end": 18}]) == "CPF ***.***.***-** ok"


def _measure(samples):
    tp = fp = fn = 0
    for sample in samples:
        found = kinds(sample["text"])
        expected = [(item["kind"], item["value"]) for item in sample["expected"]]

        def same(a, b):
            return a[0] == b[0] and (a[1] in b[1] or b[1] in a[1])
        tp += sum(1 for item in found if any(same(item, other) for other in expected))
        fp += sum(1 for item in found if not any(same(item, other) for other in expected))
        fn += sum(1 for item in expected if not any(same(item, other) for other in found))
    return tp, fp, fn


@pytest.mark.parametrize("lang", ["pt", "en", None])
def test_labelled_sample_precision_and_recall(lang):
    samples = [sample for sample in SAMPLES if lang is None or sample["lang"] == lang]
    tp, fp, fn = _measure(samples)
    assert tp + fn >= 10                                   # the sample is not trivial
    assert tp / (tp + fp) >= PRECISION_FLOOR
    assert tp / (tp + fn) >= RECALL_FLOOR
    traps = [sample for sample in samples if not sample["expected"]]
    assert traps and _measure(traps)[1] <= 1                # false positives on the traps stay rare
