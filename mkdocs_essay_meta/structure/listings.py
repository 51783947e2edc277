"""Essay listings: markers, filters, sorting, grouping and links, in plain Python.

A *listing* is a selection of essays shown on a page, as cards or as a table. Authors ask
for one with a marker comment in their Markdown::

    <!-- essay-meta:listing status="in progress" sort=-importance limit=5 -->
    <!-- essay-meta:featured -->

Markers are looked for in the page's *rendered* HTML, where Markdown has already turned
code blocks and code spans into escaped text (``&lt;!-- ...``): only a real comment is a
marker, so examples of the syntax inside code are left alone.

Nothing here imports MkDocs; the plugin feeds :class:`Entry` values in and renders the
result with the ``listing.html`` / ``card.html`` partials.
"""

from __future__ import annotations

import difflib
import html
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from operator import itemgetter
from typing import Literal, NamedTuple

from .essay import Essay
from .problems import show_value
from .vocabulary import Scale, Term, normalize_word

MARKER_KINDS = ("listing", "featured")

_MARKER_RE = re.compile(r"<!--\s*essay-meta:(?P<kind>\w+(?:-\w+)*)(?P<options>.*?)-->", re.DOTALL)
_MARKER_AFTER_OPENING_RE = re.compile(r"\s*essay-meta:")
_OPENING_P_RE = re.compile(r"<p>\s*$")
_CLOSING_P_RE = re.compile(r"\s*</p>")
_OPTION_RE = re.compile(
    r"""\s*(?P<name>[A-Za-z_][\w-]*)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=]+))"""
)

_STRAY_RE = re.compile(r"\s*(\S+)")

SortField = Literal["published", "updated", "importance", "certainty", "title"]
SORT_FIELDS: tuple[SortField, ...] = ("published", "updated", "importance", "certainty", "title")
GroupField = Literal["status", "category", "year"]
GROUP_FIELDS: tuple[GroupField, ...] = ("status", "category", "year")
Layout = Literal["cards", "table"]
LAYOUTS: tuple[Layout, ...] = ("cards", "table")

OPTIONS = ("status", "tag", "category", "featured", "min_importance", "min_certainty",
           "sort", "limit", "group", "layout", "heading")
"""Every option a marker accepts (documented in docs/listings.md)."""

_OPTION_ALIASES = {"tags": "tag", "categories": "category", "order": "sort", "title": "heading"}

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}

EXCERPT_MAX_CHARS = 300
"""First-paragraph excerpts longer than this are cut at a word boundary."""


# -- what a listing asks for ----------------------------------------------------------------

@dataclass(frozen=True)
class ListingSpec:
    """One listing: which essays, in which order, how many, and how shown."""

    statuses: frozenset[str] | None = None
    """Status term keys to keep (``in-progress``), or ``None`` for any."""
    tags: frozenset[str] | None = None
    """Tags to keep (case-insensitive; any of them), or ``None`` for any."""
    categories: frozenset[str] | None = None
    featured: bool | None = None
    min_importance: float | None = None
    min_certainty: int | None = None
    """A percentage: essays rated at least this sure (their own or their term's default)."""
    sort: SortField = "published"
    descending: bool = True
    limit: int | None = None
    group: GroupField | None = None
    layout: Layout = "cards"
    heading: str | None = None


FEATURED_SPEC = ListingSpec(featured=True)


@dataclass(frozen=True)
class MarkerProblem:
    """An option in a marker the plugin cannot use."""

    option: str
    value: object
    expected: str

    def message(self, source: str, marker: str = "listing") -> str:
        return (f"{source}: essay-meta:{marker} marker option '{self.option}' has "
                f"{show_value(self.value)}; expected {self.expected}")


@dataclass(frozen=True)
class Marker:
    """A marker found in a page's HTML: where it is, what kind, and its options text."""

    start: int
    end: int
    kind: str
    options: str


def has_marker(content: str) -> bool:
    """Whether rendered HTML has a comment starting ``essay-meta:``: cheap, for every page.

    It looks for ``!``, rare in HTML and found at memory speed (a one-character search),
    not for ``essay-meta:`` or ``<!--``: searching for those stumbles over every ``-`` of
    the page (the plugin's class names are full of them) and costs 4 to 7 times more.
    """
    at = content.find("!")
    while at != -1:
        if at and content.startswith("<!--", at - 1) and _MARKER_AFTER_OPENING_RE.match(content, at + 3):
            return True
        at = content.find("!", at + 1)
    return False


def find_markers(content: str) -> list[Marker]:
    """Every ``<!-- essay-meta:... -->`` comment in rendered HTML, in order."""
    if not has_marker(content):
        return []
    markers = []
    for m in _MARKER_RE.finditer(content):
        start, end = m.start(), m.end()
        # A marker alone in a paragraph replaces the paragraph (not just the comment).
        opening = _OPENING_P_RE.search(content, max(0, start - 20), start)
        closing = _CLOSING_P_RE.match(content, end)
        if opening and closing:
            start, end = opening.start(), closing.end()
        markers.append(Marker(start, end, m["kind"], m["options"]))
    return markers


def suggest_kind(kind: str) -> str | None:
    """The marker kind a typo most likely meant (``listings`` → ``listing``), if any."""
    close = difflib.get_close_matches(kind, MARKER_KINDS, n=1, cutoff=0.75)
    return close[0] if close else None


def _split_options(text: str, problems: list[MarkerProblem]) -> dict[str, str]:
    values: dict[str, str] = {}
    at = 0
    text = html.unescape(text)
    while at < len(text):
        if text[at:].strip() == "":
            break
        m = _OPTION_RE.match(text, at)
        if m is None:
            stray = _STRAY_RE.match(text, at)
            assert stray is not None
            problems.append(MarkerProblem(stray[1], stray[1], 'options written as name=value or name="a value"'))
            at = stray.end()
            continue
        name = m["name"].lower().replace("-", "_")
        name = _OPTION_ALIASES.get(name, name)
        value = next(v for v in (m["dq"], m["sq"], m["bare"]) if v is not None)
        if name in values:
            problems.append(MarkerProblem(name, value, "each option once"))
        else:
            values[name] = value
        at = m.end()
    return values


def _words(value: str) -> list[str]:
    return [w.strip() for w in value.split(",") if w.strip()]


def _as_bool(value: str) -> bool | None:
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number else None  # not NaN


def parse_options(text: str, scales: Mapping[str, Scale],
                  base: ListingSpec = ListingSpec()) -> tuple[ListingSpec, list[MarkerProblem]]:
    """The listing a marker's options text asks for, starting from ``base``.

    Never raises: every option that cannot be used becomes a :class:`MarkerProblem` and
    is left out; every valid one is kept.
    """
    problems: list[MarkerProblem] = []
    spec = base
    for name, value in _split_options(text, problems).items():
        if name == "status":
            keys: set[str] = set()
            for word in _words(value):
                term = scales["status"].find(word)
                if term is None:
                    problems.append(MarkerProblem(name, word, "one of " + ", ".join(scales["status"].labels())))
                else:
                    keys.add(term.key)
            if keys:
                spec = replace(spec, statuses=frozenset(keys))
        elif name in ("tag", "category"):
            words = frozenset(w.casefold() for w in _words(value))
            if not words:
                problems.append(MarkerProblem(name, value, f"one or more {name} names, separated by commas"))
            else:
                spec = replace(spec, tags=words) if name == "tag" else replace(spec, categories=words)
        elif name == "featured":
            flag = _as_bool(value)
            if flag is None:
                problems.append(MarkerProblem(name, value, "true or false"))
            else:
                spec = replace(spec, featured=flag)
        elif name == "min_importance":
            number = _number(value)
            if number is None or not 0 <= number <= 10:
                problems.append(MarkerProblem(name, value, "a number from 0 to 10"))
            else:
                spec = replace(spec, min_importance=number)
        elif name == "min_certainty":
            number = _number(value.rstrip("%"))
            if number is not None and 0 <= number <= 100:
                spec = replace(spec, min_certainty=round(number))
            else:
                term = scales["certainty"].find(value)
                if term is not None and term.percentage is not None:
                    spec = replace(spec, min_certainty=term.percentage)
                else:
                    usable = [t.label for t in scales["certainty"].terms if t.percentage is not None]
                    problems.append(MarkerProblem(name, value, "a percentage from 0 to 100 or one of "
                                                  + ", ".join(usable)))
        elif name == "sort":
            key = value.lstrip("+-").strip().lower()
            if value.startswith(("-", "+")):
                descending = value.startswith("-")
            else:
                descending = key != "title"  # newest / most first, but titles A to Z
            key = {"date": "published", "publishdate": "published", "lastmod": "updated"}.get(key, key)
            if key not in SORT_FIELDS:
                problems.append(MarkerProblem(name, value, "one of " + ", ".join(SORT_FIELDS)
                                              + ", optionally prefixed with - (descending) or + (ascending)"))
            else:
                spec = replace(spec, sort=key, descending=descending)  # type: ignore[arg-type]
        elif name == "limit":
            if not value.isdigit() or int(value) < 1:
                problems.append(MarkerProblem(name, value, "a whole number of at least 1"))
            else:
                spec = replace(spec, limit=int(value))
        elif name == "group":
            key = value.strip().lower()
            if key in ("none", ""):
                spec = replace(spec, group=None)
            elif key not in GROUP_FIELDS:
                problems.append(MarkerProblem(name, value, "one of " + ", ".join(GROUP_FIELDS)))
            else:
                spec = replace(spec, group=key)  # type: ignore[arg-type]
        elif name == "layout":
            key = value.strip().lower()
            if key not in LAYOUTS:
                problems.append(MarkerProblem(name, value, "one of " + ", ".join(LAYOUTS)))
            else:
                spec = replace(spec, layout=key)  # type: ignore[arg-type]
        elif name == "heading":
            spec = replace(spec, heading=value.strip() or None)
        else:
            problems.append(MarkerProblem(name, value, "one of the options " + ", ".join(OPTIONS)))
    return spec, problems


# -- what a listing shows ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Entry:
    """One listable essay, as the plugin knows it after reading every page."""

    src_uri: str
    url: str
    """The page's URL relative to the site root, as MkDocs gives it (``essays/x/``, ``x.html``)."""
    title: str
    essay: Essay
    excerpt: str | None = None


@dataclass(frozen=True)
class Group:
    key: str
    """A stable identifier (``in-progress``, ``2024``, ``""`` for entries without a value)."""
    label: str
    """What readers see; empty for entries without a value (the template names them)."""
    entries: tuple[Entry, ...] = field(default_factory=tuple)


def importance_value(essay: Essay) -> float | None:
    rating = essay.importance
    if rating is None:
        return None
    if rating.key.isdigit():
        return float(rating.key)
    return rating.percentage / 10 if rating.percentage is not None else None


def certainty_value(essay: Essay) -> int | None:
    return essay.certainty.percentage if essay.certainty else None


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _instant(value: datetime | None) -> timedelta | None:
    """A date as the time since 1970: sorts as the dates do, and several times faster.

    (Aware datetimes with different ``tzinfo`` objects, as YAML gives them, are compared
    by way of their UTC offsets every time.) Always the UTC instant: Python compares two
    datetimes sharing a ``ZoneInfo`` by wall time, which differs only for times inside a
    daylight-saving gap or overlap.
    """
    return None if value is None else value - _EPOCH


_SORT_VALUES: dict[str, Callable[[Entry], object | None]] = {
    "published": lambda entry: _instant(entry.essay.published),
    "updated": lambda entry: _instant(entry.essay.updated or entry.essay.published),
    "importance": lambda entry: importance_value(entry.essay),
    "certainty": lambda entry: certainty_value(entry.essay),
}
"""What each sort order but ``title`` compares (``None``: the entry has no value)."""


def matches(entry: Entry, spec: ListingSpec) -> bool:
    essay = entry.essay
    if spec.featured is not None and essay.featured != spec.featured:
        return False
    if spec.statuses is not None and (essay.status is None or essay.status.key not in spec.statuses):
        return False
    if spec.tags is not None and not spec.tags & {t.casefold() for t in essay.tags}:
        return False
    if spec.categories is not None and not spec.categories & {c.casefold() for c in essay.categories}:
        return False
    if spec.min_importance is not None:
        value = importance_value(essay)
        if value is None or value < spec.min_importance:
            return False
    if spec.min_certainty is not None:
        value = certainty_value(essay)
        if value is None or value < spec.min_certainty:
            return False
    return True


def select(entries: Iterable[Entry], spec: ListingSpec) -> list[Entry]:
    """The entries a listing shows: filtered, sorted (entries without the value last), limited.

    Ties keep title order (A to Z), then source path, so a listing never reshuffles
    between builds.
    """
    chosen = sorted((e for e in entries if matches(e, spec)), key=lambda e: (e.title.casefold(), e.src_uri))
    if spec.sort != "title":
        value_of = _SORT_VALUES[spec.sort]
        valued = [(value_of(e), e) for e in chosen]
        present = [pair for pair in valued if pair[0] is not None]
        present.sort(key=itemgetter(0), reverse=spec.descending)
        chosen = [e for _, e in present] + [e for value, e in valued if value is None]
    elif spec.descending:
        chosen.reverse()
    return chosen[: spec.limit] if spec.limit is not None else chosen


def group(entries: Sequence[Entry], spec: ListingSpec, scales: Mapping[str, Scale]) -> list[Group]:
    """Split selected entries into groups (one group with every entry when not grouping).

    Status groups follow the status scale's order; categories go A to Z (an essay in two
    categories is in both groups); years go newest first. Entries without a value come
    last, in a group whose label is empty. Within a group the listing's order is kept.
    """
    if spec.group is None:
        return [Group("", "", tuple(entries))]
    buckets: dict[str, list[Entry]] = {}
    labels: dict[str, str] = {}
    for entry in entries:
        for key, label in _group_keys(entry.essay, spec.group):
            buckets.setdefault(key, []).append(entry)
            labels.setdefault(key, label)
    if spec.group == "status":
        order = {t.key: i for i, t in enumerate(scales["status"].terms)}
        keys = sorted(buckets, key=lambda k: (k == "", order.get(k, len(order)), k))
    elif spec.group == "category":
        keys = sorted(buckets, key=lambda k: (k == "", k))
    else:
        keys = sorted(buckets, key=lambda k: (k == "", "" if k == "" else f"{9999 - int(k):04d}"))
    return [Group(k, labels[k], tuple(buckets[k])) for k in keys]


def _group_keys(essay: Essay, by: GroupField) -> list[tuple[str, str]]:
    if by == "status":
        return [(essay.status.key, essay.status.label)] if essay.status else [("", "")]
    if by == "category":
        seen: dict[str, str] = {}
        for category in essay.categories:
            seen.setdefault(normalize_word(category), category)
        return list(seen.items()) or [("", "")]
    if essay.published is None:
        return [("", "")]
    year = str(essay.published.year)
    return [(year, year)]


# -- links and excerpts -------------------------------------------------------------------------

def _site_path(url: str) -> str:
    if "#" in url:
        url = url.partition("#")[0]
    while url.startswith("./"):
        url = url[2:]
    return url.lstrip("/")


def _segments(path: str) -> list[str]:
    """The folders and file of a site path, normalised as ``posixpath.normpath`` does."""
    if not path.startswith(("/", ".")) and "/." not in path and "//" not in path:
        segments = path.split("/")  # already normal, as MkDocs' URLs are
        if not segments[-1]:
            segments.pop()
        return segments
    segments = []
    for part in path.split("/"):
        if part == "..":
            if segments:
                segments.pop()
        elif part and part != ".":
            segments.append(part)
    return segments


def links_from(page_url: str) -> Callable[[str], str]:
    """``relative_url`` from one page, which a listing calls once per card."""
    source = _site_path(page_url)
    base = _segments(source if source.endswith("/") or source == "" else posixpath.dirname(source))

    def link(to_url: str) -> str:
        target = _site_path(to_url)
        segments = _segments(target)
        if base:
            common = 0
            for here, there in zip(base, segments):
                if here != there:
                    break
                common += 1
            segments[:common] = [".."] * (len(base) - common)
        rel = "/".join(segments)
        if not target or target[-1] == "/":
            return rel + "/" if rel else "./"
        return rel or "."

    return link


def relative_url(from_url: str, to_url: str) -> str:
    """The link from the page at ``from_url`` to the page at ``to_url``, both site-relative.

    Works for both URL styles MkDocs produces (``a/b/`` with ``use_directory_urls``,
    ``a/b.html`` without) and needs no ``site_url``.
    """
    return links_from(from_url)(to_url)


# The text up to the first </p>, spelled out so that </p> is tried only where a tag starts.
_PARAGRAPH_RE = re.compile(r"<p\b[^>]*>([^<]*(?:<(?!/p>)[^<]*)*)</p>", re.IGNORECASE)
_DROP_RE = re.compile(r"<(sup|script|style)\b[^>]*>.*?</\1>", re.DOTALL | re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")


def first_paragraph(content: str, max_chars: int = EXCERPT_MAX_CHARS) -> str | None:
    """The text of the first non-empty paragraph of rendered HTML, cut at ``max_chars``.

    Tags, footnote references and comments are removed; entities are decoded (the
    partials escape the result again).
    """
    for m in _PARAGRAPH_RE.finditer(content):
        text = _TAG_RE.sub("", _DROP_RE.sub("", m[1]))
        text = " ".join(html.unescape(text).split())  # what \s+ → " " and strip() give, faster
        if text:
            return shorten(text, max_chars)
    return None


def shorten(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars].rsplit(" ", 1)[0].rstrip(" ,;:.-–—")
    return (cut or text[:max_chars]) + "…"


# -- what the partials receive ------------------------------------------------------------------

class Card(NamedTuple):
    """One essay as a listing on a given page shows it.

    A named tuple: one is made per card and page, and templates read its fields directly.
    """

    title: str
    href: str
    """The link to the essay, relative to the page showing the listing."""
    id_prefix: str
    """Unique on the page: keeps the badges' tooltip ids apart."""
    excerpt: str | None
    essay: Essay


@dataclass(frozen=True)
class CardGroup:
    key: str
    label: str
    cards: tuple[Card, ...]


def arrange(entries: Iterable[Entry], spec: ListingSpec, scales: Mapping[str, Scale], *,
            page_url: str, id_prefix: str) -> list[CardGroup]:
    """Select, group and link the entries for a listing on the page at ``page_url``."""
    link = links_from(page_url)
    result = []
    n = 0
    for g in group(select(entries, spec), spec, scales):
        cards = []
        for entry in g.entries:
            n += 1
            cards.append(Card(entry.title, link(entry.url), f"{id_prefix}-{n}", entry.excerpt, entry.essay))
        result.append(CardGroup(g.key, g.label, tuple(cards)))
    return result


class LegendScale(NamedTuple):
    """One scale as a listing's legend explains it (see :func:`legend`)."""

    scale: Scale
    terms: tuple[Term, ...]
    """The terms of the scale that the listing's essays are rated with, in the scale's order."""


def legend(groups: Iterable[CardGroup], scales: Mapping[str, Scale]) -> list[LegendScale]:
    """The scales and terms a listing's cards (or table rows) show, for one explanation of
    each per listing.

    A card's badges carry no explanation of their own: repeated on every card, they made over
    a third of a listing's HTML, and a tab stop each for keyboard users.
    """
    shown: dict[str, dict[str, Term]] = {}
    for card_group in groups:
        for card in card_group.cards:
            for rating in card.essay.ratings:
                shown.setdefault(rating.scale.name, {}).setdefault(rating.term.key, rating.term)
    result = []
    for name, scale in scales.items():
        terms = shown.get(name)
        if terms:
            order = {term.key: i for i, term in enumerate(scale.terms)}
            ordered = sorted(terms.values(), key=lambda term: order.get(term.key, len(order)))
            result.append(LegendScale(scale, tuple(ordered)))
    return result
