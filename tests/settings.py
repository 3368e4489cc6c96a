"""The test run's settings: production's (DEBUG off), over plain HTTP on localhost, with a
short provider timeout so that timeout tests stay quick."""

import os

os.environ.setdefault("SECRET_KEY", "switchboard-tests-only")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("PROVIDER_TIMEOUT", "2")
# Required with DEBUG off. Nothing listens there: a test that forgets its live server fails
# at once instead of talking to whatever runs on a developer's port 8000.
os.environ.setdefault("SWITCHBOARD_URL", "http://127.0.0.1:9")

from dashboard.settings import *  # noqa: E402,F403

# Tests talk to the sandboxes over real HTTP; plain static storage spares a collectstatic.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not memory: the live server, the sandbox and the tests then use separate connections
# to one database, as the web server and the worker do in production. (pytest-xdist gives each
# worker its own file; the process id keeps concurrent runs in one checkout apart.)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")  # noqa: F405
    }
