"""Switchboard settings, read from the environment (django-environ).

Every variable is documented in `.env.example` and the README. With no credentials for a
provider, Switchboard talks to that provider's sandbox (an emulator served by Switchboard
itself under `/sandbox/<provider>/`), so a fresh machine runs the demo with no accounts.
"""

from __future__ import annotations

import logging
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.crypto import salted_hmac

from dashboard.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():  # else django-environ logs its absence in every process
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise environ.ImproperlyConfigured("Set SECRET_KEY (required when DEBUG is off).")
    # Development only: a random key kept in an ignored file, so sessions survive restarts.
    _dev_key = BASE_DIR / ".dev-secret-key"
    if not _dev_key.exists():
        from django.core.management.utils import get_random_secret_key

        _dev_key.write_text(get_random_secret_key())
    SECRET_KEY = _dev_key.read_text().strip()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates, for FORM_RENDERER below
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "dashboard",
    "campaigns",
    "contacts",
    "dialer",
    # The provider emulators, each a small app of its own: their tables always exist, their
    # URLs and periodic work only while their provider runs on its sandbox.
    "campaigns.sandbox",
    "contacts.sandbox",
    "dialer.sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dashboard.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "dashboard.preferences.PreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dashboard.middleware.HtmxMessagesMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.navigation",
                "dashboard.context_processors.sandbox_banner",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# Every field rendered by one template: templates/forms/field.html.
FORM_RENDERER = "dashboard.forms.FormRenderer"

# --- Database ---------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the task worker and the sandbox write at once: WAL, a busy timeout and
    # IMMEDIATE transactions make writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- I18N / time ------------------------------------------------------------------------
# English and French (docs: README "French and English"); the user's choice (dashboard/
# preferences.py), else the browser's Accept-Language. Catalogues: <app>/locale/fr.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files: our own and vendored ones (Pico CSS, plotly.js's basic bundle), no CDN ----
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security ---------------------------------------------------------------------------
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health endpoints answer plain HTTP to the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^healthz/workers$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): only Switchboard's own files run, no inline script or
# handler anywhere (htmx's eval is off too: see the htmx-config meta tag in base.html).
# Styles: <style> elements and stylesheets only from our files, plus the one empty <style>
# element plotly.js fills at run time through the CSS object model, let in by its nonce
# (templates/includes/plotly.html). Style *attributes* are allowed: plotly.js writes them on
# the SVG it draws (bold or coloured words in a chart's labels), the dialer's bars size their
# segments with them; an attribute can restyle an element of our own page but cannot run
# code or, with default-src 'self', fetch anything from elsewhere.
# Pico CSS draws its select arrows and check marks as data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "style-src-elem": [SELF, NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Background work (django-tasks, database backend) ----------------------------------
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Providers ---------------------------------------------------------------------------
# Where Switchboard itself answers; the sandbox's base URLs and the sandbox's webhook calls
# are built from it. Required in production: a default would make the worker and `sync` call
# whatever answers there (on a shared host, another instance).
SWITCHBOARD_URL = env.str(
    "SWITCHBOARD_URL", default="http://127.0.0.1:8000" if DEBUG else ""
).rstrip("/")
if not SWITCHBOARD_URL:
    raise environ.ImproperlyConfigured(
        "Set SWITCHBOARD_URL (required when DEBUG is off): the address at which this "
        "Switchboard answers, e.g. https://switchboard.example.com. Its sandboxes are called "
        "there, by the web processes, the task workers and `manage.py sync`."
    )
PROVIDER_TIMEOUT = env.float("PROVIDER_TIMEOUT", default=10.0)
# SANDBOX unset: each provider without credentials uses its sandbox. SANDBOX=true forces every
# provider onto the sandbox; SANDBOX=false forbids it (a provider without credentials is then
# reported as not configured).
SANDBOX = env.bool("SANDBOX", default=None) if env.str("SANDBOX", default="") else None

ENGAGELAB_BASE_URL = env.str("ENGAGELAB_BASE_URL", default="https://email.api.engagelab.cc")
ENGAGELAB_API_USER = env.str("ENGAGELAB_API_USER", default="")
ENGAGELAB_API_KEY = env.str("ENGAGELAB_API_KEY", default="")
ENGAGELAB_WEBHOOK_SECRET = env.str("ENGAGELAB_WEBHOOK_SECRET", default="")
# A webhook signed more than this many seconds before (or after) now is refused: a signature
# captured once (a proxy, a log) must not be replayable for ever.
ENGAGELAB_WEBHOOK_MAX_AGE = env.int("ENGAGELAB_WEBHOOK_MAX_AGE", default=600)

DIALOG_INSIGHT_BASE_URL = env.str(
    "DIALOG_INSIGHT_BASE_URL", default="https://app.dialoginsight.com"
)
DIALOG_INSIGHT_KEY_ID = env.str("DIALOG_INSIGHT_KEY_ID", default="")
DIALOG_INSIGHT_KEY = env.str("DIALOG_INSIGHT_KEY", default="")
DIALOG_INSIGHT_PROJECT_ID = env.str("DIALOG_INSIGHT_PROJECT_ID", default="")
# The code of the project's key field (Projects.Get does not say which field is the key).
DIALOG_INSIGHT_KEY_FIELD = env.str("DIALOG_INSIGHT_KEY_FIELD", default="EMail")
# The time zone Dialog Insight reads and writes its dates in (`dtLaunch`…): not documented, so
# it is said here, as an IANA name (e.g. America/Toronto).
DIALOG_INSIGHT_TIME_ZONE = env.str("DIALOG_INSIGHT_TIME_ZONE", default=TIME_ZONE)
try:
    ZoneInfo(DIALOG_INSIGHT_TIME_ZONE)
except (ValueError, ZoneInfoNotFoundError):
    raise environ.ImproperlyConfigured(
        f"DIALOG_INSIGHT_TIME_ZONE={DIALOG_INSIGHT_TIME_ZONE!r} is not an IANA time zone "
        "name such as America/Toronto."
    ) from None

CCAI_BASE_URL = env.str("CCAI_BASE_URL", default="")
CCAI_USERNAME = env.str("CCAI_USERNAME", default="")
CCAI_API_TOKEN = env.str("CCAI_API_TOKEN", default="")


def _sandbox_secret(label: str) -> str:
    """HMAC-SHA256 of `label` keyed with SECRET_KEY, 32 hex digits: stable for an installation,
    unguessable without its key."""
    digest = salted_hmac("switchboard.sandbox", label, SECRET_KEY, algorithm="sha256")
    return digest.hexdigest()[:32]


# The sandboxes' own credentials: the emulators reject anything else, as the providers do. The
# secrets are derived from SECRET_KEY, so each installation has its own and none is published;
# `manage.py sandbox_credentials` prints them for a developer's manual calls.
SANDBOX_CREDENTIALS = {
    "engagelab": {
        "api_user": "sandbox",
        "api_key": _sandbox_secret("engagelab api_key"),
        "webhook_secret": _sandbox_secret("engagelab webhook_secret"),
    },
    "dialoginsight": {
        "key_id": "1",
        "key": _sandbox_secret("dialoginsight key"),
        "project_id": "1",
    },
    "ccai": {"username": "sandbox", "api_token": _sandbox_secret("ccai api_token")},
}

# --- Logging: one line per request and per provider call; JSON when LOG_FORMAT=json -------
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = logging_config(
    fmt=LOG_FORMAT, level=LOG_LEVEL, tasks_level=env.str("TASKS_LOG_LEVEL", default="WARNING")
)
# Python warnings go through logging too: with LOG_FORMAT=json, every line is JSON.
logging.captureWarnings(True)
