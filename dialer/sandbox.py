"""The provider's emulator, served under /sandbox/<provider>/ (see dashboard/sandbox.py)."""

urlpatterns: list = []
