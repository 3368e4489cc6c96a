"""The emulator's tables moved to their own app (contacts/sandbox, label `contacts_sandbox`, which
creates them anew): its rows are demo data, refilled by `manage.py seed_demo`. Children first,
so that no table is rebuilt around a dropped foreign key."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("contacts", "0008_shared_form_submissions")]

    operations = [
        migrations.DeleteModel(name="SandboxDelivery"),
        migrations.DeleteModel(name="SandboxBatch"),
        migrations.DeleteModel(name="SandboxContact"),
        migrations.DeleteModel(name="SandboxField"),
        migrations.DeleteModel(name="SandboxFilter"),
        migrations.DeleteModel(name="SandboxMessage"),
        migrations.DeleteModel(name="SandboxProject"),
    ]
