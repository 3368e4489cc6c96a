from __future__ import annotations

from django.urls import reverse
from django.utils.text import get_text_list

from dashboard.providers import all_provider_configs

# (label, url name, permission needed); superusers see everything.
NAVIGATION = [
    ("Overview", "overview", None),
    ("Campaigns", "campaigns:campaign_list", "dashboard.view_campaigns"),
    ("Contacts", "contacts:contact_search", "dashboard.view_contacts"),
    ("Dialer", "dialer:campaign_list", "dashboard.view_dialer"),
    ("Audit", "audit", "dashboard.view_audit"),
    ("Providers", "providers", "dashboard.view_operations"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for label, name, perm in NAVIGATION:
        if perm and not user.has_perm(perm):
            continue
        url = reverse(name)
        active = path == url if url == "/" else path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}


def sandbox_banner(request):
    """The sentence every page shows while a provider runs on its sandbox, naming them."""
    names = [c.display_name for c in all_provider_configs() if c.sandbox]
    if not names:
        return {"sandbox_banner": ""}
    are = "is a sandbox" if len(names) == 1 else "are sandboxes"
    return {
        "sandbox_banner": f"{get_text_list(names, 'and')} {are}: "
        "nothing here reaches a real account."
    }
