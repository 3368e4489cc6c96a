"""Gunicorn's settings for Switchboard: `gunicorn -c dashboard/gunicorn.conf.py`.

The command line wins over this file (`-b 127.0.0.1:8431`, `-w 2`), and so does
GUNICORN_CMD_ARGS. Reload without dropping a request with HUP (README, Production): new workers
start with the new code while the old ones finish what they hold.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
if (BASE_DIR / ".env").exists():  # as dashboard/settings.py does
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

from dashboard.logs import logging_config  # noqa: E402

wsgi_app = "dashboard.wsgi"
chdir = str(BASE_DIR)

# Behind the TLS proxy on this host: Switchboard trusts its X-Forwarded-Proto
# (SECURE_PROXY_SSL_HEADER), so nothing else may reach gunicorn directly.
bind = ["127.0.0.1:8000"]
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
worker_class = "gthread"
threads = 4
timeout = 30  # a page never waits on more than one provider call (PROVIDER_TIMEOUT, 10 s)
graceful_timeout = 30  # on HUP or TERM, a worker finishes its requests first

# Where this instance keeps its pid file and control socket (`gunicornc -s …`): inside the
# checkout by default, so two instances on one host never share them (gunicorn's own default
# socket is one per user).
RUN_DIR = Path(os.environ.get("SWITCHBOARD_RUN_DIR", BASE_DIR / "run"))
RUN_DIR.mkdir(parents=True, exist_ok=True)
pidfile = str(RUN_DIR / "gunicorn.pid")
control_socket = str(RUN_DIR / "gunicorn.ctl")

# The app's logging for gunicorn's own lines too (boots, reloads, worker timeouts): JSON with
# LOG_FORMAT=json. No access log: Switchboard logs one line per request itself.
accesslog = None
logconfig_dict = logging_config(
    fmt=os.environ.get("LOG_FORMAT", "text"),
    level=os.environ.get("LOG_LEVEL", "INFO"),
    tasks_level=os.environ.get("TASKS_LOG_LEVEL", "WARNING"),
)
