"""Front matter read in a fraction of the time PyYAML takes, or not at all.

MkDocs reads each page's front matter with ``yaml.load(block, SafeLoader)`` (libyaml's
``CSafeLoader`` when PyYAML has it): about 400 µs for an essay's forty lines, most of it
in PyYAML's Python composer and constructor. Front matter is nearly always written in a
small, plain part of YAML: block mappings and block sequences, one-line plain or quoted
scalars (plain ones may go on over more-indented lines), and one-line flow sequences and
flow mappings of scalars. :class:`PlainYamlReader` reads that part only. It resolves each plain scalar
with the loader's own table of implicit resolvers and constructs it with the loader's own
constructor, so what it returns equals what the loader returns. Anything else it declines
with ``None`` (the caller then leaves the block to the loader): anchors, aliases, tags,
block scalars, escapes, nested flow collections, multi-line quoted or flow scalars, a key given
twice, tabs, unusual characters, a block that is no mapping, a loader with constructors
or resolvers of its own for the kinds of node read here.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Pattern

import yaml
from yaml.constructor import SafeConstructor

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
# The values a resolved plain scalar may construct to here (another tag: declined).
_SCALAR_TYPES = (bool, int, float, type(None), date, datetime)

# Characters outside what is read here: tabs, carriage returns, YAML's other line breaks
# (NEL, LS, PS), byte-order marks, and what YAML does not allow (controls, DEL, surrogates,
# U+FFFE, U+FFFF). Listed, rather than everything else excluded: Python compiles the
# excluding class (every code point from U+00A0 up) in 5-10 ms, at every build's import.
_UNREAD_CHARACTER_RE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# A key: a plain word (keys that resolve to anything but text are declined), then ": " or
# the line's end.
_KEY_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_.\-]*):(?: +|$)")
# A sequence entry with such a value (below), or any other entry.
_ENTRY_RE = re.compile(r"- +(?:(?!\.\.\.)([^ '\"\[\]{}#&*!|>%@`,?:\-][^#:]*)$)?")
# A key and the value most lines have: a plain scalar without colons or number signs, that
# starts with no indicator (the value's group is empty for any other value).
_PAIR_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_.\-]*):(?: +|$)(?:(?!\.\.\.)([^ '\"\[\]{}#&*!|>%@`,?:\-][^#:]*)$)?")
_SINGLE_QUOTED_RE = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE_QUOTED_RE = re.compile(r'"([^"\\]*)"')
# One item of a one-line flow sequence, and the comma after it.
_FLOW_ITEM_RE = re.compile(r" *(?:'((?:[^']|'')*)'|\"([^\"\\]*)\"|([^,'\"]+))(,?)")
# One pair of a one-line flow mapping, and the comma after it.
_FLOW_PAIR_RE = re.compile(r" *([A-Za-z_][A-Za-z0-9_.\-]*): +(?:'((?:[^']|'')*)'|\"([^\"\\]*)\"|([^,'\"]+))(,?)")
# Characters that cannot start a plain scalar here (``-`` only before a space, see _inline).
_INDICATORS = frozenset("?:,[]{}#&*!|>'\"%@`")
# A line that cannot go on a plain scalar here.
_CONTINUATION_START = _INDICATORS | {"-"}


class _NotPlain(Exception):
    """The block is outside the part of YAML read here."""


class PlainYamlReader:
    """Reads the plain part of YAML as ``loader`` (a PyYAML loader class) would read it."""

    def __init__(self, loader: type[Any]) -> None:
        constructors = loader.yaml_constructors
        # Only a loader whose text, lists and mappings are PyYAML's own, and whose scalars
        # are resolved by their text alone, is imitated.
        self.usable = (constructors.get(_STR) is SafeConstructor.construct_yaml_str
                       and constructors.get(_SEQ) is SafeConstructor.construct_yaml_seq
                       and constructors.get(_MAP) is SafeConstructor.construct_yaml_map
                       and not getattr(loader, "yaml_path_resolvers", None))
        implicit: dict[Any, list[tuple[str, Pattern[str]]]] = loader.yaml_implicit_resolvers
        wildcard = list(implicit.get(None, []))
        self._resolvers = {first: tuple(resolvers + wildcard)
                           for first, resolvers in implicit.items() if first is not None}
        self._wildcard = tuple(wildcard)
        self._constructors = constructors
        self._loader_class = loader
        self._loader: Any = None
        self._constructed: dict[str, Any] = {}
        """Plain scalars that are not text, by their text: the value the loader gave."""
        self._key_texts: set[str] = set()
        """Keys found to resolve to text."""

    def read(self, block: str) -> dict[Any, Any] | None:
        """What ``yaml.load(block, loader)`` gives for the text of a front-matter block (its
        lines, each ending with a line break), when that is a mapping read here, or None."""
        if not self.usable or _UNREAD_CHARACTER_RE.search(block):
            return None
        lines = []
        for line in block.split("\n"):
            content = line.lstrip(" ")
            lines.append((len(line) - len(content), content.rstrip(" ")))
        try:
            mapping, end = self._mapping(lines, 0, 0)
        except _NotPlain:
            return None
        except Exception:  # noqa: BLE001 - a value the loader's constructor rejects (2024-02-30)
            return None
        if end < len(lines) or not mapping:
            return None
        return mapping

    # -- block collections ----------------------------------------------------------------

    def _mapping(self, lines: list[tuple[int, str]], at: int, indent: int) -> tuple[dict[Any, Any], int]:
        """The block mapping whose keys are at ``indent``, from line ``at``; and where it ends."""
        mapping: dict[Any, Any] = {}
        count = len(lines)
        while at < count:
            column, content = lines[at]
            if not content or content[0] == "#":
                at += 1
                continue
            if column < indent:
                break
            pair = _PAIR_RE.match(content)
            if column > indent or pair is None:
                raise _NotPlain
            key, simple_value = pair.groups()
            if key not in self._key_texts:
                self._check_key(key)
            if key in mapping:
                raise _NotPlain  # the loader keeps the last; the caller reports the repetition
            at += 1
            if simple_value is not None and (at == count or lines[at][0] <= indent or not lines[at][1]):
                mapping[key] = self._plain(simple_value)  # the common case, with no line to go on
                continue
            rest = content[pair.end(1) + 1:].lstrip(" ")
            at -= 1
            if rest and rest[0] != "#":
                mapping[key], at = self._inline(lines, at, indent, rest)
            else:
                mapping[key], at = self._nested(lines, at + 1, indent)
        return mapping, at

    def _nested(self, lines: list[tuple[int, str]], at: int, indent: int) -> tuple[Any, int]:
        """The value of a key at ``indent`` with nothing after its colon: a collection on the
        following lines (a sequence may be at the key's own indent), or null."""
        count = len(lines)
        while at < count and (not lines[at][1] or lines[at][1][0] == "#"):
            at += 1
        if at < count:
            column, content = lines[at]
            is_entry = content == "-" or content.startswith("- ")
            if column > indent:
                return self._sequence(lines, at, column) if is_entry else self._mapping(lines, at, column)
            if column == indent and is_entry:
                return self._sequence(lines, at, column)
        return self._plain(""), at

    def _sequence(self, lines: list[tuple[int, str]], at: int, indent: int) -> tuple[list[Any], int]:
        """The block sequence whose dashes are at ``indent``, from line ``at``; and where it ends."""
        sequence: list[Any] = []
        count = len(lines)
        while at < count:
            column, content = lines[at]
            if not content or content[0] == "#":
                at += 1
                continue
            if column < indent:
                break
            if column > indent:
                raise _NotPlain
            entry = _ENTRY_RE.match(content)
            if entry is None:
                if content == "-":
                    raise _NotPlain  # an entry whose value is on the following lines
                break  # a compact sequence's end: its mapping's next key
            simple_value = entry.group(1)
            if simple_value is not None and (at + 1 == count or lines[at + 1][0] <= indent or not lines[at + 1][1]):
                sequence.append(self._plain(simple_value))  # the common case, with no line to go on
                at += 1
                continue
            rest = content[2:].lstrip(" ")
            if not rest or rest[0] == "#" or rest == "-" or rest.startswith("- "):
                raise _NotPlain
            if _KEY_RE.match(rest):  # a mapping, its keys at the first one's column
                lines[at] = (column + len(content) - len(rest), rest)
                value, at = self._mapping(lines, at, lines[at][0])
            else:
                value, at = self._inline(lines, at, indent, rest)
            sequence.append(value)
        return sequence, at

    # -- scalars ------------------------------------------------------------------------------

    def _inline(self, lines: list[tuple[int, str]], at: int, indent: int, text: str) -> tuple[Any, int]:
        """The scalar or flow sequence ``text`` that starts on line ``at`` (after a key or a
        dash at ``indent``); and the line after it. Only a plain scalar goes on over the
        following lines that are indented deeper than ``indent``."""
        first = text[0]
        if first == "'" or first == '"':
            quoted = (_SINGLE_QUOTED_RE if first == "'" else _DOUBLE_QUOTED_RE).match(text)
            if quoted is None:
                raise _NotPlain  # escapes, or over several lines
            _end_of_line(text, quoted.end())
            value = quoted.group(1)
            return (value.replace("''", "'") if first == "'" else value), at + 1
        if first == "[":
            return self._flow_sequence(text), at + 1
        if first == "{":
            return self._flow_mapping(text), at + 1
        if first in _INDICATORS or (first == "-" and (len(text) == 1 or text[1] == " ")) \
                or text.startswith(("---", "...")):
            raise _NotPlain
        comment = text.find(" #")
        if comment >= 0:
            text = text[:comment].rstrip(" ")
        _check_plain(text)
        at += 1
        count = len(lines)
        if at < count and lines[at][0] > indent and lines[at][1]:
            # Lines indented deeper go on the scalar, each joined with a space.
            parts = [text]
            while at < count:
                column, content = lines[at]
                if column <= indent or not content or content[0] == "#":
                    break  # a blank line would be kept as a line break: the loop of _mapping declines
                if content[0] in _CONTINUATION_START or " #" in content:
                    raise _NotPlain
                _check_plain(content)
                parts.append(content)
                at += 1
            text = " ".join(parts)
        return self._plain(text), at

    def _flow_sequence(self, text: str) -> list[Any]:
        """A one-line flow sequence of scalars, ``[a, 'b', "c"]``."""
        close = text.find("]")
        if close < 0:
            raise _NotPlain
        _end_of_line(text, close + 1)
        inner = text[1:close]
        if not inner.strip(" "):
            return []
        items: list[Any] = []
        at = 0
        while True:
            item = _FLOW_ITEM_RE.match(inner, at)
            if item is None:
                raise _NotPlain
            single, double, plain, comma = item.groups()
            if plain is not None:
                items.append(self._flow_plain(plain))
            elif single is not None:
                items.append(single.replace("''", "'"))
            else:
                items.append(double)
            at = item.end()
            if not comma:
                if inner[at:].strip(" "):
                    raise _NotPlain
                return items
            if not inner[at:].strip(" "):
                raise _NotPlain  # a comma before "]": left to the loader

    def _flow_mapping(self, text: str) -> dict[Any, Any]:
        """A one-line flow mapping of scalars, ``{value: In Progress, percentage: 65}``."""
        close = text.find("}")
        if close < 0:
            raise _NotPlain
        _end_of_line(text, close + 1)
        inner = text[1:close]
        mapping: dict[Any, Any] = {}
        if not inner.strip(" "):
            return mapping
        at = 0
        while True:
            pair = _FLOW_PAIR_RE.match(inner, at)
            if pair is None:
                raise _NotPlain
            key, single, double, plain, comma = pair.groups()
            if key not in self._key_texts:
                self._check_key(key)
            if key in mapping:
                raise _NotPlain
            if plain is not None:
                mapping[key] = self._flow_plain(plain)
            else:
                mapping[key] = double if single is None else single.replace("''", "'")
            at = pair.end()
            if not inner[at:].strip(" "):
                if comma:
                    raise _NotPlain  # a comma before "}": left to the loader
                return mapping
            if not comma:
                raise _NotPlain

    def _flow_plain(self, text: str) -> Any:
        """A plain scalar inside a flow collection (where commas, brackets and braces end it)."""
        text = text.strip(" ")
        if not text or text[0] in _CONTINUATION_START or ":" in text or "#" in text \
                or "[" in text or "]" in text or "{" in text or "}" in text:
            raise _NotPlain
        return self._plain(text)

    def scalar(self, text: str) -> Any:
        """A one-line plain scalar (stripped), as the loader reads it; raises where the loader
        would, or where it would read something else than a plain scalar (an unknown tag)."""
        return self._plain(text)

    def _plain(self, text: str) -> Any:
        """A plain scalar: its text, or what the loader constructs for the tag its text resolves to."""
        constructed = self._constructed.get(text, self)
        if constructed is not self:
            return constructed
        for tag, pattern in self._resolvers.get(text[:1], self._wildcard):  # as _resolve, inlined
            if pattern.match(text):
                break
        else:
            return text
        constructor = self._constructors.get(tag)
        if constructor is None:
            raise _NotPlain
        if self._loader is None:
            self._loader = self._loader_class("")
        value = constructor(self._loader, yaml.ScalarNode(tag, text))
        if not isinstance(value, _SCALAR_TYPES):
            raise _NotPlain
        if len(self._constructed) >= 4096:
            self._constructed.clear()
        self._constructed[text] = value
        return value

    def _resolve(self, text: str) -> str | None:
        """The tag the loader's implicit resolvers give a plain scalar, None for text."""
        for tag, pattern in self._resolvers.get(text[:1], self._wildcard):
            if pattern.match(text):
                return None if tag == _STR else tag
        return None

    def _check_key(self, key: str) -> None:
        if self._resolve(key) is not None:
            raise _NotPlain  # a key such as yes, null, on: not text
        self._key_texts.add(key)


def _end_of_line(text: str, end: int) -> None:
    """Nothing but a comment may follow a quoted scalar or a flow sequence on its line."""
    if end < len(text) and (text[end] != " " or text[end:].lstrip(" ")[0] != "#"):
        raise _NotPlain


def _check_plain(text: str) -> None:
    """A colon then a space, or at the end, would make a mapping of a plain scalar."""
    if ": " in text or text.endswith(":"):
        raise _NotPlain
