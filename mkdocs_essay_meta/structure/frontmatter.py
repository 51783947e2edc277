"""Reading the front-matter block of a Markdown source, with the errors MkDocs hides.

MkDocs silently drops front matter that is not valid YAML (and then renders it as body
text); this reader finds the same block MkDocs would and reports why it failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from .problems import Problems, show_value

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

# The same block MkDocs recognises: a first line of exactly three dashes, closed by
# three dashes or three dots.
FRONT_MATTER_RE = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
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


def _match_block(text: str) -> re.Match[str] | None:
    """The front-matter block, also when empty (``---`` then ``---``, which MkDocs' pattern
    misses) or closed on the last line of the file without a line break."""
    for candidate in (text, text + "\n") if not text.endswith("\n") else (text,):
        m = FRONT_MATTER_RE.match(candidate) or _EMPTY_RE.match(candidate)
        if m is not None:
            return m
    return None


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
