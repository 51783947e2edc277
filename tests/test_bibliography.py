"""The references section on real builds: entry shapes, shared files, links, escaping, warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import SAMPLE_ESSAY, build_site

BIB = r"""
@article{vaswani2017,
  author = {Vaswani, Ashish and Shazeer, Noam and others},
  title = {Attention Is All You Need},
  journal = {Advances in Neural Information Processing Systems},
  year = {2017}, volume = {30}, pages = {5998--6008},
  doi = {10.48550/arXiv.1706.03762},
}
@misc{evil,
  title = {Evil {<script>alert(1)</script>}},
  url = {javascript:alert(1)},
}
"""

CSL = [{
    "id": "lecun2015", "type": "article-journal", "title": "Deep learning",
    "author": [{"family": "LeCun", "given": "Yann"}, {"family": "Bengio", "given": "Yoshua"}],
    "issued": {"date-parts": [[2015]]}, "container-title": "Nature", "volume": "521",
    "page": "436-444", "DOI": "10.1038/nature14539",
}]


def references(site, page="index.html"):
    soup = site.soup(page)
    section = soup.select_one(".essay-meta-bibliography")
    assert section is not None, "no references section"
    return soup, section.select("li.essay-meta-ref")


def essay(bibliography: str, body: str = "Some text.\n") -> str:
    return f"---\nstatus: draft\ndraft: false\nbibliography:\n{bibliography}---\n\n# Essay\n\n{body}"


def test_sample_essay_lists_its_two_sources_on_every_theme(tmp_path: Path, theme: str) -> None:
    site = build_site(tmp_path, {"index.md": SAMPLE_ESSAY}, theme=theme)
    soup, entries = references(site)
    assert len(entries) == 2
    for entry in entries:
        [link] = entry.select("a")
        assert link["href"] == "https://www.example.com"
        assert link.get_text() == "Title of the Source"
    heading = soup.find(id="bibliography")
    assert heading.name == "h2" and heading.get_text(strip=True) == "Bibliography"
    assert heading.find_next("div", class_="essay-meta-bibliography") is entries[0].find_parent("div")
    # The heading is in the theme's table of contents.
    toc_links = [a for a in soup.select('a[href="#bibliography"]') if not a.find_parent("h2")]
    assert toc_links and all(a.get_text(strip=True) == "Bibliography" for a in toc_links)
    # The sample's two entries are the same source: reported, both still shown.
    [warning] = site.plugin_warnings()
    assert "index.md" in warning and "bibliography[1]" in warning and "duplicate" in warning


def test_heading_is_translated_and_configurable(tmp_path: Path) -> None:
    page = essay('  - title: A\n    link: https://a.org\n')
    site = build_site(tmp_path, {"index.md": page}, theme={"name": "mkdocs", "language": "de"})
    assert site.soup("index.html").find(id="literatur").get_text() == "Literatur"
    site = build_site(tmp_path, {"index.md": page}, plugin={"labels": {"bibliography": "Sources & <notes>"}})
    heading = site.soup("index.html").find("h2", string="Sources & <notes>")
    assert heading is not None
    assert "Sources &amp; &lt;notes&gt;" in site.text("index.html")


def test_every_entry_shape_renders_readably(tmp_path: Path) -> None:
    page = essay(
        '  - title: "Title of the Source"\n    link: https://www.example.com\n'
        '  - "Plain words, as written"\n'
        '  - authors: [Ada Lovelace, Charles Babbage]\n    year: 1843\n    title: Notes\n'
        '    journal: Scientific Memoirs\n    volume: 3\n    pages: 666-731\n'
        '    doi: 10.1000/182\n    accessed: 2024-03-01\n    note: Translated from the French.\n'
        '  - author: Jane Doe\n    date: 2020-05-01\n    title: A Book?\n    publisher: Press\n'
        '  - "@vaswani2017"\n'
        '  - key: lecun2015\n'
    )
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "refs.json").write_text(json.dumps(CSL), encoding="utf-8")
    site = build_site(tmp_path, {"index.md": page}, plugin={"bibliography_files": ["refs.bib", "refs.json"]},
                      strict=True)
    _, entries = references(site)
    texts = [" ".join(e.get_text(" ", strip=True).split()) for e in entries]
    assert texts[0] == "Title of the Source ."
    assert texts[1] == "Plain words, as written"
    assert texts[2] == ("Ada Lovelace & Charles Babbage (1843) . Notes . Scientific Memoirs 3: 666-731 . "
                        "doi:10.1000/182 . Accessed 2024-03-01 . Translated from the French.")
    assert texts[3] == "Jane Doe (2020-05-01) . A Book? Press ."
    assert texts[4].startswith("Ashish Vaswani, Noam Shazeer et al. (2017) . Attention Is All You Need .")
    assert texts[5].startswith("Yann LeCun & Yoshua Bengio (2015) . Deep learning . Nature 521: 436–444")
    assert entries[2].select_one("cite a")["href"] == "https://doi.org/10.1000/182"
    assert entries[2].select_one("a.essay-meta-ref__doi")["href"] == "https://doi.org/10.1000/182"
    assert entries[3].select_one("cite a") is None  # nothing to link to
    assert entries[4].select_one("cite a")["href"] == "https://doi.org/10.48550/arXiv.1706.03762"
    assert entries[5].select_one("cite a")["href"] == "https://doi.org/10.1038/nature14539"
    assert [e["id"] for e in entries] == [f"essay-meta-ref-{n}" for n in range(1, 7)]


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "JAVASCRIPT&#58;x"])
def test_unsafe_links_are_dropped_with_a_warning(tmp_path: Path, link: str) -> None:
    page = essay(f'  - title: Kept as text\n    link: "{link}"\n')
    site = build_site(tmp_path, {"index.md": page})
    _, [entry] = references(site)
    assert entry.get_text(strip=True).startswith("Kept as text")
    assert entry.select("a") == []
    [warning] = site.plugin_warnings()
    assert "index.md" in warning and "bibliography[0].link" in warning and "http" in warning
    assert 'href="' + link not in site.text("index.html")


def test_unsafe_link_in_a_shared_file_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    site = build_site(tmp_path, {"index.md": essay('  - "@evil"\n')}, plugin={"bibliography_files": ["refs.bib"]})
    soup, [entry] = references(site)
    assert entry.select("a") == [] and "Evil <script>alert(1)</script>" in entry.get_text()
    assert soup.select(".essay-meta-bibliography script") == []
    [warning] = site.plugin_warnings()
    assert "refs.bib" in warning and "evil" in warning and "javascript:alert(1)" in warning


def test_text_is_escaped(tmp_path: Path) -> None:
    page = essay(
        '  - "<img src=x onerror=alert(1)> & co"\n'
        '  - title: "<b>bold</b> \\"quoted\\""\n    link: "https://x.org/?a=1&b=\\"2\\"><script>"\n'
        '    authors: ["<i>Eve</i>"]\n    note: "</li></ol><script>alert(2)</script>"\n'
    )
    site = build_site(tmp_path, {"index.md": page}, strict=True)
    soup, entries = references(site)
    assert len(entries) == 2
    assert entries[0].get_text(strip=True) == "<img src=x onerror=alert(1)> & co"
    assert soup.select(".essay-meta-bibliography img, .essay-meta-bibliography b, .essay-meta-bibliography i") == []
    assert soup.select(".essay-meta-bibliography script") == []
    assert "<script>alert(2)" not in site.text("index.html")
    assert entries[1].select_one("cite a")["href"] == 'https://x.org/?a=1&b="2"><script>'
    assert entries[1].select_one(".essay-meta-ref__note").get_text() == "</li></ol><script>alert(2)</script>"


def test_json_ld_lists_the_references_and_is_safe(tmp_path: Path, theme: str) -> None:
    page = essay('  - title: "</script><script>alert(1)</script>"\n    link: https://a.org\n'
                 '  - authors: [Ann]\n    title: B\n    doi: 10.1000/1\n')
    site = build_site(tmp_path, {"index.md": page}, theme=theme)
    html = site.text("index.html")
    assert html.count("</script><script>alert(1)") == 0
    [script] = site.soup("index.html").select('script[type="application/ld+json"]')
    data = json.loads(script.string)
    assert data["@context"] == "https://schema.org" and data["headline"] == "Essay"
    first, second = data["citation"]
    assert first == {"@type": "CreativeWork", "name": "</script><script>alert(1)</script>", "url": "https://a.org"}
    assert second["author"] == [{"@type": "Person", "name": "Ann"}]
    assert second["sameAs"] == "https://doi.org/10.1000/1"
    # Not in the search index: it is in the head, not in the page content.
    assert script.find_parent("head") is not None


def test_options_turn_parts_off(tmp_path: Path) -> None:
    page = essay('  - title: A\n    link: https://a.org\n')
    site = build_site(tmp_path, {"index.md": page}, plugin={"bibliography_json_ld": False})
    references(site)
    assert site.soup("index.html").select('script[type="application/ld+json"]') == []
    site = build_site(tmp_path, {"index.md": page}, plugin={"bibliography": False})
    soup = site.soup("index.html")
    assert soup.select_one(".essay-meta-bibliography") is None and soup.find(id="bibliography") is None


def test_partials_can_be_overridden(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides" / "essay-meta"
    overrides.mkdir(parents=True)
    (overrides / "bibliography-entry.html").write_text(
        '<span class="mine">{{ labels.accessed }}: {{ reference.title }}</span>', encoding="utf-8")
    page = essay('  - title: "A <b>"\n    link: https://a.org\n')
    site = build_site(tmp_path, {"index.md": page}, theme={"name": "mkdocs", "custom_dir": "overrides"})
    _, [entry] = references(site)
    assert entry.select_one("span.mine").get_text() == "Accessed: A <b>"


def test_an_entry_override_is_rendered_for_every_entry(tmp_path: Path) -> None:
    # The plugin's own bibliography-entry.html is rendered once per shape of entry; a user's
    # may do anything with the values, so it is rendered for each entry.
    overrides = tmp_path / "overrides" / "essay-meta"
    overrides.mkdir(parents=True)
    (overrides / "bibliography-entry.html").write_text(
        '<span class="mine">{{ reference.title | upper }} {{ reference.title | length }}'
        '{% if reference.title[-1:] == "?" %} asks{% endif %}</span>', encoding="utf-8")
    page = essay('  - title: "Why <b>?"\n  - title: Because\n  - title: "Why not?"\n')
    site = build_site(tmp_path, {"index.md": page}, theme={"name": "mkdocs", "custom_dir": "overrides"})
    _, entries = references(site)
    assert [str(entry.select_one("span.mine")) for entry in entries] == [
        '<span class="mine">WHY &lt;B&gt;? 8 asks</span>',
        '<span class="mine">BECAUSE 7</span>',
        '<span class="mine">WHY NOT? 8 asks</span>',
    ]


def test_a_list_override_is_rendered_for_every_page(tmp_path: Path) -> None:
    # The plugin's own bibliography.html is put together from items rendered once per number
    # of back links; a user's may do anything with the entries, so it is rendered for each page.
    overrides = tmp_path / "overrides" / "essay-meta"
    overrides.mkdir(parents=True)
    (overrides / "bibliography.html").write_text(
        '<ul class="mine" data-count="{{ references | length }}">{% for entry in references %}'
        '<li>{{ loop.revindex }}/{{ entry.number * 10 }}{% if loop.last %} last{% endif %}: '
        '{{ entry_html[loop.index0] }}</li>{% endfor %}</ul>', encoding="utf-8")
    page = essay('  - title: A\n  - title: B\n', body="Cites [@a] and [@a].\n")
    page = page.replace("  - title: A\n", "  - title: A\n    key: a\n")
    site = build_site(tmp_path, {"index.md": page}, theme={"name": "mkdocs", "custom_dir": "overrides"})
    assert ('<ul class="mine" data-count="2"><li>2/10: <cite class="essay-meta-ref__title">A</cite>.</li>'
            '<li>1/20 last: <cite class="essay-meta-ref__title">B</cite>.</li></ul>') in site.text("index.html")


def test_entries_are_escaped_exactly(tmp_path: Path) -> None:
    page = essay(
        '  - title: "Quotes \\" and \' <b>&amp; 50% %s %(title)s {0} }{ essaymetaidprefix text1x"\n'
        '    authors: ["O\'Brien & <Sons>", "{1} et al."]\n    year: "%d"\n    journal: "J <&>"\n'
        '    pages: "1\u20132"\n    link: "https://a.org/?a=1&b=\'2\'"\n    note: "{{ x }}"\n'
    )
    site = build_site(tmp_path, {"index.md": page})
    html = site.text("index.html")
    assert (
        '<span class="essay-meta-ref__authors">O&#39;Brien &amp; &lt;Sons&gt; &amp; {1} et al.</span> '
        '<span class="essay-meta-ref__issued">(%d)</span>. <cite class="essay-meta-ref__title">'
        '<a href="https://a.org/?a=1&amp;b=&#39;2&#39;">Quotes &#34; and &#39; &lt;b&gt;&amp;amp; 50% %s '
        '%(title)s {0} }{ essaymetaidprefix text1x</a></cite>. <span class="essay-meta-ref__source">J &lt;&amp;&gt;: '
        '1\u20132</span>. <span class="essay-meta-ref__note">{{ x }}</span>'
    ) in html


def test_strict_build_fails_on_a_bad_entry_and_plain_build_keeps_the_rest(tmp_path: Path) -> None:
    page = essay('  - title: Good\n    link: https://a.org\n  - [not, an, entry]\n  - title: Also good\n')
    site = build_site(tmp_path, {"index.md": page})
    [warning] = site.plugin_warnings()
    assert "index.md" in warning and "bibliography[1]" in warning and "['not', 'an', 'entry']" in warning
    _, entries = references(site)
    assert [e.get_text(strip=True) for e in entries] == ["Good.", "Also good."]
    with pytest.raises(Abort):
        build_site(tmp_path, strict=True)


def test_missing_and_broken_files_are_warnings(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("[{\"title\": \"no id\"}]", encoding="utf-8")
    page = essay('  - title: A\n', body="Cites [@nothing].\n")
    site = build_site(tmp_path, {"index.md": page}, plugin={"bibliography_files": ["missing.bib", "broken.json"]})
    warnings = site.plugin_warnings()
    assert any("missing.bib" in w and "not found" in w for w in warnings)
    assert any("broken.json" in w and "id" in w for w in warnings)
    assert any("index.md" in w and "'nothing'" in w for w in warnings)
    with pytest.raises(Abort):
        build_site(tmp_path, strict=True)


def test_pages_without_bibliography_are_untouched(tmp_path: Path) -> None:
    site = build_site(tmp_path, {"index.md": "# Plain\n\nMail me at [@home] or a@b.org.\n"})
    soup = site.soup("index.html")
    assert soup.select_one(".essay-meta-bibliography") is None and "[@home]" in soup.get_text()
    assert site.plugin_warnings() == []


def test_shared_file_is_parsed_once_per_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs_essay_meta.structure import bibfiles

    calls = []
    real = bibfiles.parse_bibtex
    monkeypatch.setattr(bibfiles, "parse_bibtex", lambda text, problems: calls.append(1) or real(text, problems))
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    pages = {f"essay-{n}.md": essay('  - "@vaswani2017"\n', body=f"Essay {n} cites [@vaswani2017].\n")
             for n in range(4)}
    site = build_site(tmp_path, {"index.md": "# Home\n", **pages}, plugin={"bibliography_files": ["refs.bib"]},
                      strict=True)
    assert len(calls) == 1
    for n in range(4):
        _, [entry] = references(site, f"essay-{n}/index.html")
        assert "Attention Is All You Need" in entry.get_text()


@pytest.mark.parametrize("plugins", [["search", "essay-meta"], ["essay-meta", "search"]])
def test_references_list_is_in_the_page_and_the_toc_not_in_search(tmp_path: Path, theme: str,
                                                                  plugins: list[str]) -> None:
    """The list is rendered into the page's HTML after MkDocs and search are done with its
    content (as the header is): searching finds the essay's text, not every source's title.
    Material's search is told to leave out the heading's section, which would have no text."""
    page = ("---\ntitle: Sourced\nbibliography:\n  - title: Zymurgy for beginners\n"
            "    link: https://example.org/zymurgy\n---\n\nThe essay's own words [@x].\n")
    page = page.replace("    link: https://example.org/zymurgy\n", "    link: https://example.org/zymurgy\n    key: x\n")
    site = build_site(tmp_path, {"index.md": "# Home\n", "essay.md": page}, theme=theme,
                      extra={"plugins": plugins})
    soup = site.soup("essay/index.html")
    assert soup.select_one("li.essay-meta-ref cite a").get_text() == "Zymurgy for beginners"
    assert "essay-meta:references" not in site.text("essay/index.html")
    assert any(a.get_text(strip=True) == "Bibliography" for a in soup.select("a[href='#bibliography']"))
    docs = json.loads(site.text("search/search_index.json"))["docs"]
    text = " ".join(d["text"] + " " + d["title"] for d in docs if d["location"].startswith("essay/"))
    assert "The essay's own words" in text
    assert "Zymurgy" not in text
    heading = soup.select_one("h2#bibliography")
    sections = [d["location"] for d in docs if d["location"].endswith("#bibliography")]
    if theme == "material":
        assert heading.has_attr("data-search-exclude") and sections == []
    else:  # MkDocs' search cannot be told to leave a section out
        assert not heading.has_attr("data-search-exclude") and sections == ["essay/#bibliography"]


def test_materials_search_leaves_out_the_references_heading_with_its_permalink(tmp_path: Path) -> None:
    """With ``toc: permalink``, the heading ends in its permalink: it is still the one marked."""
    page = ("---\ntitle: Sourced\nbibliography:\n  - title: Zymurgy for beginners\n    key: x\n---\n\n"
            "## Last words\n\nThe essay's own words [@x].\n")
    site = build_site(tmp_path, {"index.md": "# Home\n", "essay.md": page}, theme="material",
                      extra={"markdown_extensions": [{"toc": {"permalink": True}}]}, strict=True)
    soup = site.soup("essay/index.html")
    assert soup.select_one("h2#bibliography[data-search-exclude] a.headerlink") is not None
    assert not soup.select_one("h2#last-words").has_attr("data-search-exclude")
    docs = json.loads(site.text("search/search_index.json"))["docs"]
    assert [d["location"] for d in docs if d["location"].startswith("essay/")] == ["essay/", "essay/#last-words"]
