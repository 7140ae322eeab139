"""The `wpcompat` command. The database always comes from WPCOMPAT_DATABASE_URL.

Migrations and tenant creation run as the schema owner (WPCOMPAT_MIGRATE_DATABASE_URL,
default the same URL); every other data command runs as the app role with the
tenant set, so row-level security guards it as it guards serving.
Wrong arguments or settings: one line on stderr, exit status 2.
"""

import argparse
import logging
import sys

import peewee

from conf.settings import SettingsError, load_settings
from wpcompat.commands import CommandError, app_database, find_site, owner_database
from wpcompat.db import UnsafeRoleError, tenant_scope

EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see --help)\n")


def cmd_migrate(args, settings):
    from wpcompat.migrator import MigrationRefused, Migrator

    try:
        _migrate(args, settings, Migrator)
    except MigrationRefused as error:
        raise CommandError(f"migration refused: {error}") from None


def _migrate(args, settings, Migrator):
    migrator = Migrator(owner_database(settings), settings.app_role, settings.app_role_password)
    if args.status:
        for version, name, applied_at in migrator.status():
            print(f"{version}  {'applied ' + str(applied_at) if applied_at else 'pending':<30}  {name}")
        return
    if args.to is not None:
        undone = migrator.rollback(args.to)
        print("\n".join(f"rolled back {name}" for name in undone) or "nothing to roll back")
        return
    done = migrator.migrate()
    print("\n".join(f"applied {name}" for name in done) or "database is up to date")


def cmd_tenant_create(args, settings):
    from wpcompat.sites import create_site

    database = owner_database(settings)
    try:
        with database.atomic():
            tenant = create_site(args.slug, args.name, args.host, url=args.url or "",
                                 timezone_string=args.timezone)
    except ValueError as error:
        raise CommandError(str(error)) from None
    print(f"created tenant {tenant.slug} ({tenant.id}) for {', '.join(args.host)}")


def cmd_tenant_list(args, settings):
    from wpcompat.models import Tenant, TenantHost

    app_database(settings)
    with tenant_scope(None):
        hosts = {}
        for row in TenantHost.select():
            hosts.setdefault(row.tenant_id, []).append(row.host)
        for tenant in Tenant.select().order_by(Tenant.slug):
            print(f"{tenant.slug}\t{tenant.name}\t{','.join(sorted(hosts.get(tenant.id, [])))}")


def cmd_user_create(args, settings):
    from wpcompat.accounts import AccountError, create_user

    app_database(settings)
    tenant = find_site(args.tenant)
    try:
        with tenant_scope(tenant.id):
            user = create_user(args.login, args.email, args.role, password=args.password,
                               professional_registry=args.professional_registry,
                               professional_type=args.professional_type, validated=args.validated)
    except AccountError as error:
        raise CommandError(str(error)) from None
    print(f"created user {user.login} (id {user.wp_id}, {user.role}) in {tenant.slug}")


def cmd_app_password_create(args, settings):
    from wpcompat.accounts import AccountError, create_app_password
    from wpcompat.auth import find_user
    from wpcompat.passwords import chunked

    app_database(settings)
    tenant = find_site(args.tenant)
    with tenant_scope(tenant.id):
        user = find_user(args.login)
        if user is None:
            raise CommandError(f"no user {args.login!r} in tenant {tenant.slug}")
        try:
            _row, plain = create_app_password(user, args.name)
        except AccountError as error:
            raise CommandError(str(error)) from None
    print(chunked(plain))


def cmd_demo(args, settings):
    from wpcompat.demo import create_demo_site, load_demo_content

    owner_database(settings)
    tenant = create_demo_site(args.tenant)
    app_database(settings)
    print(load_demo_content(tenant))


def cmd_serve(args, settings):
    from wpcompat.server import NotReady, serve

    try:
        serve(settings, args.bind, args.workers, threads=args.threads, access_log=args.access_log,
              keep_alive=args.keep_alive)
    except NotReady as error:
        raise CommandError(str(error)) from None


def cmd_audit_writer(args, settings):
    from wpcompat.audit_writer import run

    if not settings.is_postgres:
        raise CommandError("the audit writer needs PostgreSQL (WPCOMPAT_DATABASE_URL=postgresql://...)")
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        run(settings, args.socket, args.parent)
    except KeyboardInterrupt:
        pass


def build_parser():
    parser = Parser(prog="wpcompat", description="WordPress-compatible bridge for the healthcare CMS.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    migrate = commands.add_parser("migrate", help="apply pending migrations")
    migrate.add_argument("--status", action="store_true", help="list migrations and whether they are applied")
    migrate.add_argument("--to", metavar="VERSION", help="roll back to VERSION (0000: everything)")
    migrate.set_defaults(handler=cmd_migrate)

    tenant = commands.add_parser("tenant", help="create and list tenants (sites)")
    tenant_commands = tenant.add_subparsers(dest="action", required=True, parser_class=Parser)
    create = tenant_commands.add_parser("create", help="create a tenant answering on the given hosts")
    create.add_argument("slug")
    create.add_argument("--name", required=True)
    create.add_argument("--host", required=True, action="append", help="a Host header value (repeatable)")
    create.add_argument("--url", help="the site URL clients see (default: from the request)")
    create.add_argument("--timezone", default="UTC", help="IANA timezone (default UTC)")
    create.set_defaults(handler=cmd_tenant_create)
    tenant_commands.add_parser("list", help="list tenants").set_defaults(handler=cmd_tenant_list)

    user = commands.add_parser("user", help="create users")
    user_commands = user.add_subparsers(dest="action", required=True, parser_class=Parser)
    create = user_commands.add_parser("create", help="create a user in a tenant")
    create.add_argument("login")
    create.add_argument("--tenant", required=True, metavar="SLUG")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True,
                        choices=("administrator", "editor", "author", "contributor", "subscriber"))
    create.add_argument("--password", help="login password (default: none; use an application password)")
    create.add_argument("--professional-registry", metavar="REG", help='e.g. "CRM/SP 123456"')
    create.add_argument("--professional-type", metavar="TYPE", help='e.g. "medico"')
    create.add_argument("--validated", action="store_true", help="the registry has been verified")
    create.set_defaults(handler=cmd_user_create)

    app_password = commands.add_parser("app-password", help="create application passwords")
    app_password_commands = app_password.add_subparsers(dest="action", required=True, parser_class=Parser)
    create = app_password_commands.add_parser(
        "create", help="create an application password; prints only the password")
    create.add_argument("login")
    create.add_argument("--tenant", required=True, metavar="SLUG")
    create.add_argument("--name", default="wpcompat CLI")
    create.set_defaults(handler=cmd_app_password_create)

    demo = commands.add_parser("demo", help="load the demo site (does nothing if it is there)")
    demo.add_argument("--tenant", default="demo", metavar="SLUG")
    demo.set_defaults(handler=cmd_demo)

    serve = commands.add_parser("serve", help="serve with gunicorn")
    serve.add_argument("--bind", default="127.0.0.1:8080", metavar="HOST:PORT")
    serve.add_argument("--workers", type=int, default=2, metavar="N")
    serve.add_argument("--threads", type=int, default=1, metavar="N",
                       help="threads per worker: above 1, gunicorn's gthread workers")
    serve.add_argument("--keep-alive", type=int, default=2, metavar="SECONDS",
                       help="how long a client connection is kept open between requests (0: closed after each answer)")
    serve.add_argument("--access-log", action="store_true",
                       help="log a line per request on stdout (off: the audit trail and the proxy's log record access)")
    serve.set_defaults(handler=cmd_serve)

    writer = commands.add_parser("audit-writer", help="write replayed answers' audit rows for gunicorn workers "
                                 "started without `wpcompat serve` (README, Audit writer)")
    writer.add_argument("--socket", required=True, metavar="PATH",
                        help="the Unix socket to listen on (the workers' WPCOMPAT_AUDIT_WRITER_SOCKET)")
    writer.add_argument("--parent", type=int, metavar="PID", help="stop when this process is gone (serve's arbiter)")
    writer.set_defaults(handler=cmd_audit_writer)

    from wpcompat.acf.cli import add_commands as add_acf_commands      # acf import-groups
    add_acf_commands(commands)
    from importers.wxr.cli import add_commands as add_import_commands    # import wxr (issue 6)
    add_import_commands(commands)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        args.handler(args, settings)
    except (SettingsError, UnsafeRoleError, CommandError) as error:
        print(f"wpcompat: {error}", file=sys.stderr)
        return EXIT_USAGE
    except peewee.OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"wpcompat: cannot use the database: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
