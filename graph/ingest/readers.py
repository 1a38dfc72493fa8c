"""Reading ingest input: JSON Lines and CSV files as records, and the rejects file.

Each input record is a :class:`RawRecord`: its line, its original text and its parsed
form (the decoded JSON object, or the error that says why it is not one), so that a
record that cannot be read is still counted and rejected with its line, never lost.
:func:`read_path` picks the reader by the file's suffix; CSV rows are turned into the
event format by their column names (see :func:`read_csv`). :class:`RejectsFile`
appends each rejected record, its reason and its original text to a JSON Lines file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from graph.errors import InputError, InvalidEvent
from graph.ingest.outcomes import EventOutcome

__all__ = [
    "RawRecord",
    "RejectsFile",
    "read_csv",
    "read_jsonl",
    "read_path",
]


@dataclass(frozen=True)
class RawRecord:
    """One input record: where it came from, its original text, and its parsed form.

    ``parsed`` is the decoded JSON object, or the exception that decoding raised.
    """

    line: int
    text: str
    parsed: object


def read_jsonl(stream: IO[str]) -> Iterator[RawRecord]:
    """One record per non-blank line; undecodable lines carry their error."""
    for n, line in enumerate(stream, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        yield RawRecord(n, text, _decode(text))


_LONG_DIGITS = re.compile(r"[0-9]{19}")


def _decode(text: str) -> object:
    """One JSON value, or the error that says why the text is not one.

    orjson decodes about three times faster; what it refuses (NaN, lone surrogates,
    nesting past 1,024) and any text holding 19 digits in a row (orjson turns integers
    past 64 bits into floats) go to the standard module, so what is accepted, its
    values and the error messages are the standard module's.
    """
    if not _LONG_DIGITS.search(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        return InvalidEvent(f"not valid JSON ({e.msg} at column {e.colno})")
    except RecursionError:
        return InvalidEvent("not valid JSON (nested too deeply)")


_CSV_FIXED = ("event_id", "timestamp", "source", "channel", "type")


def _csv_row_to_event(row: dict[str, str | None]) -> dict[str, Any]:
    """Flat CSV columns to the event format.

    Columns: ``event_id, timestamp, source, channel, type``; one column per identifier
    type (``email``, ``phone``...; several values separated by ``|``); referrers as
    ``referred_by.<type>``; attributes as ``attr.<name>`` (values kept as text).
    """
    event: dict[str, Any] = {}
    identifiers: list[dict[str, str]] = []
    referred: list[dict[str, str]] = []
    attributes: dict[str, str] = {}
    for column, raw in row.items():
        if column is None:
            raise InvalidEvent("more fields than header columns", location="row")
        value = (raw or "").strip()
        if not value:
            continue
        name = column.strip()
        if name in _CSV_FIXED:
            event[name] = value
        elif name.startswith("attr."):
            attributes[name.removeprefix("attr.")] = value
        elif name.startswith("referred_by."):
            kind = name.removeprefix("referred_by.")
            referred += [{"type": kind, "value": v} for v in value.split("|") if v.strip()]
        else:
            identifiers += [{"type": name, "value": v} for v in value.split("|") if v.strip()]
    event["identifiers"] = identifiers
    if referred:
        event["referred_by"] = referred
    if attributes:
        event["attributes"] = attributes
    return event


def read_csv(stream: IO[str]) -> Iterator[RawRecord]:
    """One record per CSV data row (line numbers count the header as line 1)."""
    text = stream.read()
    lines = text.splitlines()
    reader = csv.DictReader(io.StringIO(text), strict=True)
    if reader.fieldnames is None:
        return
    missing = [c for c in ("event_id", "timestamp") if c not in reader.fieldnames]
    if missing:
        raise InputError(f"CSV header lacks required column(s): {', '.join(missing)}", "line 1")
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            n = reader.line_num
            original = lines[n - 1] if 0 < n <= len(lines) else ""
            yield RawRecord(n, original, InvalidEvent(f"malformed CSV ({e})"))
            continue
        n = reader.line_num
        original = lines[n - 1] if 0 < n <= len(lines) else ""
        try:
            parsed: object = _csv_row_to_event(row)
        except InvalidEvent as e:
            parsed = e
        yield RawRecord(n, original, parsed)


def read_path(path: Path) -> Iterator[RawRecord]:
    """Records of a ``.jsonl``/``.ndjson``/``.json`` or ``.csv`` file, by its suffix."""
    suffix = path.suffix.lower()
    with path.open(encoding="utf-8", errors="strict", newline="") as f:
        if suffix == ".csv":
            yield from read_csv(f)
        elif suffix in (".jsonl", ".ndjson", ".json"):
            yield from read_jsonl(f)
        else:
            raise InputError(
                f"unknown file type '{suffix}': use .jsonl (JSON Lines) or .csv", str(path)
            )


class RejectsFile:
    """Appends rejected records to a JSON Lines file: line, reason, location, original."""

    def __init__(self, path: Path, source_name: str) -> None:
        self.path = path
        self.source_name = source_name
        self._file: IO[str] | None = None

    def __call__(self, record: RawRecord, outcome: EventOutcome) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        entry = {
            "file": self.source_name,
            "line": record.line,
            "reason": outcome.reason,
            "location": outcome.location,
            "original": record.text,
        }
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
