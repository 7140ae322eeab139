"""Bulk writes without peewee's per-row SQL building: rows → COPY (PostgreSQL) or executemany (SQLite).

peewee's insert_many builds the SQL in Python for every row (most of an import's time). Here
the column list is fixed per model and each column has a converter chosen once from its field
type; on PostgreSQL the rows go as COPY text (no statement text per row, no server-side parsing of
VALUES lists; see copy_rows), on SQLite through executemany. The tenant is the current one (as
TenantModel.insert_many does), so RLS's WITH CHECK still holds.
A refused row raises peewee's IntegrityError (or DatabaseError), as an ORM insert would.
"""

import contextlib
import contextvars
import datetime
import io
import uuid
import zlib

import peewee

from wpcompat.db import current_tenant, db, is_postgres
from wpcompat.models.base import JSONField, UUIDField

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escape(text):
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _text_of(value):
    """COPY text for a value that went through a field's db_value."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat(" ") if isinstance(value, datetime.datetime) else value.isoformat()
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    return _escape(str(value))


def _key_text(value):
    if value is None:
        return NULL
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "_meta"):                     # a model instance: its key
        value = value.id
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _char_text(value):
    if value is None:
        return NULL
    return _escape(value) if isinstance(value, str) else _escape(str(value))


def _int_text(value):
    if value is None:
        return NULL
    return str(int(value))


def _bool_text(value):
    if value is None:
        return NULL
    return "t" if value else "f"


def _datetime_text(value):
    if value is None:
        return NULL
    if isinstance(value, datetime.datetime):
        return value.isoformat(" ")
    return _text_of(value)


def _converter(field):
    """A function value → COPY text for this field (the field's db_value semantics)."""
    if isinstance(field, (UUIDField, peewee.ForeignKeyField)) and (
            not isinstance(field, peewee.ForeignKeyField) or isinstance(field.rel_field, UUIDField)):
        return _key_text
    if isinstance(field, JSONField):
        return lambda value: _char_text(field.db_value(value))
    if type(field) in (peewee.CharField, peewee.TextField):
        return _char_text
    if type(field) in (peewee.IntegerField, peewee.BigIntegerField, peewee.SmallIntegerField):
        return _int_text
    if type(field) is peewee.BooleanField:
        return _bool_text
    if type(field) is peewee.DateTimeField:
        return _datetime_text
    return lambda value: _text_of(field.db_value(value))


_PLANS = {}
_MISSING = object()
_NO_ESCAPE = '("\\\\" not in v and "\\t" not in v and "\\n" not in v and "\\r" not in v)'
_EXPRESSIONS = {           # COPY text of v (not None) per converter, inlined for the common types
    _key_text: "v.hex if v.__class__ is UUID else KEY(v)",          # uuid input takes the 32 digits alone
    _char_text: f"v if v.__class__ is str and {_NO_ESCAPE} else CHAR(v)",
    _int_text: "str(v) if v.__class__ is int else str(int(v))",
    _bool_text: "'t' if v else 'f'",
    _datetime_text: "v.isoformat(' ') if v.__class__ is DATETIME else DATETIME_TEXT(v)",
}
_REPEATED = (_key_text, _datetime_text)     # often the previous row's value (its post, importer.now)


def _formatter(model, fields, converters):
    """A function (rows, tenant text) → COPY text, generated once per model: one statement per column
    instead of a converter call per value (the rows of a large import go through it). A missing value's
    default is converted once (per batch for callables such as utcnow); a key or time that is the same
    object as the previous row's reuses its text."""
    names = {"M": _MISSING, "NULL": NULL, "UUID": uuid.UUID, "KEY": _key_text, "CHAR": _char_text,
             "DATETIME": datetime.datetime, "DATETIME_TEXT": _datetime_text}
    lines = ["def format_rows(rows, tenant_text):", "    out = []"]
    for index, (field, convert) in enumerate(zip(fields, converters)):
        names[f"F{index}"] = convert
        if callable(field.default) and field.default is not uuid.uuid4:      # one value for the whole batch
            names[f"D{index}"] = field.default
            lines.append(f"    t{index} = F{index}(D{index}())")
        elif field.default is not uuid.uuid4:
            names[f"t{index}"] = convert(field.default)
        if convert in _REPEATED:
            lines.append(f"    l{index} = s{index} = M")
    lines += ["    for row in rows:", "        get = row.get"]
    for index, (field, convert) in enumerate(zip(fields, converters)):
        if field.name == "tenant_id":
            lines.append(f"        c{index} = tenant_text")
            continue
        text = (f"NULL if v is None else ({_EXPRESSIONS[convert]})" if convert in _EXPRESSIONS
                else f"F{index}(v)")
        lines.append(f"        v = get({field.name!r}, M)")
        if field.default is uuid.uuid4:
            names[f"D{index}"] = field.default
            lines += [f"        if v is M: v = D{index}()", f"        c{index} = {text}"]
            continue
        lines.append(f"        if v is M: c{index} = t{index}")
        if convert in _REPEATED:
            lines += [f"        elif v is l{index}: c{index} = s{index}",
                      f"        else: c{index} = s{index} = {text}; l{index} = v"]
        else:
            lines.append(f"        else: c{index} = {text}")
    lines.append("        out.append('\\t'.join((" + ", ".join(f"c{index}" for index in range(len(fields))) + ",)))")
    lines.append("    out.append('')")
    lines.append("    return '\\n'.join(out)")
    exec(compile("\n".join(lines), f"<copy text of {model._meta.table_name}>", "exec"), names)   # noqa: S102
    return names["format_rows"]


def _plan(model, with_id=True):
    """(columns sql, row formatter, fields), built once per model (and per with/without the id column:
    rows that do not name their id leave it to the database's DEFAULT gen_random_uuid() on PostgreSQL)."""
    plan = _PLANS.get((model, with_id))
    if plan is None:
        fields = [field for field in model._meta.sorted_fields if with_id or field is not model._meta.primary_key]
        plan = (", ".join(field.column_name for field in fields),
                _formatter(model, fields, [_converter(field) for field in fields]), fields)
        _PLANS[(model, with_id)] = plan
    return plan


def copy_text(model, rows, tenant, with_id=True):
    """The rows as COPY text (one line each, tab-separated, in the model's column order)."""
    _columns, format_rows, _fields = _plan(model, with_id)
    return format_rows(rows, _key_text(tenant))


def copy_rows(table, columns, text):
    """Insert `text` (see copy_text) into table (columns): COPY into a staging table, then one INSERT.

    PostgreSQL refuses COPY FROM into a table with row-level security, so the rows are copied into
    a temporary table of the same columns (the session's own, emptied at commit: no RLS there, no
    indexes, no triggers) and moved with one INSERT … SELECT, which RLS's WITH CHECK, the
    constraints, indexes and triggers see as any INSERT. The move deletes from the staging table in
    the same statement, so it is empty again for the next batch (and a rolled-back savepoint takes
    its rows away with it). The staging table is created, if missing, in the COPY's round trip; inside
    `moved_together` the move waits for the block's end, where all its moves go in one round trip.
    """
    staging = f"wxr_staging_{table}_{zlib.crc32(columns.encode()):08x}"       # one per column list
    move = (f"WITH moved AS (DELETE FROM {staging} RETURNING {columns}) "
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM moved")
    with peewee.__exception_wrapper__:
        cursor = (db.obj if hasattr(db, "obj") else db).cursor()
        cursor.copy_expert(f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS "
                           f"SELECT {columns} FROM {table} WITH NO DATA; COPY {staging} ({columns}) FROM STDIN",
                           io.StringIO(text), size=1 << 18)
        pending = _pending_moves.get()
        if pending is None:
            cursor.execute(move)
        else:
            pending.append(move)


_pending_moves = contextvars.ContextVar("wxr_pending_moves", default=None)


@contextlib.contextmanager
def moved_together():
    """insert()s in this block (PostgreSQL) are moved from their staging tables at its end, in their order,
    in one round trip instead of one each (a row moved after its parent table's rows is inserted after
    them). A refusal is raised there; a block left by an exception moves nothing."""
    pending = []
    token = _pending_moves.set(pending)
    try:
        yield
    finally:
        _pending_moves.reset(token)
    if pending:
        with peewee.__exception_wrapper__:
            (db.obj if hasattr(db, "obj") else db).cursor().execute(";".join(pending))


def _writing_scope(model):
    """(the current tenant, the bound database) for a write to `model`; no tenant: refused."""
    tenant = current_tenant.get()
    if tenant is None:
        raise PermissionError(f"no tenant set: cannot write {model._meta.table_name}")
    return tenant, (db.obj if hasattr(db, "obj") else db)


def insert(model, rows):
    """Insert rows of `model` (dicts by field name; missing fields take their defaults) in the current tenant."""
    if not rows:
        return
    tenant, target = _writing_scope(model)
    if is_postgres(target):
        with_id = model._meta.primary_key.default is not uuid.uuid4 or any("id" in row for row in rows)
        columns, format_rows, _fields = _plan(model, with_id)
        copy_rows(model._meta.table_name, columns, format_rows(rows, _key_text(tenant)))
        return
    _columns, _format_rows, fields = _plan(model)
    params = []
    for row in rows:
        values = []
        for field in fields:
            name, default = field.name, field.default
            if name == "tenant_id":
                value = tenant
            elif name in row:
                value = row[name]
            elif default is not None:
                value = default() if callable(default) else default
            else:
                value = None
            if hasattr(value, "id") and not isinstance(value, (str, bytes)) and hasattr(value, "_meta"):
                value = value.id
            values.append(field.db_value(value))
        params.append(values)
    columns = ", ".join(field.column_name for field in fields)
    placeholders = ", ".join(["?"] * len(fields))
    with peewee.__exception_wrapper__:
        target.cursor().executemany(f"INSERT INTO {model._meta.table_name} ({columns}) VALUES ({placeholders})",
                                    params)


def set_where_null(model, field, pairs):
    """UPDATE model SET field = value WHERE id = row AND field IS NULL, for many (row, value) pairs at once,
    scoped to the current tenant; of several pairs for one row the first wins (as one by one would).

    PostgreSQL: one UPDATE … FROM (VALUES …) per chunk of 500 rows: statement-level triggers (post
    counts, content generations) run once per chunk, and the plan is a join whatever the table's
    statistics say (right after a bulk load they are stale, and a per-row UPDATE may then be planned
    as a scan of the tenant's rows: quadratic). SQLite: executemany."""
    if not pairs:
        return
    tenant, target = _writing_scope(model)
    column = field.column_name
    id_field = model._meta.primary_key
    first = {}
    for row, value in pairs:
        first.setdefault(row, value)
    params = [(id_field.db_value(row), field.db_value(value)) for row, value in first.items()]
    table = model._meta.table_name
    tenant_value = model.tenant_id.db_value(tenant)
    with peewee.__exception_wrapper__:
        if is_postgres(target):
            from psycopg2.extras import execute_values

            cursor = target.cursor()
            sql = (f"UPDATE {table} AS t SET {column} = v.value::uuid FROM (VALUES %s) AS v (id, value) "
                   f"WHERE t.id = v.id::uuid AND t.tenant_id = {cursor.mogrify('%s', (tenant_value,)).decode()} "
                   f"AND t.{column} IS NULL")                 # the columns written here are all uuid keys
            for start in range(0, len(params), 500):
                execute_values(cursor, sql, params[start:start + 500], page_size=500)
        else:
            sql = f"UPDATE {table} SET {column} = ? WHERE id = ? AND tenant_id = ? AND {column} IS NULL"
            target.cursor().executemany(sql, [(value, row, tenant_value) for row, value in params])


# Whether lookups with `probe` may probe value by value (set per batch by the importer: once the tenant has
# thousands of posts; below that, one scan of its rows is cheaper, and the planner may pick a scan per value).
probing = contextvars.ContextVar("wxr_probing", default=True)


def values_in(model, fields, key, wanted, probe=False):
    """[(values of `fields`)] of the current tenant's rows of `model` whose `key` is one of `wanted` (empty
    strings are not looked up): the SELECT … WHERE key IN (…) an import asks once per batch, without peewee
    building its SQL (for 500 values that costs milliseconds per query). PostgreSQL gets the values as
    one array parameter.

    `probe` (PostgreSQL; for keys with an index on (tenant_id, key), or on the key alone — partial on
    key <> '' for slugs): one index probe per value. Right after a bulk load the planner has no statistics
    (autovacuum may be off, and the app role may not ANALYZE): `key = ANY(500 values)` then looks no more
    selective than `tenant_id = …`, and may be planned as a scan of all the tenant's rows once per batch —
    quadratic in the size of the import. One value at a time (LATERAL, kept apart by OFFSET 0), the
    composite index is the cheaper plan once the table has a few thousand rows (before that the planner
    may still pick the tenant's index for each value: `probing` is off then)."""
    probe = probe and probing.get()
    text_key = isinstance(key, peewee.CharField)
    wanted = [value for value in wanted if not (text_key and value == "")]
    if not wanted:
        return []
    tenant = current_tenant.get()
    if tenant is None:
        return []
    target = db.obj if hasattr(db, "obj") else db
    table, column = model._meta.table_name, key.column_name
    columns = ", ".join(field.column_name for field in fields)
    tenant_value = model.tenant_id.db_value(tenant)
    keys = [key.db_value(value) for value in wanted]
    if is_postgres(target) and probe:
        nonempty = f" AND {column} <> ''" if text_key else ""
        sql = (f"SELECT {', '.join('t.' + field.column_name for field in fields)} FROM unnest(%s) AS w (k) "
               f"CROSS JOIN LATERAL (SELECT {columns} FROM {table} WHERE tenant_id = %s AND {column} = w.k"
               f"{nonempty} OFFSET 0) AS t")
        params = (keys, tenant_value)
    elif is_postgres(target):
        sql = f"SELECT {columns} FROM {table} WHERE tenant_id = %s AND {column} = ANY(%s)"
        params = (tenant_value, keys)
    else:
        sql = f"SELECT {columns} FROM {table} WHERE tenant_id = ? AND {column} IN ({', '.join(['?'] * len(keys))})"
        params = (tenant_value, *keys)
    with peewee.__exception_wrapper__:
        rows = target.execute_sql(sql, params).fetchall()
    converters = [field.python_value for field in fields]
    return [tuple(convert(value) for convert, value in zip(converters, row)) for row in rows]
