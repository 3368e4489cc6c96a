"""Writing many rows with one prepared statement each. Django's bulk_create compiles SQL for
every batch of ~90 rows (SQLite's parameter limit) and bulk_update builds a CASE expression
per field that makes a large update quadratic: 200,000 changed contacts took minutes. One
statement run with executemany does the same work in seconds. Values go through each field's
own conversion, as the ORM would do, except for the plain text and integer columns whose values
are already what the database takes (that conversion, per value, cost as much as the insert)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in names]


# Columns whose values Switchboard passes as the database stores them (str, int or None).
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "TextField",
}


def _prepared_rows(fields: list[models.Field], rows: Iterable[Sequence]) -> list:
    if all(f.get_internal_type() in _AS_IS for f in fields):
        return rows if isinstance(rows, list) else list(rows)
    return [
        [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
        for row in rows
    ]


def insert_many(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence]) -> None:
    """On PostgreSQL through COPY: executemany sends a statement a row there, and 100,000 rows
    cost most of an import's check."""
    fields = _fields(model, names)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    params = _prepared_rows(fields, rows)
    if not params:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in params:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", params)


def update_many(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence]) -> None:
    """`rows` are the new values in the order of `names`, then the primary key."""
    fields = _fields(model, names)
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    pk = quote(model._meta.pk.column)
    rows = list(rows)
    values = _prepared_rows(fields, [row[:-1] for row in rows])
    params = [[*new, row[-1]] for new, row in zip(values, rows, strict=True)]
    if not params:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {pk} = %s", params
        )
