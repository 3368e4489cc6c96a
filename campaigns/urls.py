from django.urls import include, path

from campaigns import views
from campaigns.webhooks import views as webhooks

app_name = "campaigns"

# What Switchboard shows and does for one campaign, under its EngageLab id.
campaign_patterns = [
    path("", views.campaign_detail, name="campaign_detail"),
    path("edit/", views.campaign_edit, name="campaign_edit"),
    path("delete/", views.campaign_delete, name="campaign_delete"),
    path("charts/data.json", views.campaign_chart_data, name="campaign_chart_data"),
    path("stats.csv", views.campaign_stats_csv, name="campaign_stats_csv"),
]
overview_patterns = [
    path("chart/", views.overview_chart, name="overview_chart"),
    path("data.json", views.overview_data, name="overview_data"),
]
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("refresh/", views.campaign_list_refresh, name="campaign_list_refresh"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:campaign_id>/", include(campaign_patterns)),
    path("overview/", include(overview_patterns)),
    path("webhooks/engagelab", webhooks.webhook_receive, name="webhook_receive"),
]
