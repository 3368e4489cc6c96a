"""An index for the board's search by part of a name, an e-mail or an external id, so that it
does not read every contact of a campaign (a LIKE '%…%' grows with the campaign).

- SQLite: an FTS5 table with the trigram tokenizer, holding each contact's campaign (as the token
  `c<id>c`), name, e-mail and external id, kept by triggers.
- PostgreSQL: pg_trgm GIN indexes on the upper-cased columns, which Django's `icontains` reads.
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE dialer_contact_search USING fts5(
        campaign, name, email, external_unique_id, content='', tokenize='trigram'
    )""",
    """CREATE TRIGGER dialer_contact_search_insert AFTER INSERT ON dialer_dialercontact BEGIN
        INSERT INTO dialer_contact_search (rowid, campaign, name, email, external_unique_id)
        VALUES (new.id, 'c' || new.campaign_id || 'c', new.name, new.email,
                new.external_unique_id);
    END""",
    """CREATE TRIGGER dialer_contact_search_delete AFTER DELETE ON dialer_dialercontact BEGIN
        INSERT INTO dialer_contact_search
            (dialer_contact_search, rowid, campaign, name, email, external_unique_id)
        VALUES ('delete', old.id, 'c' || old.campaign_id || 'c', old.name, old.email,
                old.external_unique_id);
    END""",
    # Only when a searched column really changed: a sync rewrites every column of a contact
    # whose status moved, and the index need not follow.
    """CREATE TRIGGER dialer_contact_search_update
    AFTER UPDATE OF campaign_id, name, email, external_unique_id ON dialer_dialercontact
    WHEN old.campaign_id IS NOT new.campaign_id OR old.name IS NOT new.name
        OR old.email IS NOT new.email OR old.external_unique_id IS NOT new.external_unique_id
    BEGIN
        INSERT INTO dialer_contact_search
            (dialer_contact_search, rowid, campaign, name, email, external_unique_id)
        VALUES ('delete', old.id, 'c' || old.campaign_id || 'c', old.name, old.email,
                old.external_unique_id);
        INSERT INTO dialer_contact_search (rowid, campaign, name, email, external_unique_id)
        VALUES (new.id, 'c' || new.campaign_id || 'c', new.name, new.email,
                new.external_unique_id);
    END""",
    """INSERT INTO dialer_contact_search (rowid, campaign, name, email, external_unique_id)
    SELECT id, 'c' || campaign_id || 'c', name, email, external_unique_id
    FROM dialer_dialercontact""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS dialer_contact_search_update",
    "DROP TRIGGER IF EXISTS dialer_contact_search_delete",
    "DROP TRIGGER IF EXISTS dialer_contact_search_insert",
    "DROP TABLE IF EXISTS dialer_contact_search",
]
COLUMNS = ("name", "email", "external_unique_id")
POSTGRESQL = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
    f"CREATE INDEX IF NOT EXISTS dialer_contact_{column}_trgm ON dialer_dialercontact "
    f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
    for column in COLUMNS
]
POSTGRESQL_REVERSE = [f"DROP INDEX IF EXISTS dialer_contact_{column}_trgm" for column in COLUMNS]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("dialer", "0005_import_rows_one_index")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
