"""What the XML-RPC tests against a live `wpcompat serve` share (the server itself: test_serve.served_clinic).

Import the fixtures into a test module whose `live` fixture yields (clinic, url, database).
"""

import collections
import collections.abc

import pytest

from wpcompat.db import bind, db


@pytest.fixture(scope="module", autouse=True)
def py310_collections():
    """python-wordpress-xmlrpc 2.3 (2014, the last release) reads `collections.Iterable`, which Python 3.10
    removed: it imports, but every list answer fails. The alias it needs, for the importing module's tests only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(collections, "Iterable", collections.abc.Iterable, raising=False)
        yield


@pytest.fixture(autouse=True)
def live_database(live):
    """The module's reads go to the live server's database, whatever other fixtures bound meanwhile."""
    previous = db.obj
    bind(live[2])
    yield
    if previous is not None:
        bind(previous)
