"""The `wpcompat` command, run as a real subprocess against a fresh SQLite file and a fresh PostgreSQL database.

Each test gets an empty database. The environment the command sees is this one minus
every WPCOMPAT_* variable, plus the test's own.
"""

import contextlib
import dataclasses
import os
import pathlib
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import uuid

import psycopg2
import pytest
from falcon import testing

from conf.settings import load_settings
from wpcompat import db as db_module
from wpcompat.app import create_app

from conftest import _admin_connection, basic_auth, create_postgres_database, drop_postgres_database, postgres_url

# The console script pip installed next to this Python is what users run; `python -m wpcompat.cli`
# is the same command from a source checkout (see test_python_m_*).
CONSOLE_SCRIPT = pathlib.Path(sys.executable).with_name("wpcompat")
PYTHON_M = [sys.executable, "-m", "wpcompat.cli"]
COMMAND = [str(CONSOLE_SCRIPT)]

# Every migration the command knows, in order (more are added over time; 0001 and 0002 come first).
MIGRATIONS = sorted(path.stem for path in (pathlib.Path(__file__).resolve().parent.parent / "migrations")
                    .glob("[0-9][0-9][0-9][0-9]_*.py"))
ALL_APPLIED = "".join(f"applied {name}\n" for name in MIGRATIONS)

SLUG, SITE_NAME, HOSTS = "acme", "Acme Clinic", ("acme.clinic.test", "www.acme.clinic.test")
LOGIN, EMAIL = "dra.ana", "ana@acme.clinic.test"
APP_PASSWORD_SHOWN = re.compile(r"[A-Za-z0-9]{4}( [A-Za-z0-9]{4}){5}")
ROLES = {"administrator", "editor", "author", "contributor", "subscriber"}


@dataclasses.dataclass
class Result:
    args: tuple
    returncode: int
    stdout: str
    stderr: str


def base_environment():
    env = {name: value for name, value in os.environ.items() if not name.startswith("WPCOMPAT_")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@dataclasses.dataclass
class Cli:
    """`wpcompat` pointed at one database, plus direct SQL on it as the owner."""

    engine: str
    owner_url: str
    cwd: pathlib.Path
    settings_env: dict            # the WPCOMPAT_* variables the command gets
    sqlite_path: pathlib.Path = None

    @property
    def postgres(self):
        return self.engine == "postgres"

    def run(self, *args, env=None, timeout=60, command=COMMAND):
        """Run `wpcompat ARGS` (extra WPCOMPAT_* variables in `env`); kill it and fail if it hangs."""
        full_env = {**base_environment(), **self.settings_env, **(env or {})}
        process = subprocess.Popen([*command, *args], env=full_env, cwd=self.cwd, text=True, encoding="utf-8",
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)       # the command and any gunicorn workers it forked
            process.communicate()
            pytest.fail(f"wpcompat {' '.join(args)} still running after {timeout} s")
        return Result(args, process.returncode, stdout, stderr)

    def ok(self, *args, **kwargs):
        """Run a command that must succeed quietly on stderr; its stdout."""
        result = self.run(*args, **kwargs)
        assert result.returncode == 0, f"wpcompat {' '.join(args)} failed: {result.stderr}"
        assert result.stderr == ""
        return result.stdout

    def fails(self, *args, **kwargs):
        """Run a command that must exit 2 with exactly one line on stderr and nothing on stdout; the line."""
        result = self.run(*args, **kwargs)
        return usage_error(result)

    def query(self, sql, *params):
        """Rows of `sql` (%s placeholders) run as the owner, who sees every tenant's rows."""
        if self.postgres:
            connection = psycopg2.connect(self.owner_url)
            try:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return cursor.fetchall()
            finally:
                connection.close()
        connection = sqlite3.connect(self.sqlite_path)
        try:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            connection.close()

    def tables(self):
        if self.postgres:
            return {row[0] for row in self.query(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")}
        return {row[0] for row in self.query("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def every_stored_value(self):
        """Every row of every table, as text."""
        if self.postgres:
            return "\n".join(row[0] for table in sorted(self.tables())
                             for row in self.query(f"SELECT t::text FROM {table} t"))
        return "\n".join(repr(row) for table in sorted(self.tables())
                         for row in self.query(f"SELECT * FROM {table}"))


def usage_error(result):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and result.stderr.endswith("\n"), f"not one line: {result.stderr!r}"
    return lines[0]


def sqlite_cli(tmp_path):
    path = tmp_path / "wpcompat.sqlite3"
    url = f"sqlite:///{path}"
    return Cli("sqlite", url, tmp_path, {"WPCOMPAT_DATABASE_URL": url}, sqlite_path=path)


@contextlib.contextmanager
def postgres_cli(tmp_path):
    name, role = create_postgres_database(prefix="wpcompat_cli")
    try:
        yield Cli("postgres", postgres_url(name), tmp_path,
                  {"WPCOMPAT_DATABASE_URL": postgres_url(name), "WPCOMPAT_APP_ROLE": role})
    finally:
        drop_postgres_database(name, role)


@pytest.fixture(params=["sqlite", "postgres"])
def cli(request, tmp_path):
    """`wpcompat` on an empty database: a new SQLite file, or a new PostgreSQL database and app role name."""
    if request.param == "sqlite":
        yield sqlite_cli(tmp_path)
        return
    with postgres_cli(tmp_path) as cli:
        yield cli


@pytest.fixture
def postgres_only(tmp_path):
    """For what only PostgreSQL has (roles, row-level security): `wpcompat` on a new, migrated database."""
    with postgres_cli(tmp_path) as cli:
        cli.ok("migrate")
        yield cli


@pytest.fixture
def sqlite_only(tmp_path):
    """For what does not depend on the engine: `wpcompat` on a SQLite file that does not exist yet."""
    return sqlite_cli(tmp_path)


@pytest.fixture
def migrated(cli):
    cli.ok("migrate")
    return cli


@pytest.fixture
def site(migrated):
    """A migrated database with tenant acme on two hosts."""
    migrated.ok("tenant", "create", SLUG, "--name", SITE_NAME, "--host", HOSTS[0], "--host", HOSTS[1])
    return migrated


@pytest.fixture
def user(site):
    """Tenant acme with the editor dra.ana."""
    site.ok("user", "create", LOGIN, "--tenant", SLUG, "--email", EMAIL, "--role", "editor")
    return site


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- migrate --------------------------------------------------------------------------------------

def test_migrate_applies_every_migration_then_says_up_to_date(cli):
    assert MIGRATIONS[:2] == ["0001_create_schema", "0002_isolate_tenants"]
    assert cli.ok("migrate") == ALL_APPLIED
    assert {"tenants", "tenant_hosts", "users", "app_passwords", "posts", "schema_migrations"} <= cli.tables()
    assert cli.ok("migrate") == "database is up to date\n"


def test_migrate_status_lists_pending_then_applied_migrations(cli):
    pending = cli.ok("migrate", "--status").splitlines()
    assert [line.split() for line in pending] == [[name[:4], "pending", name] for name in MIGRATIONS]
    assert "posts" not in cli.tables()          # --status changes nothing

    cli.ok("migrate")
    applied = cli.ok("migrate", "--status").splitlines()
    assert len(applied) == len(MIGRATIONS)
    for line, name in zip(applied, MIGRATIONS):
        assert re.fullmatch(rf"{name[:4]}  applied \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d.*  {name}", line), line


def test_migrate_to_0000_rolls_everything_back_and_migrate_reapplies_it(migrated):
    assert migrated.ok("migrate", "--to", "0000") == "".join(f"rolled back {name}\n"
                                                             for name in reversed(MIGRATIONS))
    assert migrated.tables() <= {"schema_migrations"}
    assert "applied" not in migrated.ok("migrate", "--status")
    assert migrated.ok("migrate", "--to", "0000") == "nothing to roll back\n"

    assert migrated.ok("migrate") == ALL_APPLIED
    # The re-created schema serves: tenant list runs as the app role (on PostgreSQL).
    migrated.ok("tenant", "create", SLUG, "--name", SITE_NAME, "--host", HOSTS[0])
    assert migrated.ok("tenant", "list").startswith(f"{SLUG}\t")


def test_migrate_to_0001_rolls_back_only_the_later_migrations(migrated):
    later = MIGRATIONS[1:]
    assert migrated.ok("migrate", "--to", "0001") == "".join(f"rolled back {name}\n" for name in reversed(later))
    status = [line.split()[1] for line in migrated.ok("migrate", "--status").splitlines()]
    assert status == ["applied"] + ["pending"] * len(later)
    assert migrated.ok("migrate") == "".join(f"applied {name}\n" for name in later)


def test_migrate_refuses_an_app_role_that_is_the_superuser_it_connects_as(tmp_path):
    # A throwaway superuser, never `postgres`: before this was refused, migrate ran ALTER ROLE ... NOSUPERUSER
    # on the role it connected as, which PostgreSQL < 16 allows even for the bootstrap superuser.
    superuser = f"wpcompat_cli_su_{uuid.uuid4().hex[:10]}"
    admin = _admin_connection()
    name = role = None
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {superuser} SUPERUSER LOGIN")
        name, role = create_postgres_database(prefix="wpcompat_cli")
        url = postgres_url(name, superuser)
        cli = Cli("postgres", url, tmp_path, {"WPCOMPAT_DATABASE_URL": url, "WPCOMPAT_APP_ROLE": superuser})
        result = cli.run("migrate")
        with admin.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (superuser,))
            still_superuser = cursor.fetchone()[0]
        assert still_superuser, "`wpcompat migrate` took the superuser attribute away from the role it runs as"
        assert "WPCOMPAT_APP_ROLE" in usage_error(result)
    finally:
        if name:
            drop_postgres_database(name, role)
        with admin.cursor() as cursor:
            cursor.execute(f"DROP ROLE IF EXISTS {superuser}")
        admin.close()


# --- tenants -------------------------------------------------------------------------------------

def test_tenant_create_then_list_shows_slug_name_and_both_hosts(migrated):
    created = migrated.ok("tenant", "create", SLUG, "--name", SITE_NAME, "--host", HOSTS[1], "--host", HOSTS[0])
    assert re.fullmatch(rf"created tenant {SLUG} \([0-9a-f-]{{36}}\) for {HOSTS[1]}, {HOSTS[0]}\n", created)
    assert migrated.ok("tenant", "list") == f"{SLUG}\t{SITE_NAME}\t{HOSTS[0]},{HOSTS[1]}\n"


def test_tenant_list_on_an_empty_database_prints_nothing(migrated):
    assert migrated.ok("tenant", "list") == ""


def test_tenant_create_refuses_a_taken_slug_or_host_and_creates_nothing(site):
    before = site.ok("tenant", "list")

    line = site.fails("tenant", "create", SLUG, "--name", "Another", "--host", "another.test")
    assert line == f"wpcompat: a tenant with slug '{SLUG}' already exists"

    line = site.fails("tenant", "create", "other", "--name", "Other", "--host", "other.test",
                      "--host", HOSTS[0].upper())
    assert line == f"wpcompat: host '{HOSTS[0]}' already belongs to another tenant"

    assert site.ok("tenant", "list") == before                 # neither 'other' nor other.test exists
    site.ok("tenant", "create", "other", "--name", "Other", "--host", "other.test")


# --- users -----------------------------------------------------------------------------------------

def test_user_create_with_password_and_validated_professional_registry(site):
    out = site.ok("user", "create", LOGIN, "--tenant", SLUG, "--email", EMAIL, "--role", "editor",
                  "--password", "correct horse battery", "--professional-registry", "CRM/SP 1",
                  "--professional-type", "medico", "--validated")
    assert out == f"created user {LOGIN} (id 1, editor) in {SLUG}\n"
    [(role, email, registry, kind, validated_at, password_hash, tenant)] = site.query(
        "SELECT u.role, u.email, u.professional_registry, u.professional_type, u.validated_at, "
        "u.password_hash, t.slug FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.login = %s", LOGIN)
    assert (role, email, registry, kind, tenant) == ("editor", EMAIL, "CRM/SP 1", "medico", SLUG)
    assert validated_at is not None
    assert password_hash.startswith("$argon2id$") and "correct horse" not in password_hash


def test_user_created_without_password_has_no_usable_password(site):
    out = site.ok("user", "create", "recepcao", "--tenant", SLUG, "--email", "r@acme.clinic.test",
                  "--role", "subscriber")
    assert out == f"created user recepcao (id 1, subscriber) in {SLUG}\n"
    assert site.query("SELECT password_hash, validated_at FROM users WHERE login = %s", "recepcao") == [("!", None)]


def test_user_create_refuses_a_taken_login_an_unknown_tenant_and_an_unknown_role(user):
    line = user.fails("user", "create", LOGIN, "--tenant", SLUG, "--email", "other@acme.clinic.test",
                      "--role", "author")
    assert line == f"wpcompat: a user with login '{LOGIN}' already exists in this site"

    line = user.fails("user", "create", "bob", "--tenant", "nowhere", "--email", "bob@x.test", "--role", "author")
    assert line.startswith("wpcompat: no tenant with slug 'nowhere'")

    line = user.fails("user", "create", "bob", "--tenant", SLUG, "--email", "bob@x.test", "--role", "king")
    assert line.startswith("wpcompat user create: argument --role: invalid choice: 'king'")

    assert user.query("SELECT login FROM users") == [(LOGIN,)]


# --- application passwords ------------------------------------------------------------------------

def test_app_password_create_prints_only_the_password_in_groups_of_four(user):
    out = user.ok("app-password", "create", LOGIN, "--tenant", SLUG, "--name", "Mobile app")
    assert APP_PASSWORD_SHOWN.fullmatch(out.rstrip("\n")), out
    assert out.endswith("\n") and out.count("\n") == 1


def test_app_password_is_stored_only_as_a_hash(user):
    shown = user.ok("app-password", "create", LOGIN, "--tenant", SLUG, "--name", "Mobile app").strip()
    plain = shown.replace(" ", "")
    [(name, password_hash)] = user.query(
        "SELECT a.name, a.password_hash FROM app_passwords a JOIN users u ON u.id = a.user_id "
        "WHERE u.login = %s", LOGIN)
    assert name == "Mobile app"
    assert password_hash.startswith("$generic$")
    stored = user.every_stored_value()
    assert plain not in stored and shown not in stored
    if user.sqlite_path:                         # not in the file either, nor its write-ahead log
        for path in user.sqlite_path.parent.glob(user.sqlite_path.name + "*"):
            raw = path.read_bytes()
            assert plain.encode() not in raw and shown.encode() not in raw


def test_app_password_for_an_unknown_login_or_tenant_is_refused(user):
    line = user.fails("app-password", "create", "nobody", "--tenant", SLUG, "--name", "X")
    assert line == f"wpcompat: no user 'nobody' in tenant {SLUG}"
    assert user.fails("app-password", "create", LOGIN, "--tenant", "nowhere").startswith(
        "wpcompat: no tenant with slug 'nowhere'")
    assert user.query("SELECT count(*) FROM app_passwords") == [(0,)]


def test_new_app_password_signs_in_to_the_rest_api_of_its_own_site_only(user):
    password = user.ok("app-password", "create", LOGIN, "--tenant", SLUG, "--name", "Mobile app").strip()
    user.ok("tenant", "create", "other", "--name", "Other Clinic", "--host", "other.clinic.test")

    previous = db_module.db.obj
    app = create_app(load_settings(user.settings_env))
    database = db_module.db.obj
    try:
        client = testing.TestClient(app)

        def get_index(host, login, secret):
            return client.simulate_get("/wp-json/", host=host, headers={"Authorization": basic_auth(login, secret)})

        signed_in = get_index(HOSTS[1], LOGIN, password)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json["name"] == SITE_NAME
        assert get_index(HOSTS[0], LOGIN, password.replace(" ", "")).status_code == 200

        wrong = get_index(HOSTS[0], LOGIN, "abcd" * 6)
        assert wrong.status_code == 401
        assert wrong.json["code"] == "incorrect_password"

        elsewhere = get_index("other.clinic.test", LOGIN, password)
        assert elsewhere.status_code == 401
        assert elsewhere.json["code"] == "invalid_username"
    finally:
        if hasattr(database, "close_all"):
            database.close_all()
        else:
            database.close()
        if previous is not None:
            db_module.bind(previous)


# --- demo ------------------------------------------------------------------------------------------

def test_demo_loads_a_site_with_every_role_status_and_compliance_level_once(migrated):
    out = migrated.ok("demo")
    assert "5 users" in out and "10 posts" in out

    assert migrated.ok("demo") == "demo site 'demo' is already loaded\n"

    def values(column, table, where=""):
        return {row[0] for row in migrated.query(
            f"SELECT DISTINCT x.{column} FROM {table} x JOIN tenants t ON t.id = x.tenant_id "
            f"WHERE t.slug = 'demo' {where}")}

    assert values("role", "users") == ROLES
    assert values("status", "posts", "AND x.post_type = 'post'") == {
        "publish", "draft", "pending", "private", "future", "trash"}
    assert values("compliance_level", "posts", "AND x.post_type = 'post'") == {
        "public", "professional", "restricted", "phi"}
    assert migrated.query("SELECT count(*) FROM users") == [(5,)]        # the second run added nothing
    assert migrated.ok("tenant", "list") == "demo\tClínica Demo\t127.0.0.1,demo.wpcompat.test,localhost\n"


def test_demo_that_failed_is_loaded_by_the_next_run(postgres_only):
    cli = postgres_only
    assert "'postgres' is a superuser" in cli.fails("demo", env={"WPCOMPAT_APP_ROLE": "postgres"})
    assert "5 users" in cli.ok("demo")
    assert cli.query("SELECT count(*) FROM users") == [(5,)]
    assert cli.query("SELECT count(*) FROM tenants") == [(1,)]


# --- serve -----------------------------------------------------------------------------------------

def test_serve_refuses_a_database_that_is_not_migrated(cli):
    line = cli.fails("serve", "--bind", f"127.0.0.1:{free_port()}", timeout=30)
    assert line.startswith("wpcompat: ") and "run `wpcompat migrate`" in line


def test_serve_refuses_a_database_with_pending_migrations(migrated):
    migrated.ok("migrate", "--to", "0001")
    line = migrated.fails("serve", "--bind", f"127.0.0.1:{free_port()}", timeout=30)
    assert line.startswith("wpcompat: ") and "run `wpcompat migrate`" in line


def test_serve_refuses_to_run_as_a_superuser_app_role(postgres_only):
    line = postgres_only.fails("serve", "--bind", f"127.0.0.1:{free_port()}", env={"WPCOMPAT_APP_ROLE": "postgres"},
                               timeout=30)
    assert line.startswith("wpcompat: refusing to serve")
    assert "'postgres' is a superuser" in line


# --- wrong arguments and settings ---------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    ((), "wpcompat: the following arguments are required: command"),
    (("bogus",), "wpcompat: argument command: invalid choice: 'bogus'"),
    (("tenant", "create", SLUG, "--host", HOSTS[0]), "wpcompat tenant create: the following arguments "
                                                     "are required: --name"),
    (("tenant",), "wpcompat tenant: the following arguments are required: action"),
    (("serve", "--workers", "many"), "wpcompat serve: argument --workers: invalid int value: 'many'"),
])
def test_wrong_arguments_exit_2_with_one_line_and_touch_no_database(sqlite_only, args, expected):
    line = sqlite_only.fails(*args)
    assert line.startswith(expected) and line.endswith("(see --help)")
    assert not sqlite_only.sqlite_path.exists()


@pytest.mark.parametrize("args", [
    ("migrate",), ("tenant", "create"), ("tenant", "list"), ("user", "create"), ("app-password", "create"),
    ("demo",), ("serve",), (),
])
def test_help_of_each_command_prints_its_usage(sqlite_only, args):
    result = sqlite_only.run(*args, "--help")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith(f"usage: {' '.join(('wpcompat',) + args)} ")
    assert not sqlite_only.sqlite_path.exists()


def test_python_m_wpcompat_cli_is_the_same_command(sqlite_only):
    assert sqlite_only.ok("migrate", command=PYTHON_M) == ALL_APPLIED
    assert sqlite_only.ok("migrate", "--status").count("applied") == len(MIGRATIONS)
    assert sqlite_only.ok("tenant", "create", SLUG, "--name", SITE_NAME, "--host", HOSTS[0], command=PYTHON_M)
    line = usage_error(sqlite_only.run("tenant", "create", SLUG, "--name", SITE_NAME, "--host", "x.test",
                                       command=PYTHON_M))
    assert line == f"wpcompat: a tenant with slug '{SLUG}' already exists"


def test_python_m_serve_refuses_an_unmigrated_database(sqlite_only):
    result = sqlite_only.run("serve", "--bind", f"127.0.0.1:{free_port()}", command=PYTHON_M, timeout=30)
    assert "run `wpcompat migrate`" in usage_error(result)


@pytest.mark.parametrize("variable, value", [
    ("WPCOMPAT_POOL_SIZE", "abc"),
    ("WPCOMPAT_DATABASE_URL", "mysql://x/y"),
    ("WPCOMPAT_LOG_LEVEL", "LOUD"),
])
def test_invalid_settings_stop_migrate_with_one_line_naming_the_variable(sqlite_only, variable, value):
    line = sqlite_only.fails("migrate", env={variable: value})
    assert line.startswith(f"wpcompat: {variable} ")
    assert not sqlite_only.sqlite_path.exists()
