"""Compile a hot peewee query to SQL once per worker, then run it with new values.

Building the SQL of a query with joins costs peewee about a millisecond; the hot read
paths (a post by id, the terms of a page of posts) have a fixed shape, so they are
built once with marker values and afterwards only their parameters change. The
tenant is one of the parameters: the compiled SQL is exactly what the model layer
would have produced, tenant filter included.
"""

import datetime
import itertools
import threading
import uuid
import weakref

import peewee

from wpcompat.db import current_tenant, db, is_postgres

MARKER_TENANT = uuid.UUID("00000000-0000-4000-8000-00000000beef")


class CompiledQuery:
    def __init__(self, build, **markers):
        """build(**markers) → a peewee query; markers: {name: a value no real call uses}."""
        self.build = build
        self.markers = markers
        self._compiled = {}
        self._plans = {}                       # key → how rows become model instances (False: peewee's way)
        self._list_markers = {}                # (name, length) → the markers of a list value of that length
        self._lock = threading.Lock()

    def _compile(self, key, shape):
        token = current_tenant.set(MARKER_TENANT)
        try:
            query = self.build(**shape)
            sql, params = query.sql()
        finally:
            current_tenant.reset(token)
        positions = []
        for index, value in enumerate(params):      # where each marker landed among the parameters
            if value == str(MARKER_TENANT):
                positions.append((index, "__tenant__", None))
                continue
            for name, marker in shape.items():
                if isinstance(marker, list):
                    converted = [_db_value(item) for item in marker]
                    if value in converted:
                        positions.append((index, name, converted.index(value)))
                        break
                elif value == _db_value(marker):
                    positions.append((index, name, None))
                    break
        expected = sum(len(marker) if isinstance(marker, list) else 1 for marker in shape.values())
        found = {(name, item) for _index, name, item in positions if name != "__tenant__"}
        if len(found) != expected or not any(name == "__tenant__" for _i, name, _it in positions):
            raise RuntimeError(f"compiled query lost a parameter: {sql}")   # never run a half-bound query
        compiled = (query, sql, list(params), positions)
        with self._lock:
            _NAMES[key] = f"wpcompat_q{next(_NUMBERS)}"
            self._compiled[key] = compiled
        return compiled

    def rows(self, **values):
        """Model instances (with the query's extra columns as attributes) for these values."""
        shape_key = tuple((name, len(value) if isinstance(value, list) else None)
                          for name, value in sorted(values.items()))
        key = (id(self), type(db.obj), shape_key)      # SQL differs per engine ('?' vs '%s', quoting)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(key, {name: self._marker_for(name, value) for name, value in values.items()})
        query, sql, params, positions = compiled
        params = list(params)
        tenant = current_tenant.get()
        if tenant is None:
            return []
        for index, name, item in positions:
            if name == "__tenant__":
                params[index] = str(tenant)
            elif item is None:
                params[index] = _db_value(values[name])
            else:
                params[index] = _db_value(values[name][item])
        cursor = _execute(key, sql, params)
        wrapper = query._get_cursor_wrapper(cursor)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _hydration_plan(wrapper, cursor)
        if plan is False:
            return list(wrapper)
        if plan[0] is tuple:
            return _tuples(plan[1], cursor.fetchall())
        return _hydrate(plan, cursor.fetchall())

    def _marker_for(self, name, value):
        marker = self.markers[name]
        if isinstance(value, list):
            key = (name, len(value))
            markers = self._list_markers.get(key)
            if markers is None:
                markers = self._list_markers[key] = [_list_marker(marker, index) for index in range(len(value))]
            return markers
        return marker


def as_given(ids, texts=None):
    """text of a uuid → the uuid among `ids` (the caller's own object). Queries answering "which of
    these posts" select the id as text: the ids are known already, making a UUID object of each
    row's (as the driver does for a uuid column) costs more than the rest of the row."""
    known = dict(zip(texts, ids)) if texts is not None else {str(value): value for value in ids}
    return lambda text: known.get(text) or uuid.UUID(text)


def _list_marker(marker, index):
    if isinstance(marker, int):
        return marker - index
    if isinstance(marker, uuid.UUID):
        return uuid.UUID(int=marker.int + index)
    return f"{marker}{index}"


def _db_value(value):
    return str(value) if isinstance(value, uuid.UUID) else value


# On PostgreSQL a compiled query is also a prepared statement of each connection: planning a
# page of posts (four tables, each with its RLS policy) costs the server several times what
# running it does, and the SQL never changes. PREPARE travels with the first EXECUTE (one round
# trip); a prepared statement outlives a rolled-back transaction, and a connection where a
# PREPARE failed goes back to plain SQL. Plans stay per role: serving always runs as the app role.
_NAMES = {}                                    # compiled key → prepared statement name
_NUMBERS = itertools.count(1)
_PREPARED = weakref.WeakKeyDictionary()        # psycopg2 connection → names prepared there (None: never)


def execute_prepared(shape, build_sql, params, prefix=None, database=None):
    """Hand-written SQL, made once per `shape` by build_sql(placeholder) and run with `params`: on
    PostgreSQL as a prepared statement, like a compiled query. The SQL must filter on the tenant itself.
    prefix: (sql, params) of statements sent before it in the same round trip; database: another
    handle than the bound one."""
    database = database if database is not None else db.obj
    key = ("sql", shape, type(database))
    sql = _SQL.get(key)
    if sql is None:
        sql = build_sql(database.param)
        with _SQL_LOCK:
            _NAMES[key] = f"wpcompat_q{next(_NUMBERS)}"
            _SQL[key] = sql
    return _execute(key, sql, params, prefix, database)


_SQL = {}
_SQL_LOCK = threading.Lock()


def _outside_int4(value):
    """A prepared statement types its parameters from the columns (integer): an id such as 2**40,
    which WordPress answers with a 404, would fail there; as plain SQL it compares and finds nothing."""
    return isinstance(value, int) and not -2**31 <= value < 2**31


def _execute(key, sql, params, prefix=None, database=None):
    database = database if database is not None else db.obj
    head, head_params = (prefix[0] + "; ", tuple(prefix[1])) if prefix else ("", ())
    name = _NAMES.get(key)
    if (name is None or not is_postgres(database) or "%%" in sql or sql.count("%s") != len(params)
            or any(_outside_int4(value) for value in params)):
        return database.execute_sql(head + sql, (*head_params, *params))
    connection = database.connection()
    prepared = _PREPARED.get(connection, ())
    if prepared is None:
        return database.execute_sql(head + sql, (*head_params, *params))
    run = f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
    if name in prepared:
        return database.execute_sql(head + run, (*head_params, *params))
    numbered = sql.split("%s")
    statement = numbered[0] + "".join(f"${index}{part}" for index, part in enumerate(numbered[1:], 1))
    try:
        cursor = database.execute_sql(f"{head}PREPARE {name} AS {statement}; {run}", (*head_params, *params))
    except Exception:
        _PREPARED[connection] = None           # unsure what this session holds now: plain SQL from here on
        raise
    _PREPARED.setdefault(connection, set()).add(name)
    return cursor


# Model instances, made faster than peewee makes them: peewee builds each one through
# __init__ and a setattr (a descriptor call) per column; a page of 100 posts of 40 columns
# is 4,000 of them. The plan, worked out once per compiled query from peewee's own column
# resolution, says which column lands in the instance's field data (`__data__`, as
# FieldAccessor and ForeignKeyAccessor store it) and which is an extra attribute (an
# alias such as author_wp_id); rows are converted by the same converters. Anything the
# plan does not understand (another accessor, a column a field does not own) keeps peewee's
# way for that query. Rows of `.tuples()` queries are converted the same way.
#
# A converter is not called for a value it would return unchanged: a column's plan carries
# the exact types its field's python_value passes through (a str for a CharField, a UUID
# for a UUIDField, None for all of them), known from peewee's and our field code below;
# a field this table does not know is converted every time.

def _hydration_plan(wrapper, cursor):
    if type(wrapper) is peewee.ModelTupleCursorWrapper:
        wrapper.cursor = cursor
        wrapper.initialize()
        return tuple, tuple(_column(converter) for converter in wrapper.converters)
    if not isinstance(wrapper, peewee.ModelObjectCursorWrapper) or not wrapper.is_model:
        return False
    wrapper.cursor = cursor
    wrapper.initialize()
    model = wrapper.constructor
    fields, extras = [], []
    for index, name in enumerate(wrapper.unique_columns):
        converter = wrapper.converters[index]
        accessor = _static_attribute(model, name)
        if accessor is None:
            extras.append((index, name, converter))
        elif type(accessor) in (peewee.FieldAccessor, peewee.ForeignKeyAccessor) and accessor.name == name:
            fields.append((index, name, *_column(converter)))
        else:
            return False
    return model, tuple(fields), tuple(extras)


def _identity(value):
    return value


_NONE = type(None)
_RAW = frozenset((_NONE, str, int, float, bool, uuid.UUID, datetime.datetime, dict, list))


def _column(converter):
    """(converter, exact types it returns unchanged) — a column without converter: (_identity, common types)."""
    if converter is None:
        return _identity, _RAW
    return converter, _passthrough(converter)


def _passthrough(converter):
    from wpcompat.models.base import JSONField, UUIDField

    field, function = getattr(converter, "__self__", None), getattr(converter, "__func__", None)
    if not isinstance(field, peewee.Field) or function is None:
        return frozenset()
    if function is peewee.ForeignKeyField.python_value:
        return _passthrough(field.rel_field.python_value)
    if function is UUIDField.python_value:
        return frozenset((_NONE, uuid.UUID))
    if function is JSONField.python_value:
        return frozenset((_NONE, dict, list))
    if function is not peewee.Field.python_value:       # value if value is None else self.adapt(value)
        return frozenset()
    adapt = getattr(type(field).adapt, "__func__", type(field).adapt)
    kept = {peewee.IntegerField.adapt: int, peewee.FloatField.adapt: float, peewee._StringField.adapt: str,
            peewee.DateTimeField.adapt: datetime.datetime, bool: bool}.get(adapt)
    return frozenset((_NONE, kept)) if kept is not None else frozenset((_NONE,))


def _static_attribute(model, name):
    for klass in model.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def _hydrate(plan, rows):
    model, fields, extras = plan
    new = model.__new__
    made = []
    for row in rows:
        obj = new(model)
        obj.__data__ = {name: value if (value := row[index]).__class__ in kept else convert(value)
                        for index, name, convert, kept in fields}
        obj._dirty = set()
        obj.__rel__ = {}
        for index, name, convert in extras:
            obj.__dict__[name] = row[index] if convert is None else convert(row[index])
        made.append(obj)
    return made


def _tuples(columns, rows):
    return [tuple([value if (value := row[index]).__class__ in kept else convert(value)
                   for index, (convert, kept) in enumerate(columns)]) for row in rows]
