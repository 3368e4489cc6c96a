"""Dialog Insight's path, served under `/sandbox/dialoginsight/` while it is on its sandbox."""

from django.urls import path

from contacts.sandbox.views import ofc4

urlpatterns = [path("webservices/ofc4/<str:service>.ashx", ofc4, name="dialoginsight-ofc4")]
