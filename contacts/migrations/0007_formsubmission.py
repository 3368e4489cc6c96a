from django.db import migrations


class Migration(migrations.Migration):
    """The one-time token of the sending form now also guards new messages, new segments and
    one-to-one sends."""

    dependencies = [("contacts", "0006_mailing_submission")]

    operations = [
        migrations.RenameModel("MailingSubmission", "FormSubmission"),
        migrations.RenameField("FormSubmission", "id_batch", "object_id"),
    ]
