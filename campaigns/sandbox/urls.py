"""EngageLab's paths, served under `/sandbox/engagelab/` while EngageLab is on its sandbox."""

from django.urls import path

from campaigns.sandbox.views import (
    campaign_view,
    campaigns_view,
    segments_view,
    senders_view,
    stats_day_view,
    tags_view,
    templates_view,
)

urlpatterns = [
    path("v1/marketing/campaigns", campaigns_view),
    path("v1/marketing/campaigns/tags", tags_view),
    path("v1/marketing/campaigns/<int:campaign_id>", campaign_view),
    path("v1/marketing/senders", senders_view),
    path("v1/marketing/lists/segments", segments_view),
    path("v1/templates", templates_view),
    path("v1/stats_day", stats_day_view),
]
