import pytest

from wxr_import.support import make_import_site


@pytest.fixture
def site(engine, client):
    """An empty site (one administrator) on the engine under test; imports run as the app role (client's binding)."""
    return make_import_site(engine)
