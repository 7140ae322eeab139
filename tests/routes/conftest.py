"""Fixtures the route tests share: a demo clinic per test and a client call as one of its roles."""

import pytest

from clinic import make_clinic


@pytest.fixture
def clinic(request, engine):
    """A demo clinic (wpcompat.demo) with an application password for every role."""
    return make_clinic(engine, request.module.__name__.rsplit("_", 1)[-1][:12])


@pytest.fixture
def api(client, clinic):
    """api(method, path, role=None, headers=None, **kwargs) → falcon Result, as `role` of the clinic."""

    def call(method, path, role=None, headers=None, **kwargs):
        return client.simulate_request(method, f"/wp-json{path}", host=clinic.host,
                                       headers={**clinic.auth(role), **(headers or {})}, **kwargs)

    return call
