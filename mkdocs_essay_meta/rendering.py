"""Rendering the plugin's partials: an autoescaping Jinja environment over the theme's folders.

The plugin renders with its own environment (MkDocs' theme environment does not escape),
whose loader searches the same folders as the theme, the user's ``custom_dir`` first, so
a user overrides any partial by dropping a file of the same name there.
"""

from __future__ import annotations

from collections.abc import Sequence
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


class Renderer:
    """Renders partials with one environment, compiled once and reused across builds."""

    def __init__(self, dirs: Sequence[str], locale: Locale, tz: tzinfo, date_format: str) -> None:
        self.key = (tuple(dirs), str(locale), str(tz), date_format)
        self.locale = locale
        self.tz = tz
        self.date_format = date_format
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(list(dirs)),
            autoescape=True,
            auto_reload=True,
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

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(f"{TEMPLATE_FOLDER}/{template}").render(**context)

    def header(self, essay: Essay, *, title: str | None, labels: dict[str, str], **extra: Any) -> str:
        return self.render("header.html", essay=essay, title=title, labels=labels, **extra)
