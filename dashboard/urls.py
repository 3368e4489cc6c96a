from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard import views
from dashboard.providers import sandbox_apps

preference_patterns = [
    path("", views.preferences, name="preferences"),
    path("language", views.language_choose, name="language_choose"),
]
# The providers page, and what is done there to one provider.
provider_patterns = [
    path("", views.providers, name="providers"),
    path("<str:name>/check", views.provider_check, name="provider_check"),
    path(
        "<str:name>/unpublished/<str:capability>/forget",
        views.capability_forget,
        name="capability_forget",
    ),
]
urlpatterns = [
    path("", views.overview, name="overview"),
    path("overview/sendings/", views.overview_sendings, name="overview_sendings"),
    path("audit/", views.audit_log, name="audit"),
    path("preferences/", include(preference_patterns)),
    path("providers/", include(provider_patterns)),
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
]
# The provider emulators, at the providers' own paths (only the base URL differs): one include
# per provider that runs on its sandbox now, none with SANDBOX=false. Each endpoint also
# answers 404 whenever its provider is live (dashboard/sandbox.py).
urlpatterns += [
    path(f"sandbox/{app.sandbox_of}/", include(f"{app.name}.urls")) for app in sandbox_apps()
]
