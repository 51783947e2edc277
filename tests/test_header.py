"""The essay header on real builds of the sample essay, on every supported theme."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

import mkdocs_essay_meta

from conftest import SAMPLE_ESSAY, build_site


def header_of(site, page="index.html"):
    soup = site.soup(page)
    header = soup.select_one("header.essay-meta")
    assert header is not None, "no essay header on the page"
    return soup, header


def badge(header, scale):
    el = header.select_one(f".essay-meta-badge--{scale}")
    assert el is not None, f"no {scale} badge"
    return el


def test_sample_essay_header(tmp_path: Path, theme: str) -> None:
    site = build_site(tmp_path, {"index.md": SAMPLE_ESSAY, "other.md": "# Other\n"}, theme=theme)
    # The sample lists the same source twice: that one duplicate warning is expected, no other.
    assert [w for w in site.plugin_warnings() if "duplicate of bibliography[0]" not in w] == []
    soup, header = header_of(site)

    status = badge(header, "status")
    assert status.select_one(".essay-meta-badge__value").get_text() == "In Progress"
    assert status.select_one(".essay-meta-badge__percentage").get_text() == "65%"
    certainty = badge(header, "certainty")
    assert certainty.select_one(".essay-meta-badge__value").get_text() == "Possible"
    assert certainty.select_one(".essay-meta-badge__percentage").get_text() == "60%"
    importance = badge(header, "importance")
    assert importance.select_one(".essay-meta-badge__value").get_text() == "8 of 10"

    # Each badge explains its scale to screen readers, not by colour alone.
    for el in (status, certainty, importance):
        tip = soup.find(id=el["aria-describedby"])
        assert tip is not None and len(tip.get_text(strip=True)) > 20
        assert el.get("tabindex") == "0"

    assert header.select_one(".essay-meta-notice") is not None
    times = [t["datetime"] for t in header.select("time")]
    assert times == ["2024-03-01T05:00:00+00:00", "2024-03-24T05:00:00+00:00"]
    assert "March 1, 2024" in header.get_text()
    assert [li.get_text() for li in header.select(".essay-meta__tag")] == ["AI", "LLM", "Machine Learning", "Future Tech"]
    assert [li.get_text() for li in header.select(".essay-meta__category")] == ["Artificial Intelligence"]

    # The sample has no leading # heading: the header supplies the page's h1.
    h1 = soup.select("h1")
    assert h1[0].get_text(strip=True) == "The Future of Large Language Models: Trends and Predictions"
    assert "essay-meta__title" in h1[0]["class"]

    description = soup.find("meta", attrs={"name": "description"})
    assert description["content"] == "An exploration of emerging trends and future predictions in Large Language Model development"
    assert len(soup.find_all("meta", attrs={"name": "description"})) == 1

    # Nothing of the status mapping leaks into the page (navigation included).
    html = site.text("index.html") + site.text("other/index.html")
    assert "'value'" not in html and "&#39;value&#39;" not in html and "percentage&#39;" not in html
    assert "md-status--{" not in html


def test_meta_title_becomes_html_title(tmp_path: Path, theme: str) -> None:
    page = SAMPLE_ESSAY.replace('meta_title: ""', 'meta_title: "LLM futures <2024> & beyond"')
    site = build_site(tmp_path, {"index.md": "# Home\n", "essay.md": page}, theme=theme)
    soup = site.soup("essay/index.html")
    assert soup.title.get_text() == "LLM futures <2024> & beyond"
    assert "&lt;2024&gt; &amp; beyond</title>" in site.text("essay/index.html")


def test_empty_meta_title_keeps_theme_title(tmp_path: Path, theme: str) -> None:
    site = build_site(tmp_path, {"index.md": "# Home\n", "essay.md": SAMPLE_ESSAY}, theme=theme)
    assert "The Future of Large Language Models" in site.soup("essay/index.html").title.get_text()


def test_leading_heading_is_kept_and_header_follows_it(tmp_path: Path, theme: str) -> None:
    page = "---\nstatus: finished\n---\n\n# My own title\n\nBody text.\n"
    site = build_site(tmp_path, {"index.md": page}, theme=theme)
    soup, header = header_of(site)
    assert [h.get_text(strip=True) for h in soup.select("h1")] == ["My own title"]
    assert header.select_one(".essay-meta__title") is None
    first_h1 = soup.select_one("h1")
    assert first_h1.find_next("header") is header


def test_pages_without_essay_metadata_are_untouched(tmp_path: Path, theme: str) -> None:
    site = build_site(tmp_path, {"index.md": "---\ntitle: Plain\ntags: [a]\n---\n\n# Plain\n\nText.\n"}, theme=theme)
    assert site.soup("index.html").select_one(".essay-meta") is None


def test_default_percentages_fill_in(tmp_path: Path) -> None:
    page = "---\nstatus: finished\ncertainty: highly-likely\nimportance: 3\n---\n\nBody.\n"
    site = build_site(tmp_path, {"index.md": page})
    _, header = header_of(site)
    assert badge(header, "status").select_one(".essay-meta-badge__percentage").get_text() == "100%"
    assert badge(header, "certainty").select_one(".essay-meta-badge__value").get_text() == "Highly Likely"
    assert badge(header, "certainty").select_one(".essay-meta-badge__percentage").get_text() == "78%"
    assert "default" in badge(header, "certainty").select_one(".essay-meta-badge__explanation").get_text()
    assert badge(header, "importance").select_one(".essay-meta-meter__fill")["style"] == "width: 30%"


def test_non_probabilistic_certainty_has_no_meter(tmp_path: Path) -> None:
    site = build_site(tmp_path, {"index.md": "---\ncertainty: fiction\n---\n\nOnce upon a time.\n"})
    _, header = header_of(site)
    el = badge(header, "certainty")
    assert el.select_one(".essay-meta-meter") is None
    assert el.select_one(".essay-meta-badge__percentage") is None


def test_complete_essay_has_no_notice(tmp_path: Path) -> None:
    page = SAMPLE_ESSAY.replace("is_post_complete: false", "is_post_complete: true")
    _, header = header_of(build_site(tmp_path, {"index.md": page}))
    assert header.select_one(".essay-meta-notice") is None


def test_stylesheet_is_generated_and_loaded_before_user_css(tmp_path: Path, theme: str) -> None:
    site = build_site(tmp_path, {"index.md": SAMPLE_ESSAY, "mine.css": "p{}"}, theme=theme,
                      extra={"extra_css": ["mine.css"]})
    assert site.exists("assets/essay-meta/essay-meta.css")
    links = [link["href"] for link in site.soup("index.html").select("link[rel=stylesheet]")]
    ours = next(i for i, href in enumerate(links) if "essay-meta.css" in href)
    mine = next(i for i, href in enumerate(links) if "mine.css" in href)
    assert ours < mine


def test_the_script_that_lets_escape_dismiss_explanations_is_loaded_once(tmp_path: Path, theme: str) -> None:
    site = build_site(tmp_path, {"index.md": SAMPLE_ESSAY, "mine.js": "/**/"}, theme=theme,
                      extra={"extra_javascript": ["mine.js"]})
    scripts = [s["src"] for s in site.soup("index.html").select("script[src]")]
    assert [src for src in scripts if "essay-meta" in src] == ["assets/essay-meta/essay-meta.js"]
    assert "mine.js" in scripts
    packaged = Path(mkdocs_essay_meta.__file__).parent / "assets" / "essay-meta.js"
    assert site.text("assets/essay-meta/essay-meta.js") == packaged.read_text(encoding="utf-8")
    assert "essay-meta-badge--dismissed" in site.text("assets/essay-meta/essay-meta.css")


def test_dates_are_localised_to_theme_language(tmp_path: Path) -> None:
    site = build_site(tmp_path, {"index.md": SAMPLE_ESSAY}, theme={"name": "material", "language": "de"})
    _, header = header_of(site)
    text = header.get_text()
    assert "1. März 2024" in text and "Veröffentlicht" in text


def test_strict_build_fails_on_bad_value_but_plain_build_keeps_the_rest(tmp_path: Path) -> None:
    page = SAMPLE_ESSAY.replace("value: Possible", "value: Posible")
    site = build_site(tmp_path, {"index.md": page})
    [warning] = [w for w in site.plugin_warnings() if "duplicate of bibliography[0]" not in w]  # the sample's own
    assert "index.md" in warning and "certainty" in warning and "'Posible'" in warning and "Possible" in warning
    _, header = header_of(site)
    assert header.select_one(".essay-meta-badge--certainty") is None
    assert header.select_one(".essay-meta-badge--status") is not None
    with pytest.raises(Abort):
        build_site(tmp_path, strict=True)


def test_exactly_one_title_when_the_page_has_no_heading(tmp_path: Path, theme: str) -> None:
    page = "---\ntitle: Only once\nstatus: notes\n---\n\nNo heading at all in this body.\n"
    soup = build_site(tmp_path, {"index.md": page}, theme=theme).soup("index.html")
    titles = [h.get_text(strip=True) for h in soup.select("h1")]
    assert titles == ["Only once"]
