"""Indexes for searches by part of a text on PostgreSQL.

Django's `icontains` runs there as `UPPER(column::text) LIKE UPPER('%…%')`, which no b-tree
serves: without help every search reads the whole table (a mailing search over 100,000
mailings: 200 ms). A `pg_trgm` GIN index on that very expression lets PostgreSQL find the rows
holding the text's trigrams, and an OR of such searches becomes an OR of index scans, so long
as every term has an index. SQLite gets none of these: its LIKE reads the table, quickly enough
at these sizes (the dialer's board, searched on millions of contacts, has its own FTS5 index).

Used by migrations: `trigram_indexes("contacts_mailing", ["message_name", "audience"])`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import migrations


def trigram_indexes(
    table: str, columns: Sequence[str], *, plain: Sequence[str] = ()
) -> migrations.RunPython:
    """A migration operation that, on PostgreSQL only, indexes `table`'s `columns` for
    `icontains` and its `plain` columns for equality (an exact term in the same OR)."""
    create = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
    create += [
        f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} "
        f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        for column in columns
    ]
    create += [f"CREATE INDEX IF NOT EXISTS {table}_{c}_eq ON {table} ({c})" for c in plain]
    drop = [f"DROP INDEX IF EXISTS {table}_{c}_trgm" for c in columns]
    drop += [f"DROP INDEX IF EXISTS {table}_{c}_eq" for c in plain]

    def run(statements: list[str]):
        def on_postgresql(apps, schema_editor) -> None:
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return on_postgresql

    return migrations.RunPython(run(create), run(drop))
