from __future__ import annotations

from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from dashboard.providers import all_provider_configs

# (label, url name, permission needed); superusers see everything.
NAVIGATION = [
    (gettext_lazy("Overview"), "overview", None),
    (gettext_lazy("Campaigns"), "campaigns:campaign_list", "dashboard.view_campaigns"),
    (gettext_lazy("Contacts"), "contacts:contact_search", "dashboard.view_contacts"),
    (gettext_lazy("Dialer"), "dialer:campaign_list", "dashboard.view_dialer"),
    (gettext_lazy("Audit"), "audit", "dashboard.view_audit"),
    (gettext_lazy("Providers"), "providers", "dashboard.view_operations"),
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
    sentence = ngettext(
        "%(names)s is a sandbox: nothing here reaches a real account.",
        "%(names)s are sandboxes: nothing here reaches a real account.",
        len(names),
    )
    return {"sandbox_banner": sentence % {"names": get_text_list(names, _("and"))}}
