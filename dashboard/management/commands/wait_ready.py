from __future__ import annotations

import time

import requests
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Wait until a URL answers 200 (used by `make run` before the first sync)."

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True)
        parser.add_argument("--timeout", type=float, default=60)

    def handle(self, *args, url, timeout, **options):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise CommandError(f"{url} did not answer within {timeout:g} s")
