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


def _describe(error: yaml.YAMLError) -> str:
    """A YAML error in the file's own line numbers (the block starts on line 2)."""
    problem = getattr(error, "problem", None)
    if not problem:
        return str(error).splitlines()[0]
    text = problem
    mark = getattr(error, "problem_mark", None)
    if mark is not None:
        text += f" at line {mark.line + 2}, column {mark.column + 1}"
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark is not None:
        text += f" ({context} that starts at line {context_mark.line + 2})"
    return text


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
        problems.add(None, None, f"is not valid YAML: {_describe(e)}; the page was built without it")
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
_KEY_LINE_RE = re.compile(r"^[ \t]*(?:- [ \t]*)?[^\s#'\"{\[\-][^:\n]*:(?:[ \t]|$)", re.MULTILINE)
# FRONT_MATTER_RE, trying the closing line at line starts only (the same matches, faster).
_BLOCK_RE = re.compile(r"-{3}[ \t]*\n((?:[^\n]*\n)+?)(?:\.{3}|-{3})[ \t]*\n")


@dataclass(frozen=True)
class HeadFields:
    """A few top-level fields of a front-matter block, read without parsing the rest."""

    data: dict[str, Any]
    key_lines: int
    """How many ``key:`` lines the block has: more than the parsed front matter has keys
    means a key was given twice (see :func:`count_keys`)."""


# A plain one-line scalar, the form nearly every draft/date value takes.
_PLAIN_VALUE_RE = re.compile(r"[ \t]*:[ \t]+([^\s'\"#&*!|>{\[%@`,?:-][^\n#]*?)[ \t]*")
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def read_fields(text: str, names: frozenset[str]) -> HeadFields | None:
    """The top-level fields ``names`` of the front matter of a (normalized) source.

    Only the lines of those fields (with their indented continuation lines) are read,
    with the same YAML rules as MkDocs. Returns empty data when there is no front-matter
    block, and ``None`` when the block cannot be read this way — unusual syntax, or
    selected lines that are not valid YAML on their own — in which case the caller reads
    it whole with :func:`read_front_matter`.
    """
    m = _BLOCK_RE.match(text)
    if not m:
        return None if _UNCLOSED_RE.match(text) else HeadFields({}, 0)
    block = m.group(1)
    if _UNUSUAL_TOP_LEVEL_RE.search(block) or "{" in block:
        return None  # flow mappings hide keys from the key-line count
    data: dict[str, Any] = {}
    for found in _field_lines_re(names).finditer(block):
        lines = found.group(0)
        key = found.group(1)
        plain = _PLAIN_VALUE_RE.fullmatch(lines, len(key))
        if plain is not None and ": " not in plain.group(1):
            # One plain scalar: resolve and construct it exactly as the YAML loader would.
            value = plain.group(1)
            node = yaml.ScalarNode(_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)), value)
            try:
                data[key] = _CONSTRUCTOR.construct_object(node)
            except Exception:  # noqa: BLE001 - e.g. a date that does not exist
                return None
            continue
        try:
            loaded = yaml.load(lines, Loader=_BaseLoader)  # noqa: S506 - a safe loader
        except Exception:  # noqa: BLE001 - anything odd: parse the whole block instead
            return None
        if not isinstance(loaded, dict):
            return None
        data.update((str(k), v) for k, v in loaded.items())
    return HeadFields(data, len(_KEY_LINE_RE.findall(block)))


def count_keys(value: Any) -> int:
    """How many mapping keys ``value`` holds, at every depth (see :attr:`HeadFields.key_lines`)."""
    if isinstance(value, dict):
        return len(value) + sum(count_keys(v) for v in value.values() if isinstance(v, (dict, list)))
    if isinstance(value, list):
        return sum(count_keys(v) for v in value if isinstance(v, (dict, list)))
    return 0


_FIELD_LINES_CACHE: dict[frozenset[str], re.Pattern[str]] = {}


def _field_lines_re(names: frozenset[str]) -> re.Pattern[str]:
    pattern = _FIELD_LINES_CACHE.get(names)
    if pattern is None:
        keys = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        # The key's line, then every following line that is indented, a list item or blank.
        pattern = re.compile(rf"^({keys})[ \t]*:[^\n]*(?:\n(?=[ \t\n-])[^\n]*)*", re.MULTILINE)
        _FIELD_LINES_CACHE[names] = pattern
    return pattern
