"""Reading what a page shows: its tables' cells and the JSON its charts are drawn from."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.scripts: dict[str, str] = {}
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = attrs["id"]
            self.tables[self._table] = []
        elif tag == "tbody" and self._table:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._in_body:
            self._cell = []
        elif tag == "script" and attrs.get("type") == "application/json":
            self._script = attrs.get("id")
            self.scripts[self._script] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None
        elif tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._script is not None:
            self.scripts[self._script] += data


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    return reader


def tables(html: str) -> dict[str, list[list[str]]]:
    """Each table with an id: the text of its body's cells, row by row."""
    return read(html).tables


def figures(html: str) -> dict[str, dict]:
    """Each `json_script` block of the page, parsed."""
    return {key: json.loads(text) for key, text in read(html).scripts.items()}


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))
