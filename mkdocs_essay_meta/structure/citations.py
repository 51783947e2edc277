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
from typing import NamedTuple

from .bibliography import Reference

_KEY_CHARS = r"[\w:.#$%&+?<>~/\-]+"
# Starts with a literal "[@" so that the engine can skip ahead cheaply; what precedes the
# bracket (an escape, "]" or "!") is checked in code, as a look-behind here would make the
# search several times slower.
_CITATION_RE = re.compile(r"\[(@" + _KEY_CHARS + r"(?:[ \t]*;[ \t]*@" + _KEY_CHARS + r")*)\](?![(\[:])")
_KEY_SPLIT_RE = re.compile(r"[ \t]*;[ \t]*@")
_NOT_BEFORE = frozenset("\\]!")

# Every pattern below starts with a literal, which the engine finds quickly; "at the start
# of a line" and "not escaped" are checked in code.
_FENCE_RES = (re.compile(r"```+"), re.compile(r"~~~+"))
_INDENTED_AFTER_BLANK_RE = re.compile(r"\n[ \t]*\n(?=(?: {4}|\t| {0,3}\t))")
_LIST_ITEM_RE = re.compile(r"[ ]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]")
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


class Citation(NamedTuple):
    """One ``[@a; @b]`` in the source: where it is and the keys it names, in order."""

    start: int
    end: int
    keys: tuple[str, ...]


@dataclass(frozen=True)
class CodeRegions:
    """Where code is in a Markdown source; nothing there is a citation."""

    spans: tuple[tuple[int, int], ...] = ()
    """Sorted ``[start, end)`` ranges (they may nest: a span inside a comment, say)."""
    open_fence: str | None = None
    """The fence of a code block still open at the end of the source (e.g. ``"```"``)."""

    def contains(self, position: int) -> bool:
        i = bisect.bisect_right(self.spans, (position, float("inf")))
        return any(start <= position < end for start, end in self.spans[max(0, i - 4):i])


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


def _fenced_blocks(markdown: str) -> tuple[list[tuple[int, int]], str | None]:
    blocks: list[tuple[int, int]] = []
    fence: str | None = None
    start = 0
    markers = sorted((m for r in _FENCE_RES for m in r.finditer(markdown)), key=lambda m: m.start())
    for m in markers:
        line_start = markdown.rfind("\n", 0, m.start()) + 1
        if markdown[line_start:m.start()].strip(" \t"):
            continue  # not at the start of a line
        line_end = markdown.find("\n", m.end())
        line_end = len(markdown) if line_end < 0 else line_end
        marker, rest = m.group(), markdown[m.end():line_end]
        if fence is None:
            if marker[0] == "`" and "`" in rest:
                continue  # an inline code span at the start of a line, not a fence
            fence, start = marker, line_start
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not rest.strip():
            blocks.append((start, min(line_end + 1, len(markdown))))
            fence = None
    if fence is not None:
        blocks.append((start, len(markdown)))
    return blocks, fence


def _line_at(markdown: str, end: int) -> tuple[int, str]:
    """The line that ends just before ``end`` (a newline position): its start and text."""
    start = markdown.rfind("\n", 0, end) + 1
    return start, markdown[start:end]


def _in_list(markdown: str, line_start: int) -> bool:
    """Whether the line starting at ``line_start`` continues a list item above it."""
    pos = line_start
    after_blank = False
    while pos > 0:
        pos, line = _line_at(markdown, pos - 1)
        if not line.strip():
            after_blank = True
            continue
        if _LIST_ITEM_RE.match(line):
            return True
        if _indent_width(line) < 4:
            previous = _line_at(markdown, pos - 1)[1] if pos > 0 else ""
            if after_blank or not previous.strip():
                return False  # a paragraph of its own: any list above has ended
        after_blank = False
    return False


def _indented_blocks(markdown: str, fenced: list[tuple[int, int]]) -> list[tuple[int, int]]:
    blocks: list[tuple[int, int]] = []
    starts = [m.end() for m in _INDENTED_AFTER_BLANK_RE.finditer(markdown)]
    if markdown.startswith(("    ", "\t")):
        starts.insert(0, 0)
    for start in starts:
        if any(a <= start < b for a, b in fenced) or (blocks and start < blocks[-1][1]):
            continue
        needed = 8 if _in_list(markdown, start) else 4
        pos = end = start
        while pos < len(markdown):
            line_end = markdown.find("\n", pos)
            line_end = len(markdown) if line_end < 0 else line_end
            line = markdown[pos:line_end]
            if line.strip():
                if _indent_width(line) < needed:
                    break
                end = line_end
            pos = line_end + 1
        if end > start:
            blocks.append((start, end))
    return blocks


def _code_spans(markdown: str, start: int, end: int) -> list[tuple[int, int]]:
    """Backtick code spans between ``start`` and ``end``; a span never crosses a blank line."""
    spans = []
    runs: list[tuple[int, int]] = []  # (start, end) of each unescaped run of backticks
    pos = markdown.find("`", start, end)
    while pos >= 0:
        run_end = pos + 1
        while run_end < end and markdown[run_end] == "`":
            run_end += 1
        if pos == 0 or markdown[pos - 1] != "\\":
            runs.append((pos, run_end))
        pos = markdown.find("`", run_end, end)
    i = 0
    while i < len(runs):
        open_start, open_end = runs[i]
        for j in range(i + 1, len(runs)):
            close_start, close_end = runs[j]
            if close_end - close_start == open_end - open_start:
                if not _BLANK_LINE_RE.search(markdown, open_end, close_start):
                    spans.append((open_start, close_end))
                    i = j
                break
        i += 1
    return spans


def find_code_regions(markdown: str) -> CodeRegions:
    """Fenced and indented code blocks, code spans and HTML comments, each found once.

    Every part is a literal-led regular expression over the whole source; only lines that
    might start an indented code block are looked at one by one.
    """
    fenced, open_fence = _fenced_blocks(markdown) if ("```" in markdown or "~~~" in markdown) else ([], None)
    blocks = list(fenced)
    if "\n    " in markdown or "\t" in markdown or markdown.startswith("    "):
        blocks.extend(_indented_blocks(markdown, fenced))
    blocks.sort()
    inline: list[tuple[int, int]] = []
    if "`" in markdown or "<!--" in markdown:
        at = 0
        for start, end in [*blocks, (len(markdown), len(markdown))]:
            if start > at:
                if markdown.find("`", at, start) >= 0:
                    inline.extend(_code_spans(markdown, at, start))
                if markdown.find("<!--", at, start) >= 0:
                    inline.extend((m.start(), m.end()) for m in _COMMENT_RE.finditer(markdown, at, start))
            at = max(at, end)
    return CodeRegions(tuple(sorted(blocks + inline)), open_fence)


def find_citations(markdown: str, regions: CodeRegions | None = None) -> list[Citation]:
    """Every citation in ``markdown`` outside code, in source order."""
    if "[@" not in markdown:
        return []
    found = []
    spans: tuple[tuple[int, int], ...] | None = None
    i = 0  # candidates come in source order: walk the sorted spans alongside them
    for m in _CITATION_RE.finditer(markdown):
        start = m.start()
        if start and markdown[start - 1] in _NOT_BEFORE:
            continue
        if spans is None:
            spans = (regions or find_code_regions(markdown)).spans
            ends = _running_max_ends(spans)
        while i < len(spans) and ends[i] <= start:
            i += 1
        if i < len(spans) and any(a <= start < b for a, b in spans[i:i + 4] if a <= start):
            continue
        text = m.group(1)
        keys = tuple(_KEY_SPLIT_RE.split(text[1:])) if ";" in text else (text[1:],)
        found.append(Citation(start, m.end(), keys))
    return found


def _running_max_ends(spans: Sequence[tuple[int, int]]) -> list[int]:
    """For each span, the furthest end of it and the spans before it (spans may nest)."""
    ends, furthest = [], 0
    for _, end in spans:
        furthest = max(furthest, end)
        ends.append(furthest)
    return ends


# -- numbering -----------------------------------------------------------------------------

@dataclass
class NumberedReference:
    """An entry of a page's reference list, with its number and where it was cited."""

    number: int
    reference: Reference
    citation_ids: list[str] = field(default_factory=list)
    """The ids of the citations that point here, in order (for back links)."""
    anchor: str = ""
    """The id of the entry's list item (``essay-meta-ref-3``)."""

    def __post_init__(self) -> None:
        self.anchor = self.anchor or f"essay-meta-ref-{self.number}"


class CitedItem(NamedTuple):
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
    open_fence: str | None = None
    """A code fence left open at the end of the source, when the source was scanned for code."""
    inline_html: list[str] = field(default_factory=list)
    """The HTML of the citations left as tokens in ``markdown`` (see :func:`number_references`)."""


def number_references(
    front_matter: Sequence[Reference],
    markdown: str,
    lookup: Callable[[str], Reference | None],
    render_citation: Callable[[list[CitedItem]], str] | None,
    token: str | None = None,
) -> PageReferences:
    """Resolve keys, number the entries and replace each citation with ``render_citation``'s HTML.

    ``render_citation=None`` leaves the text alone (citations turned off). With a
    ``token`` (letters and digits), a citation outside headings becomes the plain word
    ``{token}{i}q`` in the Markdown and its HTML goes to ``inline_html[i]``, to be put in
    place with :func:`fill_citations` after the Markdown is converted: raw HTML makes
    Python-Markdown several times slower on a paragraph, a plain word costs nothing.
    In headings the HTML goes in directly, so the heading's id and its table-of-contents
    entry are made from the citation's text.
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

    regions = None
    citations: list[Citation] = []
    if render_citation is not None and "[@" in markdown:
        regions = find_code_regions(markdown)
        citations = find_citations(markdown, regions)
    open_fence = regions.open_fence if regions is not None else None
    if not citations:
        entries = [NumberedReference(i + 1, ref) for i, ref in enumerate(listed)]
        return PageReferences(entries, markdown, list(unknown), 0, open_fence)

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
    inline_html: list[str] = []
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
        html = render_citation(items)
        if token is None or _in_heading(markdown, citation.start, citation.end):
            out.append(html)
        else:
            out.append(f"{token}{len(inline_html)}q")
            inline_html.append(html)
        at = citation.end
    out.append(markdown[at:])
    entries = [entries_by_index[i] for i in order]
    return PageReferences(entries, "".join(out), list(unknown), len(citations), open_fence, inline_html)


_SETEXT_RE = re.compile(r"[ ]{0,3}(?:=+|-+)[ \t]*(?:\n|$)")


def _in_heading(markdown: str, start: int, end: int) -> bool:
    line_start = markdown.rfind("\n", 0, start) + 1
    if markdown[line_start:start].lstrip(" ").startswith("#"):
        return True
    next_line = markdown.find("\n", end) + 1
    return 0 < next_line < len(markdown) and markdown[next_line] in " =-" and bool(
        _SETEXT_RE.match(markdown, next_line))


def fill_citations(html: str, token: str, inline_html: Sequence[str]) -> str:
    """Put each citation's HTML where :func:`number_references` left its token."""
    if not inline_html or token not in html:
        return html
    parts = html.split(token)
    out = [parts[0]]
    for part in parts[1:]:
        end = part.find("q")
        index = part[:end]
        if end > 0 and index.isdigit() and int(index) < len(inline_html):
            out.append(inline_html[int(index)])
            out.append(part[end + 1:])
        else:  # not one of ours after all: keep it as it was
            out.append(token)
            out.append(part)
    return "".join(out)


# -- the section at the end of the page ------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!.-])")


def markdown_heading_text(label: str) -> str:
    """``label`` as literal heading text: HTML-escaped, Markdown punctuation backslashed."""
    text = " ".join(label.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


_UNSET = object()


def append_section(markdown: str, heading: str, placeholder: str, level: int = 2,
                   open_fence: str | None | object = _UNSET) -> str:
    """``markdown`` with a heading and a placeholder paragraph at the end.

    A code block left open at the end of the page is closed first, so the heading does
    not end up inside it (pass ``open_fence`` when the source was already scanned).
    """
    tail = markdown.rstrip("\n")
    if open_fence is _UNSET:
        open_fence = find_code_regions(markdown).open_fence if ("```" in markdown or "~~~" in markdown) else None
    if isinstance(open_fence, str):
        tail += "\n" + open_fence
    return f"{tail}\n\n{'#' * level} {markdown_heading_text(heading)}\n\n{placeholder}\n"
