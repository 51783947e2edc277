"""Unit tests of the pure bibliography modules: entries, shared files, citations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mkdocs_essay_meta.structure.bibfiles import BibliographyFiles
from mkdocs_essay_meta.structure.bibliography import Reference, json_ld, parse_bibliography
from mkdocs_essay_meta.structure.citations import (
    append_section,
    find_citations,
    find_code_regions,
    markdown_heading_text,
    number_references,
)
from mkdocs_essay_meta.structure.problems import Problems


def parse(value):
    problems = Problems()
    return parse_bibliography(value, problems), problems


# -- entries ----------------------------------------------------------------------------------

def test_every_entry_shape() -> None:
    refs, problems = parse([
        {"title": "Title of the Source", "link": "https://www.example.com"},
        "Plain words, as written",
        "https://example.org/paper.pdf",
        "@vaswani2017",
        {"key": "lecun2015"},
        {"authors": ["Ada Lovelace", {"given": "Charles", "family": "Babbage"}], "year": 1843,
         "title": "Notes", "journal": "Scientific Memoirs", "volume": 3, "pages": "666–731",
         "doi": "https://doi.org/10.1000/XYZ.1", "accessed": "2024-03-01", "note": "Translated."},
        {"author": "A. Author and B. Writer", "date": "2020-05-01", "title": "Book", "publisher": "Press"},
    ])
    assert problems == []
    sample, plain, bare_url, key, key_map, rich, book = refs
    assert (sample.title, sample.link) == ("Title of the Source", "https://www.example.com")
    assert plain.text == "Plain words, as written" and plain.link is None
    assert (bare_url.title, bare_url.link) == ("https://example.org/paper.pdf",) * 2
    assert key.is_key_only and key.key == "vaswani2017"
    assert key_map.is_key_only and key_map.key == "lecun2015"
    assert rich.authors == ("Ada Lovelace", "Charles Babbage")
    assert rich.author_text == "Ada Lovelace & Charles Babbage"
    assert rich.issued == "1843" and rich.source_text == "Scientific Memoirs 3: 666–731"
    assert rich.doi == "10.1000/XYZ.1" and rich.link == "https://doi.org/10.1000/XYZ.1"
    assert not rich.is_key_only
    assert book.authors == ("A. Author", "B. Writer") and book.issued == "2020-05-01"


@pytest.mark.parametrize("link", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,<b>x</b>",
    "vbscript:x", "&#106;avascript:alert(1)",
])
def test_unsafe_link_is_dropped_and_entry_kept_as_text(link: str) -> None:
    [ref], problems = parse([{"title": "Evil", "link": link}])
    assert ref.title == "Evil" and ref.link is None
    [problem] = problems
    assert problem.field == "bibliography[0].link" and problem.value == link


@pytest.mark.parametrize("link", ["https://a.org/x", "http://a.org", "mailto:me@a.org", "../other/", "notes.md#x"])
def test_allowed_links(link: str) -> None:
    [ref], problems = parse([{"title": "Fine", "link": link}])
    assert problems == [] and ref.link == link


def test_entry_with_only_a_bad_link_still_shows_as_text() -> None:
    [ref], problems = parse([{"link": "javascript:alert(1)"}])
    assert ref.text == "javascript:alert(1)" and ref.link is None
    assert len(problems) == 1


def test_bad_entries_are_problems() -> None:
    refs, problems = parse([{"title": "Ok"}, 3.5, ["nested"], {"doi": "not-a-doi", "title": "T"},
                            {"titel": "typo", "title": "T2"}, "@bad!key", {}])
    assert [r.title or r.text for r in refs] == ["Ok", "3.5", "T", "T2"]
    fields = [p.field for p in problems]
    assert fields == ["bibliography[2]", "bibliography[3].doi", "bibliography[4].titel", "bibliography[5]", "bibliography[6]"]


def test_duplicates_are_reported_and_kept() -> None:
    refs, problems = parse([
        {"title": "Same", "link": "https://x.org"}, {"title": "same", "link": "https://x.org"},
        "@k", {"key": "k", "title": "Other"}, {"title": "Same", "link": "https://y.org"},
    ])
    assert len(refs) == 5
    assert [(p.field, p.expected) for p in problems] == [
        ("bibliography[1]", "a new entry, not a duplicate of bibliography[0]"),
        ("bibliography[3]", "a new entry, not a duplicate of bibliography[2]"),
    ]


def test_json_ld_cannot_break_out_of_script() -> None:
    ref = Reference(title="</script><script>alert(1)</script> <!-- & \u2028", url="https://x.org")
    text = json_ld("A </script> title", [ref, Reference(text="plain")])
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    data = json.loads(text)
    assert data["headline"] == "A </script> title"
    assert data["citation"][0]["name"] == ref.title and data["citation"][1] == "plain"


# -- shared files -----------------------------------------------------------------------------

BIB = r"""
@string{nips = "Advances in Neural Information Processing Systems"}
@inproceedings{vaswani2017,
  author = {Vaswani, Ashish and Shazeer, Noam and others},
  title = {Attention Is {All} You Need},
  booktitle = nips, year = 2017, pages = {5998--6008},
  doi = {10.48550/arXiv.1706.03762},
}
@book{mueller,
  author = {M{\"u}ller, Hans and van der Berg, Jan},
  title = {{\"U}ber \emph{Dinge}},
  publisher = {Verlag}, year = {1999}, url = {javascript:alert(1)}, urldate = {2024-01-02},
}
"""

CSL = [
    {"id": "lecun2015", "type": "article-journal", "title": "Deep learning",
     "author": [{"family": "LeCun", "given": "Yann"}, {"literal": "Geoffrey Hinton"}],
     "issued": {"date-parts": [[2015, 5, 28]]}, "container-title": "Nature", "volume": "521",
     "issue": "7553", "page": "436-444", "DOI": "10.1038/nature14539", "URL": "https://www.nature.com/articles/nature14539"},
    {"id": 42, "title": "Numeric id"},
]


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_bibtex_file(tmp_path: Path) -> None:
    library = BibliographyFiles().library([write(tmp_path, "refs.bib", BIB)])
    ref = library.get("vaswani2017")
    assert ref is not None
    assert ref.title == "Attention Is All You Need"
    assert ref.authors == ("Ashish Vaswani", "Noam Shazeer", "et al.")
    assert ref.author_text == "Ashish Vaswani, Noam Shazeer et al."
    assert ref.journal == "Advances in Neural Information Processing Systems"
    assert ref.pages == "5998–6008" and ref.issued == "2017"
    assert ref.link == "https://doi.org/10.48550/arXiv.1706.03762"
    assert library.take_problems() == []
    book = library.get("mueller")
    assert book is not None and book.title == "Über Dinge" and book.authors == ("Hans Müller", "Jan van der Berg")
    assert book.url is None and book.accessed == "2024-01-02"
    [problem] = library.take_problems()
    assert "refs.bib" in problem and "mueller" in problem and "javascript:alert(1)" in problem
    assert library.get("missing") is None


def test_csl_json_file(tmp_path: Path) -> None:
    library = BibliographyFiles().library([write(tmp_path, "refs.json", json.dumps(CSL))])
    ref = library.get("lecun2015")
    assert ref is not None
    assert ref.authors == ("Yann LeCun", "Geoffrey Hinton") and ref.issued == "2015-05-28"
    assert ref.source_text == "Nature 521(7553): 436–444"
    assert ref.url == "https://www.nature.com/articles/nature14539" and ref.doi == "10.1038/nature14539"
    assert library.get("42") is not None and library.get("42").title == "Numeric id"
    assert library.take_problems() == []


def test_files_parsed_once_and_again_only_when_changed(tmp_path: Path) -> None:
    path = write(tmp_path, "refs.bib", BIB)
    files = BibliographyFiles()
    for _ in range(3):
        library = files.library([path])
        assert library.get("vaswani2017") is not None
    assert files.parse_count == 1
    write(tmp_path, "refs.bib", BIB.replace("vaswani2017", "vaswani17") + "\n")
    library = files.library([path])
    assert library.get("vaswani17") is not None and library.get("vaswani2017") is None
    assert files.parse_count == 2


def test_library_is_parsed_only_when_used(tmp_path: Path) -> None:
    files = BibliographyFiles()
    files.library([write(tmp_path, "refs.bib", BIB)])
    assert files.parse_count == 0


def test_file_problems(tmp_path: Path) -> None:
    bad_bib = write(tmp_path, "bad.bib", "@article{x, title = {unclosed}\n@article{x, title={again}}\n")
    bad_json = write(tmp_path, "bad.json", "{not json")
    other = write(tmp_path, "refs.json", json.dumps(CSL))
    dup = write(tmp_path, "dup.json", json.dumps([{"id": "lecun2015", "title": "again"}]))
    library = BibliographyFiles().library([str(tmp_path / "missing.bib"), bad_bib, bad_json, other, dup])
    [missing] = library.take_problems()
    assert "missing.bib" in missing and "not found" in missing
    assert library.get("lecun2015").title == "Deep learning"  # the first file wins
    problems = library.take_problems()
    assert any("bad.json" in p and "not valid JSON" in p for p in problems)
    assert any("dup.json" in p and "lecun2015" in p for p in problems)


# -- citations --------------------------------------------------------------------------------

def keys(markdown: str) -> list[tuple[str, ...]]:
    return [c.keys for c in find_citations(markdown)]


def test_citation_forms() -> None:
    assert keys("See [@a] and [@b; @c:d-2] and [@e;@f].") == [("a",), ("b", "c:d-2"), ("e", "f")]


@pytest.mark.parametrize("markdown", [
    "write to me@example.org or [me@example.org]",
    "`[@code]` and ``a [@b] ` c``",
    "```python\n@decorator\nx = '[@fenced]'\n```\n",
    "~~~~\n[@tilde]\n~~~~\n",
    "    [@indented]\n",
    "text\n\n\t[@tabbed]\n",
    "- item\n\n    ```\n    [@in list fence]\n    ```\n",
    "<!-- [@commented] -->",
    r"\[@escaped]",
    "[@link](https://x.org) [@ref][r] ![@img](x.png)\n\n[@def]: https://x.org",
    "a footnote[^1] and [^@x]\n\n[^1]: note",
    "[@not a key]",
    "```\nunclosed [@fence]\n",
    # Next to code: the text around the candidate does not settle it, the whole page does.
    "`span\nacross a line [@x] `",
    "`` a ` [@x] ``",
    "<!-- open\n\nacross a blank line [@x]\n-->",
    "<!--> (that is not a close yet) [@x] -->",
    "    code\n\n    [@x]\n",
])
def test_not_citations(markdown: str) -> None:
    assert keys(markdown) == []


def test_citations_next_to_code_and_in_lists() -> None:
    md = "`code` [@a] `more`\n\n- item [@b]\n\n    continued [@c]\n\n```\n[@x]\n```\n\nafter [@d]\n"
    assert keys(md) == [("a",), ("b",), ("c",), ("d",)]


@pytest.mark.parametrize("markdown", [
    "`a`\n\n[@x] `b`",
    "`a` [@x] `b`",
    "\\`not code [@x] `",
    "<!-- a --> [@x]",
    "<!-- a <!-- b --> [@x] -->",
    "```\n<!--\n```\n\n[@x]",
    "- item\n\n    [@x]",
])
def test_citations_near_code(markdown: str) -> None:
    assert keys(markdown) == [("x",)]


def test_the_quick_look_at_a_citation_agrees_with_the_whole_page_scan() -> None:
    """CodeRegions.contains decides most candidates from the text around them: never otherwise."""
    import random

    from mkdocs_essay_meta.structure.citations import _all_code, _fenced_blocks

    pieces = ["[@a]", "[", "@", "`", "``", "```", "~~~", "\n", "\n\n", "\n \n", "    ", "\t", " ", "<!--", "-->",
              "<!-->", "- ", "1. ", "text", "\\", "#", "="]
    rng = random.Random(3)
    for _ in range(3000):
        md = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        code = _all_code(md, _fenced_blocks(md)[0])
        for position in (i for i, ch in enumerate(md) if ch == "["):
            assert find_code_regions(md).contains(position) == any(a <= position < b for a, b in code), (md, position)


def test_code_regions_report_open_fence() -> None:
    assert find_code_regions("text\n```py\ncode\n").open_fence == "```"
    assert find_code_regions("text\n```\ncode\n```\n").open_fence is None


def lookup_from(entries: dict[str, Reference]):
    return entries.get


def render(items) -> str:
    return "[" + ",".join(str(i.entry.number) if i.entry else "?" + i.key for i in items) + "]"


def test_numbering_by_first_citation_then_front_matter() -> None:
    front = (Reference(title="Listed only"), Reference(key="b", title="B"), Reference(key="a"))
    shared = {"a": Reference(key="a", title="A"), "c": Reference(key="c", title="C")}
    result = number_references(front, "x [@c] y [@a; @b] z [@c] w [@zz]", lookup_from(shared), render)
    assert result.markdown == "x [1] y [2,3] z [1] w [?zz]"
    assert [(e.number, e.reference.title) for e in result.entries] == [(1, "C"), (2, "A"), (3, "B"), (4, "Listed only")]
    assert result.entries[0].citation_ids == ["essay-meta-cite-1-1", "essay-meta-cite-1-2"]
    assert result.unknown_keys == ["zz"]


def test_no_citations_keeps_front_matter_order_and_drops_unknown_keys() -> None:
    front = (Reference(title="One"), Reference(key="gone"), Reference(text="Two"))
    result = number_references(front, "no citations", lookup_from({}), render)
    assert [e.reference.title or e.reference.text for e in result.entries] == ["One", "Two"]
    assert result.unknown_keys == ["gone"]


def test_citations_off_leaves_text_alone() -> None:
    result = number_references((Reference(key="a", title="A"),), "see [@a]", lookup_from({}), None)
    assert result.markdown == "see [@a]" and len(result.entries) == 1


def test_heading_text_is_literal() -> None:
    assert markdown_heading_text("Bibliography") == "Bibliography"
    assert markdown_heading_text("*Refs* <b> & [x](y)") == r"\*Refs\* &lt;b&gt; &amp; \[x\]\(y\)"


def test_section_closes_an_open_fence() -> None:
    out = append_section("Text\n\n```\ncode\n", "Bibliography", "TOKEN")
    assert out == "Text\n\n```\ncode\n```\n\n## Bibliography\n\nTOKEN\n"


@pytest.mark.parametrize("text", ["Text, no citations\n\n~~~\ncode\n", "Text [@a]\n\n~~~\ncode\n"])
@pytest.mark.parametrize("citations_on", [True, False])
def test_open_fence_is_reported_whether_or_not_the_page_cites(text: str, citations_on: bool) -> None:
    """The references heading goes after the text: with or without a citation on the page."""
    render = (lambda items: "CITE") if citations_on else None
    found = number_references((Reference(key="a", title="A"),), text, lookup_from({}), render)
    assert found.open_fence == "~~~"
    assert append_section(found.markdown, "Bibliography", "TOKEN", open_fence=found.open_fence).endswith(
        "code\n~~~\n\n## Bibliography\n\nTOKEN\n")


@pytest.mark.parametrize(("latex", "text"), [
    ('M{\\"u}ller', "Müller"), ("Erd\\H{o}s", "Erdős"), ("\\v{C}ech", "Čech"), ("Fran\\c cois", "François"),
    ("\\'{\\i}ndice", "índice"), ("{\\ss}e", "ße"), ("A {GPU} \\emph{study} -- 10\\% \\& more", "A GPU study – 10% & more"),
    ("\\unknowncommand{kept}", "kept"), ("plain  spaced\ntitle", "plain spaced title"),
])
def test_latex_to_text(latex: str, text: str) -> None:
    from mkdocs_essay_meta.structure.bibfiles import latex_to_text

    assert latex_to_text(latex) == text


def test_fill_citations_replaces_only_its_tokens() -> None:
    from mkdocs_essay_meta.structure.citations import fill_citations

    html = "<p>a TOK0q b TOK1q c TOK9q d TOKxq TOK</p>"
    assert fill_citations(html, "TOK", ["[1]", "[2]"]) == "<p>a [1] b [2] c TOK9q d TOKxq TOK</p>"


@pytest.mark.parametrize("doi", ["10.1000/182", "10.1000/a_b.c-d~e/f:g;h(i)"] + [
    f"10.1000/a{special}b" for special in " \"#%&'*+,<=>?@[\\]^`{|}!$é€\u2028\u0660"])
def test_a_doi_link_is_the_doi_quoted_for_a_url(doi: str) -> None:
    from urllib.parse import quote
    assert Reference(doi=doi).doi_url == "https://doi.org/" + quote(doi, safe="/:;()._-~")
