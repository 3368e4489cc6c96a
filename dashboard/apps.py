from typing import Any

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Switchboard"

    def ready(self) -> None:
        from dashboard import (
            checks,  # noqa: F401  (registers Switchboard's system check)
            preferences,  # noqa: F401  (loads a user's choices at login)
        )


class SandboxAppConfig(AppConfig):
    """The config of one provider's emulator app (`<app>/sandbox/apps.py` subclasses it with
    its `name`, the provider it emulates in `sandbox_of`, and its `tick`). dashboard finds the
    emulators through the app registry (dashboard/providers.py `sandbox_apps`): while that
    provider runs on its sandbox, `dashboard/urls.py` mounts `<name>.urls` under
    `/sandbox/<sandbox_of>/`, and the worker runs `<name>.tasks.sandbox_tick` (the emulated
    account's own traffic) every `tick` seconds."""

    default_auto_field = "django.db.models.BigAutoField"
    # Django takes an app's config from the classes its apps.py holds: this base, imported
    # there, must not be taken for it.
    default = False
    sandbox_of: str
    tick: int  # seconds
    periodic: list[tuple[str, int]]  # the scheduler's (task path, seconds)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.default = True  # whereas a subclass is its apps.py's config
        # "campaigns_sandbox"…: Django's own label, "sandbox", would be taken three times.
        cls.label = cls.name.replace(".", "_")
        cls.periodic = [(f"{cls.name}.tasks.sandbox_tick", cls.tick)]
