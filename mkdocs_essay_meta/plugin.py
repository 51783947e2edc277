"""The MkDocs glue: configuration and event handlers, and nothing else.

Everything the plugin knows about essays lives in :mod:`mkdocs_essay_meta.structure`;
everything it shows lives in ``templates/essay-meta/`` and ``assets/``.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from . import stylesheet
from .labels import labels_for
from .rendering import Renderer, parse_locale
from .structure.essay import DEFAULT_ALIASES, Essay, ParseOptions, parse_essay
from .structure.frontmatter import normalize_source, read_front_matter, strip_front_matter
from .structure.problems import Problem, Problems
from .structure.vocabulary import build_scales

log = get_plugin_logger(__name__)

TEMPLATES_DIR = str(Path(__file__).parent / "templates")
STYLESHEET_URI = "assets/essay-meta/essay-meta.css"

_LEADING_H1_RE = re.compile(r"\s*<h1\b[^>]*>.*?</h1>", re.DOTALL | re.IGNORECASE)
_TITLE_RE = re.compile(r"<title>.*?</title>", re.DOTALL | re.IGNORECASE)
_DESCRIPTION_RE = re.compile(r"<meta\s+name=[\"']description[\"'][^>]*>", re.IGNORECASE)


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


@dataclass(frozen=True)
class _Record:
    """What the plugin learned from one page's source, kept across ``serve`` rebuilds."""

    fingerprint: tuple[Any, ...]
    essay: Essay
    problems: tuple[Problem, ...]
    front_matter_valid: bool
    front_matter: dict[str, Any]


class EssayMetaPlugin(BasePlugin[EssayMetaConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self._records: dict[str, _Record] = {}
        self._options: ParseOptions | None = None
        self._renderer: Renderer | None = None
        self._labels: dict[str, str] = {}
        self._is_material = False
        self._now = datetime.now(timezone.utc)

    # Defining on_startup keeps this instance (and its records) alive across `serve` rebuilds.
    def on_startup(self, *, command: str, dirty: bool) -> None:
        pass

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        scales, problems = build_scales(self.config.vocabularies)
        if problems:
            raise PluginError("essay-meta: " + "; ".join(p.message("mkdocs.yml") for p in problems))
        try:
            tz = ZoneInfo(self.config.timezone)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise PluginError(f"essay-meta: timezone {self.config.timezone!r} is not an IANA time zone name") from e
        extra_status = config.extra.get("status") if isinstance(config.extra.get("status"), dict) else {}
        options = ParseOptions(
            scales=scales,
            aliases=dict(self.config.aliases),
            timezone=tz,
            foreign_status=frozenset(str(k) for k in extra_status),
        )
        if options != self._options:
            self._records.clear()  # the same source may now mean something else
        self._options = options
        self._now = datetime.now(timezone.utc)
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
        return config

    def _localise(self, config: MkDocsConfig) -> None:
        """Labels and date formats in the theme's language, read after every plugin's on_config:
        mkdocs-static-i18n sets the language of each build in its own (last) on_config."""
        assert self._options is not None
        language = str(config.theme.get("language") or config.theme.get("locale") or "en")
        locale = parse_locale(language) or parse_locale("en")
        assert locale is not None
        self._labels = labels_for(language, self.config.labels)
        tz = self._options.timezone
        key = (tuple(config.theme.dirs), str(locale), str(tz), self.config.date_format)
        if self._renderer is None or self._renderer.key != key:
            self._renderer = Renderer(config.theme.dirs, locale, tz, self.config.date_format)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        self._localise(config)
        seen: set[str] = set()
        for file in files:
            if not file.is_documentation_page() or file.inclusion == InclusionLevel.EXCLUDED:
                continue
            seen.add(file.src_uri)
            record = self._read(file)
            for problem in record.problems:
                log.warning(problem.message(file.src_uri))
            if self._is_held_back(record.essay) and file.inclusion.value > InclusionLevel.DRAFT.value:
                file.inclusion = InclusionLevel.DRAFT
        for gone in self._records.keys() - seen:
            del self._records[gone]

        if files.get_file_from_path(STYLESHEET_URI) is None:
            css = stylesheet.build(self._options.scales if self._options else None,
                                   material_status=self.config.material_status and self._is_material)
            # A real source path, not content=: mkdocs-static-i18n 1.3 fails on files without one.
            files.append(File.generated(config, STYLESHEET_URI, abs_src_path=str(stylesheet.as_file(css))))
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        record = self._records.get(page.file.src_uri)
        if record is None:
            return None
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
        return markdown

    def on_page_context(self, context: dict[str, Any], *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> dict[str, Any] | None:
        record = self._records.get(page.file.src_uri)
        if record is None or not record.essay.is_essay or not self.config.header:
            return None
        assert self._renderer is not None
        essay = record.essay
        content = page.content or ""
        leading_h1 = _LEADING_H1_RE.match(content)
        draft = None
        if page.file.inclusion.is_excluded():
            draft = "draft" if essay.draft else "scheduled"
        header = self._renderer.header(
            essay,
            title=None if leading_h1 else (essay.title or page.title),
            labels=self._labels,
            draft=draft,
            show_notice=self.config.incomplete_notice,
        )
        at = leading_h1.end() if leading_h1 else 0
        page.content = content[:at] + header + content[at:]
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        record = self._records.get(page.file.src_uri)
        if record is None or not self.config.head_tags:
            return None
        essay = record.essay
        if not (essay.meta_title or essay.description):
            return None
        head_end = output.find("</head>")
        if head_end < 0:
            return None
        head = output[:head_end]
        if essay.meta_title:
            head = _TITLE_RE.sub(lambda _: f"<title>{html.escape(essay.meta_title or '')}</title>", head, count=1)
        if essay.description:
            tag = f'<meta name="description" content="{html.escape(essay.description, quote=True)}">'
            head, found = _DESCRIPTION_RE.subn(lambda _: tag, head, count=1)
            if not found:
                head += tag + "\n"
        return head + output[head_end:]

    # -- helpers -------------------------------------------------------------------------

    def _read(self, file: File) -> _Record:
        try:
            source = normalize_source(file.content_string)
        except (OSError, UnicodeDecodeError):
            source = ""  # MkDocs reports unreadable pages itself
        # Keyed on the text, not on size and mtime: a second save within the file system's
        # timestamp resolution (1-2 s on HFS+, FAT, some network mounts) keeps both.
        digest = hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        fingerprint = (file.abs_src_path, digest)
        cached = self._records.get(file.src_uri)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
        problems = Problems()
        front_matter = read_front_matter(source, problems)
        essay, field_problems = parse_essay(front_matter.data, self._options)
        record = _Record(fingerprint, essay, tuple(problems + field_problems), front_matter.valid,
                         front_matter.data if not front_matter.valid else {})
        self._records[file.src_uri] = record
        return record

    def _is_held_back(self, essay: Essay) -> bool:
        """Kept out of the built site: a draft, or scheduled for later."""
        return essay.draft or (not self.config.publish_future and essay.is_scheduled(self._now))

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
            page.meta["status"] = f"essay-{essay.status.key}"
        else:
            del page.meta["status"]
