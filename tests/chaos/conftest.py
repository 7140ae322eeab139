"""Fixtures of the concurrency and fault tests: a live gunicorn on PostgreSQL, a private cluster."""

import os

import pytest

from chaos.harness import private_cluster, served_site


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """An ACF clinic on a fresh database of the shared PostgreSQL, served by 4 gunicorn workers."""
    from conftest import POSTGRES_ADMIN_URL

    with served_site(POSTGRES_ADMIN_URL, tmp_path_factory.mktemp("served"), workers=4) as site:
        yield site


@pytest.fixture
def private_pg():
    """A PostgreSQL cluster of this test alone (initdb, own port and socket directory), removed after.

    The fault tests stop and restart it; the shared server on 5432 is never touched.
    """
    with private_cluster() as cluster:
        yield cluster


def pytest_configure(config):
    config.addinivalue_line("markers", "chaos: fault tests run by `make chaos` (WPCOMPAT_CHAOS=1), not `make test`")


def pytest_collection_modifyitems(config, items):
    """The fault tests (minutes of restarts and kills) run only with WPCOMPAT_CHAOS=1 (`make chaos`)."""
    if os.environ.get("WPCOMPAT_CHAOS") == "1":
        return
    chaos = [item for item in items if item.get_closest_marker("chaos")]
    if chaos:
        config.hook.pytest_deselected(items=chaos)
        items[:] = [item for item in items if not item.get_closest_marker("chaos")]
