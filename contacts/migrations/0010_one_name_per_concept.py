"""One name per concept (README, "Names"): every mirror row's key at Dialog Insight is
`provider_id`, a reference to another provider object is `<entity>_id`, and a bulk sync is an
import, as in the dialer. Renames only: no row changes, except the words Switchboard itself
wrote for the same things (the audit log's "bulk sync", what it learnt of each unpublished
call), renamed with them."""

from django.db import migrations, models

CAPABILITIES = {
    "contacts_count": "contact_count",
    "history": "contact_history_get",
    "messages_list": "message_list",
    "segment_contacts": "segment_contact_list",
    "segments_list": "segment_list",
    "statistics": "mailing_statistics_get",
}


def rename_words(apps, schema_editor, *, forward: bool = True) -> None:
    AuditEvent = apps.get_model("dashboard", "AuditEvent")
    ProviderCapability = apps.get_model("dashboard", "ProviderCapability")
    old, new = ("bulk sync", "contact import") if forward else ("contact import", "bulk sync")
    AuditEvent.objects.filter(provider="dialoginsight", object_type=old).update(object_type=new)
    names = CAPABILITIES if forward else {b: a for a, b in CAPABILITIES.items()}
    for before, after in names.items():
        ProviderCapability.objects.filter(provider="dialoginsight", name=before).update(
            name=after
        )


def rename_words_back(apps, schema_editor) -> None:
    rename_words(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0009_sandbox_moved_to_own_app"),
        ("dashboard", "0006_provider_capabilities"),
    ]

    operations = [
        migrations.RenameField("segment", "id_filter", "provider_id"),
        migrations.AlterModelOptions(name="segment", options={"ordering": ["name", "provider_id"]}),
        migrations.RenameField("message", "id_message", "provider_id"),
        migrations.AlterModelOptions(name="message", options={"ordering": ["name", "provider_id"]}),
        migrations.RenameField("mailing", "id_batch", "provider_id"),
        migrations.RenameField("mailing", "id_message", "message_id"),
        migrations.RenameField("mailing", "filter_ids", "segment_ids"),
        migrations.AlterModelOptions(
            name="mailing", options={"ordering": ["-launch_at", "-provider_id"]}
        ),
        # The index names the renamed field in Django's state: made again under its new name.
        migrations.RemoveIndex("mailing", "contacts_mailing_launch"),
        migrations.AddIndex(
            "mailing",
            models.Index(fields=["-launch_at", "-provider_id"], name="contacts_mailing_launch"),
        ),
        migrations.RenameModel("BulkSync", "ContactImport"),
        migrations.RenameModel("BulkSyncRow", "ContactImportRow"),
        migrations.RenameField("contactimportrow", "id_contact", "contact_id"),
        migrations.RenameIndex(
            "contactimportrow", new_name="contacts_importrow_todo", old_name="contacts_bulkrow_todo"
        ),
        migrations.RunPython(rename_words, rename_words_back),
    ]
