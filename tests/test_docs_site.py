"""This project's own site (mkdocs.yml + docs/): it builds strictly, its demo essays use
every feature, and its reference pages cannot drift from the code."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from mkdocs.commands.build import build
from mkdocs.config import config_options
from mkdocs.config import load_config

from conftest import SAMPLE_ESSAY
from mkdocs_essay_meta import labels as labels_module
from mkdocs_essay_meta.plugin import EssayMetaConfig
from mkdocs_essay_meta.structure import dates
from mkdocs_essay_meta.structure.essay import DEFAULT_ALIASES, parse_essay
from mkdocs_essay_meta.structure.frontmatter import read_front_matter
from mkdocs_essay_meta.structure.problems import Problems
from mkdocs_essay_meta.structure.vocabulary import DEFAULT_SCALES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PARTIALS = ROOT / "mkdocs_essay_meta" / "templates" / "essay-meta"

OTHER_BRANCH_PAGES = ("bibliography.md", "listings.md", "performance.md", "robustness.md")
"""Written on other branches (bibliography, listings, benchmarks, robustness); listed in the nav."""

DRAFT_ESSAY = "essays/unsent-letter.md"
SCHEDULED_ESSAY = "essays/letter-to-a-later-reader.md"
HELD_BACK = (DRAFT_ESSAY, SCHEDULED_ESSAY)


def _strict_build(config_file: Path, site_dir: Path) -> None:
    config = load_config(str(config_file), strict=True, site_dir=str(site_dir))
    build(config)


def _section(markdown: str, heading: str) -> str:
    """The text under ``heading`` (a whole heading line) up to the next heading of any level."""
    lines = markdown.splitlines()
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("#")), len(lines))
    return "\n".join(lines[start:end])


def _table_rows(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    return [row for row in cells[2:]]  # without the header and the --- line


def _essay_sources() -> dict[str, dict[str, Any]]:
    """Every demo essay's front matter, by path under docs/."""
    found = {}
    for path in sorted((DOCS / "essays").rglob("*.md")):
        problems = Problems()
        front_matter = read_front_matter(path.read_text(encoding="utf-8"), problems)
        assert not problems, f"{path}: {problems}"
        found[path.relative_to(DOCS).as_posix()] = front_matter.data
    return found


# -- the build ---------------------------------------------------------------------------


def test_project_site_builds_strictly(tmp_path: Path) -> None:
    missing = [name for name in OTHER_BRANCH_PAGES if not (DOCS / name).exists()]
    if missing:
        pytest.skip(f"docs/{', docs/'.join(missing)} not merged yet (written on other branches); "
                    "test_site_builds_strictly_with_placeholders covers the rest")
    _strict_build(ROOT / "mkdocs.yml", tmp_path / "site")


def _copy_with_placeholders(root: Path) -> Path:
    """A copy of the project's site, with placeholders for the pages other branches write."""
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(DOCS, root / "docs")
    for name in OTHER_BRANCH_PAGES:
        page = root / "docs" / name
        if not page.exists():
            page.write_text(f"# {name[:-3].title()}\n\nPlaceholder.\n", encoding="utf-8")
    return root / "mkdocs.yml"


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project-site")
    _strict_build(_copy_with_placeholders(root), root / "site")
    return root / "site"


def _page(site: Path, src: str) -> BeautifulSoup:
    path = Path(src)
    folder = path.parent if path.name == "index.md" else path.with_suffix("")
    html = site / folder / "index.html"
    return BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")


def test_site_builds_strictly_with_placeholders(built_site: Path) -> None:
    assert (built_site / "index.html").exists()
    assert (built_site / "assets" / "essay-meta" / "essay-meta.css").exists()


def test_every_demo_essay_gets_a_header(built_site: Path) -> None:
    for src, meta in _essay_sources().items():
        if src in HELD_BACK:
            continue
        essay, _ = parse_essay(meta)
        soup = _page(built_site, src)
        header = soup.select_one("header.essay-meta")
        assert (header is not None) == essay.is_essay, f"{src}: header present={header is not None}"


@pytest.mark.parametrize("src", HELD_BACK)
def test_draft_and_scheduled_essays_are_left_out(built_site: Path, src: str) -> None:
    slug = Path(src).stem
    assert not (built_site / "essays" / slug).exists()
    search = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not any(slug in doc["location"] for doc in search["docs"])
    assert slug not in (built_site / "sitemap.xml").read_text(encoding="utf-8")
    for html in built_site.rglob("*.html"):
        links = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").select(f"a[href*='{slug}']")
        assert not links, f"{html.relative_to(built_site)} links to {src}"


def test_serve_shows_draft_and_scheduled_essays_with_a_banner(tmp_path: Path) -> None:
    config = load_config(str(_copy_with_placeholders(tmp_path)), site_dir=str(tmp_path / "site"))
    build(config, serve_url="http://127.0.0.1:8000/")
    for src, words in ((DRAFT_ESSAY, "Draft."), (SCHEDULED_ESSAY, "Scheduled.")):
        banner = _page(tmp_path / "site", src).select_one("header.essay-meta .essay-meta-draft")
        assert banner is not None and words in banner.get_text(), src


def test_demo_essays_exercise_every_feature(built_site: Path) -> None:
    shown: dict[str, set[str]] = {"status": set(), "certainty": set(), "importance": set()}
    featured, incomplete, with_mapping, with_bibliography = [], [], [], []
    for src, meta in _essay_sources().items():
        if src in HELD_BACK:
            continue
        header = _page(built_site, src).select_one("header.essay-meta")
        if header is None:
            continue
        for scale in shown:
            value = header.select_one(f".essay-meta-badge--{scale} .essay-meta-badge__value")
            if value is not None:
                shown[scale].add(value.get_text())
        essay, _ = parse_essay(meta)
        if essay.featured:
            featured.append(src)
        if header.select_one(".essay-meta-notice") is not None:
            incomplete.append(src)
        if isinstance(meta.get("status"), dict) and isinstance(meta.get("certainty"), dict):
            with_mapping.append(src)
        entries = meta.get("bibliography") or []
        if any(isinstance(e, dict) and set(e) == {"title", "link"} for e in entries) and any(
                isinstance(e, dict) and {"authors", "doi"} <= set(e) for e in entries):
            with_bibliography.append(src)
    assert shown["status"] == set(DEFAULT_SCALES["status"].labels()), "a status is not shown by any demo essay"
    assert shown["certainty"] == set(DEFAULT_SCALES["certainty"].labels()), "a certainty word is missing"
    assert len(shown["importance"]) >= 5
    assert len(featured) >= 3, featured
    assert incomplete and with_mapping and with_bibliography


def test_demo_prose_is_our_own() -> None:
    body = SAMPLE_ESSAY.split("\n---\n", 1)[1]
    sentences = {s.strip() for s in re.split(r"(?<=[.!?])\s+", body) if len(s.strip()) > 50}
    for path in DOCS.rglob("*.md"):
        text = " ".join(path.read_text(encoding="utf-8").split())
        copied = [s for s in sentences if " ".join(s.split()) in text]
        assert not copied, f"{path} copies the sample essay: {copied[0][:60]}…"


# -- reference pages that must match the code ---------------------------------------------


@pytest.mark.parametrize("scale", list(DEFAULT_SCALES))
def test_front_matter_vocabulary_table_matches_the_code(scale: str) -> None:
    markdown = (DOCS / "front-matter.md").read_text(encoding="utf-8")
    documented = _table_rows(_section(markdown, f"### {DEFAULT_SCALES[scale].label}"))
    expected = [[t.label, "—" if t.percentage is None else f"{t.percentage}%", t.description]
                for t in DEFAULT_SCALES[scale].terms]
    assert documented == expected, f"docs/front-matter.md's {scale} table differs from vocabulary.py"


def test_front_matter_aliases_table_matches_the_code() -> None:
    markdown = (DOCS / "front-matter.md").read_text(encoding="utf-8")
    rows = _table_rows(_section(markdown, "## Aliases"))
    assert {a.strip("`"): f.strip("`") for a, f in rows} == DEFAULT_ALIASES


def test_front_matter_date_forms_are_all_read() -> None:
    markdown = (DOCS / "front-matter.md").read_text(encoding="utf-8")
    rows = _table_rows(_section(markdown, "## Dates"))
    assert len(rows) >= 6
    for written, _, _ in rows:
        for form in re.findall(r"`([^`]+)`", written):
            value = yaml.safe_load(f"d: {form}")["d"]
            assert dates.parse_date(value) is not None, f"documented date form {form!r} is not read"


def test_front_matter_documents_every_field() -> None:
    from mkdocs_essay_meta.structure.essay import FIELDS

    markdown = (DOCS / "front-matter.md").read_text(encoding="utf-8")
    documented = {row[0].strip("`") for row in _table_rows(_section(markdown, "## Fields"))}
    assert documented == set(FIELDS)


def _config_sections() -> dict[str, str]:
    markdown = (DOCS / "configuration.md").read_text(encoding="utf-8")
    names = re.findall(r"^### `([a-z_]+)`$", markdown, flags=re.MULTILINE)
    return {name: _section(markdown, f"### `{name}`") for name in names}


def test_configuration_documents_every_option_and_nothing_else() -> None:
    options = [name for name, _ in EssayMetaConfig._schema]
    documented = list(_config_sections())
    assert sorted(set(options) - set(documented)) == [], \
        "options missing from docs/configuration.md (add a '### `name`' section with 'Default: `...`')"
    assert sorted(set(documented) - set(options)) == [], "docs/configuration.md documents options the plugin lacks"


@pytest.mark.parametrize("option", [name for name, _ in EssayMetaConfig._schema])
def test_configuration_states_each_default(option: str) -> None:
    section = _config_sections().get(option)
    if section is None:
        pytest.fail(f"docs/configuration.md has no '### `{option}`' section")
    setting = dict(EssayMetaConfig._schema)[option]
    if isinstance(setting, config_options.SubConfig):
        # A group of options (such as `featured:`): its section names every one of them.
        for name, _ in setting.config_class._schema:
            assert f"`{name}`" in section or f"`{option}.{name}`" in section, \
                f"the {option} section does not mention its option `{name}`"
        return
    match = re.search(r"^Default: `(.*)`$", section, flags=re.MULTILINE)
    assert match, f"the {option} section has no 'Default: `...`' line"
    assert yaml.safe_load(match.group(1)) == setting.default, f"{option}: documented default differs from the code"


def test_configuration_lists_every_label() -> None:
    section = _config_sections()["labels"]
    documented = {row[0].strip("`") for row in _table_rows(section)}
    assert documented == set(labels_module.ENGLISH)


def test_templates_page_mentions_every_partial_and_no_other() -> None:
    markdown = (DOCS / "templates.md").read_text(encoding="utf-8")
    partials = {p.name for p in PARTIALS.glob("*.html")}
    mentioned = set(re.findall(r"essay-meta/([a-z0-9_-]+\.html)", markdown))
    assert partials - mentioned == set(), "partials not described in docs/templates.md"
    assert mentioned - partials == set(), "docs/templates.md describes partials that do not exist"
