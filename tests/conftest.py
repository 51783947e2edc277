"""Shared helpers: build real MkDocs sites into tmp_path and read what a reader gets."""

from __future__ import annotations

import logging
import os
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_ESSAY = (FIXTURES / "sample-essay.md").read_text(encoding="utf-8")
THEMES = ("mkdocs", "readthedocs", "material")
SAMPLE_DUPLICATE = "not a duplicate of bibliography[0]"
"""The sample essay lists the same source twice; the plugin reports it (and shows both)."""


@pytest.fixture(autouse=True)
def fresh_plugin_instances() -> Iterator[None]:
    """Each test starts as a new process does. MkDocs keeps the instance of a plugin that
    defines on_startup for the whole process (for serve's rebuilds), so what one test told it
    (that it is serving, or building once) would otherwise reach the tests after it."""
    MkDocsConfig.plugins.plugin_cache.clear()
    yield


@dataclass
class Site:
    root: Path
    warnings: list[str] = field(default_factory=list)

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    def path(self, page: str) -> Path:
        return self.site_dir / page

    def exists(self, page: str) -> bool:
        return self.path(page).exists()

    def text(self, page: str) -> str:
        return self.path(page).read_text(encoding="utf-8")

    def soup(self, page: str) -> BeautifulSoup:
        return BeautifulSoup(self.text(page), "html.parser")

    def plugin_warnings(self) -> list[str]:
        return [w for w in self.warnings if "essay_meta" in w or "essay-meta" in w]

    def warnings_beside_the_samples_duplicate(self) -> list[str]:
        """The plugin's warnings, less the one the verbatim sample essay always gets."""
        return [w for w in self.plugin_warnings() if SAMPLE_DUPLICATE not in w]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


def write_site(root: Path, pages: dict[str, str], *, theme: str | dict[str, Any] = "mkdocs",
               plugin: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> Path:
    """Write docs/ and mkdocs.yml under ``root``; return the config file's path."""
    docs = root / "docs"
    for name, text in pages.items():
        target = docs / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text) if not text.startswith("---") else text, encoding="utf-8")
    config: dict[str, Any] = {
        "site_name": "Essays",
        "theme": theme if isinstance(theme, dict) else {"name": theme},
        "plugins": ["search", {"essay-meta": plugin or {}}],
    }
    if extra:
        config.update(extra)
    config_file = root / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return config_file


def build_site(root: Path, pages: dict[str, str] | None = None, *, strict: bool = False,
               serve: bool = False, dirty: bool = False, **kwargs: Any) -> Site:
    """Build the site under ``root`` (writing ``pages`` first, when given)."""
    config_file = root / "mkdocs.yml"
    if pages is not None:
        config_file = write_site(root, pages, **kwargs)
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(str(config_file), strict=strict, site_dir=str(root / "site"))
        build(config, serve_url="http://127.0.0.1:8000/" if serve else None, dirty=dirty)
    finally:
        logger.removeHandler(handler)
    return Site(root, handler.messages)


@pytest.fixture(params=THEMES)
def theme(request: pytest.FixtureRequest) -> str:
    return request.param
