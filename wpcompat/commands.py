"""What the CLI's commands share: their error, and how they reach the database and a tenant.

In a module of its own so that `python -m wpcompat.cli` (where cli.py runs as __main__)
and the commands defined elsewhere (wpcompat/acf/cli.py) raise one and the same
CommandError, which main() turns into one line and exit status 2.
"""

from wpcompat.db import bind, configure_serving_role, open_database, tenant_scope


class CommandError(Exception):
    """A command cannot be carried out; str() is the one line printed."""


def owner_database(settings):
    """The schema owner's connection: migrations and tenant creation only."""
    return bind(open_database(settings.owner_database_url, 2))


def app_database(settings, pool_size=2):
    """The app role's connections (switching role on an owner URL), as serving uses them."""
    database = open_database(settings.database_url, pool_size)
    configure_serving_role(database, settings.app_role)
    return bind(database)


def find_site(slug):
    from wpcompat.models import Tenant

    with tenant_scope(None):
        tenant = Tenant.get_or_none(Tenant.slug == slug)
    if tenant is None:
        raise CommandError(f"no tenant with slug {slug!r} (see `wpcompat tenant list`)")
    return tenant
