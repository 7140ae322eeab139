"""`wpcompat acf import-groups FILE --tenant SLUG`: load an ACF JSON export into a tenant.

Runs as the app role with the tenant set (like `user create`), so RLS guards it too.
"""

import json

from wpcompat.commands import CommandError, app_database, find_site
from wpcompat.db import tenant_scope


def add_commands(commands):
    """Register `acf` and its actions on `wpcompat`'s sub-command parser."""
    acf = commands.add_parser("acf", help="ACF field groups")
    actions = acf.add_subparsers(dest="action", required=True, parser_class=type(acf))
    load = actions.add_parser("import-groups", help="load field groups from an ACF JSON export "
                                                    "(a group with the same key is replaced)")
    load.add_argument("file", help="the JSON file ACF's Export Field Groups wrote")
    load.add_argument("--tenant", required=True, metavar="SLUG")
    load.set_defaults(handler=cmd_import_groups)


def read_export(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise CommandError(f"{path} is not JSON: {error}") from None


def cmd_import_groups(args, settings):
    from wpcompat.acf.importer import ExportError, import_groups

    document = read_export(args.file)
    app_database(settings)
    tenant = find_site(args.tenant)
    try:
        with tenant_scope(tenant.id):
            created, replaced = import_groups(document)
    except ExportError as error:
        raise CommandError(f"{args.file}: {error}") from None
    print(f"imported {created + replaced} field group(s) into {tenant.slug} ({created} new, {replaced} replaced)")
