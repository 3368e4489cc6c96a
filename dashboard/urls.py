from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("overview/sendings/", views.overview_sendings, name="overview_sendings"),
    path("audit/", views.audit_log, name="audit"),
    path("providers/", views.providers, name="providers"),
    path("providers/<str:name>/check", views.provider_check, name="provider_check"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("healthz/workers", views.workers_health, name="workers_health"),
    path("favicon.ico", views.favicon),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("campaigns/", include("campaigns.urls")),
    path("contacts/", include("contacts.urls")),
    path("dialer/", include("dialer.urls")),
    # The provider emulators, at the providers' own paths: only the base URL differs.
    path("sandbox/engagelab/", include("campaigns.sandbox")),
    path("sandbox/dialoginsight/", include("contacts.sandbox")),
    path("sandbox/ccai/", include("dialer.sandbox")),
]
