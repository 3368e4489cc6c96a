"""The emulator's tables moved to their own app (campaigns/sandbox, label `campaigns_sandbox`, which
creates them anew): its rows are demo data, refilled by `manage.py seed_demo`. Children first,
so that no table is rebuilt around a dropped foreign key."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0004_shared_form_submissions")]

    operations = [
        migrations.DeleteModel(name="SandboxStat"),
        migrations.DeleteModel(name="SandboxCampaign"),
        migrations.DeleteModel(name="SandboxTag"),
        migrations.DeleteModel(name="SandboxWebhook"),
    ]
