from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from dashboard.models import ProviderCall
from dashboard.providers import all_provider_configs, sandbox_apps
from dashboard.roles import DIALER_STAFF, MANAGERS, MARKETERS, ensure_roles
from dashboard.targets import describe_database, describe_provider

DEMO_USERS = [
    ("admin", None, "Superuser: everything"),
    ("marketer", MARKETERS, "Marketers: campaigns, contacts, mailings"),
    ("manager", MANAGERS, "Managers: view everything, change nothing"),
    ("dialer", DIALER_STAFF, "Dialer staff: dialer contacts"),
]
# The accounts seed_demo makes carry an address in this reserved domain: any other account
# is someone's, and makes the database more than a demo.
DEMO_EMAIL_DOMAIN = "demo.switchboard.invalid"

RULE = (
    "seed_demo fills a demo database only: every provider on its sandbox, no user account but "
    "those seed_demo made, no call ever made to a live provider."
)


def not_a_demo_database() -> list[str]:
    """What makes this database more than a demo one (empty: seed_demo may fill it)."""
    found = [
        f"{describe_provider(config)}, not on its sandbox"
        for config in all_provider_configs()
        if not config.sandbox
    ]
    others = list(
        get_user_model()
        .objects.exclude(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")
        .order_by("username")
        .values_list("username", flat=True)[:6]
    )
    if others:
        names = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
        found.append(f"user accounts seed_demo did not make: {names}")
    live_calls = ProviderCall.objects.filter(sandbox=False).count()
    if live_calls:
        found.append(f"{live_calls} recorded calls to live providers (their data may be mirrored)")
    return found


class Command(BaseCommand):
    help = (
        "Fill a demo database: the sandboxes' demo data and one demo user per role (fresh "
        "passwords, printed). Refuses a database that holds anything else; never changes an "
        "existing user."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="With DEBUG on only: seed although the database holds other data "
            "(existing users are still left unchanged).",
        )

    def handle(self, *args, force: bool = False, **options):
        if force and not settings.DEBUG:
            raise CommandError("--force is accepted only with DEBUG on.")
        target = describe_database()
        found = not_a_demo_database()
        if found and not force:
            raise CommandError(
                f"Refusing to seed demo data into {target}, which has\n  - "
                + "\n  - ".join(found)
                + f"\n{RULE} For the demo, start from a new database (e.g. delete db.sqlite3); "
                "with DEBUG on, --force seeds anyway and still changes no existing user."
            )
        self.stdout.write(f"Seeding demo data into {target}.")
        ensure_roles()
        # Each emulator's demo data (`<app>/sandbox/demo.py`), for the providers on their sandbox.
        for sandbox in sandbox_apps():
            try:
                seeder = import_string(f"{sandbox.name}.demo.seed")
            except ImportError:
                continue
            summary = seeder()
            if summary:
                self.stdout.write(f"  {summary}")
        lines, kept = [], False
        User = get_user_model()
        for username, role, what in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                lines.append(f"  {username:<10} {'exists, left unchanged':<24} {what}")
                kept = True
                continue
            password = get_random_string(12)
            user = User.objects.create_user(
                username,
                email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                password=password,
                is_superuser=role is None,
                is_staff=role is None,
            )
            if role:
                user.groups.set([Group.objects.get(name=role)])
            lines.append(f"  {username:<10} {password:<24} {what}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Switchboard demo logins:"))
        for line in lines:
            self.stdout.write(line)
        if kept:
            self.stdout.write(
                "An existing account keeps its password (printed when it was made); "
                "`manage.py changepassword <name>` sets a new one."
            )
