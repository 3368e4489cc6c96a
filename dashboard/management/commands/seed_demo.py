from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from dashboard.providers import sandbox_apps
from dashboard.roles import DIALER_STAFF, MANAGERS, MARKETERS, ensure_roles

DEMO_USERS = [
    ("admin", None, "Superuser: everything"),
    ("marketer", MARKETERS, "Marketers: campaigns, contacts, mailings"),
    ("manager", MANAGERS, "Managers: view everything, change nothing"),
    ("dialer", DIALER_STAFF, "Dialer staff: dialer contacts"),
]


class Command(BaseCommand):
    help = "Create one demo user per role (fresh passwords, printed) and the sandboxes' demo data."

    def handle(self, *args, **options):
        ensure_roles()
        User = get_user_model()
        # Each emulator's demo data (`<app>/sandbox/demo.py`), for the providers on their sandbox.
        for sandbox in sandbox_apps():
            try:
                seeder = import_string(f"{sandbox.name}.demo.seed")
            except ImportError:
                continue
            summary = seeder()
            if summary:
                self.stdout.write(f"  {summary}")
        lines = []
        for username, role, what in DEMO_USERS:
            password = get_random_string(12)
            user, _ = User.objects.get_or_create(username=username)
            user.is_superuser = user.is_staff = role is None
            user.set_password(password)
            user.save()
            if role:
                user.groups.set([Group.objects.get(name=role)])
            lines.append(f"  {username:<10} {password:<14} {what}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Switchboard demo logins (new passwords each run):"))
        for line in lines:
            self.stdout.write(line)
