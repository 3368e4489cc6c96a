"""The mailings page's search (by part of the message's name or of the audience) through
trigram indexes on PostgreSQL: see dashboard/search_indexes.py."""

from django.db import migrations

from dashboard.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("contacts", "0012_mailing_status_index_covers_mode")]

    operations = [trigram_indexes("contacts_mailing", ["message_name", "audience"])]
