"""The emulator's tables moved to their own app (dialer/sandbox, label `dialer_sandbox`, which
creates them anew): its rows are demo data, refilled by `manage.py seed_demo`. Children first,
so that no table is rebuilt around a dropped foreign key."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dialer", "0002_dialerimport_check_requested_at_and_more")]

    operations = [
        migrations.DeleteModel(name="SandboxContact"),
        migrations.DeleteModel(name="SandboxImportJob"),
        migrations.DeleteModel(name="SandboxCampaign"),
    ]
