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
    path("<int:campaign_id>/charts/data.json", views.campaign_chart_data, name="chart_data"),
    path("<int:campaign_id>/stats.csv", views.campaign_stats_csv, name="stats_csv"),
    path("overview/chart/", views.overview_chart, name="overview_chart"),
    path("overview/data.json", views.overview_data, name="overview_data"),
    path("webhooks/engagelab", webhooks.engagelab, name="webhook_engagelab"),
]
