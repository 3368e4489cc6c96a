"""Reading the files people upload (CSV or JSON contacts), one way for every upload page.

Colleagues send what their tools save: Excel's "CSV" in Windows-1252 with semicolons, "CSV
UTF-8" with a byte-order mark, "Unicode text" (UTF-16 with tabs), a JSON export. `detect()` tells
a file's kind, encoding and delimiter from its bytes (the user may correct the last two);
`read_csv()` and `read_json()` then stream it, one row or item at a time, never holding the file
in memory. Every problem is an `UploadError` whose message a user can act on.

The same JSON streaming (`json_array_items`) reads a provider's unpaged JSON listing.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import charset_normalizer
import ijson
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# (codec, label) offered on the columns page; detection picks among the first four.
ENCODINGS = [
    ("utf-8", "UTF-8"),
    ("utf-16", gettext_lazy("UTF-16 (Excel “Unicode text”)")),
    ("cp1252", gettext_lazy("Windows-1252 (Excel on Windows)")),
    ("latin-1", "Latin-1 (ISO-8859-1)"),
    ("mac_roman", gettext_lazy("Mac Roman (Excel on older Macs)")),
    ("cp1250", gettext_lazy("Windows-1250 (Central Europe)")),
]
ENCODING_LABELS = dict(ENCODINGS)
DELIMITERS = [
    (",", gettext_lazy("Comma")),
    (";", gettext_lazy("Semicolon")),
    ("\t", gettext_lazy("Tab")),
    ("|", gettext_lazy("Vertical bar")),
]
DELIMITER_LABELS = dict(DELIMITERS)

HEAD = 64 * 1024  # what detection looks at, besides the UTF-8 check of the whole file
MAX_DEPTH = 32  # a JSON contact is an object of plain values; nothing real nests this deep
NOT_CSV = gettext_lazy("This is not a CSV or JSON file.")
_MAGIC = [
    (b"PK\x03\x04", gettext_lazy("an Excel workbook or another zip archive: save it as CSV first")),
    (b"\xd0\xcf\x11\xe0", gettext_lazy("an old Excel (.xls) or Word file: save it as CSV first")),
    (b"%PDF", gettext_lazy("a PDF document")),
    (b"\x89PNG", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"\x1f\x8b", gettext_lazy("a gzip archive")),
    (b"Rar!", gettext_lazy("a RAR archive")),
    (b"7z\xbc\xaf", gettext_lazy("a 7-Zip archive")),
]
_BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# C0 control characters that never appear in a text file (tab, line feed, carriage return and
# form feed do).
_CONTROL = bytes(c for c in range(32) if c not in (9, 10, 12, 13))


class UploadError(ValueError):
    """The file cannot be read as contacts; the message says why and what to do."""


@dataclass(frozen=True)
class FileFormat:
    kind: str  # "csv" | "json"
    encoding: str  # a codec of ENCODINGS
    delimiter: str = ","  # CSV only

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self) -> str:
        return DELIMITER_LABELS.get(self.delimiter, repr(self.delimiter))


# --- Detection --------------------------------------------------------------------------------


def detect(file: IO[bytes], name: str = "") -> FileFormat:
    """The kind, encoding and delimiter of an uploaded file (read from its start; the whole file
    is read once to make sure it is UTF-8 before saying so). Leaves the file at its start."""
    file.seek(0)
    head = file.read(HEAD)
    file.seek(0)
    if not head.strip():
        raise UploadError(_("The file is empty."))
    encoding = _bom_encoding(head)
    if encoding is None:
        _refuse_binary(head)
        encoding = "utf-8" if _is_utf8(file) else _legacy_encoding(file, head)
        file.seek(0)
    text = _decode_head(head, encoding)
    kind = _kind(name, text)
    delimiter = sniff_delimiter(text) if kind == "csv" else ","
    return FileFormat(kind=kind, encoding=encoding, delimiter=delimiter)


def _bom_encoding(head: bytes) -> str | None:
    return next((enc for bom, enc in _BOMS if head.startswith(bom)), None)


def _refuse_binary(head: bytes) -> None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise UploadError(
                _("This is not a CSV or JSON file: it looks like %(what)s.") % {"what": what}
            )
    controls = sum(head.count(c) for c in _CONTROL)
    if controls > len(head) // 20:
        raise UploadError(str(NOT_CSV))
    if b"\x00" in head:
        raise UploadError(str(_NUL))


_NUL = gettext_lazy(
    "The file contains NUL characters, so it is not a plain-text CSV. Export it again as CSV "
    "(UTF-8)."
)


def _is_utf8(file: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _legacy_encoding(file: IO[bytes], head: bytes) -> str:
    """Not UTF-8: Windows-1252 or Latin-1 (what Western spreadsheets save), as
    charset-normalizer judges from the start of the file; neither making sense means it is not
    text at all."""
    file.seek(0)
    best = charset_normalizer.from_bytes(head, cp_isolation=["cp1252", "latin_1"]).best()
    if best is None:
        raise UploadError(str(NOT_CSV))
    return "latin-1" if best.encoding == "latin_1" else "cp1252"


def _decode_head(head: bytes, encoding: str) -> str:
    text = head.decode(encoding, errors="ignore")  # the last character may be cut short
    return text.lstrip("\ufeff")


def _kind(name: str, text: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    return "json" if text.lstrip()[:1] == "[" else "csv"


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV sample: the csv module's sniffer on its first complete lines, or
    else the candidate the header holds most of (a one-column file: a comma)."""
    lines = text.splitlines()[:50]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last one may be cut short
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        counts = {d: header.count(d) for d, _ in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


# --- Reading ----------------------------------------------------------------------------------


def text_reader(file: IO[bytes], encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        file, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline=""
    )


def read_csv(file: IO[bytes], fmt: FileFormat) -> Iterator[tuple[int, list[str]]]:
    """Every row of a CSV file, the header first, each with the line it ends on."""
    text = text_reader(file, fmt.encoding)
    reader = csv.reader(text, delimiter=fmt.delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except UnicodeError:  # a byte the encoding has no character for; UTF-16 without a BOM
        raise UploadError(
            _(
                "The file cannot be read as %(encoding)s text (near line %(line)s): choose "
                "another encoding."
            )
            % {"encoding": fmt.encoding_label, "line": reader.line_num + 1}
        ) from None
    except csv.Error as error:
        if "NUL" in str(error):
            raise UploadError(str(_NUL)) from None
        raise UploadError(
            _("Line %(line)s is not valid CSV (%(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from None
    finally:
        text.detach()  # the caller owns the file


class _Utf8(io.RawIOBase):
    """A file in another encoding, read as UTF-8 bytes (what ijson parses)."""

    def __init__(self, file: IO[bytes], encoding: str) -> None:
        self._text = text_reader(file, encoding)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while len(self._pending) < len(buffer):
            chunk = self._text.read(len(buffer))
            if not chunk:
                break
            self._pending += chunk.encode()
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def read_json(file: IO[bytes], fmt: FileFormat) -> Iterator[tuple[int, Any]]:
    """The items of a JSON file's top-level array, numbered from 1. An item that is not an
    object is yielded all the same: the caller rejects that row, not the file."""
    # Recoded to plain UTF-8 (a byte-order mark dropped), as ijson reads it.
    source = io.BufferedReader(_Utf8(file, fmt.encoding))
    try:
        yield from json_array_items(source)
    except UnicodeError:  # a byte the encoding has no character for; UTF-16 without a BOM
        raise UploadError(
            _("The file cannot be read as %(encoding)s text: choose another encoding.")
            % {"encoding": fmt.encoding_label}
        ) from None


_STARTS = {"start_map", "start_array"}
_ENDS = {"end_map", "end_array"}


def json_array_items(source: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """The items of a top-level JSON array, one at a time, numbered from 1, with ijson's
    event parser (which holds no more than a buffer of the text). Nesting is capped: `[[[[…`
    is not a contact list, and building it would exhaust memory."""
    events = ijson.basic_parse(source, use_float=True)
    index = 0
    depth = 1  # inside the top-level array
    try:
        first = next(events, None)
        if first is None:
            raise UploadError(_("The file is empty."))
        if first[0] != "start_array":
            raise UploadError(
                _('The JSON file must hold an array of contacts: [{"name": …, "phone": …}, …].')
            )
        builder: ijson.ObjectBuilder | None = None
        for event, value in events:
            if builder is None:
                if event == "end_array":
                    return
                index += 1
                if event not in _STARTS:  # a plain value as an item
                    yield index, value
                    continue
                builder = ijson.ObjectBuilder()
            builder.event(event, value)
            if event in _STARTS:
                depth += 1
                if depth > MAX_DEPTH:
                    raise UploadError(
                        _("Item %(index)s of the JSON is nested too deeply to be a contact.")
                        % {"index": index}
                    )
            elif event in _ENDS:
                depth -= 1
                if depth == 1:
                    yield index, builder.value
                    builder = None
        raise UploadError(_("The JSON file has something after its array."))
    except ijson.IncompleteJSONError as error:
        raise UploadError(_json_problem(str(error), index, inside=depth > 1)) from None


def _json_problem(error: str, index: int, *, inside: bool) -> str:
    if "premature EOF" in error:
        if inside:
            return _(
                "Item %(index)s of the JSON is malformed (the file ends in the middle of it)."
            ) % {"index": index}
        return _("The JSON file ends before its array is closed.")
    reason = error.splitlines()[0].replace("parse error: ", "").replace("lexical error: ", "")
    if inside or not index:
        return _("Item %(index)s of the JSON is malformed (%(reason)s).") % {
            "index": max(index, 1),
            "reason": reason,
        }
    return _("The JSON is malformed after item %(index)s (%(reason)s).") % {
        "index": index,
        "reason": reason,
    }
