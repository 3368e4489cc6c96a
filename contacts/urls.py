from django.urls import path

from contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_search, name="search"),
    path("new/", views.contact_form, name="create"),
    path("<int:id_contact>/", views.contact_detail, name="detail"),
    path("<int:id_contact>/edit/", views.contact_form, name="edit"),
    path("<int:id_contact>/delete/", views.contact_delete, name="delete"),
    path("<int:id_contact>/unsubscribe/", views.contact_unsubscribe, name="unsubscribe"),
    path("<int:id_contact>/optins/<str:code>/", views.contact_optin, name="optin"),
    path("<int:id_contact>/send/", views.contact_trigger, name="trigger"),
    path("segments/", views.segment_list, name="segments"),
    path("segments/refresh/", views.segment_refresh, name="segments_refresh"),
    path("segments/new/", views.segment_form, name="segment_create"),
    path("segments/<int:id_filter>/", views.segment_detail, name="segment"),
    path("segments/<int:id_filter>/edit/", views.segment_form, name="segment_edit"),
    path("bulk-sync/", views.bulk_sync, name="bulk_sync"),
    path("bulk-sync/<int:job_id>/", views.bulk_sync_detail, name="bulk_sync_detail"),
    path("bulk-sync/<int:job_id>/resume/", views.bulk_sync_resume, name="bulk_sync_resume"),
    path("bulk-sync/<int:job_id>/report.csv", views.bulk_sync_report, name="bulk_sync_report"),
    path("mailings/", views.mailing_list, name="mailings"),
    path("mailings/refresh/", views.mailing_refresh, name="mailings_refresh"),
    path("mailings/new/", views.mailing_new, name="mailing_new"),
    path("mailings/<int:id_batch>/", views.mailing_detail, name="mailing"),
    path("messages/", views.message_list, name="messages"),
    path("messages/new/", views.message_new, name="message_new"),
]
