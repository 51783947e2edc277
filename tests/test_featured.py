"""The featured-essays index on the home page, on real builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import SAMPLE_ESSAY, build_site

SAMPLE_TITLE = "The Future of Large Language Models: Trends and Predictions"
SAMPLE_EXCERPT = "This essay explores the current trajectory of Large Language Models (LLMs)"
HOME = "# Welcome\n\nA garden of essays.\n\nThe last paragraph of the home page.\n"


def essay(title: str, date: str, *, featured: bool = True, extra: str = "", body: str = "Body text.") -> str:
    return (f"---\ntitle: {title}\npublishdate: {date}\nstatus: finished\n"
            f"homepage_featured: {str(featured).lower()}\n{extra}---\n\n{body}\n")


def featured_section(site, page="index.html"):
    sections = site.soup(page).select("section.essay-meta-featured")
    assert len(sections) == 1, f"expected one featured section, found {len(sections)}"
    return sections[0]


def card_titles(section) -> list[str]:
    return [a.get_text(strip=True) for a in section.select(".essay-meta-card__title a, tbody th a")]


def test_home_page_shows_the_sample_essay_card(tmp_path: Path, theme: str) -> None:
    site = build_site(tmp_path, {"index.md": HOME, "essays/llm.md": SAMPLE_ESSAY}, theme=theme, strict=True)
    section = featured_section(site)
    assert section.select_one("h2").get_text(strip=True) == "Featured essays"
    [card] = section.select("article.essay-meta-card")
    link = card.select_one(".essay-meta-card__title a")
    assert link.get_text(strip=True) == SAMPLE_TITLE
    assert link["href"] == "essays/llm/"
    assert card.select_one(".essay-meta-card__excerpt").get_text().startswith(SAMPLE_EXCERPT)
    assert [b.select_one(".essay-meta-badge__value").get_text() for b in card.select(".essay-meta-badge")] == [
        "In Progress", "Possible", "8 of 10"]
    assert [t["datetime"] for t in card.select("time")] == ["2024-03-01T05:00:00+00:00", "2024-03-24T05:00:00+00:00"]
    assert [t.get_text() for t in card.select(".essay-meta-card__tags li")] == ["AI", "LLM", "Machine Learning", "Future Tech"]
    # By default the section comes after everything the author wrote.
    text = site.soup("index.html").get_text()
    assert text.index("The last paragraph of the home page.") < text.index("Featured essays")
    # Only the home page gets it.
    assert not site.soup("essays/llm/index.html").select("section.essay-meta-featured")


def test_newest_first_and_only_featured_essays(tmp_path: Path) -> None:
    site = build_site(tmp_path, {
        "index.md": HOME,
        "old.md": essay("Old", "2020-01-01"),
        "new.md": essay("New", "2024-05-01"),
        "mid.md": essay("Mid", "2022-02-02"),
        "plain.md": essay("Not featured", "2025-01-01", featured=False),
        "page.md": "# Not an essay\n",
    }, strict=True)
    assert card_titles(featured_section(site)) == ["New", "Mid", "Old"]


def test_first_paragraph_is_the_excerpt_when_front_matter_has_none(tmp_path: Path) -> None:
    body = "# Heading\n\nFirst *real* paragraph & more[^1].\n\nSecond.\n\n[^1]: A note.\n"
    site = build_site(tmp_path, {"index.md": HOME, "e.md": essay("E", "2024-01-01", body=body)},
                      extra={"markdown_extensions": ["footnotes"]})
    excerpt = featured_section(site).select_one(".essay-meta-card__excerpt").get_text()
    assert excerpt == "First real paragraph & more."


def test_description_is_the_excerpt_when_there_is_no_excerpt(tmp_path: Path) -> None:
    page = essay("E", "2024-01-01", extra="description: Short <b>summary</b>\n", body="Body.")
    site = build_site(tmp_path, {"index.md": HOME, "e.md": page})
    excerpt = featured_section(site).select_one(".essay-meta-card__excerpt")
    assert excerpt.get_text() == "Short <b>summary</b>" and excerpt.find("b") is None


def test_position_top_heading_limit_and_table(tmp_path: Path) -> None:
    pages = {"index.md": HOME, **{f"e{i}.md": essay(f"E{i}", f"2024-01-0{i}") for i in range(1, 5)}}
    site = build_site(tmp_path, pages, plugin={"featured": {"position": "top", "heading": "Start here",
                                                            "limit": 2, "layout": "table"}})
    soup = site.soup("index.html")
    [section] = soup.select("section.essay-meta-featured")
    assert section.select_one("h2").get_text() == "Start here"
    assert card_titles(section) == ["E4", "E3"]
    assert section.select_one("table") is not None
    # Top: right after the page's own heading, before its first paragraph.
    h1 = soup.find("h1", string="Welcome")
    assert h1.find_next("section") is section
    assert section.find_next("p", string="A garden of essays.") is not None


def test_top_without_leading_heading(tmp_path: Path) -> None:
    site = build_site(tmp_path, {"index.md": "Intro text.\n", "e.md": essay("E", "2024-01-01")},
                      plugin={"featured": {"position": "top"}})
    section = featured_section(site)
    assert section.find_next("p", string="Intro text.") is not None


def test_switched_off(tmp_path: Path) -> None:
    site = build_site(tmp_path, {"index.md": HOME, "e.md": essay("E", "2024-01-01")},
                      plugin={"featured": {"enabled": False}})
    assert not site.soup("index.html").select(".essay-meta-listing")


def test_no_featured_essays_no_section(tmp_path: Path) -> None:
    site = build_site(tmp_path, {"index.md": HOME, "e.md": essay("E", "2024-01-01", featured=False)})
    assert not site.soup("index.html").select(".essay-meta-listing")


@pytest.mark.parametrize("marker", ["<!-- essay-meta:featured -->", "<!-- essay-meta:listing featured=true limit=1 -->"])
def test_marker_places_it_and_stops_the_automatic_one(tmp_path: Path, marker: str) -> None:
    home = f"# Welcome\n\nBefore.\n\n{marker}\n\nAfter.\n"
    site = build_site(tmp_path, {"index.md": home, "e.md": essay("E", "2024-01-01")}, strict=True)
    soup = site.soup("index.html")
    [listing] = soup.select("section.essay-meta-listing")
    assert card_titles(listing) == ["E"]
    assert listing.find_previous_sibling("p").get_text() == "Before."
    assert listing.find_next_sibling("p").get_text() == "After."


def test_featured_marker_uses_the_featured_options(tmp_path: Path) -> None:
    pages = {"index.md": HOME, "other.md": "# Other\n\n<!-- essay-meta:featured limit=1 -->\n",
             "a.md": essay("A", "2024-01-01"), "b.md": essay("B", "2024-02-01")}
    site = build_site(tmp_path, pages, plugin={"featured": {"heading": "Picks"}})
    section = featured_section(site, "other/index.html")
    assert section.select_one("h2").get_text() == "Picks" and card_titles(section) == ["B"]
    assert card_titles(featured_section(site)) == ["B", "A"]


def test_drafts_and_scheduled_essays_never_featured(tmp_path: Path) -> None:
    pages = {"index.md": HOME, "ok.md": essay("Published", "2024-01-01"),
             "draft.md": essay("Draft one", "2024-02-01", extra="draft: true\n"),
             "later.md": essay("Scheduled one", "2999-01-01")}
    for serve in (False, True):
        site = build_site(tmp_path, pages, serve=serve)
        assert card_titles(featured_section(site)) == ["Published"]
        assert "Draft one" not in site.text("index.html") and "Scheduled one" not in site.text("index.html")


def test_home_page_in_german(tmp_path: Path) -> None:
    site = build_site(tmp_path, {"index.md": HOME, "e.md": SAMPLE_ESSAY},
                      theme={"name": "material", "language": "de"})
    section = featured_section(site)
    assert section.select_one("h2").get_text() == "Ausgewählte Essays"
    assert "1. März 2024" in section.get_text()


def test_bad_limit_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(Abort):
        build_site(tmp_path, {"index.md": HOME}, plugin={"featured": {"limit": 0}})
