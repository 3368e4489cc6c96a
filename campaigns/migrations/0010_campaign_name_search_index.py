"""The campaign list's search (by part of the name, or the whole id) through a trigram index
on PostgreSQL: see dashboard/search_indexes.py. The id is the unique provider_id's b-tree."""

from django.db import migrations

from dashboard.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0009_campaign_provider_id")]

    operations = [trigram_indexes("campaigns_campaign", ["name"])]
