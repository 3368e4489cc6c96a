from __future__ import annotations

from django.urls import reverse

# (label, url name, permission needed); superusers see everything.
NAVIGATION = [
    ("Overview", "overview", None),
    ("Campaigns", "campaigns:list", "dashboard.view_campaigns"),
    ("Contacts", "contacts:search", "dashboard.view_contacts"),
    ("Dialer", "dialer:list", "dashboard.view_dialer"),
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
