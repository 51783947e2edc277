"""The essay front-matter model: typed, immutable values parsed from a page's ``meta``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone, tzinfo
from typing import Any, NamedTuple, TypeGuard

from . import dates
from .bibliography import Reference, parse_bibliography
from .problems import Problems
from .vocabulary import DEFAULT_SCALES, IMPORTANCE_MAX, Scale, Term, _as_percentage

DEFAULT_ALIASES: dict[str, str] = {
    "confidence": "certainty",
    "date": "publishdate",
    "updated": "lastmod",
    "featured": "homepage_featured",
}
"""Alias → field: names users migrating from other generators expect."""

FIELDS = (
    "title", "meta_title", "description", "excerpt", "publishdate", "lastmod", "tags",
    "categories", "status", "certainty", "importance", "is_post_complete",
    "homepage_featured", "bibliography", "draft",
)

_TRUE = frozenset({"true", "yes", "on", "1"})
_BOOLEAN_WORDS = _TRUE | {"false", "no", "off", "0"}


class Rating(NamedTuple):
    """A value on one scale: the term, and the percentage to show (if any)."""

    scale: Scale
    term: Term
    percentage: int | None
    percentage_is_default: bool = False

    @property
    def key(self) -> str:
        return self.term.key

    @property
    def label(self) -> str:
        return self.term.label

    @property
    def description(self) -> str:
        return self.term.description


@dataclass(frozen=True)
class ParseOptions:
    """Everything the model needs from configuration."""

    scales: Mapping[str, Scale] = field(default_factory=lambda: dict(DEFAULT_SCALES))
    aliases: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ALIASES))
    timezone: tzinfo = timezone.utc
    foreign_status: frozenset[str] = frozenset()
    """Status ids another tool owns (Material's ``extra.status``): accepted, not rated."""
    known_ratings: dict[tuple[Any, ...], Rating] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    """The rating of each plain word or number already rated, and of each word with each
    percentage authors gave it (essays repeat the same few; see _rating)."""


class Essay(NamedTuple):
    """An essay's front matter, parsed (a named tuple: one is made for every page of every
    build, and a tuple is several times cheaper to make than a frozen dataclass)."""

    title: str | None = None
    meta_title: str | None = None
    description: str | None = None
    excerpt: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    status: Rating | None = None
    certainty: Rating | None = None
    importance: Rating | None = None
    is_complete: bool | None = None
    featured: bool = False
    bibliography: tuple[Reference, ...] = ()
    draft: bool = False
    is_essay: bool = False
    """True when the page carries essay metadata (and so gets a header)."""

    @property
    def ratings(self) -> tuple[Rating, ...]:
        """The ratings given, in the order status, certainty, importance."""
        return tuple(filter(None, (self.status, self.certainty, self.importance)))


def _resolve_aliases(meta: Mapping[str, Any], aliases: Mapping[str, str], problems: Problems) -> Mapping[str, Any]:
    """The fields of ``meta`` under their own names (``meta`` itself when it uses no alias)."""
    if meta.keys().isdisjoint(aliases):
        return meta
    values = {k: meta[k] for k in FIELDS if k in meta}
    for alias, target in aliases.items():
        if alias not in meta or alias == target:
            continue
        if target in values:
            problems.add(alias, meta[alias], f"to be left out, as '{target}' is also given (it wins)")
            continue
        values[target] = meta[alias]
    return values


_NOT_MAPPINGS = frozenset({str, int, float, bool, type(None), date, datetime, list})
"""What front-matter values usually are: none of them a mapping (see _is_mapping)."""


def _is_mapping(value: Any) -> TypeGuard[Mapping[Any, Any]]:
    """``isinstance(value, Mapping)``, without the abstract class's check (a Python call) for
    the values front matter usually holds."""
    return type(value) is dict or (type(value) not in _NOT_MAPPINGS and isinstance(value, Mapping))


def _string(name: str, value: Any, problems: Problems) -> str | None:
    if value is None:
        return None
    if type(value) is str:
        return value.strip() or None
    if isinstance(value, bool):  # title: No -> False
        problems.add(name, value, "a string (YAML reads a bare yes, no, on, off, true or false as "
                                  "true or false: put the text in quotes)")
        return None
    if not isinstance(value, (str, int, float)):
        problems.add(name, value, "a string")
        return None
    text = str(value).strip()
    return text or None


def _boolean(name: str, value: Any, problems: Problems) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEAN_WORDS:
        return value.strip().lower() in _TRUE
    problems.add(name, value, "true or false")
    return None


def _string_list(name: str, value: Any, problems: Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        problems.add(name, value, "a list of strings")
        return ()
    if not value:
        return ()
    if set(map(type, value)) <= {str}:  # the usual list of words
        return tuple(dict.fromkeys(filter(None, map(str.strip, value))))
    items: dict[str, None] = {}
    for item in value:
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            text = str(item).strip()
            if text:
                items.setdefault(text, None)
        else:
            problems.add(name, item, "each item to be a string")
    return tuple(items)


def _date(name: str, value: Any, options: ParseOptions, problems: Problems) -> datetime | None:
    if value is None or value == "":
        return None
    parsed = dates.parse_date(value, options.timezone)
    if parsed is None:
        problems.add(name, value, dates.EXPECTED)
    return parsed


_RATING_MEMO_SIZE = 4096
_RATING_KEYS = frozenset({"value", "percentage"})


def _rating(name: str, value: Any, options: ParseOptions, problems: Problems) -> Rating | None:
    """A rating from ``word``, ``8`` or ``{value: word, percentage: 60}``.

    A plain word or number, ``{value: word}`` or ``{value: word, percentage: 60}`` is rated
    once per build (see _rate_and_keep): essays repeat the same few. A rating is a non-empty tuple, so only a
    word not yet rated makes ``known.get(key)`` falsy.
    """
    if value is None:
        return None
    known = options.known_ratings
    if type(value) is str or type(value) is int:
        key: tuple[Any, ...] = (name, value)
        return known.get(key) or _rate_and_keep(key, value, options, problems)
    if type(value) is dict and value.keys() <= _RATING_KEYS:
        word, percentage = value.get("value"), value.get("percentage")
        if type(word) is str or type(word) is int:
            key = (name, word, None)
            if percentage is None:
                return known.get(key) or _rate_and_keep(key, value, options, problems)
            if type(percentage) is int and 0 <= percentage <= 100:
                # The word's rating, with the author's percentage (kept too: one per percentage).
                own = known.get((name, word, percentage))
                if own is not None:
                    return own
                rating = known.get(key) or _rate_and_keep(key, {"value": word}, options, problems)
                if rating is None:
                    return None
                own = Rating(rating.scale, rating.term, percentage)
                if len(known) < _RATING_MEMO_SIZE:
                    known[name, word, percentage] = own
                return own
    return _rate(name, value, options, problems)


def _rate_and_keep(key: tuple[Any, ...], value: Any, options: ParseOptions, problems: Problems) -> Rating | None:
    """The rating of ``value``, a plain word, number or ``{value: word}``, kept under ``key``
    (its field and word) when rated without a problem: the same every time."""
    reported = len(problems)
    rating = _rate(key[0], value, options, problems)
    if rating is not None and len(problems) == reported and len(options.known_ratings) < _RATING_MEMO_SIZE:
        options.known_ratings[key] = rating
    return rating


def _rate(name: str, value: Any, options: ParseOptions, problems: Problems) -> Rating | None:
    if isinstance(value, str) and not value.strip():
        return None  # left blank, like meta_title: "" in a front-matter template
    scale = options.scales[name]
    explicit: Any = None
    has_explicit = False
    if _is_mapping(value):
        for key in value:
            if key not in ("value", "percentage"):
                problems.add(f"{name}.{key}", value[key], "only 'value' and 'percentage' in the mapping")
        has_explicit = value.get("percentage") is not None
        explicit = value.get("percentage")
        value = value.get("value")
        if value is None:
            problems.add(f"{name}.value", None, _expected_terms(scale))
            return None
    term = _find_term(name, value, scale, options, problems)
    if term is None:
        return None
    if has_explicit:
        pct = _as_percentage(explicit)
        if isinstance(pct, str):
            problems.add(f"{name}.percentage", explicit, pct)
        else:
            return Rating(scale, term, pct)
    return Rating(scale, term, term.percentage, percentage_is_default=True)


def _expected_terms(scale: Scale) -> str:
    if scale.name == "importance":
        return f"a whole number from 0 to {IMPORTANCE_MAX}"
    return "one of " + ", ".join(scale.labels())


def _find_term(name: str, value: Any, scale: Scale, options: ParseOptions, problems: Problems) -> Term | None:
    if scale.name == "importance":
        number: Any = value
        if isinstance(value, str) and value.strip().isdigit():
            number = int(value.strip())
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        if isinstance(number, bool) or not isinstance(number, int):
            term = scale.find(value) if isinstance(value, str) else None
            if term is None:
                problems.add(name, value, _expected_terms(scale))
            return term
        term = scale.find(str(number))
        if term is None:
            problems.add(name, value, _expected_terms(scale))
        return term
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        problems.add(name, value, _expected_terms(scale))
        return None
    term = scale.find(str(value))
    if term is None and not (name == "status" and str(value) in options.foreign_status):
        problems.add(name, value, _expected_terms(scale))
    return term


def _dates(values: Mapping[str, Any], options: ParseOptions,
           problems: Problems) -> tuple[datetime | None, datetime | None]:
    """Publication and update dates."""
    published = values.get("publishdate")
    updated = values.get("lastmod")
    if _is_mapping(published):  # Material blog: date: {created: ..., updated: ...}
        if "created" not in published:
            problems.add("publishdate", published, "a date, or a mapping with created (and updated)")
        updated = updated if updated is not None else published.get("updated")
        published = published.get("created")
    publish_dt = _date("publishdate", published, options, problems)
    update_dt = _date("lastmod", updated, options, problems)
    if publish_dt and update_dt and update_dt < publish_dt:
        problems.add("lastmod", updated, f"a date on or after publishdate ({published})")
    return publish_dt, update_dt


def parse_essay(meta: Mapping[str, Any], options: ParseOptions | None = None) -> tuple[Essay, Problems]:
    """Parse a page's front matter into an :class:`Essay` and the problems found.

    Never raises for any mapping: every invalid field becomes a :class:`Problem` and is
    left out, and every valid one is kept.
    """
    options = options or ParseOptions()
    problems = Problems()
    values = _resolve_aliases(meta, options.aliases, problems)
    get = values.get
    published, updated = _dates(values, options, problems)
    # In this order, so that problems are reported in the order of the fields.
    title = _string("title", get("title"), problems)
    meta_title = _string("meta_title", get("meta_title"), problems)
    description = _string("description", get("description"), problems)
    excerpt = _string("excerpt", get("excerpt"), problems)
    tags = _string_list("tags", get("tags"), problems)
    categories = _string_list("categories", get("categories"), problems)
    status = _rating("status", get("status"), options, problems)
    certainty = _rating("certainty", get("certainty"), options, problems)
    importance = _rating("importance", get("importance"), options, problems)
    is_complete = _boolean("is_post_complete", get("is_post_complete"), problems)
    featured = bool(_boolean("homepage_featured", get("homepage_featured"), problems))
    bibliography = parse_bibliography(get("bibliography"), problems)
    draft = bool(_boolean("draft", get("draft"), problems))
    # A page is an essay (and gets the header) when it gives one of these a value of its own:
    # foreign values (e.g. a Material status id) and invalid ones do not make an essay.
    is_essay = bool(status or certainty or importance or published or updated or bibliography
                    or is_complete is not None or featured)
    # The fields in Essay's order, positionally: keywords make it take twice as long.
    essay = Essay(title, meta_title, description, excerpt, published, updated, tags, categories,
                  status, certainty, importance, is_complete, featured, bibliography, draft, is_essay)
    return essay, problems


def parse_schedule(meta: Mapping[str, Any], options: ParseOptions) -> tuple[bool, datetime | None]:
    """Whether ``meta`` makes a draft, and its publication date: read as :func:`parse_essay`
    reads them, without the rest (problems are left to it)."""
    problems = Problems()
    values = _resolve_aliases(meta, options.aliases, problems)
    published, _ = _dates(values, options, problems)
    return bool(_boolean("draft", values.get("draft"), problems)), published
