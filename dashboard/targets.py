"""What a command is about to touch, in words an operator can check before it does: which
database, and where each provider is. Never a password or a key."""

from __future__ import annotations

from django.db import connection

from dashboard.providers import ProviderConfig, all_provider_configs


def describe_database() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite database {settings['NAME']}"
    host = settings.get("HOST") or "local socket"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"{connection.display_name} database {settings['NAME']!s} on {host}{port}"


def describe_provider(config: ProviderConfig) -> str:
    if config.sandbox:
        return f"{config.display_name} on its sandbox at {config.base_url}"
    if config.configured:
        return f"{config.display_name} live at {config.base_url}"
    return f"{config.display_name} not configured"


def describe_providers() -> str:
    return "; ".join(describe_provider(c) for c in all_provider_configs())
