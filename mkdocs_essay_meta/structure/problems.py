"""Problems found in user input, reported as one readable sentence each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_MAX_SHOWN = 80


def show_value(value: Any) -> str:
    """A short, single-line representation of a user's value for a warning."""
    text = repr(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 1] + "…"
    return text


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
        return f"{where}field '{self.field}' has {show_value(self.value)}; expected {self.expected}"


class Problems(list[Problem]):
    """A list of problems with a convenience adder."""

    def add(self, field: str | None, value: Any, expected: str) -> None:
        self.append(Problem(field, value, expected))
