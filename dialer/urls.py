from django.urls import path

from dialer import views

app_name = "dialer"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("refresh/", views.campaigns_refresh, name="refresh"),
    path("<int:pk>/", views.campaign_board, name="board"),
    path("<int:pk>/refresh/", views.campaign_refresh, name="board_refresh"),
    path("<int:pk>/contacts/add/", views.contact_add, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_row, name="contact_row"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_pk>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:pk>/import/", views.import_upload, name="import_upload"),
    path("imports/<int:import_pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:import_pk>/columns/", views.import_map, name="import_map"),
    path("imports/<int:import_pk>/send/", views.import_submit, name="import_submit"),
    path("imports/<int:import_pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:import_pk>/rejected.csv", views.import_rejected, name="import_rejected"),
]
