"""Problems found in user input, reported as one readable sentence each."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

_MAX_SHOWN = 80


def show_value(value: Any) -> str:
    """A short, single-line representation of a user's value for a warning, spelled as in YAML.

    ``2024-03-01`` rather than ``datetime.date(2024, 3, 1)``, ``true``/``null`` rather than
    ``True``/``None``; text stays quoted, with invisible characters escaped.
    """
    out = _Shown()
    try:
        _write(value, out)
    except _Full:
        pass
    text = "".join(out)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 1] + "…"
    return text


def show_field(name: str) -> str:
    """A field name as one short line: a user's key may hold line breaks or run for pages."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name[: _MAX_SHOWN + 1])
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


class _Full(Exception):
    """Enough has been written: the rest would be cut anyway (also ends cyclic values)."""


class _Shown(list[str]):
    size = 0

    def write(self, text: str) -> None:
        self.append(text)
        self.size += len(text)
        if self.size > _MAX_SHOWN:
            raise _Full


def _write(value: Any, out: _Shown) -> None:
    if value is None:
        out.write("null")
    elif isinstance(value, bool):
        out.write("true" if value else "false")
    elif isinstance(value, (date, datetime)):
        out.write(value.isoformat())
    elif isinstance(value, float) and not math.isfinite(value):
        out.write(".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf"))
    elif isinstance(value, str):
        out.write(repr(value[: _MAX_SHOWN + 1]))  # repr escapes line breaks and invisible characters
    elif isinstance(value, (list, tuple)):
        out.write("[")
        for i, item in enumerate(value):
            if i:
                out.write(", ")
            _write(item, out)
        out.write("]")
    elif isinstance(value, dict):
        out.write("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.write(", ")
            _write(key, out)
            out.write(": ")
            _write(item, out)
        out.write("}")
    else:
        out.write(repr(value)[: _MAX_SHOWN + 1].replace("\n", "\\n").replace("\r", "\\r"))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field: what it was and what was expected."""

    field: str | None
    """The front-matter field (``None`` for the front matter as a whole)."""
    value: Any
    """The value as the user wrote it (after YAML parsing)."""
    expected: str
    """What would have been accepted, in words."""

    def message(self, source: str) -> str:
        where = f"{source}: " if source else ""
        if self.field is None:
            return f"{where}front matter {self.expected}"
        return f"{where}field '{show_field(self.field)}' has {show_value(self.value)}; expected {self.expected}"


class Problems(list[Problem]):
    """A list of problems with a convenience adder."""

    def add(self, field: str | None, value: Any, expected: str) -> None:
        self.append(Problem(field, value, expected))
