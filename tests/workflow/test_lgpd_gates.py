"""The LGPD analyzer's gates only skip work: with them, every text gives what every detector run on it gives."""

import json
import random
from pathlib import Path

import pytest

from wpcompat.workflow import lgpd

SAMPLES = json.loads((Path(__file__).parents[1] / "data" / "workflow" / "lgpd_samples.json").read_text())["samples"]
ALL_KINDS = {kind for kind, _detector in lgpd._DETECTORS}

EXTRA = [
    "Paciente Ana Lima, 40 anos, CPF 529.982.247-25, RG 12.345.678-9, nascida em 01/02/1984.",
    "Clínica: Rua Augusta, 1500 — (11) 3061-7000 — contato@clinica.com.br",
    "Reach us at +44 20 7946 0958. DOB: 04/17/1965, 221 Baker Street",
    "patient Mary Smith reported pain", "Sra. Ana Souza, 62 anos", "CEP 01310-100", "RG: 12345",
    "identidade nº 1234567", "tel 98765-4321", "call (415) 555-2671 or 415.555.2671", "CNS 779 9075 1163 7265",
    "CNPJ 11.222.333/0001-81", "CPF: 52998224725", "nasc. 3 de março de 1950", "born on March 3, 1950",
    "Mrs. Jane Doe (aged 70)", "a 70-year-old", "12<br>Main Street", "Av.&nbsp;Paulista,&nbsp;1000",
    "naſcida em 01/02/1984", "tel ٩٨٧٦٥-٤٣٢١", "R. Bela Cintra 986", "Lorem ipsum dolor sit amet 5.",
]


def ungated(texts, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(lgpd, "_gates", lambda plain: ALL_KINDS)
        return lgpd.analyze(texts)


@pytest.mark.parametrize("text", [sample["text"] for sample in SAMPLES] + EXTRA)
def test_gated_analysis_equals_running_every_detector(text, monkeypatch):
    assert lgpd.analyze({"content": text}) == ungated({"content": text}, monkeypatch)


def test_gates_hold_on_spliced_samples(monkeypatch):
    """Random cuts and splices of the samples (digits, cues and markup in unusual company)."""
    pieces = [sample["text"] for sample in SAMPLES] + EXTRA
    rng = random.Random(6)
    for _ in range(300):
        text = ""
        for _part in range(rng.randint(1, 4)):
            piece = rng.choice(pieces)
            start = rng.randrange(len(piece))
            text += piece[start:start + rng.randint(1, 80)]
        assert lgpd.analyze({"content": text}) == ungated({"content": text}, monkeypatch), text


def test_clean_text_runs_no_detector():
    assert lgpd._gates("Lorem ipsum dolor sit amet. Post 5 of 20.") == set()
