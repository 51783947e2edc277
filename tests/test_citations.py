"""Citations in the text, [@key] and [@a; @b], on real builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import build_site

BIB = r"""
@article{alpha, author = {Able, Ann}, title = {Alpha}, year = 2001, url = {https://a.org}}
@article{beta, author = {Baker, Bob}, title = {Beta}, year = 2002, url = {https://b.org}}
@article{gamma, author = {Cole, Cy}, title = {Gamma}, year = 2003, url = {https://c.org}}
"""

PLUGIN = {"bibliography_files": ["refs.bib"]}


def build(tmp_path: Path, body: str, front: str = "", *, theme="mkdocs", strict=False, plugin=None, **kw):
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    page = f"---\n{front}---\n\n# Essay\n\n{body}" if front else f"# Essay\n\n{body}"
    return build_site(tmp_path, {"index.md": page}, theme=theme, strict=strict, plugin=plugin or PLUGIN, **kw)


def entries(soup):
    return [(li["id"], li.select_one("cite").get_text()) for li in soup.select("li.essay-meta-ref")]


def cites(soup):
    return [[(a.get_text(), a["href"], a["id"]) for a in span.select("a")] for span in soup.select(".essay-meta-cite")]


def test_single_multiple_and_repeated_citations(tmp_path: Path, theme: str) -> None:
    body = "First [@beta]. Then [@alpha; @beta]. Again [@beta].\n"
    site = build(tmp_path, body, theme=theme, strict=True)
    soup = site.soup("index.html")
    assert cites(soup) == [
        [("1", "#essay-meta-ref-1", "essay-meta-cite-1-1")],
        [("2", "#essay-meta-ref-2", "essay-meta-cite-2-1"), ("1", "#essay-meta-ref-1", "essay-meta-cite-1-2")],
        [("1", "#essay-meta-ref-1", "essay-meta-cite-1-3")],
    ]
    assert [s.get_text() for s in soup.select(".essay-meta-cite")] == ["[1]", "[2, 1]", "[1]"]
    # Cited keys are pulled from the shared file, numbered by first citation.
    assert entries(soup) == [("essay-meta-ref-1", "Beta"), ("essay-meta-ref-2", "Alpha")]
    # Each entry links back to every place it was cited, and those places exist.
    beta = soup.find(id="essay-meta-ref-1")
    backlinks = [a["href"] for a in beta.select("a.essay-meta-ref__backlink")]
    assert backlinks == ["#essay-meta-cite-1-1", "#essay-meta-cite-1-2", "#essay-meta-cite-1-3"]
    assert all(soup.find(id=href[1:]) is not None for href in backlinks)
    # The section is in the table of contents (a page without front matter too).
    assert any(a.get_text(strip=True) == "Bibliography" for a in soup.select('a[href="#bibliography"]')
               if not a.find_parent("h2"))


def test_numbering_cited_first_then_front_matter_order(tmp_path: Path) -> None:
    front = "bibliography:\n  - title: Uncited\n  - '@gamma'\n  - key: local\n    title: Local\n"
    site = build(tmp_path, "See [@local] and [@alpha].\n", front, strict=True)
    soup = site.soup("index.html")
    assert [t for _, t in entries(soup)] == ["Local", "Alpha", "Uncited", "Gamma"]
    assert [s.get_text() for s in soup.select(".essay-meta-cite")] == ["[1]", "[2]"]


def test_an_overridden_citation_template_is_rendered_for_each_citation(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides" / "essay-meta"
    overrides.mkdir(parents=True)
    # Not a template that prints the values as they are: it is called for every citation.
    (overrides / "citation.html").write_text(
        '{% macro citation(items, labels) %}<sup class="mine">{% for item in items %}{{ item.key | upper }}'
        '{% if item.entry %}:{{ item.entry.number * 10 }}{% endif %}{% endfor %}</sup>{% endmacro %}',
        encoding="utf-8")
    site = build(tmp_path, "First [@beta]. Then [@alpha; @nope]. Again [@beta].\n",
                 theme={"name": "mkdocs", "custom_dir": "overrides"})
    assert [s.get_text() for s in site.soup("index.html").select("sup.mine")] == ["BETA:10", "ALPHA:20NOPE", "BETA:10"]


def test_unknown_key_is_a_warning_and_stays_visible(tmp_path: Path) -> None:
    site = build(tmp_path, "Known [@alpha; @nope] and [@nope].\n")
    [warning] = site.plugin_warnings()
    assert "index.md" in warning and "'nope'" in warning and "refs.bib" in warning
    soup = site.soup("index.html")
    assert [s.get_text() for s in soup.select(".essay-meta-cite")] == ["[1, @nope]", "[@nope]"]
    assert entries(soup) == [("essay-meta-ref-1", "Alpha")]
    with pytest.raises(Abort):
        build_site(tmp_path, strict=True)


def test_at_signs_in_code_and_mail_are_left_alone(tmp_path: Path) -> None:
    body = (
        "Write to me@example.org or [alpha@example.org](mailto:alpha@example.org), ping @beta.\n\n"
        "Inline `[@alpha]` and ``x [@beta] y``.\n\n"
        "```python\n@decorator\ndef f(): return '[@alpha]'\n```\n\n"
        "    [@gamma] indented code\n\n"
        "<!-- [@gamma] in a comment -->\n\n"
        "Escaped \\[@alpha] and a link [@beta](https://b.example).\n\n"
        "Real one: [@gamma].\n"
    )
    site = build(tmp_path, body, strict=True)
    soup = site.soup("index.html")
    assert entries(soup) == [("essay-meta-ref-1", "Gamma")]
    assert len(soup.select(".essay-meta-cite")) == 1
    codes = [c.get_text() for c in soup.select("code")]
    assert "[@alpha]" in codes and "x [@beta] y" in codes
    assert any("@decorator" in c and "'[@alpha]'" in c for c in codes)
    assert any("[@gamma] indented code" in c for c in codes)
    text = soup.get_text()
    assert "me@example.org" in text and "ping @beta" in text and "Escaped [@alpha]" in text
    assert soup.find("a", href="https://b.example").get_text() == "@beta"
    assert soup.find("a", href="mailto:alpha@example.org") is not None


def test_user_footnotes_are_untouched(tmp_path: Path) -> None:
    body = "A claim[^1] with a source [@alpha] and another note[^note].\n\n[^1]: My own note.\n[^note]: Second.\n"
    site = build(tmp_path, body, strict=True, extra={"markdown_extensions": ["footnotes"]})
    soup = site.soup("index.html")
    refs = soup.select("sup[id^=fnref]")
    assert [s.get_text() for s in refs] == ["1", "2"]
    notes = soup.select(".footnote li")
    assert [n.get_text(" ", strip=True).split(" ↩")[0] for n in notes] == ["My own note.", "Second."]
    assert [s.get_text() for s in soup.select(".essay-meta-cite")] == ["[1]"]
    assert entries(soup) == [("essay-meta-ref-1", "Alpha")]


def test_citations_off_leaves_the_text(tmp_path: Path) -> None:
    front = "bibliography:\n  - '@alpha'\n"
    site = build(tmp_path, "See [@beta].\n", front, plugin={**PLUGIN, "citations": False}, strict=True)
    soup = site.soup("index.html")
    assert soup.select(".essay-meta-cite") == [] and "See [@beta]." in soup.get_text()
    assert entries(soup) == [("essay-meta-ref-1", "Alpha")]


def test_citation_in_a_heading_and_a_list_item(tmp_path: Path) -> None:
    body = "## Results [@alpha]\n\n- item [@beta]\n- item\n\n    continued [@alpha]\n"
    site = build(tmp_path, body, strict=True)
    soup = site.soup("index.html")
    assert [s.get_text() for s in soup.select(".essay-meta-cite")] == ["[1]", "[2]", "[1]"]
    assert soup.select_one("h2 .essay-meta-cite") is not None
    assert soup.select_one("li .essay-meta-cite") is not None
