"""Applies the numbered migrations in migrations/ in order, recording each in schema_migrations.

A migration is a module `NNNN_verb_noun.py` with `up(ctx)` and `down(ctx)`. Each
runs in its own transaction, as the schema owner; applying twice does nothing.
"""

import dataclasses
import importlib
import pkgutil
import re

import migrations as migrations_package
from wpcompat.db import is_postgres
from wpcompat.models.base import utcnow

MIGRATION_NAME = re.compile(r"^(\d{4})_(\w+)$")

POSTGRES_TYPES = {"UUID_PK": "UUID PRIMARY KEY DEFAULT gen_random_uuid()", "UUID": "UUID",
                  "JSONB": "JSONB", "TS": "TIMESTAMP", "BOOL": "BOOLEAN", "TRUE": "true",
                  "FALSE": "false"}
SQLITE_TYPES = {"UUID_PK": "TEXT PRIMARY KEY NOT NULL", "UUID": "TEXT", "JSONB": "TEXT",
                "TS": "DATETIME", "BOOL": "INTEGER", "TRUE": "1", "FALSE": "0"}

LEDGER_DDL = """CREATE TABLE IF NOT EXISTS schema_migrations (
  version VARCHAR(4) PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at {TS} NOT NULL)"""


class MigrationRefused(Exception):
    """A migration will not run as configured; str() is one line saying why. Nothing was applied."""


@dataclasses.dataclass(frozen=True)
class Migration:
    version: str
    name: str
    module: object


@dataclasses.dataclass
class MigrationContext:
    """What a migration's up/down receives."""

    database: object
    app_role: str
    app_role_password: str = ""

    @property
    def postgres(self):
        return is_postgres(self.database)

    @property
    def schema(self):
        return "public" if not self.postgres else self.database.execute_sql(
            "SELECT current_schema()").fetchone()[0]

    def ddl(self, template):
        return template.format(**(POSTGRES_TYPES if self.postgres else SQLITE_TYPES))

    def execute(self, sql, params=None):
        if params is None and self.postgres:   # psycopg2 reads every % as a placeholder
            sql = sql.replace("%", "%%")
        return self.database.execute_sql(sql, params)


def discover():
    """Every migration in migrations/, in version order."""
    found = []
    for info in pkgutil.iter_modules(migrations_package.__path__):
        match = MIGRATION_NAME.match(info.name)
        if match:
            module = importlib.import_module(f"migrations.{info.name}")
            found.append(Migration(match.group(1), info.name, module))
    return sorted(found, key=lambda migration: migration.version)


class Migrator:
    def __init__(self, database, app_role="wpcompat_app", app_role_password=""):
        self.database = database
        self.context = MigrationContext(database, app_role, app_role_password)

    def _ensure_ledger(self):
        with self.database.atomic():
            self.database.execute_sql(self.context.ddl(LEDGER_DDL))

    def _execute(self, sql, params):
        return self.database.execute_sql(sql.format(p=self.database.param), params)

    def applied(self):
        self._ensure_ledger()
        rows = self.database.execute_sql("SELECT version, applied_at FROM schema_migrations").fetchall()
        return {version: applied_at for version, applied_at in rows}

    def status(self):
        """[(version, name, applied_at or None)] for every known migration."""
        applied = self.applied()
        return [(m.version, m.name, applied.get(m.version)) for m in discover()]

    def migrate(self):
        """Apply what is pending; return the names applied (empty when up to date)."""
        applied = self.applied()
        done = []
        for migration in discover():
            if migration.version in applied:
                continue
            with self.database.atomic():
                migration.module.up(self.context)
                self._execute("INSERT INTO schema_migrations (version, name, applied_at) "
                              "VALUES ({p}, {p}, {p})", (migration.version, migration.name, utcnow()))
            done.append(migration.name)
        return done

    def rollback(self, to_version="0000"):
        """Run the down step of every applied migration newer than `to_version`, newest first."""
        applied = self.applied()
        undone = []
        for migration in reversed(discover()):
            if migration.version <= to_version or migration.version not in applied:
                continue
            with self.database.atomic():
                migration.module.down(self.context)
                self._execute("DELETE FROM schema_migrations WHERE version = {p}", (migration.version,))
            undone.append(migration.name)
        return undone
