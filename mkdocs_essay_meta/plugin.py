"""The MkDocs glue: configuration and event handlers, and nothing else.

Everything the plugin knows about essays lives in :mod:`mkdocs_essay_meta.structure`;
everything it shows lives in ``templates/essay-meta/`` and ``assets/``.
"""

from __future__ import annotations

import gc
import html
import os
import re
import stat as stat_mode
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import datetime, timezone
from functools import lru_cache, partial
from itertools import islice
from operator import itemgetter
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import meta as mkdocs_meta
from mkdocs.utils.templates import TemplateContext
from mkdocs.structure.toc import AnchorLink, TableOfContents

from . import stylesheet
from .labels import Labels, labels_for
from .rendering import TEMPLATE_FOLDER, Renderer, is_own_template, locale_data_let_go, parse_locale
from .structure.bibfiles import BibliographyFiles, Library
from .structure.bibliography import Reference, json_ld
from .structure.citations import (
    CitedItem,
    PackedEntries,
    PageReferences,
    append_section,
    fill_citations,
    mentions_citation,
    new_citation_token,
    number_references,
    pack_entries,
    render_once_per_shape,
    unpack_entries,
)
from .structure.essay import DEFAULT_ALIASES, Essay, ParseOptions, parse_essay, parse_schedule
from .structure.frontmatter import (
    PlainFrontMatter, count_key_lines, count_keys, normalize_source, read_fields, read_front_matter,
    read_plain_front_matter, read_source, strip_front_matter,
)
from .structure.listings import (
    FEATURED_SPEC, MARKER_KINDS, Entry, ListingSpec, arrange, find_markers, first_paragraph,
    has_marker, legend, parse_options, suggest_kind,
)
from .structure.plain_yaml import PlainYamlReader
from .structure.problems import Problem, Problems
from .structure.vocabulary import build_scales

log = get_plugin_logger(__name__)

TEMPLATES_DIR = str(Path(__file__).parent / "templates")
STYLESHEET_URI = "assets/essay-meta/essay-meta.css"
SCRIPT_URI = "assets/essay-meta/essay-meta.js"
"""Lets Escape dismiss a badge's explanation (what CSS alone cannot)."""
_SCRIPT_SOURCE = str(Path(__file__).parent / "assets" / "essay-meta.js")
HEADER_MARKER = "<!-- essay-meta:header -->"
REFERENCES_MARKER = "<!-- essay-meta references -->"
"""Where on_page_content leaves the references list in page.content; on_post_page renders it
there: MkDocs keeps page.content until the build ends, and search parses and keeps its text.
(Not ``essay-meta:...``: that is how a listing marker starts.)"""
"""Where on_page_context puts the header in page.content; on_post_page renders it there."""
HEADER_WITH_TITLE_MARKER = "<!-- essay-meta:header <h1> -->"
"""The marker for a header that supplies the page's h1: Material adds its own h1 unless
page.content contains ``<h1``."""

_LEADING_H1_RE = re.compile(r"\s*<h1\b[^>]*>.*?</h1>", re.DOTALL | re.IGNORECASE)
_TITLE_RE = re.compile(r"<title\b[^>]*>.*?</title>", re.DOTALL | re.IGNORECASE)
_DESCRIPTION_RE = re.compile(r"<meta\s+name=[\"']description[\"'][^>]*>", re.IGNORECASE)


class _PositiveInt(c.Type):
    """A whole number of at least 1."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(int, **kwargs)

    def run_validation(self, value: object) -> int:
        number = super().run_validation(value)
        if isinstance(number, bool) or number < 1:
            raise c.ValidationError(f"Expected a whole number of at least 1, but received: {number!r}")
        return number


class FeaturedConfig(base.Config):
    """The ``featured:`` options: the featured-essays index on the home page (docs/listings.md)."""

    enabled = c.Type(bool, default=True)
    """Add the index to the home page (unless the page places it with a marker)."""
    position = c.Choice(("top", "bottom"), default="bottom")
    """Where on the home page: after its first heading, or after its last paragraph."""
    heading = c.Optional(c.Type(str))
    """The section's heading; by default the ``featured`` label ("Featured essays")."""
    limit = c.Optional(_PositiveInt())
    """Show at most this many essays (newest first); by default all of them."""
    layout = c.Choice(("cards", "table"), default="cards")


class EssayMetaConfig(base.Config):
    """The ``essay-meta`` options in ``mkdocs.yml``; each is documented in docs/configuration.md."""

    enabled = c.Type(bool, default=True)
    header = c.Type(bool, default=True)
    incomplete_notice = c.Type(bool, default=True)
    head_tags = c.Type(bool, default=True)
    timezone = c.Type(str, default="UTC")
    date_format = c.Choice(("short", "medium", "long", "full"), default="long")
    publish_future = c.Type(bool, default=False)
    aliases = c.DictOfItems(c.Type(str), default=dict(DEFAULT_ALIASES))
    vocabularies = c.Type(dict, default={})
    labels = c.DictOfItems(c.Type(str), default={})
    material_status = c.Type(bool, default=False)
    featured = c.SubConfig(FeaturedConfig)
    # -- bibliography and citations (docs/bibliography.md) --
    bibliography = c.Type(bool, default=True)
    """Add a references section to every page that has a bibliography or citations."""
    bibliography_files = c.ListOfItems(c.Type(str), default=[])
    """Shared BibTeX (.bib) and CSL-JSON (.json) files, relative to mkdocs.yml."""
    citations = c.Type(bool, default=True)
    """Turn [@key] and [@a; @b] in the text into links to the numbered references."""
    bibliography_json_ld = c.Type(bool, default=True)
    """Also give each page's references as schema.org JSON-LD in the page's head."""


_NO_FRONT_MATTER: Mapping[str, Any] = MappingProxyType({})
_TIMESTAMP_SLACK_NS = 2_000_000_000
"""The coarsest modification-time resolution of a common file system (FAT: 2 s): a source
changed since it was read has a different modification time only if it had not been changed
this close to the read."""
_HEADERS_AHEAD = 32
"""How many headers of the essays whose pages come next are rendered in a row (see _header)."""
_REFERENCES_AHEAD = 32
"""How many reference lists of the pages that come next are rendered in a row (see _references_html)."""
_T = TypeVar("_T")


class _Record(NamedTuple):
    """What the plugin learned from one page's source, kept across ``serve`` rebuilds (a
    tuple: immutable, compact, and three times cheaper to make than a frozen dataclass)."""

    fingerprint: tuple[Any, ...]
    essay: Essay | None
    """The parsed front matter; ``None`` until MkDocs has read the page (see ``_complete``)."""
    problems: tuple[Problem, ...]
    front_matter_valid: bool
    front_matter: Mapping[str, Any]
    """The front matter MkDocs could not read (empty when it could)."""
    draft: bool
    published: datetime | None
    """``draft`` and ``publishdate``: whether the page is held back, in on_files."""
    most_keys: int = 0
    """The most keys the block can give: more than ``page.meta`` has may mean a repeated key
    (only until the record is complete)."""


_WRITTEN = _Record(fingerprint=(), essay=None, problems=(), front_matter_valid=True, front_matter=_NO_FRONT_MATTER,
                   draft=False, published=None)
"""What a one-off build keeps of a page's record once the page is written: its place in the
order of the pages (see _render_headers_ahead). Nothing else is asked of it."""


@lru_cache(maxsize=64)
def _material_status_id(key: str) -> str:
    """The status id Material prints for a term: one string per term, not one per page (MkDocs
    keeps every page's meta until the build ends)."""
    return f"essay-{key}"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (and as it was before, after it)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


_SEARCH_EXCLUDED = " data-search-exclude"
"""Material's search leaves out a section whose heading has this attribute."""


def _search_excluded_heading(html_text: str, at: int) -> int | None:
    """Where to mark the references heading, which ends just before ``at``, as left out of
    Material's search: after its ``<h2``. None if what precedes ``at`` is not that heading.

    The list is put in after search reads the page (on_post_page), so the section would be
    a result with no text on every page with sources, titled only "Bibliography".
    """
    end = html_text.rfind("</h2>", 0, at)
    if end < 0 or html_text[end + 5:at].strip():
        return None
    start = html_text.rfind("<h2", 0, end)
    if start < 0 or html_text[start + 3] not in " >":
        return None
    return start + 3


def _collect_young_garbage() -> None:
    """A collection of the youngest generation as MkDocs starts reading a page, unless the
    collector is off.

    Each page MkDocs renders leaves its Markdown instance behind: a cycle of a few hundred
    objects. Without the plugin, the young collections of this phase nearly all start while
    PyYAML reads a page's front matter (308 of 319 at 1,000 essays), when the last page's
    instance is garbage. With the plugin that front matter was read in on_files, so they come
    in the middle of a page and promote the live instance they find, which dies in the older
    generations, whose collections cost more: 26 second-generation collections taking 45-55
    ms and two full passes taking 70-90 ms at 1,000 essays, against 12-15 and 24-39 ms
    without the plugin. Collecting here puts that garbage back in the young generation.
    """
    if gc.isenabled():
        gc.collect(0)


def _freeze_what_lives() -> bool:
    """Keep every object alive now out of the collector's passes (``gc.freeze``); whether it
    did. Not with the collector off, nor when something else froze objects already (it will
    thaw them when it wants to: :func:`gc.unfreeze` thaws all)."""
    if not gc.isenabled() or gc.get_freeze_count():
        return False
    gc.freeze()
    return True


class _ModifiedSinceWritten:
    """A page's ``File.is_modified`` in a ``serve --dirty`` build: MkDocs 1.6's answer (the
    page has content in memory, or its output is missing or older than its source), with the
    source's modification time on_files looked up. MkDocs asks twice a page (before reading
    it and before writing it), each time with three look-ups of its own; this takes one, of
    the output, and gives both questions the same answer."""

    __slots__ = ("_file", "_source_mtime", "_modified")

    def __init__(self, file: File, source_mtime: float) -> None:
        self._file = file
        self._source_mtime = source_mtime
        self._modified: bool | None = None

    def __call__(self) -> bool:
        if self._file._content is not None:  # given by a plugin since
            return True
        if self._modified is None:
            try:
                output = os.stat(self._file.abs_dest_path)
            except (OSError, ValueError):
                self._modified = True
            else:
                self._modified = not stat_mode.S_ISREG(output.st_mode) or output.st_mtime < self._source_mtime
        return self._modified


class _ReadAhead(NamedTuple):
    """A page's source as on_files read it, until MkDocs reads the page."""

    path: str
    """The file it was read from: handed over only if the page's file is still that one."""
    source: str
    front_matter: PlainFrontMatter | None
    """Its front matter, when the plain reader read it (what MkDocs' loader would give)."""


class _PageFacts(NamedTuple):
    """What a listing needs from an essay's rendered page, kept across ``serve`` rebuilds.

    (A named tuple: one is made for every essay on every build, and it is cheaper.)
    """

    record: _Record
    """The record the page was rendered from: the facts hold while it is still current."""
    title: str
    """The page's title; empty when the front matter has one (listings show that one)."""
    first_paragraph: str | None


def _card_source(record: _Record) -> Any:
    """What a listing card shows of a page, as a comparable value: the essay, when its front
    matter gives the card's title and text; otherwise the page's source (a card then shows
    the page's heading or first paragraph), which any edit changes. Not an essay: None."""
    essay = record.essay
    if essay is None:  # not read by MkDocs yet
        return record.fingerprint
    if not essay.is_essay:
        return None
    if essay.title and (essay.excerpt or essay.description):
        return essay
    return record.fingerprint


class _ListedPage(NamedTuple):
    """What listings may show of a page, as the last build left it (see _note_listed)."""

    record: _Record
    """The record it was noted from: while it is still the page's, nothing is looked at again."""
    card: Any
    """What a card shows of it (see _card_source)."""
    url: str


class _Edits:
    """Replacements in a page's HTML, each found in the page as it was written, made together in
    one copy of it (made one by one, each copies the whole page, twice for a slice and a sum)."""

    def __init__(self, page: str) -> None:
        self.page = page
        self._edits: list[tuple[int, int, str]] = []
        self._head_end: int | None = None

    def head_end(self) -> int:
        """Where ``</head>`` is (-1: nowhere), looked for once."""
        if self._head_end is None:
            self._head_end = self.page.find("</head>")
        return self._head_end

    def replace(self, start: int, end: int, text: str) -> None:
        """Put ``text`` in place of ``page[start:end]`` (an insertion when they are equal;
        insertions at the same place keep their order). Replaced spans must not overlap."""
        self._edits.append((start, end, text))

    def apply(self) -> str:
        if not self._edits:
            return self.page
        self._edits.sort(key=itemgetter(0))  # stable
        parts: list[str] = []
        at = 0
        for start, end, text in self._edits:
            parts += (self.page[at:start], text)
            at = end
        parts.append(self.page[at:])
        return "".join(parts)


class EssayMetaPlugin(BasePlugin[EssayMetaConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self._records: dict[str, _Record] = {}
        self._replaced_essays: list[Essay] = []
        """While serving: essays whose record was replaced or forgotten since on_files, whose
        rendered fragments the next on_files forgets (see _keep_record)."""
        self._unchanged_stats: dict[str, tuple[int, int, int]] = {}
        """While serving: each source's (mtime, size, inode) when it was read, for sources old
        enough that a later change must show in them (see _settled_stat)."""
        self._settled_before = 0
        """While serving: sources modified before this time (ns) are old enough (see _settled_stat)."""
        self._read_ahead: dict[str, _ReadAhead] = {}
        """The sources on_files read from disk, by page, until MkDocs reads each page (see
        on_pre_page)."""
        self._plain_yaml = PlainYamlReader(mkdocs_meta.SafeLoader)
        """Reads front matter as MkDocs' YAML loader would, several times faster (or declines);
        made again for each build (a hook may have given the loader a resolver since)."""
        self._options: ParseOptions | None = None
        self._pending_headers: dict[str, tuple[str | None, str | None]] = {}
        self._headers_ahead: dict[int, tuple[Essay, str]] = {}
        """Headers rendered ahead of their pages (see _header), by the id of their essay."""
        self._last_position = 0
        """Where the essay _position_of found last is in self._records (the order MkDocs
        writes the pages in): the next is looked for from there."""
        self._ahead_until = 0
        """The position after the last essay whose header was rendered ahead."""
        self._renderer: Renderer | None = None
        self._labels = Labels()
        self._is_material = False
        self._head_fields: frozenset[str] = frozenset()
        self._active = False
        self._serving = False
        self._serving_dirty = False
        """``serve --dirty``: MkDocs reads only the pages changed since they were last written."""
        self._one_off = False
        """MkDocs said (on_startup) this process builds once (``build``, ``gh-deploy``)."""
        self._froze = False
        """Whether on_files froze what was alive then (see on_files), until the build ends."""
        self._scheduled_after: datetime | None = datetime.now(timezone.utc)
        """A page whose publishdate is later is held back; None when publish_future is on."""
        # Listings: kept across `serve` rebuilds (see the "listings" section below).
        self._page_facts: dict[str, _PageFacts] = {}
        self._listing_hosts: set[str] = set()
        self._listed_pages: dict[str, _ListedPage] = {}
        """What listings may show of each page that is not held back: what the next rebuild
        compares with (kept up to date per page; see _note_listed)."""
        self._listing_options: tuple[dict[str, Any], dict[str, str]] | None = None
        """The featured options and labels the last build's listings were rendered with."""
        self._listed_unread: list[str] = []
        """Pages noted before MkDocs read them (their essay was not parsed yet): noted again in on_env."""
        self._entries: list[Entry] | None = None
        """The essays listings show, collected when the first listing of a build is rendered
        (in a one-off build, in on_env)."""
        self._entries_written = 0
        """In a one-off build: how many of self._entries are of pages already written."""
        self._files: Files | None = None
        self._listing_generation = 0
        """Moves on whenever what listings show may have changed (serve keeps rendered listings)."""
        # bibliography and citations
        self._bibliography_files = BibliographyFiles()
        self._bibliography_paths: list[str] = []
        self._library: Library | None = None
        self._references: dict[str, PageReferences] = {}
        self._pending_references: dict[str, PackedEntries] = {}
        """Each page's numbered entries, from on_page_content until the page is written, in the
        order MkDocs writes the pages."""
        self._references_ahead: dict[str, tuple[str, str | None]] = {}
        """Reference lists (and JSON-LD scripts) rendered ahead of their pages, by the page's
        source (see _references_html)."""
        self._pending_listings: dict[str, list[tuple[str, ListingSpec, str, int, bool]]] = {}
        self._entry_html: dict[int, tuple[Reference, Markup]] = {}
        self._render_citation: Callable[[list[CitedItem]], str] | None = None
        self._nests_toc_under_title = False
        """Whether the theme is readthedocs (see _nest_toc_under_title): known once per build."""
        self._citation_token = new_citation_token()
        """Stands for each citation in a page's Markdown until its HTML is put in (on_page_content);
        unique to this instance, as the placeholder below."""
        self._placeholder = "essaymetabibliography" + uuid.uuid4().hex
        """Stands for the references list in a page's Markdown until its HTML exists; unique to
        this instance, so Markdown kept across rebuilds holds it."""

    # Defining on_startup keeps this instance (and its records) alive across `serve` rebuilds.
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._serving = command == "serve"
        self._serving_dirty = self._serving and dirty
        self._one_off = not self._serving

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        # The instance outlives one build (serve, or several sites in one process):
        # nothing learned from another configuration may be used in this one.
        self._active = self.config.enabled
        self._read_ahead.clear()  # (a build that failed before on_env)
        self._plain_yaml = PlainYamlReader(mkdocs_meta.SafeLoader)
        if not self._active:
            self._forget_records()
            return None
        scales, problems = build_scales(self.config.vocabularies)
        if problems:
            raise PluginError("essay-meta: " + "; ".join(p.message("mkdocs.yml") for p in problems))
        try:
            tz = ZoneInfo(self.config.timezone)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise PluginError(f"essay-meta: timezone {self.config.timezone!r} is not an IANA time zone name") from e
        raw_status = config.extra.get("status")
        extra_status: dict[Any, Any] = raw_status if isinstance(raw_status, dict) else {}
        options = ParseOptions(
            scales=scales,
            aliases=dict(self.config.aliases),
            timezone=tz,
            foreign_status=frozenset(str(k) for k in extra_status),
        )
        if options != self._options:
            self._forget_records()  # the same source may now mean something else
        self._options = options
        self._pending_headers.clear()
        self._headers_ahead.clear()
        self._last_position = 0
        self._ahead_until = 0
        self._pending_listings.clear()
        # The front-matter keys (with their aliases) that decide whether a page is held back.
        self._head_fields = frozenset({"draft", "publishdate"} | {
            alias for alias, target in options.aliases.items() if target in ("draft", "publishdate")})
        self._scheduled_after = None if self.config.publish_future else datetime.now(timezone.utc)
        self._is_material = config.theme.name == "material"

        if self.config.material_status and self._is_material:
            status = dict(extra_status)
            for term in scales["status"].terms:
                # Material prints this into a title attribute without escaping it.
                status.setdefault(f"essay-{term.key}", html.escape(f"{scales['status'].label}: {term.label}"))
            config.extra["status"] = status

        # Once per config: mkdocs-static-i18n runs every event again on the same config, once
        # per language (its build() calls on_config), and links would be doubled.
        dirs = config.theme.dirs
        if TEMPLATES_DIR not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, TEMPLATES_DIR)
        if STYLESHEET_URI not in config.extra_css:
            config.extra_css.insert(0, STYLESHEET_URI)
        if SCRIPT_URI not in map(str, config.extra_javascript):
            config.extra_javascript.append(SCRIPT_URI)
        return config

    def _localise(self, config: MkDocsConfig) -> None:
        """Labels and date formats in the theme's language, read after every plugin's on_config:
        mkdocs-static-i18n sets the language of each build in its own (last) on_config."""
        assert self._options is not None
        language = str(config.theme.get("language") or config.theme.get("locale") or "en")
        self._labels = labels_for(language, self.config.labels)
        tz = self._options.timezone
        # A one-off build makes its renderer once: Babel need not keep the locale's data (about
        # 4 MiB) through the build. While serving, it is kept for the next rebuild.
        with locale_data_let_go() if self._one_off else nullcontext():
            locale = parse_locale(language) or parse_locale("en")
            assert locale is not None
            key = (tuple(config.theme.dirs), str(locale), str(tz), self.config.date_format)
            if self._renderer is None or self._renderer.key != key:
                self._renderer = Renderer(config.theme.dirs, locale, tz, self.config.date_format)
        self._renderer.refresh((dict(self._labels), self._options, dict(self.config)))
        self._configure_bibliography(config)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self._active:
            return None
        self._localise(config)
        self._settled_before = time.time_ns() - _TIMESTAMP_SLACK_NS
        # A one-off build renders its listings once: there is no earlier build to compare with.
        follow_listings = not self._one_off
        listings_changed = follow_listings and self._note_listing_options()
        seen: set[str] = set()
        # Every page is read and parsed here, in a row. What that makes stays (records, essays,
        # pages' front matter) and holds few cycles: the collector is paused, so that it
        # does not walk it every 700 allocations, nor make a full pass here (50-100 ms).
        with _collector_paused():
            # Every source and its front matter first (what MkDocs keeps), then the records:
            # made in a row, what the plugin keeps lies together in memory, and what it lets
            # go of page by page (see on_post_page) leaves whole blocks for what comes next.
            sources = [(file, self._read_source(file)) for file in files
                       if file.is_documentation_page() and file.inclusion != InclusionLevel.EXCLUDED]
            for file, source in sources:
                seen.add(file.src_uri)
                record = self._read(file, source)
                held_back = self._is_held_back(record.draft, record.published)
                # Repeated on every rebuild, as MkDocs' own warnings are. For a page MkDocs is to
                # read from what on_files read, when it reads it: another plugin may give it a
                # source of its own (see _read_page_source and _report_problems_kept).
                if held_back or file.src_uri not in self._read_ahead:
                    for problem in record.problems:
                        log.warning(problem.message(file.src_uri))
                if held_back and file.inclusion.value > InclusionLevel.DRAFT.value:
                    file.inclusion = InclusionLevel.DRAFT
                if follow_listings and self._note_listed(file, record):
                    listings_changed = True
        for gone in self._records.keys() - seen:
            self._forget_record(gone)
            self._unchanged_stats.pop(gone, None)
        if self._serving:
            self._forget_fragments_of_replaced_essays()
        if follow_listings:
            self._listings_on_files(files, seen, listings_changed)

        if files.get_file_from_path(STYLESHEET_URI) is None:
            css = stylesheet.build(self._options.scales if self._options else None,
                                   material_status=self.config.material_status and self._is_material)
            # A real source path, not content=: mkdocs-static-i18n 1.3 fails on files without one.
            files.append(File.generated(config, STYLESHEET_URI, abs_src_path=str(stylesheet.as_file(css))))
        if files.get_file_from_path(SCRIPT_URI) is None:
            files.append(File.generated(config, SCRIPT_URI, abs_src_path=_SCRIPT_SOURCE))
        if self._one_off:
            # What lives now lives until the build ends: MkDocs' configuration and files, every
            # page's front matter and the plugin's records. The collector's full passes would
            # walk all of it again (at 5,000 essays, two passes took about 200 ms of a build);
            # frozen, they walk only what the build makes from here. Not while serving: what
            # the last build left for the collector would then wait a whole build.
            self._froze = _freeze_what_lives()
        return files

    @event_priority(-100)  # last: on the page another plugin's on_pre_page may have put in its place
    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page | None:
        """MkDocs reads the page next: it is given the source on_files read, and the front
        matter when the plain reader read it (see _read_page_source)."""
        read = self._read_ahead.pop(page.file.src_uri, None)
        if read is None:
            return None
        # Not for pages of another kind (Material's blog posts read their source themselves).
        if read.path == page.file.abs_src_path and type(page).read_source is Page.read_source:
            setattr(page, "read_source", partial(self._read_page_source, page, read))
        else:
            self._report_problems_kept(page.file.src_uri)
        return None

    def _read_page_source(self, page: Page, read: _ReadAhead, config: MkDocsConfig) -> None:
        """``Page.read_source`` of MkDocs 1.6 for a page whose source on_files read: the same
        ``markdown`` and ``meta``, without reading the file again or, when the plain reader
        read the front matter, parsing its YAML again. Another plugin's
        ``on_page_read_source`` still has its say, as in MkDocs (this plugin registers none:
        MkDocs warns when two plugins do)."""
        try:  # the page's own method again, for later reads
            del page.read_source  # (vars(page) would give every page a dictionary, kept to the end)
        except AttributeError:
            pass
        _collect_young_garbage()
        source = config.plugins.on_page_read_source(page=page, config=config)
        if source is None and read.front_matter is not None:
            page.markdown = read.source[read.front_matter.body_start:]
            page.meta = read.front_matter.data
        else:
            page.markdown, page.meta = mkdocs_meta.get_data(read.source if source is None else source)
        record = self._records.get(page.file.src_uri)
        if source is not None and record is not None and record.essay is not None:
            # Another plugin's source: the essay follows the meta MkDocs has now.
            assert self._options is not None
            essay, problems = parse_essay(page.meta, self._options)
            self._keep_record(page.file.src_uri, record._replace(essay=essay, problems=tuple(problems)))
        self._report_problems_kept(page.file.src_uri)

    def _report_problems_kept(self, src_uri: str) -> None:
        """The problems of an essay on_files read and MkDocs reads (or, in a ``--dirty``
        build, may not), kept from on_files until then (see there). A page held back
        (served as a draft) had its own reported in on_files; one not parsed yet has its
        reported in on_page_markdown."""
        record = self._records.get(src_uri)
        if record is None or record.essay is None or self._is_held_back(record.draft, record.published):
            return
        for problem in record.problems:
            log.warning(problem.message(src_uri))

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        record = self._records.get(page.file.src_uri)
        if record is None:
            return None
        if record.essay is None:  # first read of this source: its problems are news
            record = self._complete(page, record)
            for problem in record.problems:
                log.warning(problem.message(page.file.src_uri))
        assert record.essay is not None
        if not record.front_matter_valid:
            # MkDocs kept the unreadable front matter as body text; the warning says why.
            markdown = strip_front_matter(normalize_source(markdown))
            if not page.meta and record.front_matter:
                page.meta = dict(record.front_matter)  # closed at the very end of the file
        if self._is_material and "status" in page.meta:
            self._fix_material_status(page, record.essay)
        for name in ("title", "description"):
            if name in page.meta and not (isinstance(page.meta[name], str) and page.meta[name].strip()):
                self._fix_text_field(page, name, getattr(record.essay, name))
        self._escape_for_themes(page)
        if self.config.bibliography:
            markdown = self._cite_and_list_references(markdown, page, record.essay)
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self._active:
            return None
        references = self._references.pop(page.file.src_uri, None)
        if references is not None:
            if references.entries and self._nests_toc_under_title:
                self._nest_toc_under_title(page)
            html = self._place_references(html, page, references)
        self._remember_page_facts(html, page)
        return html

    def on_page_context(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> TemplateContext | None:
        if self._active:
            self._insert_listings(page)
        record = self._records.get(page.file.src_uri)
        if record is None or record.essay is None or not record.essay.is_essay or not self.config.header:
            return None
        essay = record.essay
        content = page.content or ""
        leading_h1 = _LEADING_H1_RE.match(content)
        draft = None
        if page.file.inclusion.is_excluded():
            draft = "draft" if essay.draft else "scheduled"
        # Only a marker goes into page.content (MkDocs keeps every page's content until the
        # build ends); the header replaces it in the page's HTML, in on_post_page.
        title = None if leading_h1 else (essay.title or page.title)
        self._pending_headers[page.file.src_uri] = (title, draft)
        at = leading_h1.end() if leading_h1 else 0
        page.content = content[:at] + (HEADER_WITH_TITLE_MARKER if title else HEADER_MARKER) + content[at:]
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        # Every insertion is found in the page as MkDocs wrote it and made in one copy of it.
        edits = _Edits(output)
        packed = self._pending_references.pop(page.file.src_uri, None)
        if packed is not None:
            self._insert_references(edits, page, packed)
        if page.file.src_uri in self._pending_listings:
            self._insert_rendered_listings(edits, page)
        record = self._records.get(page.file.src_uri)
        if record is not None and record.essay is not None:
            pending = self._pending_headers.pop(page.file.src_uri, None)
            if pending is not None:
                self._insert_header(edits, record.essay, *pending)
            if self.config.head_tags:
                self._set_head_tags(edits, record.essay)
        if self._one_off and record is not None:
            # Nothing more is asked of the page in this build (listings have their entries,
            # see on_env): what was kept for it is let go of as the build goes on, and what
            # the next pages make takes its place.
            self._records[page.file.src_uri] = _WRITTEN
            self._keep_card_only(page.file.src_uri)
        return edits.apply()

    def _keep_card_only(self, src_uri: str) -> None:
        """In a one-off build, the listing entry of a page just written keeps its essay without
        its bibliography, which the plugin's cards do not show: the sources go with the record.
        Entries are in the order MkDocs writes pages: a page's, if it has one, is the next."""
        entries = self._entries
        written = self._entries_written
        if not entries or written >= len(entries) or entries[written].src_uri != src_uri:
            return
        self._entries_written = written + 1
        entry = entries[written]
        if entry.essay.bibliography and self._renderer is not None and self._renderer.cards_are_own():
            entries[written] = replace(entry, essay=entry.essay._replace(bibliography=()))

    @event_priority(100)  # before the search plugin writes its index, the peak of a build's memory
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._thaw()
        if not self._one_off:
            return  # kept for the next rebuild (and by a program that builds without on_startup)
        self._one_off = False  # MkDocs keeps this instance for the process: the promise was for one build
        # Every page is written and no rebuild follows: let go of what was kept for the pages
        # and listings before the search plugin writes its index.
        self._records.clear()
        self._last_position = 0
        self._headers_ahead.clear()
        self._references_ahead.clear()
        self._page_facts.clear()
        self._listed_pages.clear()
        self._listing_options = None
        self._entries = None
        self._files = None
        self._entry_html.clear()
        self._references.clear()
        if self._renderer is not None:
            self._renderer.close()
        self._renderer = None  # its compiled templates, badges and dates
        self._render_citation = None
        self._library = None
        self._bibliography_files = BibliographyFiles()

    def on_build_error(self, *, error: Exception) -> None:
        self._thaw()

    def _thaw(self) -> None:
        """What on_files froze goes back to the collector."""
        if self._froze:
            self._froze = False
            gc.unfreeze()

    def _insert_header(self, edits: _Edits, essay: Essay, title: str | None, draft: str | None) -> None:
        marker = HEADER_WITH_TITLE_MARKER if title else HEADER_MARKER
        at = edits.page.find(marker)
        if at < 0:
            return  # the theme does not show page.content
        header = self._kept("header", essay, (title, draft), lambda: self._header(essay, title, draft))
        edits.replace(at, at + len(marker), header)

    def _header(self, essay: Essay, title: str | None, draft: str | None) -> str:
        """The essay's header, rendered in a row with the headers of the essays whose pages come
        next (in a build, MkDocs writes the pages in the order of ``self._records``).

        One after another, the renders find Jinja's code and data still in the CPU's caches:
        a header costs about a third of one rendered alone between two pages. A header
        rendered ahead has the essay's own title and no draft banner, which is what its page
        asks for unless the page starts with its own h1 (then it is rendered for the page).
        """
        assert self._renderer is not None
        ahead = self._headers_ahead.pop(id(essay), None)
        if ahead is not None and ahead[0] is essay and title == essay.title and draft is None:
            return ahead[1]
        header = self._renderer.header(essay, title=title, labels=self._labels, draft=draft,
                                       show_notice=self.config.incomplete_notice)
        if not self._serving:  # (serve keeps the headers of unchanged pages)
            self._render_headers_ahead(essay)
        return header

    def _render_headers_ahead(self, essay: Essay) -> None:
        """Render the headers of the essays after ``essay``, as their pages will ask for them,
        unless ``essay`` is among those already rendered ahead (its header was not: a page
        without a title of its own, or one starting with its own h1)."""
        assert self._renderer is not None
        position = self._position_of(essay)
        if position is None or position < self._ahead_until:
            return
        self._headers_ahead.clear()  # those no page asked for (a theme without page.content)
        self._ahead_until = position + 1 + _HEADERS_AHEAD
        for record in islice(self._records.values(), position + 1, self._ahead_until):
            upcoming = record.essay
            if (upcoming is None or not upcoming.is_essay or not upcoming.title
                    or self._is_held_back(record.draft, record.published)):
                continue
            try:
                header = self._renderer.header(upcoming, title=upcoming.title, labels=self._labels, draft=None,
                                               show_notice=self.config.incomplete_notice)
            except Exception:  # noqa: BLE001 - rendered again, and reported, for its own page
                continue
            self._headers_ahead[id(upcoming)] = (upcoming, header)

    def _position_of(self, essay: Essay) -> int | None:
        """Where ``essay``'s record is in self._records: looked for from the last essay found
        on (pages are written in that order, so a build looks at each record about once),
        then from the start."""
        start = self._last_position
        records = self._records.values()
        for position, record in enumerate(islice(records, start, None), start):
            if record.essay is essay:
                self._last_position = position
                return position
        for position, record in enumerate(islice(records, start)):
            if record.essay is essay:
                self._last_position = position
                return position
        return None

    @staticmethod
    def _set_head_tags(edits: _Edits, essay: Essay) -> None:
        if not (essay.meta_title or essay.description):
            return
        head_end = edits.head_end()
        if head_end < 0:
            return
        page = edits.page
        if essay.meta_title:
            title = f"<title>{html.escape(essay.meta_title)}</title>"
            start, end = page.find("<title>", 0, head_end), page.find("</title>", 0, head_end)
            if 0 <= start < end:  # the form every theme writes; the pattern for anything else
                edits.replace(start, end + 8, title)
            elif found := _TITLE_RE.search(page, 0, head_end):
                edits.replace(found.start(), found.end(), title)
        if essay.description:
            tag = f'<meta name="description" content="{html.escape(essay.description, quote=True)}">'
            start = page.find('<meta name="description"', 0, head_end)
            end = page.find(">", start, head_end)
            if 0 <= start < end:  # the form every theme writes; the pattern for anything else
                edits.replace(start, end + 1, tag)
            elif found := _DESCRIPTION_RE.search(page, 0, head_end):
                edits.replace(found.start(), found.end(), tag)
            else:
                edits.replace(head_end, head_end, tag + "\n")

    # -- helpers -------------------------------------------------------------------------

    def _read_source(self, file: File) -> tuple[str, PlainFrontMatter | None] | None:
        """The page's source and its front matter as the plain reader reads it (see
        _read_ahead_of_mkdocs); None while serving, when the source is unchanged (see _settled_stat)."""
        if self._serving:
            # A source whose modification time, size and inode are those it had when it was
            # read, long enough after its last change, is unchanged: not read again.
            stat = self._settled_stat(file)
            if (stat is not None and file.src_uri in self._records
                    and self._unchanged_stats.get(file.src_uri) == stat):
                if not self._serving_dirty:  # MkDocs reads every page again: it is handed this one
                    self._read_ahead_of_mkdocs(file, self._source(file))
                return None
            if stat is None:
                self._unchanged_stats.pop(file.src_uri, None)
            else:
                self._unchanged_stats[file.src_uri] = stat
        source = self._source(file)
        return source, self._read_ahead_of_mkdocs(file, source)

    def _read(self, file: File, read: tuple[str, PlainFrontMatter | None] | None) -> _Record:
        """The page's record, from what _read_source gave (None: the record kept is current)."""
        cached = self._records.get(file.src_uri)
        if read is None:
            assert cached is not None
            return cached
        source, front_matter = read
        # Keyed on the text, not on size and mtime: a second save within the file system's
        # timestamp resolution (1-2 s on HFS+, FAT, some network mounts) keeps both. Python's
        # string hash (64-bit SipHash, keyed per process) tells two versions apart at a
        # fraction of the cost of a cryptographic digest.
        # (A one-off build compares no versions: its records go with it.)
        fingerprint = () if self._one_off else (file.abs_src_path, hash(source))
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
        if front_matter is not None:
            assert self._options is not None
            essay, problems = parse_essay(front_matter.data, self._options)
            record = _Record(fingerprint, essay, tuple(problems), True, _NO_FRONT_MATTER, essay.draft, essay.published)
            return self._keep_record(file.src_uri, record)
        if cached is not None and self._serving:
            # An edited page: parsed whole now, so on_files can tell whether what listings
            # show of it changed (see _note_listed).
            return self._read_whole(file, fingerprint, source)
        # MkDocs parses every page's front matter itself (page.meta): here only the lines that
        # decide whether the page is held back are read, and the essay is parsed from page.meta
        # once MkDocs has read the page. Held-back pages (MkDocs will not read them in a
        # build) and unusual blocks are parsed whole now, with every problem.
        assert self._options is not None
        fields = read_fields(source, self._head_fields)
        if fields is not None and (fields.most_keys or not source.startswith("---")):
            draft, published = parse_schedule(fields.data, self._options)
            if not self._is_held_back(draft, published):
                record = _Record(fingerprint, None, (), True, _NO_FRONT_MATTER, draft, published, fields.most_keys)
                return self._keep_record(file.src_uri, record)
        return self._read_whole(file, fingerprint, source)

    def _read_ahead_of_mkdocs(self, file: File, source: str) -> PlainFrontMatter | None:
        """Keep the source for MkDocs, with its front matter when it is plain YAML (nearly every
        block is; read here several times faster than MkDocs' loader reads it): MkDocs is
        handed both when it reads the page (see on_pre_page)."""
        front_matter = read_plain_front_matter(source, self._plain_yaml)
        if source and file.abs_src_path is not None:
            self._read_ahead[file.src_uri] = _ReadAhead(file.abs_src_path, source, front_matter)
        return front_matter

    def _settled_stat(self, file: File) -> tuple[int, int, int] | None:
        """The source's (mtime, size, inode), or None when it is not a file on disk or was
        modified too recently (after self._settled_before) for a later change to be sure to
        give it another mtime. In a ``serve --dirty`` build, MkDocs' test of whether the page
        changed since it was written takes the source's mtime from here (see _ModifiedSinceWritten)."""
        if file.abs_src_path is None:
            return None
        try:
            stat = os.stat(file.abs_src_path)
        except OSError:
            return None
        if self._serving_dirty:
            setattr(file, "is_modified", _ModifiedSinceWritten(file, stat.st_mtime))
        if stat.st_mtime_ns >= self._settled_before:
            return None
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    @staticmethod
    def _source(file: File) -> str:
        try:
            if file.abs_src_path is None:  # content made in memory (by a plugin)
                return normalize_source(file.content_string)
            return read_source(file.abs_src_path)
        except (OSError, UnicodeDecodeError):
            return ""  # MkDocs reports unreadable pages itself

    def _read_whole(self, file: File, fingerprint: tuple[Any, ...], source: str | None = None) -> _Record:
        """Parse a page's whole front matter with the strict loader, every problem included."""
        if source is None:
            source = self._source(file)
        problems = Problems()
        front_matter = read_front_matter(source, problems)
        essay, field_problems = parse_essay(front_matter.data, self._options)
        record = _Record(fingerprint, essay, tuple(problems + field_problems), front_matter.valid,
                         front_matter.data if not front_matter.valid else _NO_FRONT_MATTER,
                         essay.draft, essay.published)
        return self._keep_record(file.src_uri, record)

    def _complete(self, page: Page, record: _Record) -> _Record:
        """The essay from the front matter MkDocs has just read into ``page.meta``.

        When MkDocs could not read the block, or it holds a repeated key (more ``key:``
        lines than keys), the block is parsed whole to say what is wrong.
        """
        assert self._options is not None
        meta: Mapping[str, Any] = page.meta if record.most_keys else {}  # no block: no MultiMarkdown meta
        keys = count_keys(meta)
        if record.most_keys > keys:  # rare: a repeated key, or a colon in quoted text or a comment
            source = self._source(page.file)
            # No keys at all: MkDocs could not read the block (or it is no mapping).
            if not keys or count_key_lines(source) > keys:
                return self._read_whole(page.file, record.fingerprint, source)
        essay, problems = parse_essay(meta, self._options)
        record = _Record(record.fingerprint, essay, tuple(problems), True, _NO_FRONT_MATTER,
                         record.draft, record.published)
        return self._keep_record(page.file.src_uri, record)

    def _keep_record(self, src_uri: str, record: _Record) -> _Record:
        """Make ``record`` the page's (while serving, what was rendered for the essay of the
        record it replaces is forgotten in the next on_files)."""
        if self._serving:
            replaced = self._records.get(src_uri)
            if replaced is not None and replaced.essay is not None and replaced.essay is not record.essay:
                self._replaced_essays.append(replaced.essay)
        self._records[src_uri] = record
        return record

    def _forget_record(self, src_uri: str) -> None:
        """The page went: forget its record (while serving, what was rendered for its essay is
        forgotten at the end of this on_files)."""
        essay = self._records.pop(src_uri).essay
        if self._serving and essay is not None:
            self._replaced_essays.append(essay)

    def _forget_records(self) -> None:
        """Forget every page's record, and what was rendered for their essays."""
        self._records.clear()
        self._replaced_essays.clear()
        if self._renderer is not None:
            self._renderer.fragments.clear()

    def _kept(self, key: Any, owner: Essay | EssayMetaPlugin | None, inputs: Any, make: Callable[[], _T]) -> _T:
        """``make()``, or while serving what it gave in an earlier build for ``key`` and ``owner``
        (an essay: its page is unchanged, see _read; the plugin: for listings, whose inputs say
        what they show), if ``inputs`` are equal. Template, label, option and vocabulary
        changes empty the store (Renderer.refresh); an essay's share goes with its record
        (see _keep_record)."""
        assert self._renderer is not None
        if not self._serving or owner is None:
            return make()
        fragments = self._renderer.fragments
        owned = fragments.get(id(owner))  # (an entry holds its owner: no other object has that id)
        if owned is None:
            owned = fragments[id(owner)] = (owner, {})
        cached = owned[1].get(key)
        if cached is not None and cached[0] == inputs:
            return cast(_T, cached[1])
        value = make()
        owned[1][key] = (inputs, value)
        return value

    def _forget_fragments_of_replaced_essays(self) -> None:
        """Drop what was rendered for essays whose page changed or went (see _keep_record)."""
        assert self._renderer is not None
        fragments = self._renderer.fragments
        for essay in self._replaced_essays:
            fragments.pop(id(essay), None)
        self._replaced_essays.clear()

    def _is_held_back(self, draft: bool, published: datetime | None) -> bool:
        """Kept out of the built site: a draft, or scheduled for later."""
        # (Three times a page: the option is looked up in on_config, MkDocs' config is slower to ask.)
        scheduled_after = self._scheduled_after
        return draft or (published is not None and scheduled_after is not None and published > scheduled_after)

    @staticmethod
    def _escape_for_themes(page: Page) -> None:
        """Themes print ``page.title`` and ``meta.description`` unescaped, as MkDocs hands them
        titles taken from headings already as HTML; front-matter text must be HTML too."""
        for name in ("title", "description"):
            if isinstance(page.meta.get(name), str):
                page.meta[name] = html.escape(page.meta[name])

    def _fix_text_field(self, page: Page, name: str, text: str | None) -> None:
        """Themes print ``meta.title``/``meta.description`` as they are: a list shows as
        ``['a', 'b']`` in <title>, navigation and <meta>, a blank title as no title at all."""
        if text is not None:
            page.meta[name] = text  # a number, such as title: 1984
        else:
            del page.meta[name]  # blank, or not text (warned): MkDocs falls back to the heading or file name

    def _fix_material_status(self, page: Page, essay: Essay) -> None:
        """Material prints ``meta.status`` into a class attribute; give it a safe id or nothing."""
        raw = page.meta["status"]
        options = self._options
        if isinstance(raw, str) and options is not None and raw in options.foreign_status:
            return  # one of the user's own Material status ids
        if self.config.material_status and essay.status is not None:
            page.meta["status"] = _material_status_id(essay.status.key)
        else:
            del page.meta["status"]

    # -- listings: the featured index and <!-- essay-meta:listing --> markers -------------------
    #
    # The index is built from what the plugin already holds: the records read in on_files
    # and, per essay, the title and first paragraph captured once in on_page_content. Both
    # survive `serve` rebuilds in this instance, so `--dirty` builds (which skip unchanged
    # pages) still list every essay. Listings are placed in on_page_context, after every
    # page has been read (the pages hosting them are noted there too), and rendered into the
    # page's HTML in on_post_page; while serving, a rendered listing is kept until what
    # listings show changes (see _listings_on_files).

    def _remember_page_facts(self, html: str, page: Page) -> None:
        """Keep what a listing needs of this page's HTML (its first paragraph)."""
        uri = page.file.src_uri
        record = self._records.get(uri)
        if record is not None and record.essay is not None and record.essay.is_essay:
            essay = record.essay
            # Cards show the excerpt or description first: the HTML is searched only without them.
            paragraph = None if (essay.excerpt or essay.description) else first_paragraph(html)
            title = "" if essay.title else (page.title or "")
            self._page_facts[uri] = _PageFacts(record, title, paragraph)
        else:
            self._page_facts.pop(uri, None)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        for src_uri in self._read_ahead:  # pages MkDocs did not read (drafts in a build, --dirty)
            self._report_problems_kept(src_uri)
        self._read_ahead.clear()
        if self._active:
            self._files = files
            self._note_listed_after_reading()
            if self._one_off:
                # Collected now, so that each page's record can go once it is written (see
                # on_post_page); what the pages' HTML gave them goes with it.
                self._entries = self._collect_entries(files)
                self._entries_written = 0
                self._page_facts.clear()
            else:
                self._entries = None  # collected when a page hosting a listing is rendered
        return None

    def _note_listing_options(self) -> bool:
        """Note the options every listing is rendered with; whether they changed since the last build."""
        options = (dict(self.config.featured), dict(self._labels))
        changed = options != self._listing_options
        self._listing_options = options
        return changed

    def _note_listed(self, file: File, record: _Record) -> bool:
        """Note what listings may show of a page (nothing, if it is held back); whether that
        changed since the last build. Only a page with a new record or URL is looked at closely."""
        uri = file.src_uri
        if file.inclusion is InclusionLevel.DRAFT:  # (on_files passes no EXCLUDED page)
            return self._listed_pages.pop(uri, None) is not None
        listed = self._listed_pages.get(uri)
        url = file.url
        if listed is not None and listed.record is record and listed.url == url:
            return False
        card = _card_source(record)
        self._listed_pages[uri] = _ListedPage(record, card, url)
        if record.essay is None:
            self._listed_unread.append(uri)
        return listed is None or listed.card != card or listed.url != url

    def _note_listed_after_reading(self) -> None:
        """Note again the pages MkDocs read since on_files: their cards as this build's listings
        show them (what the next rebuild compares with)."""
        for uri in self._listed_unread:
            listed = self._listed_pages.get(uri)
            record = self._records.get(uri)
            if listed is not None and record is not None and record is not listed.record:
                self._listed_pages[uri] = listed._replace(record=record, card=_card_source(record))
        self._listed_unread.clear()

    def _listings_on_files(self, files: Files, seen: set[str], changed: bool) -> None:
        """Forget pages that went; when what listings show may have changed (``changed``, or a
        listed page went), make pages hosting listings rebuild.

        ``serve --dirty`` rebuilds only pages whose source is newer than their output:
        removing a host page's stale output makes MkDocs read and render it again.
        """
        for gone in self._listed_pages.keys() - seen:
            del self._listed_pages[gone]
            changed = True
        present = files.src_uris
        self._listing_hosts = {uri for uri in self._listing_hosts if uri in present}
        for gone in self._page_facts.keys() - seen:
            if gone not in present:
                del self._page_facts[gone]
        if changed:
            self._listing_generation += 1
            for uri in self._listing_hosts:
                host = files.get_file_from_path(uri)
                if host is not None and os.path.isfile(host.abs_dest_path):
                    os.remove(host.abs_dest_path)

    def _listed_entries(self) -> list[Entry]:
        if self._entries is None:
            assert self._files is not None
            self._entries = self._collect_entries(self._files)
        return self._entries

    def _collect_entries(self, files: Files) -> list[Entry]:
        entries = []
        for file in files:
            if not file.is_documentation_page() or file.inclusion.is_excluded():
                continue  # drafts and scheduled essays are DRAFT by now: never listed
            record = self._records.get(file.src_uri)
            if record is not None and record.essay is None:
                # Not read by MkDocs in this build (`build --dirty` skips unchanged pages).
                record = self._read_whole(file, record.fingerprint)
            if record is None or record.essay is None or not record.essay.is_essay:
                continue
            essay = record.essay
            facts = self._page_facts.get(file.src_uri)
            if facts is not None and facts.record is not record:
                facts = None  # learned from an older version of the page
            title = essay.title or (facts.title if facts else "") or (file.page.title if file.page else "")
            if not title:
                title = Path(file.src_uri).stem.replace("-", " ").replace("_", " ").capitalize()
            excerpt = essay.excerpt or essay.description or (facts.first_paragraph if facts else None)
            entries.append(Entry(file.src_uri, file.url, str(title), essay, excerpt))
        return entries

    def _featured_spec(self) -> ListingSpec:
        featured = self.config.featured
        layout: Literal["cards", "table"] = "table" if featured.layout == "table" else "cards"
        return replace(FEATURED_SPEC, limit=featured.limit, layout=layout,
                       heading=featured.heading or self._labels.get("featured"))

    def _insert_listings(self, page: Page) -> None:
        content = page.content or ""
        uri = page.file.src_uri
        markers_here = has_marker(content)
        if markers_here or page.is_homepage:  # the home page may host the featured index
            self._listing_hosts.add(uri)
        else:
            self._listing_hosts.discard(uri)
            return
        auto_featured = page.is_homepage and self.config.featured.enabled
        if not auto_featured and not markers_here:
            return
        assert self._renderer is not None and self._options is not None
        # Only a marker goes into page.content (MkDocs keeps it until the build ends, and search
        # would parse every card): each listing is rendered into the page's HTML in on_post_page.
        pending: list[tuple[str, ListingSpec, str, int, bool]] = []

        def place(spec: ListingSpec, kind: str, hide_when_empty: bool = False) -> str:
            marker = f"<!-- {self._placeholder}listing{len(pending) + 1} -->"
            pending.append((marker, spec, kind, len(pending) + 1, hide_when_empty))
            return marker

        parts: list[str] = []
        at = 0
        for marker in find_markers(content):
            if marker.kind not in MARKER_KINDS:
                suggestion = suggest_kind(marker.kind)
                if suggestion:
                    log.warning(f"{uri}: unknown marker 'essay-meta:{marker.kind}'; "
                                f"expected 'essay-meta:{suggestion}'")
                continue
            base_spec = self._featured_spec() if marker.kind == "featured" else ListingSpec()
            spec, problems = parse_options(marker.options, self._options.scales, base_spec)
            for problem in problems:
                log.warning(problem.message(uri, marker.kind))
            if spec.featured:
                auto_featured = False  # the page places the featured essays itself
            parts.append(content[at:marker.start])
            parts.append(place(spec, marker.kind))
            at = marker.end
        parts.append(content[at:])
        content = "".join(parts)
        if auto_featured:
            section = place(self._featured_spec(), "featured", hide_when_empty=True)
            if self.config.featured.position == "bottom":
                content += section
            else:
                leading_h1 = _LEADING_H1_RE.match(content)
                split = leading_h1.end() if leading_h1 else 0
                content = content[:split] + section + content[split:]
        page.content = content
        if pending:
            self._pending_listings[uri] = pending
        else:
            self._pending_listings.pop(uri, None)

    def _insert_rendered_listings(self, edits: _Edits, page: Page) -> None:
        for marker, spec, kind, number, hide_when_empty in self._pending_listings.pop(page.file.src_uri, ()):
            at = edits.page.find(marker)
            if at < 0:
                continue
            # While serving, kept until what listings show changes (or the page, or its marker).
            inputs = (spec, kind, hide_when_empty, page.file.url, self._listing_generation)
            render = partial(self._render_listing, spec, page, kind, number, hide_when_empty=hide_when_empty)
            listing = self._kept(("listing", page.file.src_uri, number), self, inputs, render)
            edits.replace(at, at + len(marker), listing)

    def _render_listing(self, spec: ListingSpec, page: Page, kind: str, number: int, *,
                        hide_when_empty: bool = False) -> str:
        assert self._renderer is not None and self._options is not None
        groups = arrange(self._listed_entries(), spec, self._options.scales, page_url=page.file.url,
                         id_prefix=f"essay-meta-listing-{number}")
        count = sum(len(g.cards) for g in groups)
        if hide_when_empty and not count:
            return ""
        return self._renderer.listing(
            kind=kind, spec=spec, groups=groups, count=count,
            grouped=spec.group is not None, scales=self._options.scales, labels=self._labels,
            legend=legend(groups, self._options.scales),
        )

    # -- bibliography and citations ----------------------------------------------------------

    def _configure_bibliography(self, config: MkDocsConfig) -> None:
        base_dir = os.path.dirname(config.config_file_path or "") or os.getcwd()
        self._bibliography_paths = [os.path.normpath(os.path.join(base_dir, p))
                                    for p in self.config.bibliography_files]
        # Parsed when a page first needs an entry; a file unchanged since the last build is not re-read.
        self._library = self._bibliography_files.library(self._bibliography_paths)
        for problem in self._library.take_problems():
            log.warning(f"mkdocs.yml: {problem}")
        self._references.clear()
        self._pending_references.clear()
        self._references_ahead.clear()
        self._entry_html.clear()  # labels or templates may have changed
        self._render_citation = None
        self._nests_toc_under_title = config.theme.name == "readthedocs"

    def _citation_renderer(self) -> Callable[[list[CitedItem]], str]:
        """citation.html's ``citation`` macro (loaded once per build), else the template itself.

        The plugin's own citation.html is rendered once per shape of citation (see
        :func:`render_once_per_shape`); a user's is rendered for each citation.
        """
        if self._render_citation is None:
            assert self._renderer is not None
            template = self._renderer.env.get_template(f"{TEMPLATE_FOLDER}/citation.html")
            macro = getattr(template.make_module({"labels": self._labels}), "citation", None)
            labels = self._labels
            render: Callable[[list[CitedItem]], str]
            if callable(macro):
                render = lambda items: str(macro(items, labels))
            else:
                render = lambda items: template.render(items=items, labels=labels)
            if template.filename and is_own_template(template.filename):
                render = render_once_per_shape(render)
            self._render_citation = lambda items: render(items).replace("\n", " ")
        return self._render_citation

    def _lookup(self, key: str) -> Reference | None:
        return self._library.get(key) if self._library is not None else None

    def _cite_and_list_references(self, markdown: str, page: Page, essay: Essay) -> str:
        """The Markdown with citations numbered and the references heading added (kept while
        serving for an essay whose record and Markdown are unchanged, with the same files)."""
        can_cite = bool(self.config.citations and (essay.bibliography or self._bibliography_paths))
        # (A page with a bibliography is scanned for citations once, when they are numbered.)
        if not essay.bibliography and not (can_cite and mentions_citation(markdown)):
            return markdown
        inputs = None
        if self._serving:
            # The Markdown (hashed as records are, see _read) and the version of the bibliography
            # files (a page that takes nothing from them is numbered again too when they change).
            inputs = (hash(markdown), self._library.version if self._library is not None else None)
        src = page.file.src_uri
        found, result = self._kept(("markdown", src), essay, inputs,
                                   lambda: self._number_citations(markdown, essay, can_cite))
        self._warn_unknown_keys(src, found)
        self._references[src] = found
        return result

    def _warn_unknown_keys(self, src: str, found: PageReferences) -> None:
        for key in found.unknown_keys:
            where = ", ".join(self.config.bibliography_files) or "no bibliography_files are configured"
            log.warning(f"{src}: citation key {key!r} is not given in full in the page's bibliography "
                        f"nor found in the bibliography files ({where}); expected a known key")

    def _number_citations(self, markdown: str, essay: Essay, can_cite: bool) -> tuple[PageReferences, str]:
        """The page's numbered references, and its Markdown with citation tokens and the heading."""
        render_citation = self._citation_renderer()
        found = number_references(essay.bibliography, markdown, self._lookup,
                                  render_citation if can_cite else None, token=self._citation_token)
        if self._library is not None:
            for problem in self._library.take_problems():
                log.warning(problem)
        if not found.entries:
            return found, found.markdown
        return found, append_section(found.markdown, self._labels["bibliography"], self._placeholder,
                                     open_fence=found.open_fence)

    @staticmethod
    def _nest_toc_under_title(page: Page) -> None:
        """readthedocs lists only the children of a page's first heading, taking it for the title.

        On a page whose Markdown has no leading ``#`` title (the essay header supplies it),
        that would hide every heading, the references included; nest them under the title.
        """
        items = page.toc.items
        if items and items[0].level > 1:
            title = AnchorLink(page.title or "", "", 1)
            title.children = list(items)
            page.toc = TableOfContents([title])

    def _place_references(self, html_text: str, page: Page, references: PageReferences) -> str:
        """Fill in the citations; mark where the list goes (rendered in on_post_page)."""
        html_text = fill_citations(html_text, self._citation_token, references.inline_html)
        if not references.entries:
            return html_text
        self._pending_references[page.file.src_uri] = pack_entries(references.entries)
        # The placeholder is in the page once, near its end: looked for from there, and once.
        paragraph = f"<p>{self._placeholder}</p>"
        at = html_text.rfind(paragraph)
        if at >= 0:
            heading = _search_excluded_heading(html_text, at) if self._is_material else None
            if heading is not None:
                return (html_text[:heading] + _SEARCH_EXCLUDED + html_text[heading:at] + REFERENCES_MARKER
                        + html_text[at + len(paragraph):])
            return html_text[:at] + REFERENCES_MARKER + html_text[at + len(paragraph):]
        return html_text.replace(self._placeholder, REFERENCES_MARKER, 1)

    def _insert_references(self, edits: _Edits, page: Page, packed: PackedEntries) -> None:
        record = self._records.get(page.file.src_uri)
        essay = record.essay if record is not None else None
        title = (essay.title if essay is not None else None) or page.title
        listing, json_ld_script = self._references_html(page.file.src_uri, packed, essay, title)
        head_end = edits.head_end()
        if json_ld_script is not None and head_end >= 0:
            edits.replace(head_end, head_end, json_ld_script + "\n")
        # The marker is in the page once, near its end: looked for from there.
        at = edits.page.rfind(REFERENCES_MARKER)
        if at >= 0:
            edits.replace(at, at + len(REFERENCES_MARKER), listing)

    def _references_html(self, src: str, packed: PackedEntries, essay: Essay | None,
                         title: str | None) -> tuple[str, str | None]:
        """The rendered list and its JSON-LD script (kept while serving: see _kept).

        In a build, rendered in a row with the lists of the pages written next, as headers are
        (see _header): one after another, they cost about half of one rendered alone between
        two pages. Only the lists of pages whose front matter has a title are rendered ahead:
        that is the title the page asks for; a page without gives its own when it is written.
        """
        if self._serving:
            return self._kept("references", essay, (packed, title),
                              lambda: self._render_references_html(packed, title))
        ahead = self._references_ahead.pop(src, None)
        if ahead is not None:
            return ahead
        html = self._render_references_html(packed, title)
        self._render_references_ahead()
        return html

    def _render_references_ahead(self) -> None:
        """Render the lists of the pages written next (the first of those still pending, as
        MkDocs writes pages in the order it read them) that are not rendered yet."""
        self._references_ahead = {src: ahead for src, ahead in self._references_ahead.items()
                                  if src in self._pending_references}  # those no page asked for
        for src, packed in islice(self._pending_references.items(), _REFERENCES_AHEAD):
            record = self._records.get(src)
            title = record.essay.title if record is not None and record.essay is not None else None
            if src in self._references_ahead or not title:
                continue
            try:
                self._references_ahead[src] = self._render_references_html(packed, title)
            except Exception:  # noqa: BLE001 - rendered again, and reported, for its own page
                continue

    def _render_references_html(self, packed: PackedEntries, title: str | None) -> tuple[str, str | None]:
        assert self._renderer is not None
        entries = unpack_entries(packed)
        references = [entry.reference for entry in entries]
        listing = self._renderer.bibliography(entries, self._entry_html_of(references), self._labels)
        script = None
        if self.config.bibliography_json_ld:
            script = f'<script type="application/ld+json">{json_ld(title, references)}</script>'
        return listing, script

    def _entry_html_of(self, references: list[Reference]) -> list[Markup]:
        """bibliography-entry.html for each of a page's references, rendered together, but for
        an entry of a shared file: the same object on every page citing it, rendered once per build."""
        assert self._renderer is not None
        if not self._bibliography_paths:  # no shared file: every entry is the page's own
            return self._renderer.entries(references, self._labels)
        shared = self._entry_html
        known = [shared.get(id(reference)) for reference in references]
        known_html = [k[1] if k is not None and k[0] is reference else None for k, reference in zip(known, references)]
        fresh = iter(self._renderer.entries(
            [reference for reference, text in zip(references, known_html) if text is None], self._labels))
        entry_html = []
        for reference, text in zip(references, known_html):
            if text is None:
                text = next(fresh)
                if reference.key and self._lookup(reference.key) is reference:
                    shared[id(reference)] = (reference, text)
            entry_html.append(text)
        return entry_html

