"""Switchboard's roles: groups with permissions, kept in sync by a migration and by
`ensure_roles()` (tests that flush the database call it again)."""

from __future__ import annotations

MARKETERS = "Marketers"
MANAGERS = "Managers"
DIALER_STAFF = "Dialer staff"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    MARKETERS: [
        "view_campaigns",
        "change_campaigns",
        "view_contacts",
        "change_contacts",
        "send_mailings",
        "view_audit",
    ],
    MANAGERS: [
        "view_campaigns",
        "view_contacts",
        "view_dialer",
        "view_audit",
        "view_operations",
    ],
    DIALER_STAFF: ["view_dialer", "change_dialer", "view_audit"],
}

# The permission that lets a user see a provider's objects, and so that provider's lines in
# the audit log (which name contacts, campaigns and phone numbers).
PROVIDER_VIEW_PERMISSIONS = {
    "engagelab": "dashboard.view_campaigns",
    "dialoginsight": "dashboard.view_contacts",
    "ccai": "dashboard.view_dialer",
}


def viewable_providers(user) -> list[str]:
    """The providers whose objects `user` may see (every one for a superuser)."""
    return [name for name, perm in PROVIDER_VIEW_PERMISSIONS.items() if user.has_perm(perm)]


def ensure_roles(apps=None) -> None:
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    create_permissions(global_apps.get_app_config("dashboard"), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(
            content_type__app_label="dashboard", codename__in=codenames
        )
        group.permissions.set(perms)
