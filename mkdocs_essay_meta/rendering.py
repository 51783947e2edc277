"""Rendering the plugin's partials: an autoescaping Jinja environment over the theme's folders.

The plugin renders with its own environment (MkDocs' theme environment does not escape),
whose loader searches the same folders as the theme, the user's ``custom_dir`` first, so
a user overrides any partial by dropping a file of the same name there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from .structure.essay import Essay

TEMPLATE_FOLDER = "essay-meta"
"""Every partial lives under this folder name (``essay-meta/header.html`` and so on)."""


def parse_locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


# A constant include of one of the plugin's partials; inlined when its template is loaded.
_INCLUDE_RE = re.compile(r'\{%(-?)\s*include\s+"(' + TEMPLATE_FOLDER + r'/[\w./-]+)"\s*(-?)%\}')
# Partials using these cannot be pasted inside another template: they stay includes.
_NOT_INLINABLE_RE = re.compile(r"\{%-?\s*(?:extends|block)\b")
_MAX_INLINE_DEPTH = 8


class InliningLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that pastes the plugin's partials into the template including them.

    Jinja runs every ``{% include %}`` through a template lookup and a fresh context: for the
    header (header → badges → badge ×3, dates, taxonomy, notice) that cost several times
    the rendering itself. Each included partial is still looked up by name in the same
    folders, so a user's override of any single partial applies as before; it is pasted
    inside ``{% with %}…{% endwith %}`` so that its ``{% set %}`` stay local, as in an include.
    """

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        checks = [uptodate]
        source = self._inline(environment, source, checks, 0)
        return source, filename, lambda: all(check() for check in checks)

    def _inline(self, environment: jinja2.Environment, source: str, checks: list[Callable[[], bool]],
                depth: int) -> str:
        if depth >= _MAX_INLINE_DEPTH:
            return source

        def paste(match: re.Match[str]) -> str:
            try:
                inner, _, uptodate = super(InliningLoader, self).get_source(environment, match.group(2))
            except jinja2.TemplateNotFound:
                return match.group(0)  # Jinja reports it when the include runs
            if _NOT_INLINABLE_RE.search(inner):
                return match.group(0)
            checks.append(uptodate)
            inner = self._inline(environment, inner, checks, depth + 1)
            # Jinja drops one trailing newline of a template source; the newline after
            # ``with`` is eaten by trim_blocks, so the partial starts on a line of its own.
            inner = inner[:-1] if inner.endswith("\n") else inner
            return f"{{%{match.group(1)} with %}}\n{inner}{{% endwith {match.group(3)}%}}"

        return _INCLUDE_RE.sub(paste, source)


class Renderer:
    """Renders partials with one environment, compiled once and reused across builds."""

    def __init__(self, dirs: Sequence[str], locale: Locale, tz: tzinfo, date_format: str) -> None:
        self.key = (tuple(dirs), str(locale), str(tz), date_format)
        self.locale = locale
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
        )
        self.env.filters["essay_date"] = self.format_date
        self.env.filters["essay_iso"] = self.iso_date

    def format_date(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return format_date(value.astimezone(self.tz).date(), format=self.date_format, locale=self.locale)

    def iso_date(self, value: datetime | None) -> str:
        return value.isoformat() if value else ""

    def refresh(self) -> None:
        """Forget compiled templates whose files changed (a ``serve`` rebuild after an edit)."""
        if not all(t.is_up_to_date for t in self.env.cache.values()):  # type: ignore[union-attr]
            self.env.cache.clear()  # type: ignore[union-attr]

    def render(self, template: str, **context: Any) -> str:
        name = f"{TEMPLATE_FOLDER}/{template}"
        try:
            compiled = self.env.get_template(name)
        except jinja2.TemplateSyntaxError:
            # Report the error in the partial's own file and line, not in the pasted copy.
            plain = jinja2.Environment(loader=jinja2.FileSystemLoader(self.dirs), autoescape=True,
                                       trim_blocks=True, lstrip_blocks=True)
            for partial in plain.list_templates(filter_func=lambda n: n.startswith(f"{TEMPLATE_FOLDER}/")):
                plain.get_template(partial)
            raise
        return compiled.render(**context)

    def header(self, essay: Essay, *, title: str | None, labels: dict[str, str], **extra: Any) -> str:
        return self.render("header.html", essay=essay, title=title, labels=labels, **extra)
