from collections.abc import Callable

from django.http import HttpResponse
from django.urls import URLPattern, path

from dialer import views

app_name = "dialer"


def _page(route: str, view: Callable[..., HttpResponse]) -> URLPattern:
    """A URL named after its view."""
    return path(route, view, name=view.__name__)


# A campaign is named by its CCAI id; a contact and an import by Switchboard's own (a contact
# added or imported has no CCAI id until the next sync).
CAMPAIGN = "<int:campaign_id>/"
CONTACT = f"{CAMPAIGN}contacts/<int:contact_id>/"
IMPORT = "imports/<int:import_id>/"
urlpatterns = [
    _page("", views.campaign_list),
    _page("refresh/", views.campaign_list_refresh),
    _page(CAMPAIGN, views.campaign_detail),
    _page(f"{CAMPAIGN}refresh/", views.campaign_contacts_refresh),
    _page(f"{CAMPAIGN}contacts/add/", views.contact_add),
    _page(CONTACT, views.contact_row),
    _page(f"{CONTACT}edit/", views.contact_edit),
    _page(f"{CONTACT}delete/", views.contact_delete),
    _page(f"{CAMPAIGN}import/", views.import_create),
    _page(IMPORT, views.import_detail),
    _page(f"{IMPORT}columns/", views.import_map),
    _page(f"{IMPORT}format/", views.import_reformat),
    _page(f"{IMPORT}restart/", views.import_check_restart),
    _page("imports/rows/<int:row_id>/", views.import_row_fix),
    _page(f"{IMPORT}send/", views.import_send),
    _page(f"{IMPORT}progress/", views.import_progress),
    _page(f"{IMPORT}rejected.csv", views.import_rejected),
]
