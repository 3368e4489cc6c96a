from django.urls import path

from campaigns import views
from campaigns.webhooks import views as webhooks

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("refresh/", views.campaign_list_refresh, name="campaign_list_refresh"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:campaign_id>/delete/", views.campaign_delete, name="campaign_delete"),
    path(
        "<int:campaign_id>/charts/data.json",
        views.campaign_chart_data,
        name="campaign_chart_data",
    ),
    path("<int:campaign_id>/stats.csv", views.campaign_stats_csv, name="campaign_stats_csv"),
    path("overview/chart/", views.overview_chart, name="overview_chart"),
    path("overview/data.json", views.overview_data, name="overview_data"),
    path("webhooks/engagelab", webhooks.webhook_receive, name="webhook_receive"),
]
