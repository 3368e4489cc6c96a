from django.urls import include, path

from contacts import views

app_name = "contacts"

# One group of routes per Dialog Insight entity, mounted under its prefix in `urlpatterns`.
contact_patterns = [
    path("", views.contact_detail, name="contact_detail"),
    path("edit/", views.contact_edit, name="contact_edit"),
    path("delete/", views.contact_delete, name="contact_delete"),
    path("unsubscribe/", views.contact_unsubscribe, name="contact_unsubscribe"),
    path("optins/<str:code>/", views.contact_optin_set, name="contact_optin_set"),
    path("send/", views.message_send_one, name="message_send_one"),
    path("send/parameters/", views.message_send_one_parameters, name="message_send_one_parameters"),
]
segment_patterns = [
    path("", views.segment_list, name="segment_list"),
    path("refresh/", views.segment_list_refresh, name="segment_list_refresh"),
    path("new/", views.segment_create, name="segment_create"),
    path("count/", views.segment_count, name="segment_count"),
    path("<int:segment_id>/", views.segment_detail, name="segment_detail"),
    path("<int:segment_id>/edit/", views.segment_edit, name="segment_edit"),
]
import_patterns = [
    path("", views.import_list, name="import_list"),
    path("new/", views.import_create, name="import_create"),
    path("<int:import_id>/", views.import_detail, name="import_detail"),
    path("<int:import_id>/resume/", views.import_resume, name="import_resume"),
    path("<int:import_id>/report.csv", views.import_report, name="import_report"),
]
mailing_patterns = [
    path("", views.mailing_list, name="mailing_list"),
    path("refresh/", views.mailing_list_refresh, name="mailing_list_refresh"),
    path("new/", views.mailing_send, name="mailing_send"),
    path("<int:mailing_id>/", views.mailing_detail, name="mailing_detail"),
]
message_patterns = [
    path("", views.message_list, name="message_list"),
    path("new/", views.message_create, name="message_create"),
]
urlpatterns = [
    path("", views.contact_search, name="contact_search"),
    path("count/", views.contact_search_count, name="contact_search_count"),
    path("new/", views.contact_create, name="contact_create"),
    path("<int:contact_id>/", include(contact_patterns)),
    path("segments/", include(segment_patterns)),
    path("imports/", include(import_patterns)),
    path("mailings/", include(mailing_patterns)),
    path("messages/", include(message_patterns)),
]
