"""What a browser would submit from a page's form, for tests that go through Django's test
client: every named, enabled field with its current value (checked boxes and radios, selected
options, text areas), files and buttons excepted — the test says which button it presses."""

from __future__ import annotations

from html.parser import HTMLParser

SKIPPED = {"file", "submit", "button", "reset", "image"}


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, list[str]]] = []
        self.current: dict[str, list[str]] | None = None
        self.select: tuple[str, bool, list[str], str | None] | None = None
        self.textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.current = {}
            self.forms.append(self.current)
            return
        if self.current is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in SKIPPED:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if a.get("type") in ("checkbox", "radio") else ""
            self.current.setdefault(name, []).append(a.get("value", default))
        elif tag == "select" and name:
            self.select = (name, "multiple" in a, [], None)
        elif tag == "option" and self.select is not None:
            name, multiple, chosen, first = self.select
            value = a.get("value", "")
            if "selected" in a:
                chosen.append(value)
            self.select = (name, multiple, chosen, value if first is None else first)
        elif tag == "textarea" and name:
            self.textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None and self.current is not None:
            name, multiple, chosen, first = self.select
            values = chosen if multiple or chosen else ([first] if first is not None else [])
            self.current.setdefault(name, []).extend(values[: None if multiple else 1])
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            name, text = self.textarea
            # A browser drops the one newline that follows <textarea>.
            self.current.setdefault(name, []).append("".join(text).removeprefix("\n"))
            self.textarea = None


def form_data(html: str, having: str) -> dict[str, list[str]]:
    """The fields of the page's form that has a field named `having`."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if having in form:
            return form
    raise AssertionError(f"No form with a field named {having!r} on the page.")


def outcome_choices(response) -> dict[str, list[str]]:
    """The form around the "outcome unknown" choices, as the browser sends it back."""
    html = response if isinstance(response, str) else response.content.decode()
    return form_data(html, "retry_token")
