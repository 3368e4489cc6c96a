"""The Content-Security-Policy every page is sent, and templates that keep to it: no inline
script or handler, nothing htmx would have to eval."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


def test_every_page_is_sent_the_policy(client, marketer):
    client.force_login(marketer)
    for url in ("/", "/campaigns/", "/audit/", "/login/"):
        rules = policy(client.get(url))
        assert rules["default-src"] == ["'self'"]
        assert rules["script-src"] == ["'self'"]  # no inline script, no eval
        assert rules["object-src"] == ["'none'"]
        assert rules["frame-ancestors"] == ["'none'"]
        assert rules["base-uri"] == ["'self'"]
        assert rules["form-action"] == ["'self'"]
        assert "'unsafe-inline'" not in rules["style-src-elem"]


def test_a_chart_page_lets_in_only_plotlys_style_element_by_its_nonce(client, marketer):
    client.force_login(marketer)
    response = client.get("/")
    [nonce] = [v for v in policy(response)["style-src-elem"] if v.startswith("'nonce-")]
    body = response.content.decode()
    assert f'<style id="plotly.js-style-global" nonce="{nonce[7:-1]}"></style>' in body
    assert body.count("<style") == 1
    assert nonce != policy(client.get("/"))["style-src-elem"][-1]  # a new one each time


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
HTMX_EVAL = re.compile(r"\shx-on[:-]|hx-(?:vals|headers)=['\"]js:")
TRIGGER = re.compile(r'hx-trigger="([^"]*)"')
FILTER = re.compile(r"(?:^|[\s,])(?:every \S+|[a-zA-Z-]+)\s*\[")  # `keyup[…]`, not `from:input[…]`


def test_no_template_has_inline_script_handler_or_htmx_eval():
    found = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, HANDLER, HTMX_EVAL):
            found += [f"{path.name}: {m.group(0)}" for m in pattern.finditer(text)]
        for trigger in TRIGGER.findall(text):
            found += [f"{path.name}: {trigger}" for _ in FILTER.finditer(trigger)]
    assert found == []
