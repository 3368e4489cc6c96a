from django.apps import AppConfig


class CCAISandboxConfig(AppConfig):
    name = "dialer.sandbox"
    label = "dialer_sandbox"
    verbose_name = "CCAI Platform sandbox"
    default_auto_field = "django.db.models.BigAutoField"
    # Read by dashboard (urls, scheduler, seed_demo), see campaigns/sandbox/apps.py.
    sandbox_of = "ccai"
    # Running campaigns' calls progress; due import jobs run.
    periodic = [("dialer.sandbox.tasks.sandbox_tick", 3)]
