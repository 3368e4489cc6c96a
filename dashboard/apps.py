from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Switchboard"

    def ready(self) -> None:
        from dashboard import (
            checks,  # noqa: F401  (registers Switchboard's system check)
            preferences,  # noqa: F401  (loads a user's choices at login)
        )
