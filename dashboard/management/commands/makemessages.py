"""Django's makemessages, with each string filed in the catalogue of the app it belongs to:
`<app>/locale/` for the app's code and for `templates/<app>/`, `dashboard/locale/` for the
rest (base.html, the shared includes, the login page). Each app's translations travel with it,
and Django finds every app's catalogue without LOCALE_PATHS.

    manage.py makemessages -l fr       then translate, then
    manage.py compilemessages          (make run and make test do this)
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.commands import makemessages

APPS = ("campaigns", "contacts", "dialer")
BASE = Path(settings.BASE_DIR)


def catalogue_of(directory: str) -> str:
    """The locale directory a file in `directory` (relative to the project) is filed in."""
    parts = Path(directory).resolve().relative_to(BASE).parts
    if parts[:1] == ("templates",):
        parts = parts[1:]
    app = parts[0] if parts and parts[0] in APPS else "dashboard"
    return str(BASE / app / "locale")


class Command(makemessages.Command):
    def handle(self, *args, **options):
        for app in (*APPS, "dashboard"):
            (BASE / app / "locale").mkdir(exist_ok=True)
        options["ignore_patterns"] = [
            *options.get("ignore_patterns", []),
            ".venv",
            "node_modules",
            "staticfiles",
            "tests",
            "sandbox",
        ]
        # Entries name their file, not their line: a catalogue changes when its strings do.
        options["add_location"] = options.get("add_location") or "file"
        return super().handle(*args, **options)

    def find_files(self, root):
        files = super().find_files(root)
        for file in files:
            file.locale_dir = catalogue_of(file.dirpath)
        return files
