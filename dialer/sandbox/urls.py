"""CCAI's paths, served under `/sandbox/ccai/` while CCAI is on its sandbox."""

from django.urls import path

from dialer.sandbox.views import (
    campaign_detail,
    campaigns,
    contact,
    contacts,
    contacts_import,
    import_job,
)

_C = "manager/api/v1/outbound_dialer/campaigns"
_A = "apps/api/v1/outbound_dialer/campaigns/<int:campaign_id>"
urlpatterns = [
    path(_C, campaigns, name="ccai-campaigns"),
    path(f"{_C}/<int:campaign_id>", campaign_detail, name="ccai-campaign"),
    path(f"{_A}/contacts", contacts, name="ccai-contacts"),
    path(f"{_A}/contacts/import", contacts_import, name="ccai-contacts-import"),
    path(f"{_A}/contacts/jobs/<int:job_id>", import_job, name="ccai-import-job"),
    path(f"{_A}/contact", contact, name="ccai-contact"),
]
