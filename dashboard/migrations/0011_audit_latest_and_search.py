"""The audit log read in its own order through an index (a page of it read every event to
sort them: 52 ms over 50,000 events on PostgreSQL), and its search (by part of the user's
name, the object, the action or the object's type, or the object's exact id) through trigram
indexes on PostgreSQL: see dashboard/search_indexes.py."""

from django.conf import settings
from django.db import migrations, models

from dashboard.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0010_preferences"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["-at", "-id"], name="audit_latest"),
        ),
        trigram_indexes(
            "dashboard_auditevent",
            ["username", "object_label", "action", "object_type"],
            plain=["object_id"],
        ),
    ]
