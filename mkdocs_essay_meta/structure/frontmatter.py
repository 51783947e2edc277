"""Reading the front-matter block of a Markdown source, with the errors MkDocs hides.

MkDocs silently drops front matter that is not valid YAML (and then renders it as body
text); this reader finds the same block MkDocs would and reports why it failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from .problems import Problems

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

# The same block MkDocs recognises: a first line of exactly three dashes, closed by
# three dashes or three dots.
FRONT_MATTER_RE = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
# A block that was opened but never closed (MkDocs then shows it all as text).
_UNCLOSED_RE = re.compile(r"^-{3}[ \t]*\n")


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type, misc]
    """A safe loader that records duplicate keys instead of silently keeping the last."""

    duplicates: list[Any]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                if key in seen:
                    self.duplicates.append(key)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]
    """The parsed mapping (empty when there was none or it was invalid)."""
    block_end: int
    """Where the body starts in the source (0 when there is no front-matter block)."""
    valid: bool
    """False when a block was present but MkDocs could not read it."""


def normalize_source(text: str) -> str:
    """The source as MkDocs reads it: no BOM, ``\\n`` line endings."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_front_matter(text: str, problems: Problems) -> FrontMatter:
    """The front matter of a (normalized) Markdown source; problems are appended."""
    m = FRONT_MATTER_RE.match(text)
    if not m:
        if _UNCLOSED_RE.match(text) and "\n---" not in text[3:] and "\n..." not in text[3:]:
            problems.add(None, None, "starts with --- but is never closed by a --- line")
        return FrontMatter({}, 0, True)
    loader = _StrictLoader(m.group(1))
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 2}, column {mark.column + 1}" if mark else ""
        reason = getattr(e, "problem", None) or str(e).splitlines()[0]
        problems.add(None, None, f"is not valid YAML{where}: {reason}; the page was built without it")
        return FrontMatter({}, m.end(), False)
    finally:
        loader.dispose()
    if data is None:
        return FrontMatter({}, m.end(), True)
    if not isinstance(data, dict):
        problems.add(None, None, f"is a {type(data).__name__}, not a mapping of fields; it was ignored")
        return FrontMatter({}, m.end(), False)
    for key in dict.fromkeys(loader.duplicates):
        problems.add(str(key), data.get(key), "to appear once; the last value was used")
    return FrontMatter({str(k): v for k, v in data.items()}, m.end(), True)


# -- reading a few fields cheaply ------------------------------------------------------------
# MkDocs parses every page's front matter itself (into ``page.meta``). Before it does, the
# plugin needs only whether a page is held back (``draft``, ``publishdate``), so it reads
# just those lines of the block instead of parsing the whole of it a second time.

# A top-level line that is not a plain ``key:`` (a quoted or complex key, a flow mapping,
# a merge key, a document marker...): such a block is parsed whole instead.
_UNUSUAL_TOP_LEVEL_RE = re.compile(r"^(?!\Z|[ \t\n#-]|[A-Za-z_][\w.-]*[ \t]*:(?:[ \t]|$))", re.MULTILINE)
# A key at any depth of a block-style mapping (``key:`` or ``- key:``).
_KEY_LINE_RE = re.compile(r"^[ \t]*(- [ \t]*)?([^\s#'\"{\[\-][^:\n]*?)[ \t]*:(?:[ \t]|$)", re.MULTILINE)


def read_fields(text: str, names: frozenset[str]) -> dict[str, Any] | None:
    """The top-level fields ``names`` of the front matter of a (normalized) source.

    Only the lines of those fields (with their indented continuation lines) are parsed,
    with the same YAML loader as MkDocs. Returns ``{}`` when there is no front-matter
    block, and ``None`` when the block cannot be read this way — it uses unusual syntax,
    may repeat a key, or the selected lines are not valid YAML on their own — in which
    case the caller reads it whole with :func:`read_front_matter`.
    """
    m = FRONT_MATTER_RE.match(text)
    if not m:
        return None if _UNCLOSED_RE.match(text) else {}
    block = m.group(1)
    if _UNUSUAL_TOP_LEVEL_RE.search(block) or may_repeat_keys(block):
        return None
    pattern = _field_lines_re(names)
    snippet = "\n".join(found.group(0) for found in pattern.finditer(block))
    if not snippet:
        return {}
    try:
        data = yaml.load(snippet, Loader=_BaseLoader)  # noqa: S506 - a safe loader
    except Exception:  # noqa: BLE001 - anything odd: parse the whole block instead
        return None
    return {str(k): v for k, v in data.items()} if isinstance(data, dict) else None


_FIELD_LINES_CACHE: dict[frozenset[str], re.Pattern[str]] = {}


def _field_lines_re(names: frozenset[str]) -> re.Pattern[str]:
    pattern = _FIELD_LINES_CACHE.get(names)
    if pattern is None:
        keys = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        # The key's line, then every following line that is indented, a list item or blank.
        pattern = re.compile(rf"^(?:{keys})[ \t]*:[^\n]*(?:\n(?=[ \t\n-])[^\n]*)*", re.MULTILINE)
        _FIELD_LINES_CACHE[names] = pattern
    return pattern


def may_repeat_keys(block: str) -> bool:
    """Whether some block-style mapping in ``block`` may give a key twice (a cheap scan).

    Never misses a repeated key of a block-style mapping; may answer True for text that
    only looks like one (inside a multi-line string), which just costs a full parse.
    """
    levels: list[tuple[int, set[str]]] = []  # (indent, keys seen) of the open mappings
    for m in _KEY_LINE_RE.finditer(block):
        indent = m.start(2) - m.start()
        while levels and levels[-1][0] > indent:
            levels.pop()
        if m.group(1) and levels and levels[-1][0] == indent:
            levels.pop()  # "- key:" starts the next item's mapping
        if not levels or levels[-1][0] < indent:
            levels.append((indent, set()))
        keys = levels[-1][1]
        key = m.group(2)
        if key in keys:
            return True
        keys.add(key)
    return False
