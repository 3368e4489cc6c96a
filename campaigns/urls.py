from django.urls import path

from campaigns import views
from campaigns.webhooks import views as webhooks

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("webhooks/engagelab", webhooks.engagelab, name="webhook_engagelab"),
]
