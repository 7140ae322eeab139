"""Multi-row inserts without peewee's per-row SQL building: one statement text, many parameter rows.

peewee's insert_many builds the SQL in Python for every row (most of an import's time);
here the column list is fixed per model, values go through each field's db_value, and the
rows are sent with executemany (SQLite) or psycopg2's execute_values (PostgreSQL). The
tenant is the current one (as TenantModel.insert_many does), so RLS's WITH CHECK still holds.
"""

from wpcompat.db import current_tenant, db, is_postgres


def insert(model, rows):
    if not rows:
        return
    tenant = current_tenant.get()
    if tenant is None:
        raise PermissionError(f"no tenant set: cannot write {model._meta.table_name}")
    fields = [field for field in model._meta.sorted_fields]
    names = [field.name for field in fields]
    defaults = {}
    for field in fields:
        if field.default is not None:
            defaults[field.name] = field.default
    params = []
    for row in rows:
        values = []
        for field, name in zip(fields, names):
            if name == "tenant_id":
                value = tenant
            elif name in row:
                value = row[name]
            elif name in defaults:
                default = defaults[name]
                value = default() if callable(default) else default
            else:
                value = None
            if hasattr(value, "id") and not isinstance(value, (str, bytes)) and hasattr(value, "_meta"):
                value = value.id
            values.append(field.db_value(value))
        params.append(values)
    columns = ", ".join(field.column_name for field in fields)
    target = db.obj if hasattr(db, "obj") else db
    table = model._meta.table_name
    if is_postgres(target):
        from psycopg2.extras import execute_values

        cursor = target.cursor()
        execute_values(cursor, f"INSERT INTO {table} ({columns}) VALUES %s", params, page_size=500)
    else:
        placeholders = ", ".join(["?"] * len(fields))
        target.cursor().executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", params)


def set_where_null(model, field, pairs):
    """UPDATE model SET field = value WHERE id = row AND field IS NULL, for many (row, value) pairs at once
    (psycopg2's execute_batch on PostgreSQL, executemany on SQLite; scoped to the current tenant)."""
    if not pairs:
        return
    tenant = current_tenant.get()
    if tenant is None:
        raise PermissionError(f"no tenant set: cannot write {model._meta.table_name}")
    target = db.obj if hasattr(db, "obj") else db
    column = field.column_name
    id_field = model._meta.primary_key
    params = [(field.db_value(value), id_field.db_value(row), model.tenant_id.db_value(tenant))
              for row, value in pairs]
    if is_postgres(target):
        from psycopg2.extras import execute_batch

        sql = (f"UPDATE {model._meta.table_name} SET {column} = %s "
               f"WHERE id = %s AND tenant_id = %s AND {column} IS NULL")
        execute_batch(target.cursor(), sql, params, page_size=500)
    else:
        sql = (f"UPDATE {model._meta.table_name} SET {column} = ? "
               f"WHERE id = ? AND tenant_id = ? AND {column} IS NULL")
        target.cursor().executemany(sql, params)
