"""Print this installation's sandbox credentials (derived from SECRET_KEY), with a `curl`
command per provider, for a developer's manual calls to the emulators."""

from __future__ import annotations

import json
import shlex

from django.core.management.base import BaseCommand

from dashboard.providers import PROVIDER_NAMES, provider_config

# The cheapest authenticated call of each provider, as a curl command line.
EXAMPLES = {
    "engagelab": lambda url, c: (
        f"curl -u {shlex.quote(c['api_user'] + ':' + c['api_key'])} "
        f"{shlex.quote(url + '/v1/marketing/senders')}"
    ),
    "dialoginsight": lambda url, c: (
        "curl -H 'Content-Type: application/json' -d "
        + shlex.quote(json.dumps({"AuthKey": {"idKey": int(c["key_id"]), "Key": c["key"]}}))
        + " "
        + shlex.quote(url + "/webservices/ofc4/projects.ashx?method=List")
    ),
    "ccai": lambda url, c: (
        f"curl -u {shlex.quote(c['username'] + ':' + c['api_token'])} "
        f"{shlex.quote(url + '/manager/api/v1/outbound_dialer/campaigns')}"
    ),
}


class Command(BaseCommand):
    help = "Print this installation's sandbox credentials and a curl example per provider."

    def handle(self, *args, **options):
        for name, display_name in PROVIDER_NAMES.items():
            config = provider_config(name)
            if not config.sandbox:
                state = "live" if config.configured else "not configured"
                self.stdout.write(f"{display_name}: {state}, no sandbox is served.\n")
                continue
            self.stdout.write(f"{display_name} sandbox at {config.base_url}")
            for key, value in config.credentials.items():
                self.stdout.write(f"  {key:<15} {value}")
            self.stdout.write(f"  {EXAMPLES[name](config.base_url, config.credentials)}\n")
