from django.apps import AppConfig


class DialogInsightSandboxConfig(AppConfig):
    name = "contacts.sandbox"
    label = "contacts_sandbox"
    verbose_name = "Dialog Insight sandbox"
    default_auto_field = "django.db.models.BigAutoField"
    # Read by dashboard (urls, scheduler, seed_demo), see campaigns/sandbox/apps.py.
    sandbox_of = "dialoginsight"
    # Scheduled sendings go out when their time comes.
    periodic = [("contacts.sandbox.tasks.sandbox_tick", 30)]
