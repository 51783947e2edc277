"""Rendering the plugin's partials: an autoescaping Jinja environment over the theme's folders.

The plugin renders with its own environment (MkDocs' theme environment does not escape),
whose loader searches the same folders as the theme, the user's ``custom_dir`` first, so
a user overrides any partial by dropping a file of the same name there.
"""

from __future__ import annotations

import itertools
import operator
import os
import random
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal, NamedTuple

import jinja2
import markupsafe
from jinja2.runtime import new_context
from markupsafe import Markup, escape
import babel.core
import babel.localedata
from babel import Locale, UnknownLocaleError
from babel.dates import DateTimePattern, get_date_format, parse_pattern, tokenize_pattern

from .structure.bibliography import Reference
from .structure.citations import NumberedReference
from .structure.essay import Essay, Rating
from .structure.listings import Card

_DATE_FORMATS: dict[str, Literal["short", "medium", "long", "full"]] = {
    "short": "short", "medium": "medium", "long": "long", "full": "full"}
"""The ``date_format`` option's values, as the names Babel's typing knows."""

TEMPLATE_FOLDER = "essay-meta"
"""Every partial lives under this folder name (``essay-meta/header.html`` and so on)."""


def parse_locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _without_data(locale: Locale) -> Locale:
    """The same locale, its data not loaded (Babel loads it when it is first asked for)."""
    modifier = getattr(locale, "modifier", None)  # (Babel 2.13 and later)
    parts = (locale.language, locale.territory, locale.script, locale.variant)
    return Locale(*parts, modifier) if modifier else Locale(*parts)


@contextmanager
def locale_data_let_go() -> Iterator[None]:
    """Babel keeps the data of each locale it loads, and its global data, as long as the
    process lives: about 4 MiB for one language (the global data is loaded to find the
    locale's parent). A build needs them while its renderer is made, no longer (see
    :class:`_DayFormat`): what Babel loads in the block, it is made to let go of at the end,
    as if it had never been asked. Asked again, it loads it again.

    Babel's caches are private: those a version of Babel keeps elsewhere are not let go of.
    """
    lock = getattr(babel.localedata, "_cache_lock", None)
    caches = [cache for cache in (getattr(babel.localedata, name, None) for name in ("_cache", "_dict_cache"))
              if isinstance(cache, dict)] if lock is not None else []
    had = [set(cache) for cache in caches]
    had_global = getattr(babel.core, "_global_data", None) is not None
    try:
        yield
    finally:
        if caches:
            with lock:  # type: ignore[union-attr]
                for cache, names in zip(caches, had):
                    for name in [name for name in cache if name not in names]:
                        del cache[name]
        if not had_global and hasattr(babel.core, "_global_data"):
            babel.core._global_data = None


# A constant include of one of the plugin's partials; inlined when its template is loaded.
_INCLUDE_RE = re.compile(r'\{%(-?)\s*include\s+"(' + TEMPLATE_FOLDER + r'/[\w./-]+)"\s*(-?)%\}')
# Partials using these cannot be pasted inside another template: they stay includes.
_NOT_INLINABLE_RE = re.compile(r"\{%-?\s*(?:extends|block)\b")
_MAX_INLINE_DEPTH = 8

_OWN_TEMPLATES = os.path.normcase(os.path.realpath(Path(__file__).parent / "templates"))
_BADGE = f"{TEMPLATE_FOLDER}/badge.html"
# The plugin's own badge.html is rendered once per distinct rating and build (Renderer.badge);
# an include of it becomes this call. A user's badge.html is pasted like any other partial.
_BADGE_CALL = "{{ rating | essay_meta_badge(labels, id_prefix, in_listing) }}"

_HEADER = f"{TEMPLATE_FOLDER}/header.html"
_HEADER_TEMPLATES = (_HEADER, *(f"{TEMPLATE_FOLDER}/{name}.html" for name in (
    "dates", "badges", "badge", "taxonomy", "notice", "draft-banner")))
"""header.html and every partial it includes: while all are the plugin's own, a header is
filled into its shape's format (see Renderer.header), else rendered through Jinja."""

_LISTING = f"{TEMPLATE_FOLDER}/listing.html"
_CARD = f"{TEMPLATE_FOLDER}/card.html"
_CARD_TEMPLATES = (_CARD, *(f"{TEMPLATE_FOLDER}/{name}.html" for name in ("dates", "badges", "badge")))
"""card.html and every partial it includes: while these and listing.html are the plugin's
own, a card is filled into its shape's format (see Renderer.listing), else rendered through Jinja."""
_LISTING_OF_FILLED_CARDS = f"{TEMPLATE_FOLDER}/.listing-of-filled-cards"
"""listing.html with each include of card.html a call of Renderer.card (see Renderer.listing)."""
_CARD_CALL = "{{ card | essay_meta_card(card_heading, labels) }}"

_BIBLIOGRAPHY = f"{TEMPLATE_FOLDER}/bibliography.html"
_ENTRY = f"{TEMPLATE_FOLDER}/bibliography-entry.html"
# The plugin's own template (not a partial: users override bibliography-entry.html): every
# entry a page needs in one render, as pasting bibliography-entry.html in a loop is several
# times cheaper than one render per entry. The separator is a per-build token. (A user's
# bibliography-entry.html is rendered through it for each page; the plugin's own, once per
# shape of entry: see Renderer.entries.)
_ENTRIES = f"{TEMPLATE_FOLDER}/.entries"
_INTERNAL_TEMPLATES = {
    _ENTRIES: '{% for reference in references %}{% include "' + _ENTRY + '" %}{{ separator }}{% endfor %}',
}


def is_own_template(filename: str) -> bool:
    """Whether a template file is one of the plugin's own partials (not a user's override)."""
    return os.path.normcase(os.path.realpath(filename)).startswith(_OWN_TEMPLATES + os.sep)


class InliningLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that pastes the plugin's partials into the template including them.

    Jinja runs every ``{% include %}`` through a template lookup and a fresh context: for the
    header (header → badges → badge ×3, dates, taxonomy, notice) that cost several times
    the rendering itself. Each included partial is still looked up by name in the same
    folders, so a user's override of any single partial applies as before; it is pasted
    inside ``{% with %}…{% endwith %}`` so that its ``{% set %}`` stay local, as in an include.
    """

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template in _INTERNAL_TEMPLATES:
            source, filename, uptodate = _INTERNAL_TEMPLATES[template], template, lambda: True
        elif template == _LISTING_OF_FILLED_CARDS:
            source, filename, uptodate = super().get_source(environment, _LISTING)
            source = _INCLUDE_RE.sub(lambda match: _as_call(match, _CARD_CALL) if match.group(2) == _CARD
                                     else match.group(0), source)
        else:
            source, filename, uptodate = super().get_source(environment, template)
        checks = [uptodate]
        source = self._inline(environment, source, checks, 0)
        return source, filename, lambda: all(check() for check in checks)

    def filename(self, environment: jinja2.Environment, template: str) -> str:
        """The file ``template`` is loaded from (found as :meth:`get_source` finds it, without
        reading the partials it includes)."""
        return super().get_source(environment, template)[1]

    def _inline(self, environment: jinja2.Environment, source: str, checks: list[Callable[[], bool]],
                depth: int) -> str:
        if depth >= _MAX_INLINE_DEPTH:
            return source

        def paste(match: re.Match[str]) -> str:
            try:
                inner, filename, uptodate = super(InliningLoader, self).get_source(environment, match.group(2))
            except jinja2.TemplateNotFound:
                return match.group(0)  # Jinja reports it when the include runs
            if match.group(2) == _BADGE and is_own_template(filename):
                checks.append(uptodate)
                return _as_call(match, _BADGE_CALL)
            if _NOT_INLINABLE_RE.search(inner):
                return match.group(0)
            checks.append(uptodate)
            inner = self._inline(environment, inner, checks, depth + 1)
            # Jinja drops one trailing newline of a template source; the newline after
            # ``with`` is eaten by trim_blocks, so the partial starts on a line of its own.
            inner = inner[:-1] if inner.endswith("\n") else inner
            return f"{{%{match.group(1)} with %}}\n{inner}{{% endwith {match.group(3)}%}}"

        return _INCLUDE_RE.sub(paste, source)


def _as_call(include: re.Match[str], call: str) -> str:
    """A call in place of an include (an ``_INCLUDE_RE`` match), inside ``{% with %}`` so that
    the include's whitespace control, and trim_blocks after it, still apply."""
    return f"{{%{include.group(1)} with %}}{call}{{% endwith {include.group(3)}%}}"


def _output_escaper() -> Callable[[Any], str] | None:
    """``markupsafe.escape`` as a plain ``str``, for what a compiled template writes out
    (``{{ ... }}``) and joins with the rest of its output: the same text, without wrapping
    each piece in a ``Markup``, which MarkupSafe 3 does in Python and which cost more than
    escaping it. ``None`` with MarkupSafe 2, whose ``escape`` is all C."""
    escape_inner = getattr(markupsafe, "_escape_inner", None)  # MarkupSafe 3's C escaping of a str
    if escape_inner is None:
        return None

    def escape_output(value: Any) -> str:
        if type(value) is str:
            return escape_inner(value)
        if hasattr(value, "__html__"):
            return value.__html__()
        return escape_inner(str(value))

    return escape_output


_ESCAPE_OUTPUT = _output_escaper()


_escape_text: Callable[[str], str] = getattr(markupsafe, "_escape_inner", None) or (lambda text: str(escape(text)))
"""A ``str`` escaped as a compiled template escapes it when it prints it (see _output_escaper)."""

_ENTRY_TEXTS = ("text", "title", "link", "url", "author_text", "issued", "journal", "publisher", "volume",
                "issue", "pages", "source_text", "doi", "doi_url", "accessed", "note", "key")
"""What the plugin's bibliography-entry.html may print of a reference (each only when it is there)."""
_ENTRY_FLAGS = ("author_text_ends_with_period", "title_ends_sentence")
"""What else it tests of a reference, besides which of its fields are there."""
_entry_flags = operator.attrgetter(*_ENTRY_FLAGS)


def _tuple_getter(getter: Callable[..., Callable[[Any], Any]], keys: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """``getter(*keys)`` (``operator.attrgetter`` or ``itemgetter``), always giving a tuple."""
    if len(keys) > 1:
        return getter(*keys)
    if not keys:
        return lambda value: ()
    get_one = getter(keys[0])  # a value, not a tuple of one
    return lambda value: (get_one(value),)


class _Fields:
    """A text rendered with tokens in place of values, to be filled in: ``fields(texts)`` is
    the text with ``texts[i]`` where ``tokens[i]`` was (tokens are letters and digits, and
    none begins another). It is kept cut at its tokens: joining the pieces with the texts
    costs a third of a ``str.format`` of the same text."""

    __slots__ = ("_pieces", "_in_order")

    def __init__(self, text: str, tokens: Sequence[str]) -> None:
        # Where each token is printed (found with str.find: compiling a regular expression of
        # the tokens costs about 1 ms, more than rendering the shape).
        places = []
        for field, token in enumerate(tokens):
            at = text.find(token)
            while at >= 0:
                places.append((at, at + len(token), field))
                at = text.find(token, at + len(token))
        pieces: list[str] = []
        order = []
        done = 0
        for start, end, field in sorted(places):
            pieces += (text[done:start], "")  # literal text, then a field's place
            order.append(field)
            done = end
        pieces.append(text[done:])
        self._pieces = pieces
        self._in_order = _tuple_getter(operator.itemgetter, order)
        """The texts in the order their tokens are printed (one may be printed twice, or not at all)."""

    def __call__(self, texts: Sequence[str]) -> str:
        pieces = self._pieces.copy()
        pieces[1::2] = self._in_order(texts)
        return "".join(pieces)


class _Tokens:
    """Tokens for the texts a shape of template prints (see Renderer._shape_format): a prefix
    of letters and digits, a number, and ``x`` (so that no token begins another)."""

    def __init__(self, prefix: str) -> None:
        self._tokens = map(f"{prefix}{{}}x".format, itertools.count())

    def __call__(self, there: bool, count: int = 1) -> list[str]:
        """Tokens for ``count`` texts, if they are ``there``."""
        return list(itertools.islice(self._tokens, count if there else 0))


def _first(tokens: Sequence[str]) -> str | None:
    """A text's token, if it is there."""
    return tokens[0] if tokens else None


class _DayTokens(NamedTuple):
    """A date while a shape is rendered: the tokens for its ISO and formatted texts."""

    iso: str
    text: str


def _day(tokens: Sequence[str]) -> _DayTokens | None:
    """A date's tokens, if it is there."""
    return _DayTokens(*tokens) if tokens else None


class _ShapeFormat(NamedTuple):
    """A template for one shape of what it prints (see Renderer._shape_format)."""

    fields: _Fields
    """The template with a field for each text it prints, each list's items joined in one field."""
    joiners: tuple[str, ...]
    """What it prints between two items of each list (empty for a list it has no items of)."""


_TOKEN_FILTERS: dict[str, Callable[..., Any]] = {
    "essay_iso": lambda day: day.iso if day else "",
    "essay_date": lambda day: day.text if day else "",
    "essay_meta_badge": lambda token, *unused: Markup(token),
}
"""The filters that print an essay's dates and badges, while a shape of template is
rendered with tokens for them (see Renderer._shape_format)."""


def _id_prefix_text(id_prefix: Any) -> str:
    """The start of the ids badge.html gives, escaped: ``id_prefix``, else ``essay-meta``."""
    return str(escape(id_prefix)) if id_prefix else "essay-meta"


class _Template(jinja2.Template):
    """A compiled template whose output escaping is :func:`_output_escaper`'s.

    Jinja's generated module imports ``escape`` and calls it only to escape output (constant
    text is escaped when compiling); it is swapped there for the same text as a ``str``.
    """

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: Any, globals: Any,
                  uptodate: Callable[[], bool] | None = None) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__  # type: ignore[attr-defined]
        if _ESCAPE_OUTPUT is not None and namespace.get("escape") is escape:
            namespace["escape"] = _ESCAPE_OUTPUT
        return template


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja's per-user cache of compiled templates, keyed on each (inlined) source: compiling
    the partials costs about 50 ms per process, more than rendering a hundred headers."""
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no private temporary folder: compile every time
        return None


def _era(day: date) -> int:
    """The era of a day: Python's days are all of the common era (Babel: year >= 0)."""
    return 1


# The part of a date that each field of a date pattern shows (Unicode's date field symbols:
# era and years, quarters and months, day of the month, day of the week). Other fields
# (week of the year, day of the year...) are formatted for the whole date.
_DATE_FIELD_PARTS: dict[str, Callable[[date], int]] = {
    "G": _era,
    **dict.fromkeys("yu", operator.attrgetter("year")),
    **dict.fromkeys("QqML", operator.attrgetter("month")),
    "d": operator.attrgetter("day"),
    **dict.fromkeys("Eec", date.weekday),
}

# A day for each value of the parts with few values, whose fields are formatted for every
# value when a format is made: what is left (years) Babel formats without the locale's data.
_PART_SAMPLES: dict[Callable[[date], int], tuple[date, ...]] = {
    _era: (date(2001, 1, 1),),
    _DATE_FIELD_PARTS["M"]: tuple(date(2001, month, 1) for month in range(1, 13)),
    _DATE_FIELD_PARTS["d"]: tuple(date(2001, 1, day) for day in range(1, 32)),
    _DATE_FIELD_PARTS["E"]: tuple(date(2001, 1, day) for day in range(1, 8)),  # 1 January 2001: a Monday
}


class _DateField(NamedTuple):
    """A field of a date pattern (see :class:`_DayFormat`)."""

    place: int
    """Where it is in the pattern (its texts are kept under it)."""
    pattern: DateTimePattern
    part: Callable[[date], int] | None
    """The part of a date it shows (None: the whole date)."""


class _DayFormat:
    """``babel.dates.format_date(day, pattern, locale)``, with each field of the pattern
    formatted by Babel once for each value of the part of the date it shows (a month's name
    once per month, a year once per year). Babel takes 4-5 µs to format a date in a loop,
    more in a build, and an essay site has about as many days as essays; filled in from the
    fields, a date takes 1-2 µs.
    """

    def __init__(self, pattern: str, locale: Locale) -> None:
        self._pieces: list[str | _DateField] = []
        """Literal text, or a field."""
        self._texts: dict[tuple[int, Any], str] = {}
        for kind, value in tokenize_pattern(pattern):
            if isinstance(value, str):  # ("chars", text)
                self._pieces.append(value)
                continue
            symbol, count = value  # ("field", (symbol, count))
            field = _DateField(len(self._pieces), parse_pattern(symbol * count), _DATE_FIELD_PARTS.get(symbol))
            self._pieces.append(field)
            # Names of months and days are formatted now, while the locale's data is loaded.
            for day in _PART_SAMPLES.get(field.part, ()):  # type: ignore[arg-type]
                assert field.part is not None
                self._texts[field.place, field.part(day)] = field.pattern.apply(day, locale)
        self._locale = _without_data(locale)
        """For the fields formatted later: years need none of its data (see locale_data_let_go)."""

    def __call__(self, day: date) -> str:
        texts = []
        for piece in self._pieces:
            if isinstance(piece, str):
                texts.append(piece)
                continue
            place, pattern, part = piece
            key = (place, day if part is None else part(day))
            text = self._texts.get(key)
            if text is None:
                text = self._texts[key] = pattern.apply(day, self._locale)
            texts.append(text)
        return "".join(texts)


class Renderer:
    """Renders partials with one environment, compiled once and reused across builds."""

    def __init__(self, dirs: Sequence[str], locale: Locale, tz: tzinfo, date_format: str) -> None:
        self.key = (tuple(dirs), str(locale), str(tz), date_format)
        self.locale = _without_data(locale)
        """The locale, without its data: the dates' texts were taken from it (see _DayFormat)."""
        self.tz = tz
        self.date_format = date_format
        self.dirs = list(dirs)
        self.env = jinja2.Environment(
            loader=InliningLoader(self.dirs),
            autoescape=True,
            auto_reload=False,  # checked once per build by refresh(), not once per render
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.ChainableUndefined,
            bytecode_cache=_bytecode_cache(),
        )
        self.env.template_class = _Template
        # What babel.dates.format_date does, with the locale's pattern looked up once.
        self._format_day = _DayFormat(get_date_format(_DATE_FORMATS[date_format], locale=locale).pattern, locale)
        self.env.filters["essay_date"] = self.format_date
        self.env.filters["essay_iso"] = self.iso_date
        self.env.filters["essay_meta_badge"] = self.badge
        self.env.filters["essay_meta_card"] = self.card
        # What the header and every card repeat, kept until refresh() sees that the templates
        # or the inputs they are rendered with (labels, vocabularies) changed.
        self._badges: dict[tuple[Any, ...], str] = {}
        """badge.html for each kind of rating, as a %-format for its id prefix and percentage."""
        self._entry_formats: dict[tuple[bool, ...], tuple[_Fields, Callable[[Reference], tuple[str, ...]]]] = {}
        """bibliography-entry.html for each shape of entry (see :meth:`_entry_format`), with
        fields for the texts it prints, and what gives an entry's texts for it."""
        self._list_formats: dict[int, _Fields] = {}
        """bibliography.html's item for an entry with each number of back links, with fields
        for its anchor, number, text and citation ids (see :meth:`bibliography`)."""
        self._list_ends: tuple[str, str] | None = None
        """bibliography.html's text before and after its items, once known."""
        self._header_formats: dict[tuple[Any, ...], _ShapeFormat] = {}
        """header.html for each shape of header (see :meth:`_header_format`)."""
        self._card_formats: dict[tuple[Any, ...], _ShapeFormat] = {}
        """card.html for each shape of card (see :meth:`_card_format`)."""
        self._placed_badges: dict[tuple[Any, ...], str] = {}
        """Each term's badge, with the term's own percentage, in each place (see :meth:`_badges_in_place`)."""
        self._own_header: bool | None = None
        """Whether header.html and every partial it includes are the plugin's own, once known."""
        self._own_cards: bool | None = None
        """Whether listing.html, card.html and every partial it includes are the plugin's own, once known."""
        self._templates: dict[str, jinja2.Template] = {}
        self._own: dict[str, bool] = {}
        """Whether the template found for a name is the plugin's own (not a user's), once known."""
        self._globals: dict[str, dict[str, Any]] = {}
        self._inputs: Any = None
        self._id_token = "essaymetaidprefix" + uuid.uuid4().hex
        self._card_id_token = self._id_token + "cardid"
        """A card's id prefix in its badges as kept (see :meth:`card`)."""
        self._percentage_token = random.randrange(10**17, 10**18)
        self._percentage_text = str(self._percentage_token)
        self.fragments: dict[int, tuple[Any, dict[Any, tuple[Any, Any]]]] = {}
        """What a caller keeps across ``serve`` rebuilds, by the id of what owns it: (owner,
        {key: (inputs, value)}); the plugin keeps each essay's header and references here, under
        the essay. Emptied with the other caches."""

    def close(self) -> None:
        """Let go of the template environment, whose filters are this renderer's methods (a
        reference cycle): the renderer and everything it keeps are freed as soon as nothing
        else holds it, without waiting for the garbage collector."""
        self.env.filters.clear()
        self.env.cache.clear()  # type: ignore[union-attr]
        self._templates.clear()
        self._globals.clear()

    def format_date(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return self._format_day(value.astimezone(self.tz).date())

    def badge(self, rating: Any, labels: Any, id_prefix: Any, in_listing: Any = False) -> Markup:
        """The plugin's badge.html for one rating, rendered once per scale, term, kind of
        percentage (none, the term's default or the author's) and place (a header or a
        listing's card) in a build.

        It is rendered with tokens for ``id_prefix`` and for a whole-number percentage, which
        each call replaces with its own (the prefix escaped, as the template would; the
        template only prints the percentage, which needs no escaping): the badge is otherwise
        the same on every page. Labels and scales are the same for every badge until
        :meth:`refresh` is told otherwise.
        """
        if not isinstance(rating, Rating):
            return Markup(self.render_compiled(self.template(_BADGE), {
                "rating": rating, "labels": labels, "id_prefix": id_prefix, "in_listing": in_listing}))
        percentage = rating.percentage
        whole = type(percentage) is int
        in_listing = bool(in_listing)
        key = (rating.scale.name, rating.term.key, rating.percentage_is_default, whole, None if whole else percentage,
               in_listing)
        text = self._badges.get(key)
        if text is None:
            shown = rating._replace(percentage=self._percentage_token) if whole else rating
            html = self.render_compiled(self.template(_BADGE),
                                        {"rating": shown, "labels": labels, "id_prefix": self._id_token,
                                         "in_listing": in_listing})
            text = self._badges[key] = (html.replace("%", "%%").replace(self._id_token, "%(id_prefix)s")
                                        .replace(self._percentage_text, "%(percentage)s"))
        return Markup(text % {"id_prefix": _id_prefix_text(id_prefix), "percentage": percentage})

    def iso_date(self, value: datetime | None) -> str:
        return value.isoformat() if value else ""

    def refresh(self, inputs: Any) -> None:
        """At the start of a build: forget what was rendered if a template file changed (a
        ``serve`` rebuild after an edit) or the ``inputs`` every partial sees (labels,
        vocabularies: anything comparable) differ from the last build's."""
        stale = not all(t.is_up_to_date for t in self.env.cache.values())  # type: ignore[union-attr]
        if not stale and inputs == self._inputs:
            return
        self._inputs = inputs
        if stale:
            self.env.cache.clear()  # type: ignore[union-attr]
            self._templates.clear()
            self._own.clear()
            self._own_header = None
            self._own_cards = None
            self._globals.clear()
        self._badges.clear()
        self._entry_formats.clear()
        self._header_formats.clear()
        self._card_formats.clear()
        self._placed_badges.clear()
        self._list_formats.clear()
        self._list_ends = None
        self.fragments.clear()

    def template(self, name: str) -> jinja2.Template:
        """The compiled template, looked up once per build."""
        compiled = self._templates.get(name)
        if compiled is None:
            compiled = self._templates[name] = self.env.get_template(name)
        return compiled

    def render(self, template: str, **context: Any) -> str:
        name = f"{TEMPLATE_FOLDER}/{template}"
        try:
            compiled = self.template(name)
        except jinja2.TemplateSyntaxError:
            # Report the error in the partial's own file and line, not in the pasted copy.
            plain = jinja2.Environment(loader=jinja2.FileSystemLoader(self.dirs), autoescape=True,
                                       trim_blocks=True, lstrip_blocks=True)
            for partial in plain.list_templates(filter_func=lambda n: n.startswith(f"{TEMPLATE_FOLDER}/")):
                plain.get_template(partial)
            raise
        return self.render_compiled(compiled, context)

    def render_compiled(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        """``template.render(**context)``, without its per-call copy of the environment's globals.

        Jinja merges the globals (a ChainMap) into every render's context, which costs more
        than rendering a small partial; here they are copied once per template and build.
        """
        name = template.name or ""
        template_globals = self._globals.get(name)
        if template_globals is None:
            template_globals = self._globals[name] = dict(template.globals)
        state = new_context(self.env, template.name, template.blocks, {**template_globals, **context}, True)
        try:
            return self.env.concat(template.root_render_func(state))  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - Jinja rewrites the traceback to the template's lines
            self.env.handle_exception()
            raise  # not reached: handle_exception always raises

    def entries(self, references: Sequence[Reference], labels: dict[str, str]) -> list[Markup]:
        """bibliography-entry.html for each reference, each stripped.

        The plugin's own template is rendered once per shape of entry (see :meth:`_entry_format`)
        and each entry's texts, escaped, are filled into it; a user's is rendered for every
        entry, all of a page's in one render.
        """
        if not references:
            return []
        if not self._is_own(_ENTRY):
            return self._render_entries(references, labels)
        html = []
        for reference in references:
            shape = tuple(map(bool, reference)) + _entry_flags(reference)
            entry_format = self._entry_formats.get(shape)
            if entry_format is None:
                entry_format = self._entry_formats[shape] = self._entry_format(shape, labels)
            fields, printed_texts = entry_format
            html.append(Markup(fields(tuple(map(_escape_text, printed_texts(reference))))))
        return html

    def _render_entries(self, references: Sequence[Any], labels: dict[str, str]) -> list[Markup]:
        """bibliography-entry.html for each reference, in one render, each stripped."""
        separator = self._id_token + "entry"
        text = self.render_compiled(self.template(_ENTRIES),
                                    {"references": references, "labels": labels, "separator": separator})
        return [Markup(part.strip()) for part in text.split(separator)[:-1]]

    def _entry_format(self, shape: tuple[bool, ...],
                      labels: dict[str, str]) -> tuple[_Fields, Callable[[Reference], tuple[str, ...]]]:
        """The plugin's bibliography-entry.html for every entry of one shape: which of its
        fields are there (in the order of ``Reference``'s fields), and its ``_ENTRY_FLAGS``.
        The template only tests these and whether a text is there, and prints each text as it is.

        It is rendered with a token in place of each text there (a text made of fields, such as
        ``link``, is there when a reference with those fields has it), then each token becomes a
        field; also returned: what gives an entry's texts for those fields.
        """
        fields = len(Reference._fields)
        texts_there = Reference._make(
            (("x",) if name == "authors" else "x") if there else Reference._field_defaults[name]
            for name, there in zip(Reference._fields, shape))
        tokens = {name: f"{self._id_token}text{i}x" for i, name in enumerate(_ENTRY_TEXTS)
                  if getattr(texts_there, name)}
        stand_in = SimpleNamespace(**{name: tokens.get(name) for name in _ENTRY_TEXTS},
                                   authors=bool(texts_there.authors), **dict(zip(_ENTRY_FLAGS, shape[fields:])))
        # Stripped with its tokens: every text is printed inside an element, never at an end.
        [html] = self._render_entries([stand_in], labels)
        printed = [name for name, token in tokens.items() if token in html]
        return _Fields(str(html), [tokens[name] for name in printed]), _tuple_getter(operator.attrgetter, printed)

    def bibliography(self, references: Sequence[NumberedReference], entry_html: Sequence[Markup],
                     labels: dict[str, str]) -> str:
        """bibliography.html for a page's numbered entries and the text of each.

        The plugin's own template is rendered once per build with no entries, and once per
        number of back links with one entry of tokens: a page's list is each entry's item,
        filled in, between the text before and after the items (see :meth:`_list_around_items`).
        A user's template is rendered for each page.
        """
        if not self._is_own(_BIBLIOGRAPHY):
            return self.render("bibliography.html", references=references, entry_html=entry_html, labels=labels)
        if self._list_ends is None:
            self._list_ends = self._list_around_items(labels)
        items = []
        for entry, html in zip(references, entry_html):
            ids = entry.citation_ids
            item_format = self._list_formats.get(len(ids))
            if item_format is None:
                item_format = self._list_formats[len(ids)] = self._list_item_format(len(ids), labels)
            # Anchors, numbers and citation ids are made of letters, digits and hyphens: nothing to escape.
            items.append(item_format((entry.anchor, str(entry.number), html, *ids)))
        before, after = self._list_ends
        return before + "".join(items) + after

    def _list_of_tokens(self, backlinks: int, labels: dict[str, str]) -> tuple[str, list[str]]:
        """The plugin's bibliography.html for one entry with ``backlinks`` citations, with a token
        for each value: its anchor, number, text and citation ids (also returned, in that order)."""
        tokens = [f"{self._id_token}item{i}x" for i in range(3 + backlinks)]
        stand_in = SimpleNamespace(anchor=tokens[0], number=tokens[1], citation_ids=tokens[3:])
        return self.render_compiled(self.template(_BIBLIOGRAPHY),
                                    {"references": [stand_in], "entry_html": [tokens[2]], "labels": labels}), tokens

    def _list_around_items(self, labels: dict[str, str]) -> tuple[str, str]:
        """The plugin's bibliography.html's text before and after its items.

        The items are what a list with one entry adds to the list with none: the template
        prints each entry's values as they are, and nothing else in the list depends on them.
        Where they go is found by comparing the two; if the item begins with the same
        characters as the text after it, more than one place fits, and any does, as every
        item begins with the same text.
        """
        empty = self.render_compiled(self.template(_BIBLIOGRAPHY),
                                     {"references": [], "entry_html": [], "labels": labels})
        before = os.path.commonprefix([empty, self._list_of_tokens(0, labels)[0]])
        return before, empty[len(before):]

    def _list_item_format(self, backlinks: int, labels: dict[str, str]) -> _Fields:
        """The plugin's bibliography.html's item for an entry with ``backlinks`` citations, with
        fields for its anchor, number, text and each citation id."""
        assert self._list_ends is not None
        before, after = self._list_ends
        html, tokens = self._list_of_tokens(backlinks, labels)
        return _Fields(html[len(before):len(html) - len(after)], tokens)

    def _is_own(self, name: str) -> bool:
        """Whether the template found for ``name`` is the plugin's own, not a user's."""
        own = self._own.get(name)
        if own is None:
            assert isinstance(self.env.loader, InliningLoader)
            own = self._own[name] = is_own_template(self.env.loader.filename(self.env, name))
        return own

    def header(self, essay: Essay, *, title: str | None, labels: dict[str, str], draft: str | None = None,
               show_notice: bool = False) -> str:
        """header.html for an essay.

        The plugin's own template (and partials) is rendered once per shape of header (see
        :meth:`_header_format`); each essay's texts, escaped as the template escapes them, are
        filled into that format, its badges as :meth:`badge` gives them. Labels are the same
        for every header until :meth:`refresh` is told otherwise. If a user overrides
        header.html or any partial it includes, every header is rendered through Jinja.
        """
        if self._own_header is None:
            self._own_header = all(map(self._is_own, _HEADER_TEMPLATES))
        if not self._own_header:
            return self.render("header.html", essay=essay, title=title, labels=labels, draft=draft,
                               show_notice=show_notice)
        description, published, updated = essay.description, essay.published, essay.updated
        ratings, categories, tags = essay.ratings, essay.categories, essay.tags
        shape = (bool(title), bool(description), bool(published), bool(updated), bool(ratings), bool(categories),
                 bool(tags), bool(show_notice), essay.is_complete, draft)
        header_format = self._header_formats.get(shape)
        if header_format is None:
            header_format = self._header_formats[shape] = self._header_format(shape, labels)
        # The texts in the order of the format's fields (see _header_format).
        texts = [_escape_text(title)] if title else []
        if description:
            texts.append(_escape_text(description))
        texts += self._day_texts(published, updated)
        between_badges, between_categories, between_tags = header_format.joiners
        if ratings:
            texts.append(between_badges.join(self._badges_in_place(ratings, labels, None, in_listing=False)))
        if categories:
            texts.append(between_categories.join(map(_escape_text, categories)))
        if tags:
            texts.append(between_tags.join(map(_escape_text, tags)))
        return header_format.fields(texts)

    def _header_format(self, shape: tuple[Any, ...], labels: dict[str, str]) -> _ShapeFormat:
        """The plugin's header.html for every header of one shape: whether it has a title, a
        description, a published and an updated date, ratings, categories and tags; and
        ``show_notice``, the essay's ``is_complete`` and ``draft`` as they are. The templates
        test nothing else, and print each text as it is (dates and badges through filters).

        Its fields (see :meth:`_shape_format`): the title, the description, each date's ISO
        and formatted text, then the badges, the categories and the tags.
        """
        has_title, has_description, has_published, has_updated, has_ratings, has_categories, has_tags, \
            show_notice, is_complete, draft = shape
        printed = _Tokens(f"{self._id_token}head")
        title, description = printed(has_title), printed(has_description)
        published, updated = printed(has_published, 2), printed(has_updated, 2)
        lists = ratings, categories, tags = printed(has_ratings, 2), printed(has_categories, 2), printed(has_tags, 2)
        stand_in = SimpleNamespace(
            description=_first(description), published=_day(published), updated=_day(updated),
            ratings=ratings, categories=categories, tags=tags, is_complete=is_complete)
        context = {"essay": stand_in, "title": _first(title), "labels": labels, "draft": draft,
                   "show_notice": show_notice}
        return self._shape_format(_HEADER, context, title + description + published + updated, lists)

    def listing(self, **context: Any) -> str:
        """listing.html, rendered with ``context`` (see the template's comment).

        While listing.html, card.html and every partial it includes are the plugin's own,
        each card is filled into the format of its shape (see :meth:`card`); if a user
        overrides any of them, every card is rendered through Jinja, as listing.html
        includes it.
        """
        if not self.cards_are_own():
            return self.render("listing.html", **context)
        return self.render_compiled(self.template(_LISTING_OF_FILLED_CARDS), context)

    def cards_are_own(self) -> bool:
        """Whether listing.html, card.html and every partial it includes are the plugin's own
        (they show nothing of an essay's bibliography)."""
        if self._own_cards is None:
            self._own_cards = all(map(self._is_own, (_LISTING, *_CARD_TEMPLATES)))
        return self._own_cards

    def card(self, card: Card, card_heading: str, labels: dict[str, str]) -> Markup:
        """The plugin's card.html for a card of a listing (listing.html's include of it, while
        the templates are the plugin's own: see :meth:`listing`).

        It is rendered once per shape of card (see :meth:`_card_format`); each card's texts,
        escaped as the template escapes them, are filled into that format, its badges as
        :meth:`badge` gives them in a listing, with the card's id prefix. Labels are the same
        for every card until :meth:`refresh` is told otherwise.
        """
        essay = card.essay
        excerpt, status, published, updated = card.excerpt, essay.status, essay.published, essay.updated
        ratings, tags = essay.ratings, essay.tags
        shape = (card_heading, bool(excerpt), bool(status), bool(published), bool(updated), bool(ratings),
                 bool(tags))
        card_format = self._card_formats.get(shape)
        if card_format is None:
            card_format = self._card_formats[shape] = self._card_format(shape, labels)
        # The texts in the order of the format's fields (see _card_format).
        texts = [_escape_text(status.key)] if status else []
        texts += (_escape_text(card.href), _escape_text(card.title))
        texts += self._day_texts(published, updated)
        if excerpt:
            texts.append(_escape_text(excerpt))
        between_badges, between_tags = card_format.joiners
        if ratings:
            # Kept with a token for the card's id prefix (card.html gives its badges the card's).
            badges = between_badges.join(self._badges_in_place(ratings, labels, self._card_id_token, in_listing=True))
            if self._card_id_token in badges:
                badges = badges.replace(self._card_id_token, _id_prefix_text(card.id_prefix))
            texts.append(badges)
        if tags:
            texts.append(between_tags.join(map(_escape_text, tags)))
        return Markup(card_format.fields(texts))

    def _card_format(self, shape: tuple[Any, ...], labels: dict[str, str]) -> _ShapeFormat:
        """The plugin's card.html for every card of one shape: its ``card_heading`` as it is;
        whether it has an excerpt, a status, a published and an updated date, ratings and
        tags. The templates test nothing else, and print each text as it is (dates and badges
        through filters).

        Its fields (see :meth:`_shape_format`): the status's key, the link, the title, each
        date's ISO and formatted text, the excerpt, then the badges and the tags.
        """
        card_heading, has_excerpt, has_status, has_published, has_updated, has_ratings, has_tags = shape
        printed = _Tokens(f"{self._id_token}card")
        status, href, title = printed(has_status), printed(True), printed(True)
        published, updated = printed(has_published, 2), printed(has_updated, 2)
        excerpt = printed(has_excerpt)
        lists = ratings, tags = printed(has_ratings, 2), printed(has_tags, 2)
        essay = SimpleNamespace(
            status=SimpleNamespace(key=status[0]) if status else None, published=_day(published),
            updated=_day(updated), ratings=ratings, tags=tags)
        stand_in = SimpleNamespace(title=title[0], href=href[0], excerpt=_first(excerpt), id_prefix=None, essay=essay)
        context = {"card": stand_in, "card_heading": card_heading, "labels": labels}
        return self._shape_format(_CARD, context, status + href + title + published + updated + excerpt, lists)

    def _shape_format(self, template: str, context: dict[str, Any], texts: Sequence[str],
                      lists: Sequence[Sequence[str]]) -> _ShapeFormat:
        """``template`` for every rendering of the same shape (which texts and lists it has, and
        whatever else it tests), with fields to fill in (:class:`_Fields`): rendered with
        ``context``, which holds a token in place of each text it prints, each token then made
        a field.

        ``texts`` are the tokens of single texts (a date's ISO and formatted text are two),
        fields 0, 1 ...; ``lists`` the tokens of each list's two items (none for a list with no
        items), whose fields follow. Each list is rendered with two items: the templates print
        every item of a list inside the same text, so what they print between the two is what
        joins any number of items (returned for each list), and the list's items, so joined,
        fill one field. Dates and badges are printed through filters, which print their
        tokens meanwhile (_TOKEN_FILTERS).
        """
        filters = self.env.filters  # (looked up by each render)
        self.env.filters = {**filters, **_TOKEN_FILTERS}
        try:
            html = self.render_compiled(self.template(template), context)
        finally:
            self.env.filters = filters
        joiners = []
        for items in lists:
            if not items:
                joiners.append("")
                continue
            first, second = items
            joiners.append(html[html.index(first) + len(first):html.index(second)])
            html = html.replace(first + joiners[-1] + second, first)  # the first's token: all the items
        return _ShapeFormat(_Fields(html, [*texts, *(items[0] for items in lists if items)]), tuple(joiners))

    def _day_texts(self, *days: datetime | None) -> list[str]:
        """The ISO and formatted text of each of these dates that is there, escaped: a shape's
        fields for them."""
        # Not kept: an essay site has about as many dates as essays, each printed about twice
        # (header and card); kept, at 5,000 essays, they held about 1 MiB to save about 12 ms.
        texts: list[str] = []
        for day in days:
            if day:
                texts += (_escape_text(self.iso_date(day)), _escape_text(self.format_date(day)))
        return texts

    def _badges_in_place(self, ratings: Sequence[Rating], labels: dict[str, str], id_prefix: str | None, *,
                         in_listing: bool) -> list[str]:
        """:meth:`badge` for each rating; kept, for a rating with its term's own percentage, for
        each term and place (three calls of it, each filling in its kind's format, cost as much as
        the rest of a header). A place is an ``id_prefix`` and ``in_listing``: a header's, or a
        card's with a token for its prefix."""
        badges: list[str] = []
        for rating in ratings:
            if not rating.percentage_is_default:
                # A percentage of the essay's own: essays rarely share one, so it is not kept
                # (at 1,000 generated essays, 1,400 kept badges held 1.2 MiB).
                badges.append(self.badge(rating, labels, id_prefix, in_listing))
                continue
            percentage = rating.percentage
            # The type too: a badge prints 5 and 5.0, equal keys, differently.
            key = (rating.scale.name, rating.term.key, percentage, type(percentage), id_prefix, in_listing)
            badge = self._placed_badges.get(key)
            if badge is None:
                badge = self._placed_badges[key] = self.badge(rating, labels, id_prefix, in_listing)
            badges.append(badge)
        return badges
