"""S.3.1 medical claims extractor on the labelled sample and on a realistic article."""

import json
from pathlib import Path

import pytest

from wpcompat.workflow import analyze
from wpcompat.workflow.claims import extract

SAMPLES = json.loads((Path(__file__).parents[1] / "data" / "workflow" / "claims_samples.json").read_text())["samples"]


@pytest.mark.parametrize("sample", SAMPLES, ids=[sample["id"] for sample in SAMPLES])
def test_labelled_claims(sample):
    result = extract({"content": sample["text"]})
    if sample["claim"] is None:
        assert result.claims == []
        return
    claim = result.claims[0]
    assert claim["kind"] == sample["claim"]
    assert claim["references"] == sample["references"]
    assert claim["validated"] is bool(sample["references"])


ARTICLE = """<!-- wp:paragraph -->
<p>Novas diretrizes: o controle intensivo da pressão reduz a mortalidade em 27% em idosos (PMID: 26551272).
Nível de evidência 1A.</p>
<!-- /wp:paragraph -->
<!-- wp:paragraph -->
<p>Em outro estudo, o tratamento combinado diminuiu em 40% as internações [2]. Este chá cura a hipertensão.</p>
<!-- /wp:paragraph -->
<!-- wp:paragraph -->
<p>Referências: 1. doi:10.1056/NEJMoa1511939. 2. https://www.scielo.br/j/abc/a/Q1w2E3r4/</p>
<!-- /wp:paragraph -->"""


def test_an_article_links_each_claim_to_its_reference():
    result = extract({"title": "Hipertensão: o que muda", "content": ARTICLE})
    claims = {claim["text"].split()[0]: claim for claim in result.claims}
    first, second, cure = claims["Novas"], claims["Em"], claims["Este"]
    assert first["references"] == ["pubmed:26551272"] and first["link"] == "sentence"
    assert first["evidence_level"] == "1A"
    assert second["references"] == ["scielo:https://www.scielo.br/j/abc/a/Q1w2E3r4"] and second["link"] == "marker"
    assert cure["kind"] == "efficacy" and not cure["validated"]
    assert [claim["text"] for claim in result.unsupported] == ["Este chá cura a hipertensão."]
    assert {ref["type"] for ref in result.references} == {"pubmed", "doi", "scielo"}
    assert ARTICLE[first["start"]:first["end"]].startswith("Novas diretrizes")


def test_references_and_evidence_level_in_fields_support_the_texts_claims():
    result = extract({"content": "A vacina reduz em 90% as hospitalizações.", "meta.references": "PMID 33301246",
                      "meta.evidence_level": "2"})
    (claim,) = result.claims
    assert claim["references"] == ["pubmed:33301246"] and claim["link"] == "field"
    assert claim["evidence_level"] == "2" and claim["validated"]


def test_personal_data_in_a_claim_is_masked():
    text = "A paciente Maria Clara Nunes, 33 anos, teve 50% de melhora."
    findings = analyze({"content": text}).findings
    (claim,) = extract({"content": text}, findings).claims
    assert "Maria" not in claim["text"] and "50%" in claim["text"]


def test_claims_shape_matches_the_seed():
    result = extract({"content": "Reduces risk by 40% (PMID 12345678)."})
    assert list(result.claims_json()) == ["claim_1"]
    assert set(result.claims_json()["claim_1"]) >= {"text", "evidence_level", "references", "validated"}
