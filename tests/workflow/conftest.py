"""Fixtures of the workflow tests: a demo clinic per test, REST and XML-RPC calls as one of its roles."""

import pytest

from clinic import make_clinic
from routes.conftest import api  # noqa: F401  (the route tests' api fixture, on this clinic)
from xmlrpc_api.helpers import creds, rpc  # noqa: F401

DISCLAIMER = "Conteúdo informativo; não substitui consulta médica."
CLEAN_PT = ("<!-- wp:paragraph --><p>A pressão arterial deve ser medida em repouso, sentado, com o braço apoiado "
            "na altura do coração.</p><!-- /wp:paragraph -->")
SUPPORTED_PT = ("<p>O controle intensivo da pressão reduz a mortalidade em 27% em idosos (PMID: 26551272). "
                "Nível de evidência 1A.</p>")
UNSUPPORTED_PT = "<p>Este chá reduz a pressão arterial em 40% em uma semana.</p>"
PATIENT_PT = "<p>A paciente Maria Clara Nunes, 33 anos, chegou com PA de 180x110 mmHg.</p>"


@pytest.fixture
def clinic(engine):
    return make_clinic(engine, "workflow")

