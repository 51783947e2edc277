"""Reading the front-matter block of a Markdown source, with the errors MkDocs hides.

MkDocs silently drops front matter that is not valid YAML (and then renders it as body
text); this reader finds the same block MkDocs would and reports why it failed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml

from .plain_yaml import PlainYamlReader
from .problems import Problems, show_value

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

# The same block MkDocs recognises: a first line of exactly three dashes, closed by
# three dashes or three dots. MkDocs' pattern (``mkdocs.utils.meta.YAML_RE``) tries the end
# after every character; this one, after every line: the same match, in half the time.
FRONT_MATTER_RE = re.compile(r"^-{3}[ \t]*\n((?:[^\n]*\n)+?)(?:\.{3}|-{3})[ \t]*\n")
# A block that was opened, with a "key:" line, but never closed (MkDocs then shows it all as
# text). A page that merely starts with a --- rule is not one.
_UNCLOSED_RE = re.compile(r"^-{3}[ \t]*\n[^\s:#-][^:\n]*:(?:[ \t]|$)", re.MULTILINE)
# An empty block: MkDocs' pattern needs a line inside, so it shows two rules instead.
_EMPTY_RE = re.compile(r"^-{3}[ \t]*\n()(?:\.{3}|-{3})[ \t]*\n")
# key: value, an indented or list line, or a comment.
_YAML_LINE_RE = re.compile(r"^(?:[ \t]|-(?:\s|$)|#|[^\s:#][^:]*:(?:\s|$))")


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type, misc]
    """A safe loader that reports impossible dates as YAML errors (PyYAML raises ValueError)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # An explicit tag on a value it cannot read (!!float "", !!timestamp soon, !!int x)
        # makes PyYAML raise IndexError, AttributeError, ValueError...: report them as YAML errors.
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ArithmeticError, AttributeError, IndexError, KeyError, TypeError, ValueError) as e:
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            value = node.value if isinstance(node, yaml.ScalarNode) else node.id  # type: ignore[attr-defined]
            raise yaml.constructor.ConstructorError(
                None, None, f"{value!r} cannot be read as {tag}", node.start_mark) from e

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        # PyYAML matches 2024-02-30 as a timestamp, then datetime() raises a bare ValueError.
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as e:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a date that exists ({e})", node.start_mark) from e


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]
    """The parsed mapping (empty when there was none or it was invalid)."""
    block_end: int
    """Where the body starts in the source (0 when there is no front-matter block)."""
    valid: bool
    """False when a block was present but MkDocs could not read it (and so left it in the body)."""


def normalize_source(text: str) -> str:
    """The source as MkDocs reads it: no BOM, ``\\n`` line endings."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_source(path: str) -> str:
    """The source of a Markdown file exactly as MkDocs reads it (``File.content_string``: UTF-8
    with an optional BOM, universal newlines), with fewer system calls than a text-mode ``open``."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    text = b"".join(chunks).decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _match_block(text: str) -> re.Match[str] | None:
    """The front-matter block, also when empty (``---`` then ``---``, which MkDocs' pattern
    misses) or closed on the last line of the file without a line break."""
    for candidate in (text, text + "\n") if not text.endswith("\n") else (text,):
        m = FRONT_MATTER_RE.match(candidate) or _EMPTY_RE.match(candidate)
        if m is not None:
            return m
    return None


class PlainFrontMatter(NamedTuple):
    """A front-matter block that :class:`~.plain_yaml.PlainYamlReader` read."""

    data: dict[Any, Any]
    """What MkDocs' YAML loader gives for it (``page.meta``)."""
    body_start: int
    """Where the body starts: after the block and the line breaks under it, as MkDocs cuts it."""


def read_plain_front_matter(text: str, reader: PlainYamlReader) -> PlainFrontMatter | None:
    """The front matter of a (normalized) source, when MkDocs would read a mapping from it
    and ``reader`` reads it; otherwise None."""
    block = FRONT_MATTER_RE.match(text)
    if block is None:
        return None
    data = reader.read(block.group(1))
    if data is None:
        return None
    body_start = block.end()
    while text.startswith("\n", body_start):
        body_start += 1
    return PlainFrontMatter(data, body_start)


def _unclosed_block_end(text: str) -> int:
    """Where an unclosed block most likely ends: its first blank line, or the first line that
    does not look like YAML (so a body written right under it is kept)."""
    at = text.index("\n") + 1
    while at < len(text):
        end = text.find("\n", at)
        line = text[at:] if end < 0 else text[at:end]
        if not line.strip():
            return len(text) if end < 0 else end + 1
        if not _YAML_LINE_RE.match(line):
            return at
        at = len(text) if end < 0 else end + 1
    return len(text)


def strip_front_matter(text: str) -> str:
    """The (normalized) source without the front-matter block MkDocs left in the body."""
    m = _match_block(text)
    if m is not None:
        return text[min(m.end(), len(text)):]
    if _UNCLOSED_RE.match(text):
        return text[_unclosed_block_end(text):]
    return text


def read_front_matter(text: str, problems: Problems) -> FrontMatter:
    """The front matter of a (normalized) Markdown source; problems are appended."""
    m = _match_block(text)
    if not m:
        if _UNCLOSED_RE.match(text):
            problems.add(None, None, "starts with --- but is never closed by a --- line; it was left out "
                                     "of the page up to its first blank line or first line that is not YAML")
            return FrontMatter({}, _unclosed_block_end(text), False)
        return FrontMatter({}, 0, True)
    # MkDocs needs a line break after the closing line: without one it shows the block as text.
    read_by_mkdocs = m.end() <= len(text) and m.re is FRONT_MATTER_RE
    loader = _StrictLoader(m.group(1))
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as e:
        problems.add(None, None, f"is not valid YAML{_explain(e, m.group(1))}; the page was built without it")
        return FrontMatter({}, min(m.end(), len(text)), False)
    finally:
        loader.dispose()
    if data is None:
        return FrontMatter({}, min(m.end(), len(text)), read_by_mkdocs)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        problems.add(None, None, f"is {kind} ({show_value(data)}), not a mapping of fields such as "
                                 "'title: ...'; it was ignored")
        return FrontMatter({}, min(m.end(), len(text)), False)
    for path in dict.fromkeys(_duplicate_keys(root)):
        problems.add(_field_name(path), _value_at(data, path), "to appear once; the last value was used")
    return FrontMatter({str(k): v for k, v in data.items()}, min(m.end(), len(text)), read_by_mkdocs)


def _at(mark: Any) -> str:
    # The block starts on the file's second line; marks count from 0.
    return f"line {mark.line + 2}, column {mark.column + 1}"


def _explain(error: yaml.YAMLError, block: str) -> str:
    """`` at line 4, column 1: found character that cannot start any token (a tab: ...)``."""
    mark = getattr(error, "problem_mark", None)
    reason = getattr(error, "problem", None) or str(error).splitlines()[0]
    if mark is None:
        return f": {reason}"
    lines = block.splitlines()
    if mark.line < len(lines) and lines[mark.line][mark.column:mark.column + 1] == "\t":
        reason += " (a tab: YAML indents with spaces only)"
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark is not None and context_mark.line != mark.line:
        reason += f" ({context} that starts at {_at(context_mark)})"
    return f" at {_at(mark)}: {reason}"


def _duplicate_keys(root: yaml.Node) -> list[tuple[Any, ...]]:
    """The path of every mapping key given twice, at any depth (anchors visited once)."""
    found: list[tuple[Any, ...]] = []
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(root, ())]
    visited: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            children = []
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                if key_node.value in seen:
                    found.append((*path, key_node.value))
                seen.add(key_node.value)
                children.append((value_node, (*path, key_node.value)))
            stack.extend(reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed([(item, (*path, i)) for i, item in enumerate(node.value)]))
    return found


def _field_name(path: tuple[Any, ...]) -> str:
    """``('bibliography', 0, 'title')`` → ``bibliography[0].title``."""
    name = str(path[0])
    for part in path[1:]:
        name += f"[{part}]" if isinstance(part, int) else f".{part}"
    return name


def _value_at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


# -- reading a few fields cheaply ------------------------------------------------------------
# MkDocs parses every page's front matter itself (into ``page.meta``). Before it does, the
# plugin needs only whether a page is held back (``draft``, ``publishdate``), so it reads
# just those lines of the block instead of parsing the whole of it a second time.

# A top-level line that cannot start a plain ``key:`` (a quoted or complex key, an anchor,
# alias or tag, a merge key, a flow collection, a directive...): it may hide a field from
# the search by name, so such a block is parsed whole instead.
_UNUSUAL_TOP_LEVEL_RE = re.compile(r"\n[^A-Za-z_ \t\n#-]")
# A key at any depth of a block-style mapping (``key:`` or ``- key:``).
_KEY_LINE_RE = re.compile(r"\n[ \t]*(?:- [ \t]*)?[^\s#'\"{\[\-][^:\n]*:(?=[ \t\n])")
# The patterns above and below start at a line break: searched from the one that ends the
# opening ``---`` line, they try line starts only (much faster than ``^`` with MULTILINE).
_OPENING_LINE_RE = re.compile(r"-{3}[ \t]*\n")
_CLOSING_LINE_RE = re.compile(r"\n(?:\.{3}|-{3})[ \t]*\n")


def _block_lines(text: str) -> tuple[int, int] | None:
    """Where the lines of the front-matter block are, each after a line break: from the one
    that ends the opening ``---`` line to the one that ends the block's last line (included);
    the block that :data:`FRONT_MATTER_RE` finds, or ``None``."""
    opening = _OPENING_LINE_RE.match(text)
    if opening is None:
        return None
    at = opening.end()
    while True:
        dashes = text.find("\n---", at)
        dots = text.find("\n...", at, len(text) if dashes < 0 else dashes)
        closing = dashes if dots < 0 else dots
        if closing < 0:
            return None
        if _CLOSING_LINE_RE.match(text, closing):
            return opening.end() - 1, closing + 1
        at = closing + 1


def count_key_lines(text: str) -> int:
    """How many ``key:`` lines the front-matter block of a (normalized) source has."""
    lines = _block_lines(text)
    return 0 if lines is None else len(_KEY_LINE_RE.findall(text, *lines))


def _most_keys(text: str, start: int, end: int) -> int:
    """The most keys ``text[start:end]`` can give: its colons followed by a space, a tab or a
    line break (each key has one; quoted text, comments and block scalars may hold more)."""
    count = text.count(": ", start, end) + text.count(":\n", start, end)
    return count + text.count(":\t", start, end) if text.find("\t", start, end) >= 0 else count


class HeadFields(NamedTuple):
    """A few top-level fields of a front-matter block, read without parsing the rest."""

    data: dict[str, Any]
    most_keys: int
    """The most keys the block can give: when the parsed front matter has fewer (see
    :func:`count_keys`), a key may have been given twice (see :func:`count_key_lines`)."""


# A one-line scalar, the form nearly every draft/date value takes: quoted without escapes
# (the text as it is), or plain.
_SCALAR_VALUE_RE = re.compile(
    r"[ \t]*:[ \t]+(?:'([^'\n]*)'|\"([^\"\\\n]*)\"|([^\s'\"#&*!|>{\[%@`,?:-][^\n#]*?))[ \t]*")
# Each value read by read_fields: as MkDocs' loader reads it (raises where that reads no plain scalar).
_HEAD_SCALARS = PlainYamlReader(_BaseLoader)


def read_fields(text: str, names: frozenset[str]) -> HeadFields | None:
    """The top-level fields ``names`` of the front matter of a (normalized) source.

    Only the lines of those fields (with their indented continuation lines) are read,
    with the same YAML rules as MkDocs. Returns empty data when there is no front-matter
    block, and ``None`` when the block cannot be read this way — unusual syntax, or
    selected lines that are not valid YAML on their own — in which case the caller reads
    it whole with :func:`read_front_matter`.
    """
    lines = _block_lines(text)
    if lines is None:
        return None if _UNCLOSED_RE.match(text) else HeadFields({}, 0)
    start, end = lines
    if _UNUSUAL_TOP_LEVEL_RE.search(text, start, end) or text.find("{", start, end) >= 0:
        return None  # a flow mapping may hide a field from the search by name
    data: dict[str, Any] = {}
    for found in _field_lines_re(names).finditer(text, start, end):  # YAML takes the last of a repeated key
        try:
            data[found.group(1)] = _field_value(text, found)
        except Exception:  # noqa: BLE001 - e.g. a date that does not exist: parse the whole block instead
            return None
    return HeadFields(data, _most_keys(text, start, end))


def _field_value(text: str, found: re.Match[str]) -> Any:
    """The value of the field whose lines ``found`` matched; raises where YAML would, or
    ValueError where those lines cannot be read apart from the block."""
    scalar = _SCALAR_VALUE_RE.fullmatch(text, found.end(1), found.end())
    if scalar is not None:
        single_quoted, double_quoted, plain = scalar.groups()
        if plain is None:
            return single_quoted if double_quoted is None else double_quoted
        if ": " not in plain:
            return _HEAD_SCALARS.scalar(plain)
    # The lines with the line break that ends them (a block scalar keeps it).
    loaded = yaml.load(text[found.start() + 1:found.end() + 1], Loader=_BaseLoader)  # noqa: S506 - a safe loader
    if not isinstance(loaded, dict) or len(loaded) != 1:
        raise ValueError("not one field")
    return next(iter(loaded.values()))


def count_keys(value: Any) -> int:
    """How many mapping keys ``value`` holds, at every depth (see :attr:`HeadFields.most_keys`)."""
    items: Iterable[Any]
    if isinstance(value, dict):
        count = len(value)
        items = value.values()
    elif isinstance(value, list):
        count = 0
        items = value
    else:
        return 0
    for item in items:
        # Most items are text: skipped without isinstance's look at the classes.
        if type(item) is not str and isinstance(item, (dict, list)):
            count += count_keys(item)
    return count


_FIELD_LINES_CACHE: dict[frozenset[str], re.Pattern[str]] = {}


def _field_lines_re(names: frozenset[str]) -> re.Pattern[str]:
    pattern = _FIELD_LINES_CACHE.get(names)
    if pattern is None:
        keys = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        # The key's line, then every following line that is indented, a list item or blank.
        pattern = re.compile(rf"\n({keys})[ \t]*:[^\n]*(?:\n(?=[ \t\n-])[^\n]*)*")
        _FIELD_LINES_CACHE[names] = pattern
    return pattern
