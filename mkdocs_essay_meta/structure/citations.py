"""Citations in Markdown (``[@key]``, ``[@a; @b]``) and the numbered references of a page.

Scanning is cheap by construction: a page without ``[@`` is never searched with a regular
expression, and a page with it has its code regions found once. A citation is never
recognised

* inside code: fenced blocks (``` or ~~~, at any indentation), indented blocks, code spans;
* inside HTML comments;
* in other ``@`` text: e-mail addresses, ``@mentions``, decorators (a citation must open
  with ``[@``);
* when escaped (``\\[@key]``), or when it is really a Markdown link or reference
  (``[@name](url)``, ``[@name][ref]``, ``[@name]: url``);

and the author's own footnotes (``[^1]``) are never touched: a citation is not a footnote.

Numbering (see :func:`number_references`): entries cited in the text come first, in the
order of their first citation; the remaining front-matter entries follow in the order they
are listed. A page without citations therefore lists its front matter as written.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .bibliography import Reference

KEY_PATTERN = r"[\w][\w:.#$%&+?<>~/\-]*?"
"""A citation key (pandoc's characters); a trailing punctuation mark is not part of it."""

_CITATION_RE = re.compile(
    r"(?<![\\\]!])"                      # not escaped, not a second [..] or an image
    r"\[(@" + KEY_PATTERN + r"(?:\s*;\s*@" + KEY_PATTERN + r")*)\]"
    r"(?![(\[:])"                         # not a link, reference link or definition
)
_KEY_SPLIT_RE = re.compile(r"\s*;\s*@")

_FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_LIST_ITEM_RE = re.compile(r"^[ ]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]")
_CODE_SPAN_RE = re.compile(r"(?<!\\)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


@dataclass(frozen=True)
class Citation:
    """One ``[@a; @b]`` in the source: where it is and the keys it names, in order."""

    start: int
    end: int
    keys: tuple[str, ...]


@dataclass(frozen=True)
class CodeRegions:
    """Where code is in a Markdown source; nothing there is a citation."""

    spans: tuple[tuple[int, int], ...] = ()
    """Sorted, non-overlapping ``[start, end)`` ranges."""
    open_fence: str | None = None
    """The fence of a code block still open at the end of the source (e.g. ``"```"``)."""

    def contains(self, position: int) -> bool:
        i = bisect.bisect_right(self.spans, (position, float("inf"))) - 1
        return i >= 0 and self.spans[i][0] <= position < self.spans[i][1]


def _indent_width(line: str) -> int:
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def find_code_regions(markdown: str) -> CodeRegions:
    """Fenced and indented code blocks, code spans and HTML comments, found in one pass."""
    blocks: list[tuple[int, int]] = []
    fence: str | None = None
    fence_start = 0
    in_list = False
    previous_blank = True
    code_start: int | None = None
    position = 0
    for line in markdown.splitlines(keepends=True):
        start, position = position, position + len(line)
        stripped = line.strip()
        if fence is not None:
            m = _FENCE_RE.match(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not stripped[len(m.group(1)):].strip():
                blocks.append((fence_start, position))
                fence = None
                previous_blank = False
            continue
        if not stripped:
            previous_blank = True
            continue
        indent = _indent_width(line)
        if code_start is not None:
            if indent >= (8 if in_list else 4):
                continue
            blocks.append((code_start, start))
            code_start = None
        m = _FENCE_RE.match(line)
        if m:
            fence, fence_start = m.group(1), start
            continue
        if previous_blank and indent >= (8 if in_list else 4):
            code_start = start
        elif _LIST_ITEM_RE.match(line):
            in_list = True
        elif indent == 0 and previous_blank:
            in_list = False
        previous_blank = False
    if code_start is not None:
        blocks.append((code_start, len(markdown)))
    if fence is not None:
        blocks.append((fence_start, len(markdown)))

    inline: list[tuple[int, int]] = []
    if "`" in markdown or "<!--" in markdown:
        for text_start, text_end in _gaps(blocks, len(markdown)):
            segment = markdown[text_start:text_end]
            if "`" in segment:
                inline.extend((text_start + m.start(), text_start + m.end()) for m in _CODE_SPAN_RE.finditer(segment))
            if "<!--" in segment:
                inline.extend((text_start + m.start(), text_start + m.end()) for m in _COMMENT_RE.finditer(segment))
    spans = sorted(blocks + inline)
    return CodeRegions(tuple(spans), fence)


def _gaps(blocks: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    gaps, at = [], 0
    for start, end in blocks:
        if start > at:
            gaps.append((at, start))
        at = max(at, end)
    if at < length:
        gaps.append((at, length))
    return gaps


def find_citations(markdown: str, regions: CodeRegions | None = None) -> list[Citation]:
    """Every citation in ``markdown`` outside code, in source order."""
    if "[@" not in markdown:
        return []
    if regions is None:
        regions = find_code_regions(markdown)
    found = []
    for m in _CITATION_RE.finditer(markdown):
        if regions.contains(m.start()):
            continue
        keys = tuple(_KEY_SPLIT_RE.split(m.group(1)[1:]))
        found.append(Citation(m.start(), m.end(), keys))
    return found


# -- numbering -----------------------------------------------------------------------------

@dataclass
class NumberedReference:
    """An entry of a page's reference list, with its number and where it was cited."""

    number: int
    reference: Reference
    citation_ids: list[str] = field(default_factory=list)
    """The ids of the citations that point here, in order (for back links)."""

    @property
    def anchor(self) -> str:
        return f"essay-meta-ref-{self.number}"


@dataclass(frozen=True)
class CitedItem:
    """One key of one citation, as the reader sees it: a numbered link, or an unknown key."""

    key: str
    entry: NumberedReference | None
    citation_id: str | None


@dataclass
class PageReferences:
    """What a page's citations and front matter resolve to."""

    entries: list[NumberedReference]
    markdown: str
    unknown_keys: list[str]
    """Keys named in front matter or the text that no entry has (each once, in order)."""
    citation_count: int = 0


def number_references(
    front_matter: Sequence[Reference],
    markdown: str,
    lookup: Callable[[str], Reference | None],
    render_citation: Callable[[list[CitedItem]], str] | None,
) -> PageReferences:
    """Resolve keys, number the entries and replace each citation with ``render_citation``'s HTML.

    ``render_citation=None`` leaves the text alone (citations turned off).
    """
    unknown: dict[str, None] = {}
    listed: list[Reference] = []
    by_key: dict[str, int] = {}
    for ref in front_matter:
        if ref.is_key_only:
            assert ref.key is not None
            found = lookup(ref.key)
            if found is None:
                unknown.setdefault(ref.key)
                continue
            ref = found
        if ref.key and ref.key not in by_key:
            by_key[ref.key] = len(listed)
        listed.append(ref)

    citations = find_citations(markdown) if render_citation is not None else []
    if not citations:
        entries = [NumberedReference(i + 1, ref) for i, ref in enumerate(listed)]
        return PageReferences(entries, markdown, list(unknown))

    # Order of first citation, then the remaining front-matter entries.
    order: list[int] = []
    placed: set[int] = set()
    for citation in citations:
        for key in citation.keys:
            index = by_key.get(key)
            if index is None:
                found = lookup(key)
                if found is None:
                    unknown.setdefault(key)
                    continue
                index = by_key[key] = len(listed)
                listed.append(found)
            if index not in placed:
                placed.add(index)
                order.append(index)
    order.extend(i for i in range(len(listed)) if i not in placed)
    entries_by_index = {index: NumberedReference(n + 1, listed[index]) for n, index in enumerate(order)}

    assert render_citation is not None
    out: list[str] = []
    at = 0
    for citation in citations:
        items: list[CitedItem] = []
        for key in citation.keys:
            index = by_key.get(key)
            if index is None:
                items.append(CitedItem(key, None, None))
                continue
            entry = entries_by_index[index]
            citation_id = f"essay-meta-cite-{entry.number}-{len(entry.citation_ids) + 1}"
            entry.citation_ids.append(citation_id)
            items.append(CitedItem(key, entry, citation_id))
        out.append(markdown[at:citation.start])
        out.append(render_citation(items))
        at = citation.end
    out.append(markdown[at:])
    entries = [entries_by_index[i] for i in order]
    return PageReferences(entries, "".join(out), list(unknown), len(citations))


# -- the section at the end of the page ------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!.-])")


def markdown_heading_text(label: str) -> str:
    """``label`` as literal heading text: HTML-escaped, Markdown punctuation backslashed."""
    text = " ".join(label.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def append_section(markdown: str, heading: str, placeholder: str, level: int = 2) -> str:
    """``markdown`` with a heading and a placeholder paragraph at the end.

    A code block left open at the end of the page is closed first, so the heading does
    not end up inside it.
    """
    tail = markdown.rstrip("\n")
    if "```" in markdown or "~~~" in markdown:
        fence = find_code_regions(markdown).open_fence
        if fence is not None:
            tail += "\n" + fence
    return f"{tail}\n\n{'#' * level} {markdown_heading_text(heading)}\n\n{placeholder}\n"
