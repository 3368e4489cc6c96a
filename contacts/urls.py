from django.urls import path

from contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_search, name="contact_search"),
    path("count/", views.contact_search_count, name="contact_search_count"),
    path("new/", views.contact_create, name="contact_create"),
    path("<int:contact_id>/", views.contact_detail, name="contact_detail"),
    path("<int:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:contact_id>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:contact_id>/unsubscribe/", views.contact_unsubscribe, name="contact_unsubscribe"),
    path(
        "<int:contact_id>/optins/<str:code>/",
        views.contact_optin_set,
        name="contact_optin_set",
    ),
    path("<int:contact_id>/send/", views.message_send_one, name="message_send_one"),
    path(
        "<int:contact_id>/send/parameters/",
        views.message_send_one_parameters,
        name="message_send_one_parameters",
    ),
    path("segments/", views.segment_list, name="segment_list"),
    path("segments/refresh/", views.segment_list_refresh, name="segment_list_refresh"),
    path("segments/new/", views.segment_create, name="segment_create"),
    path("segments/count/", views.segment_count, name="segment_count"),
    path("segments/<int:segment_id>/", views.segment_detail, name="segment_detail"),
    path("segments/<int:segment_id>/edit/", views.segment_edit, name="segment_edit"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_create, name="import_create"),
    path("imports/<int:import_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:import_id>/resume/", views.import_resume, name="import_resume"),
    path("imports/<int:import_id>/report.csv", views.import_report, name="import_report"),
    path("mailings/", views.mailing_list, name="mailing_list"),
    path("mailings/refresh/", views.mailing_list_refresh, name="mailing_list_refresh"),
    path("mailings/new/", views.mailing_send, name="mailing_send"),
    path("mailings/<int:mailing_id>/", views.mailing_detail, name="mailing_detail"),
    path("messages/", views.message_list, name="message_list"),
    path("messages/new/", views.message_create, name="message_create"),
]
