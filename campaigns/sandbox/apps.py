from django.apps import AppConfig


class EngageLabSandboxConfig(AppConfig):
    name = "campaigns.sandbox"
    label = "campaigns_sandbox"
    verbose_name = "EngageLab sandbox"
    default_auto_field = "django.db.models.BigAutoField"
    # Read by dashboard (urls, scheduler, seed_demo): the provider this app emulates, and the
    # emulator's periodic work (task path, seconds), scheduled only while it is on its sandbox.
    sandbox_of = "engagelab"
    periodic = [("campaigns.sandbox.tasks.sandbox_tick", 5)]
