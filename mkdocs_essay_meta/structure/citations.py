"""Citations in Markdown (``[@key]``, ``[@a; @b]``) and the numbered references of a page.

Scanning is cheap by construction: ``[@`` is looked for by its rare ``@`` (a one-character
search), a page without one is not looked at further, and each candidate is told apart from
code by the text around it when it can be (the page's code regions are found, once, only
when it cannot). A citation is never recognised

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
import functools
import re
import secrets
import string
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import NamedTuple, cast

from markupsafe import escape

from .bibliography import Reference

_KEY_CHARS = r"[\w:.#$%&+?<>~/\-]+"
# Matched only where a "[@" is (see _scan); what precedes the bracket (an
# escape, "]" or "!") is checked in code.
_CITATION_RE = re.compile(r"\[(@" + _KEY_CHARS + r"(?:[ \t]*;[ \t]*@" + _KEY_CHARS + r")*)\](?![(\[:])")
_KEY_SPLIT_RE = re.compile(r"[ \t]*;[ \t]*@")
_NOT_BEFORE = frozenset("\\]!")

# "At the start of a line" and "not escaped" are checked in code.
_INDENTED_AFTER_BLANK_RE = re.compile(r"\n[ \t]*\n(?=(?: {4}|\t| {0,3}\t))")
_LIST_ITEM_RE = re.compile(r"[ ]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
_ATX_HEADING_RE = re.compile(" *#")
_SETEXT_RE = re.compile(r"[ ]{0,3}(?:=+|-+)[ \t]*(?:\n|$)")
_CODE_INDENTS = ("    ", "\t", " \t", "  \t", "   \t")  # how a line indented as code starts


class Citation(NamedTuple):
    """One ``[@a; @b]`` in the source: where it is and the keys it names, in order."""

    start: int
    end: int
    keys: tuple[str, ...]


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


def _runs(markdown: str, char: str, start: int = 0, end: int | None = None,
          min_length: int = 1) -> list[tuple[int, int]]:
    """The ``[start, end)`` of each run of ``char`` in ``markdown[start:end]``, found with ``str.find``.

    With ``min_length``, shorter runs are skipped without measuring them.
    """
    end = len(markdown) if end is None else end
    shortest = char * min_length
    runs = []
    pos = markdown.find(char, start, end)
    while pos >= 0:
        if not markdown.startswith(shortest, pos, end):
            pos = markdown.find(char, pos + 1, end)
            continue
        run_end = pos + min_length
        while run_end < end and markdown[run_end] == char:
            run_end += 1
        runs.append((pos, run_end))
        pos = markdown.find(char, run_end, end)
    return runs


def _fenced_blocks(markdown: str) -> tuple[list[tuple[int, int]], str | None]:
    blocks: list[tuple[int, int]] = []
    fence: str | None = None
    start = 0
    markers = _runs(markdown, "`", min_length=3)
    if "~" in markdown:
        markers += _runs(markdown, "~", min_length=3)
        markers.sort()
    for marker_start, marker_end in markers:
        line_start = markdown.rfind("\n", 0, marker_start) + 1
        if markdown[line_start:marker_start].strip(" \t"):
            continue  # not at the start of a line
        line_end = markdown.find("\n", marker_end)
        line_end = len(markdown) if line_end < 0 else line_end
        marker, rest = markdown[marker_start:marker_end], markdown[marker_end:line_end]
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
    runs = [run for run in _runs(markdown, "`", start, end) if run[0] == 0 or markdown[run[0] - 1] != "\\"]
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


def _comments(markdown: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """HTML comments between ``start`` and ``end``; one left open runs to ``end``."""
    pos = markdown.find("<!--", start, end)
    while pos >= 0:
        close = markdown.find("-->", pos + 4, end)
        stop = end if close < 0 else close + 3
        yield pos, stop
        pos = markdown.find("<!--", stop, end)


def _all_code(markdown: str, fenced: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Every code region: ``fenced`` blocks, indented blocks, then the code spans and comments between."""
    blocks = list(fenced)
    if "\n    " in markdown or "\t" in markdown or markdown.startswith("    "):
        blocks.extend(_indented_blocks(markdown, fenced))
    blocks.sort()
    inline: list[tuple[int, int]] = []
    if "`" in markdown or "<!--" in markdown:
        at = 0
        for start, end in [*blocks, (len(markdown), len(markdown))]:
            if start > at:
                inline.extend(_code_spans(markdown, at, start))
                inline.extend(_comments(markdown, at, start))
            at = max(at, end)
    return sorted(blocks + inline)


class CodeRegions:
    """Where code is in a Markdown source; nothing there is a citation.

    The fenced blocks are found at once (one left open matters at the end of the page). The
    rest is found only when a position cannot be told apart from code by what is around it,
    and then for the whole source, once.
    """

    def __init__(self, markdown: str) -> None:
        self._markdown = markdown
        self._fenced, open_fence = _fenced_blocks(markdown)
        self.open_fence = open_fence
        """The fence of a code block still open at the end of the source (e.g. ``"```"``)."""
        self._comment_starts: list[int] | None = None
        self._spans: list[tuple[int, int]] | None = None  # sorted; they may nest (a span in a comment)
        self._furthest_ends: list[int] = []  # for each span, the furthest end of it and those before

    def contains(self, position: int) -> bool:
        for start, end in self._fenced:  # in order, apart
            if position < end:
                if start <= position:
                    return True
                break
        if self._spans is None:
            # Once the whole source is scanned, a look at the text around is no longer cheaper.
            if self._markdown.startswith("[", position) and self._plainly_outside_code(position):
                return False
            self._spans = _all_code(self._markdown, self._fenced)
            furthest = 0
            for _, end in self._spans:
                furthest = max(furthest, end)
                self._furthest_ends.append(furthest)
        # Spans before this one end before the position, spans after it start after this one.
        i = bisect.bisect_right(self._furthest_ends, position)
        return i < len(self._spans) and self._spans[i][0] <= position

    def _plainly_outside_code(self, position: int) -> bool:
        """Whether the text around a ``[`` at ``position`` (outside fenced blocks) shows it outside code.

        It does when its line is not indented as code, no HTML comment opened before it is
        still open, and no code span can reach it: on one side, a blank line or nothing lies
        between it and the nearest backtick. ``False`` means "maybe inside".
        """
        markdown = self._markdown
        line_start = markdown.rfind("\n", 0, position) + 1
        if markdown.startswith(_CODE_INDENTS, line_start):
            return False
        comment_starts = self._comment_starts
        if comment_starts is None:
            # Found by their rare "<" (the fastest search).
            comment_starts = self._comment_starts = []
            pos = markdown.find("<")
            while pos >= 0:
                if markdown.startswith("<!--", pos):
                    comment_starts.append(pos)
                pos = markdown.find("<", pos + 1)
        i = bisect.bisect_left(comment_starts, position)
        if i and markdown.find("-->", comment_starts[i - 1] + 4, position) < 0:
            return False
        before = markdown.rfind("`", 0, position)
        if before < 0 or _BLANK_LINE_RE.search(markdown, before, position):
            return True
        after = markdown.find("`", position)
        return after < 0 or _BLANK_LINE_RE.search(markdown, position, after) is not None


def find_code_regions(markdown: str) -> CodeRegions:
    """Fenced and indented code blocks, code spans and HTML comments (found as needed)."""
    return CodeRegions(markdown)


def mentions_citation(markdown: str) -> bool:
    """Whether ``markdown`` has a ``[@`` anywhere (``"[@" in markdown``, only cheaper: see :func:`_scan`)."""
    at = markdown.find("@", 1)
    while at >= 0 and markdown[at - 1] != "[":
        at = markdown.find("@", at + 1)
    return at >= 0


def find_citations(markdown: str) -> list[Citation]:
    """Every citation in ``markdown`` outside code, in source order."""
    return _scan(markdown)[0]


def _scan(markdown: str) -> tuple[list[Citation], CodeRegions | None]:
    """The citations in ``markdown``, and its code regions if it has a ``[@`` at all.

    Each ``[@`` is found from its ``@``: they are rare, and ``str.find`` of one character is
    several times faster than a search for ``[@`` (or a regular expression) over the whole page.
    """
    found = []
    regions = None
    at = markdown.find("@", 1)
    while at >= 0:
        start, at = at - 1, markdown.find("@", at + 1)
        if markdown[start] != "[":
            continue
        regions = regions or CodeRegions(markdown)
        if start and markdown[start - 1] in _NOT_BEFORE:
            continue
        m = _CITATION_RE.match(markdown, start)
        if m is None or regions.contains(start):
            continue
        text = m.group(1)
        keys = tuple(_KEY_SPLIT_RE.split(text[1:])) if ";" in text else (text[1:],)
        found.append(_new_citation((start, m.end(), keys)))
    return found, regions


# -- numbering -----------------------------------------------------------------------------

@dataclass(init=False, slots=True)
class NumberedReference:
    """An entry of a page's reference list, with its number and how often it was cited.

    (Slots, a written ``__init__``, and ids made when asked for: several are made for every
    page and kept until the page is written; at 5,000 essays, lists of ids kept with them
    held about 2.4 MiB.)
    """

    number: int
    reference: Reference
    citation_count: int
    """How many citations point here (see :attr:`citation_ids`)."""

    def __init__(self, number: int, reference: Reference, citation_count: int = 0) -> None:
        self.number = number
        self.reference = reference
        self.citation_count = citation_count

    @property
    def anchor(self) -> str:
        """The id of the entry's list item (``essay-meta-ref-3``)."""
        return f"essay-meta-ref-{self.number}"

    @property
    def citation_ids(self) -> list[str]:
        """The ids of the citations that point here, in order (for back links)."""
        return [citation_id(self.number, n) for n in range(1, self.citation_count + 1)]


def citation_id(number: int, nth: int) -> str:
    """The id of the ``nth`` citation of entry ``number`` (``essay-meta-cite-3-2``)."""
    return f"essay-meta-cite-{number}-{nth}"


PackedEntries = tuple["Reference | int", ...]
"""A page's entries, numbered 1, 2... in order, as one flat tuple of each entry's reference
and citation count (see :func:`pack_entries`)."""


def pack_entries(entries: Sequence[NumberedReference]) -> PackedEntries:
    """``entries`` (as :func:`number_references` numbers them: 1, 2... in order) in a fifth of
    the memory of the list: each page's are kept from its HTML until it is written."""
    packed: list[Reference | int] = []
    for number, entry in enumerate(entries, 1):
        assert entry.number == number
        packed += (entry.reference, entry.citation_count)
    return tuple(packed)


def unpack_entries(packed: PackedEntries) -> list[NumberedReference]:
    """The entries :func:`pack_entries` packed."""
    references, counts = packed[::2], packed[1::2]
    return [NumberedReference(number, cast(Reference, reference), cast(int, count))
            for number, (reference, count) in enumerate(zip(references, counts), 1)]


class CitedItem(NamedTuple):
    """One key of one citation, as the reader sees it: a numbered link, or an unknown key."""

    key: str
    entry: NumberedReference | None
    citation_id: str | None


# A named tuple's own constructor is Python code; tuple.__new__ makes the same object in C.
_new_citation = functools.partial(tuple.__new__, Citation)
_new_cited_item = functools.partial(tuple.__new__, CitedItem)


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
        if not ref.title and ref.is_key_only:  # (an entry with a title never is: a cheaper test first)
            assert ref.key is not None
            found = lookup(ref.key)
            if found is None:
                unknown.setdefault(ref.key)
                continue
            ref = found
        key = ref.key
        if key and key not in by_key:
            by_key[key] = len(listed)
        listed.append(ref)

    citations: list[Citation] = []
    regions = None
    if render_citation is not None:
        citations, regions = _scan(markdown)
    # The references section goes after the text: a code block left open there must be closed.
    open_fence = regions.open_fence if regions is not None else _fenced_blocks(markdown)[1] if listed else None
    if not citations:
        entries = [NumberedReference(i + 1, ref) for i, ref in enumerate(listed)]
        return PageReferences(entries, markdown, list(unknown), 0, open_fence)

    # One pass: an entry is numbered when it is first cited; the entries never cited follow,
    # in the order they are listed.
    assert render_citation is not None
    numbered: dict[int, NumberedReference] = {}  # by index in `listed`, in the order of numbers
    out: list[str] = []
    inline_html: list[str] = []
    at = 0
    for start, end, keys in citations:
        items: list[CitedItem] = []
        for key in keys:
            index = by_key.get(key)
            if index is None:
                found = lookup(key)
                if found is None:
                    unknown.setdefault(key)
                    items.append(_new_cited_item((key, None, None)))
                    continue
                index = by_key[key] = len(listed)
                listed.append(found)
            entry = numbered.get(index)
            if entry is None:
                entry = numbered[index] = NumberedReference(len(numbered) + 1, listed[index])
            entry.citation_count += 1
            items.append(_new_cited_item((key, entry, citation_id(entry.number, entry.citation_count))))
        out.append(markdown[at:start])
        html = render_citation(items)
        # In a heading: on a line that starts with "#", or underlined by the next one.
        line_start = markdown.rfind("\n", 0, start) + 1
        next_line = markdown.find("\n", end) + 1
        if token is None or (
                markdown[line_start] in " #" and _ATX_HEADING_RE.match(markdown, line_start, start)) or (
                0 < next_line < len(markdown) and markdown[next_line] in " =-"
                and _SETEXT_RE.match(markdown, next_line)):
            out.append(html)
        else:
            out.append(f"{token}{len(inline_html)}q")
            inline_html.append(html)
        at = end
    out.append(markdown[at:])
    for index, ref in enumerate(listed):
        if index not in numbered:
            numbered[index] = NumberedReference(len(numbered) + 1, ref)
    return PageReferences(list(numbered.values()), "".join(out), list(unknown), len(citations), open_fence,
                          inline_html)


def new_citation_token() -> str:
    """A word to stand for citations in a page's Markdown (see :func:`number_references`).

    Sixteen random capital letters: about 75 bits, so no page holds it by chance, and short,
    for MkDocs keeps every page's Markdown until the build ends.
    """
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(16))


def fill_citations(html: str, token: str, inline_html: Sequence[str]) -> str:
    """Put each citation's HTML where :func:`number_references` left its token."""
    if not inline_html:
        return html
    parts = html.split(token)
    out = [parts[0]]
    for part in parts[1:]:
        index, q, rest = part.partition("q")
        if q and index.isdigit() and int(index) < len(inline_html):
            out += (inline_html[int(index)], rest)
        else:  # not one of ours after all: keep it as it was
            out += (token, part)
    return "".join(out)


# -- a citation's HTML -------------------------------------------------------------------------

_ITEM_FIELDS = 5  # an item's key and citation id, its entry's anchor, number and label
_HTML_SPECIAL_RE = re.compile("[&<>\"']")  # what a template escapes (most keys and labels have none)
_ESCAPED_KEPT = 256
"""How many escaped keys, and entries' labels, render_once_per_shape keeps (see there)."""


def render_once_per_shape(render: Callable[[list[CitedItem]], str]) -> Callable[[list[CitedItem]], str]:
    """``render``, run once per shape of citation instead of once per citation.

    Only for a template that prints each value it uses as it is, escaped: the key and the
    citation id of an item, and the anchor, number and label of its entry (the plugin's own
    ``citation.html`` does). A shape -- how many keys, which of them known -- is rendered
    once, with a token in place of every value; each citation of that shape is then its
    own values, escaped, in place of the tokens.
    """
    token = "essaymetacitefield" + uuid.uuid4().hex
    formats: dict[tuple[bool, ...], str] = {}

    def format_for(shape: tuple[bool, ...]) -> str:
        items = []
        for i, known in enumerate(shape):
            tokens = [f"{token}x{i * _ITEM_FIELDS + j}x" for j in range(_ITEM_FIELDS)]
            # Stands in for a NumberedReference, with tokens for its values.
            entry = SimpleNamespace(anchor=tokens[2], number=tokens[3], reference=SimpleNamespace(label=tokens[4]))
            items.append(CitedItem(tokens[0], cast(NumberedReference, entry), tokens[1]) if known
                         else CitedItem(tokens[0], None, None))
        html = render(items).replace("{", "{{").replace("}", "}}")
        for n in range(len(shape) * _ITEM_FIELDS):
            html = html.replace(f"{token}x{n}x", f"{{{n}}}")
        return html

    # Escaped once for the pages being read: a key is cited again and again, and an entry's
    # label is made anew each time it is asked for. Labels are kept by the entry's identity,
    # with the entry. Only the last few hundred of each: kept for a whole build, they held
    # every entry of every page (and its label) until the build ended.
    escaped_keys: dict[str, str] = {}
    escaped_labels: dict[int, tuple[Reference, str]] = {}

    def render_citation(items: list[CitedItem]) -> str:
        shape: tuple[bool, ...] = ()
        values: list[object] = []
        for key, entry, cite_id in items:
            escaped_key = escaped_keys.get(key)
            if escaped_key is None:
                if len(escaped_keys) >= _ESCAPED_KEPT:
                    escaped_keys.clear()
                escaped_key = escaped_keys[key] = escape(key) if _HTML_SPECIAL_RE.search(key) else key
            shape += (entry is not None,)
            if entry is None:
                values += (escaped_key, "", "", "", "")
                continue
            reference = entry.reference
            label = escaped_labels.get(id(reference))
            if label is None or label[0] is not reference:
                if len(escaped_labels) >= _ESCAPED_KEPT:
                    escaped_labels.clear()
                text = reference.label
                label = escaped_labels[id(reference)] = (
                    reference, escape(text) if _HTML_SPECIAL_RE.search(text) else text)
            # ids and numbers are made here of letters, digits and hyphens: nothing to escape
            values += (escaped_key, cite_id, entry.anchor, entry.number, label[1])
        html_format = formats.get(shape)
        if html_format is None:
            html_format = formats[shape] = format_for(shape)
        return html_format.format(*values)

    return render_citation


# -- the section at the end of the page ------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!.-])")


@functools.cache
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
        open_fence = find_code_regions(markdown).open_fence
    if isinstance(open_fence, str):
        tail += "\n" + open_fence
    return f"{tail}\n\n{'#' * level} {markdown_heading_text(heading)}\n\n{placeholder}\n"
