from django.urls import path

from campaigns import views
from campaigns.webhooks import views as webhooks

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("refresh/", views.campaign_refresh, name="refresh"),
    path("new/", views.campaign_create, name="create"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("<int:campaign_id>/delete/", views.campaign_delete, name="delete"),
    path("webhooks/engagelab", webhooks.engagelab, name="webhook_engagelab"),
]
