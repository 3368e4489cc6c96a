"""Reading a top-level JSON array one item at a time, holding only a window of the text: for
uploaded files and for the provider's unpaged contact listing alike."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import IO, Any


class JSONStreamError(ValueError):
    """The text is not a JSON array of values; the message says where."""


def json_array_items(binary: IO[bytes], read_size: int = 1 << 16) -> Iterator[tuple[int, Any]]:
    """The items of a top-level JSON array, one at a time, holding only a window of the text."""
    decoder = json.JSONDecoder()
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    buffer, pos, eof = "", 0, False

    def more() -> bool:
        nonlocal buffer, pos, eof
        chunk = text.read(read_size)
        if not chunk:
            eof = True
            return False
        buffer = buffer[pos:] + chunk
        pos = 0
        return True

    def skip_space() -> str:
        nonlocal pos
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n":
                pos += 1
            if pos < len(buffer):
                return buffer[pos]
            if not more():
                return ""

    first = skip_space()
    if first == "":
        raise JSONStreamError("The file is empty.")
    if first != "[":
        raise JSONStreamError(
            'The JSON file must hold an array of contacts: [{"name": …, "phone": …}, …].'
        )
    pos += 1
    index = 0
    while True:
        c = skip_space()
        if c == "]":
            return
        if c == "":
            raise JSONStreamError("The JSON file ends before its array is closed.")
        if index:
            if c != ",":
                raise JSONStreamError(f"The JSON is malformed after item {index}.")
            pos += 1
            skip_space()
        while True:
            try:
                item, end = decoder.raw_decode(buffer, pos)
            except RecursionError:
                # json's decoder recurses per nesting level: `[[[[…` is not a contact list.
                raise JSONStreamError(
                    f"Item {index + 1} of the JSON is nested too deeply to be a contact."
                ) from None
            except ValueError as error:
                if not eof and more():
                    continue
                raise JSONStreamError(
                    f"Item {index + 1} of the JSON is malformed ({error.args[0]})."
                ) from None
            # A value ending exactly at the window's edge may be cut short: read on and retry.
            if end >= len(buffer) and not eof and more():
                continue
            break
        pos = end
        index += 1
        yield index, item
