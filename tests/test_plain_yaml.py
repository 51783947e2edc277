"""The plain YAML reader gives exactly what PyYAML's safe loaders give, or declines.

MkDocs is handed what the reader reads as ``page.meta`` (docs/performance.md): any
difference from ``yaml.load`` would change what every theme and plugin sees. Each case is
compared with both loaders MkDocs may use (libyaml's CSafeLoader, and PyYAML's own), on
the values' types, order and values.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE_ESSAY
from mkdocs_essay_meta.structure.frontmatter import FRONT_MATTER_RE
from mkdocs_essay_meta.structure.plain_yaml import PlainYamlReader

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


def typed(value: Any) -> Any:
    """``value`` with every type and order spelled out (``1 == True == 1.0``, ``{a, b} == {b, a}``)."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), repr(value.tzinfo))
    return (type(value).__name__, value)


def loaded(block: str, loader: type[Any]) -> Any:
    try:
        return yaml.load(block, loader)  # noqa: S506 - safe loaders only
    except Exception:  # noqa: BLE001 - what MkDocs does: no meta
        return None


def assert_read_as_loaded(block: str, *, must_read: bool) -> None:
    for loader in LOADERS:
        read = PlainYamlReader(loader).read(block)
        expected = loaded(block, loader)
        if read is None:
            assert not must_read, f"declined {block!r}"
            continue
        assert isinstance(expected, dict), block
        assert typed(read) == typed(expected), (loader, block)


SAMPLE_BLOCK = FRONT_MATTER_RE.match(SAMPLE_ESSAY).group(1)  # type: ignore[union-attr]

READ = [
    SAMPLE_BLOCK,
    "title: A plain title\n",
    "title: 'It''s quoted'  # a comment\nsubtitle: \"double, with # and : inside\"\n",
    "# a comment first\ntitle: x\n\n# between\nstatus: notes   # after\n",
    "excerpt: A long excerpt that goes\n  on over a second line\n  and a third.\nnext: 1\n",
    "tags: [AI, LLM, Machine Learning, 'quoted, with a comma', \"dq\"]\nempty: []\nspaced: [ ]\n",
    "tags:\n- a\n- b\ncategories:\n  - c\n  - d\n",
    "items:\n- an item that goes\n  on over a second line\n- next\n",
    "status: {value: In Progress, percentage: 65}\nempty: {}\nquoted: {a: 'it''s', b: \"x, y\", c: 2024-01-01}\n",
    "in_list:\n- {key: k, year: 1999}  # a comment\n",
    "status:\n  value: In Progress\n  percentage: 65\nimportance:\n    value: 8\n    percentage: 80\n",
    "bibliography:\n- key: k1\n  title: A title\n  authors:\n  - Tower, D.\n  - Field, A.\n  year: 1952\n"
    "- title: Another\n  link: https://example.org/a?b=c#d\n",
    "bibliography:\n  -   title: wide dash\n      year: 2001\n",
    "flags: [yes, no, on, off, true, False, NULL, ~]\ny: y\nn: n\n",
    "numbers:\n" + "".join(f"- {n}\n" for n in "0 -5 +7 1_000 0x1F 0o17 017 0b101 1:30 190:20:30".split()),
    "numbers: [0, +7, 1_000, 0x1F, 0o17, 017, 0b101]\n",
    "floats:\n" + "".join(f"- {n}\n" for n in "1.5 -.5 6.8523015e+5 1_000.5 .inf -.Inf .NaN 1e3 190:20:30.15".split()),
    "dates:\n- 2024-03-01\n- 2024-03-01T05:00:00Z\n- 2024-03-01 05:00:00+05:30\n- 2001-12-14t21:59:43.10-05:00\n",
    "dates: [2024-03-01, 2024-03-01T05Z]\n",
    "publishdate: 2024-03-01T05:00:00Z\nlastmod: 2024-03-24\nexpires: 2024-3-1\n",
    "empty:\nnull_value: null\ntilde: ~\ncomment_only: # nothing\nlast:\n",
    "text: C# and F# are languages\nurl: http://example.org:8080/x\nratio: 3:4 or so\n",
    "negative: -foo\ndash: a - b\nplus: +x\ndot: .hidden\nequals: = sign\n",
    "unicode: Ünïcödé — “quoted” ✓ 𝔘\nemoji: 🙂\n",
    "key.with.dots: 1\nkey-with-dashes: 2\n_under: 3\n",
    "seq_of_maps:\n- a: 1\n  b:\n    c: 2\n- d: [x, y]\n",
    "trailing_spaces: value   \nafter: 1\n",
    "versions: [1.0, 1.10, '1.10']\n",
    "top: 1\nnested:\n  deeper:\n    deepest: [1, 2]\n  back: 2\nend: 3\n",
]


@pytest.mark.parametrize("block", READ)
def test_what_it_reads_equals_the_loaders(block: str) -> None:
    assert_read_as_loaded(block, must_read=True)


DECLINED = [
    "",                                           # nothing: no mapping
    "\n",
    "# only a comment\n",
    "- a\n- b\n",                                 # a list
    "just text\n",                                # a scalar
    "a: &anchor 1\nb: *anchor\n",                 # anchors and aliases
    "a: !!str 5\n",                               # a tag
    "a: |\n  block\n",                            # block scalars
    "a: >\n  folded\n",
    'a: "escaped \\" quote"\n',                   # escapes
    "a: {b: {c: 1}}\n",                           # nested flow collections
    "a: {b: [1]}\n",
    "a: {b}\n",                                   # flow mappings left to the loader
    "a: {b: 1,}\n",
    "a: {b: 1, b: 2}\n",
    "a: {b:1}\n",
    "a: {'q': 1}\n",
    "a: {yes: 1}\n",
    "a: {b: 1} trailing\n",
    "a: {b: 1,\n  c: 2}\n",
    "a: 'over\n  two lines'\n",                   # multi-line quoted and flow
    "a: [1,\n  2]\n",
    "a: 1\na: 2\n",                               # a key given twice
    "a:\n  b: 1\n  b: 2\n",
    "a:\tb\n",                                    # tabs
    "a: b\r\n",                                   # other line breaks, marks
    "a: b\x85c\n",
    "a: b\u2028c\n",
    "\ufeffa: b\n",
    "a: \x07\n",
    "yes: 1\n",                                   # keys that are not text
    "null: 1\n",
    "on: [a]\n",
    "123: x\n",
    "? complex\n: key\n",
    '"quoted": key\n',
    "a: - b\n",                                   # a sequence where a value goes
    "a: @b\n",                                    # reserved indicators
    "a: `b`\n",
    "%YAML 1.1\n",
    "a: 2024-02-30\n",                            # a date that does not exist (the loader raises)
    "a: one\n\n  two\n",                          # a blank line in a plain scalar
    "a: one\n# comment\n  two\n",
    "a: x: y\n",                                  # mappings inside plain scalars
    "a: x:\n",
    "a: one\n  two: three\n",
    "a: 'q' trailing\n",                          # text after a quoted scalar
    "a: [x, y] trailing\n",
    "a: [x, ]\n",                                 # flow sequences left to the loader
    "a: [x, , y]\n",
    "a: [a: b]\n",
    "a: [[x]]\n",
    "--- a\nb: 1\n",                              # a document marker
    "a: ---\n",
    "a: 1\n  b: 2\n",                             # indentation the grammar does not allow
    " a: 1\nb: 2\n",
    "a:\n  - x\n   - y\n",
    "a:\n-\n  b: 1\n",                            # an entry whose value is below it
    "a:\n- - x\n",                                # nested sequences
    "a:\n  b\n",                                  # a scalar under its key
    "key : spaced\n",
    "<<: {a: 1}\n",
]


@pytest.mark.parametrize("block", DECLINED)
def test_it_declines_what_it_does_not_read(block: str) -> None:
    for loader in LOADERS:
        assert PlainYamlReader(loader).read(block) is None


def test_a_loader_with_its_own_constructors_or_resolvers_is_imitated_or_declined() -> None:
    class OwnText(yaml.SafeLoader):
        pass

    OwnText.add_constructor("tag:yaml.org,2002:str", lambda loader, node: "changed")
    assert PlainYamlReader(OwnText).read("a: b\n") is None

    class OwnResolver(yaml.SafeLoader):
        pass

    OwnResolver.add_implicit_resolver("!version", re.compile(r"^v[0-9]+$"), list("v"))
    OwnResolver.add_constructor("!version", lambda loader, node: ("version", node.value))
    reader = PlainYamlReader(OwnResolver)
    assert reader.read("release: v2\n") is None  # constructs something that is no plain scalar
    assert reader.read("release: version two\nwhen: 2024-01-01\n") == {"release": "version two", "when": date(2024, 1, 1)}


# -- generated blocks ------------------------------------------------------------------------

KEYS = ["title", "status", "a.b", "x-y", "_k", "yes", "null", "On", "value", "title"]
SCALARS = [
    "plain text", "It's", "'single ''quoted'''", '"double"', '"esc\\"aped"', "''", '""',
    "yes", "No", "on", "OFF", "y", "true", "~", "null", "", "0", "-5", "+7", "1_000", "0x1F", "0o17",
    "08", "1:30", "1.5", ".inf", ".NaN", "1e3", "2024-03-01", "2024-13-01", "2024-02-30",
    "2024-03-01T05:00:00Z", "2024-03-01 05:00:00 +05:30", "C#", "a #comment", "a# b", "x: y", "x:",
    "http://a.b/c?d#e", "@x", "`x`", "|", ">", "&a x", "*a", "!!str 5", "{a: 1}", "{a: 1, b: 'c'}", "{a: {b: 1}}", "{a: x: y}", "[a, b]", "[a, 'b, c']",
    "[a, ]", "[ ]", "[x: y]", "- x", "-x", "---", "...", "?x", ":x", "%x", "Ünïcödé", " lead", "tab\there",
]
INDENTS = [0, 0, 0, 1, 2, 2, 3, 4]


@st.composite
def line_soups(draw: st.DrawFn) -> str:
    """Lines of the shapes front matter has, at random indents: many are no valid YAML."""
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        indent = " " * draw(st.sampled_from(INDENTS))
        kind = draw(st.sampled_from(["pair", "pair", "key", "item", "item-pair", "comment", "blank", "text"]))
        key, scalar = draw(st.sampled_from(KEYS)), draw(st.sampled_from(SCALARS))
        lines.append({
            "pair": f"{indent}{key}: {scalar}", "key": f"{indent}{key}:", "item": f"{indent}- {scalar}",
            "item-pair": f"{indent}- {key}: {scalar}", "comment": f"{indent}# note",
            "blank": "", "text": f"{indent}{scalar}",
        }[kind])
    return "\n".join(lines) + "\n"


@st.composite
def mappings(draw: st.DrawFn, indent: int = 0, depth: int = 0) -> str:
    """Well-formed block mappings (the values still at random): most should be read."""
    lines = []
    used: set[str] = set()
    for _ in range(draw(st.integers(1, 5))):
        key = draw(st.sampled_from(KEYS))
        if key in used:
            continue
        used.add(key)
        pad = " " * indent
        shape = draw(st.sampled_from(["scalar", "scalar", "map", "seq", "compact-seq", "seq-of-maps"]))
        if depth >= 2 or shape == "scalar":
            lines.append(f"{pad}{key}: {draw(st.sampled_from(SCALARS))}")
        elif shape == "map":
            lines.append(f"{pad}{key}:\n{draw(mappings(indent + 2, depth + 1)).rstrip()}")
        else:
            dash = pad if shape == "compact-seq" else pad + "  "
            items = []
            for _ in range(draw(st.integers(1, 3))):
                if shape == "seq-of-maps":
                    inner = draw(mappings(len(dash) + 2, depth + 1)).rstrip()
                    items.append(f"{dash}- {inner.lstrip()}")
                else:
                    items.append(f"{dash}- {draw(st.sampled_from(SCALARS))}")
            lines.append(f"{pad}{key}:\n" + "\n".join(items))
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line_soups())
def test_random_lines_are_read_as_the_loaders_read_them_or_declined(block: str) -> None:
    assert_read_as_loaded(block, must_read=False)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mappings())
def test_generated_mappings_are_read_as_the_loaders_read_them_or_declined(block: str) -> None:
    assert_read_as_loaded(block, must_read=False)


def test_generated_mappings_are_mostly_read() -> None:
    """The property above would hold for a reader that declines everything: this one reads
    most well-formed blocks of plain scalars."""
    plain = ["plain text", "It's", "'single ''quoted'''", "yes", "0", "1.5", "2024-03-01", "C#", "[a, b]"]
    blocks = [f"title: {a}\nstatus:\n  value: {b}\n  percentage: 5\ntags:\n- {c}\n- {a}\n"
              for a in plain for b in plain for c in plain]
    reader = PlainYamlReader(LOADERS[-1])
    read = [block for block in blocks if reader.read(block) is not None]
    assert len(read) == len(blocks)
    for block in read[::37]:
        assert_read_as_loaded(block, must_read=True)


def test_the_characters_left_to_pyyaml_are_exactly_those_outside_what_is_read() -> None:
    """Every code point: read here only if it is a line feed, printable ASCII, or printable
    beyond it other than LS and PS, a byte-order mark, U+FFFE and U+FFFF (the class is listed
    by what it excludes, which Python compiles many times faster)."""
    from mkdocs_essay_meta.structure.plain_yaml import _UNREAD_CHARACTER_RE
    read = re.compile("[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
    text = "".join(map(chr, range(0x110000)))
    unread = {match.start() for match in _UNREAD_CHARACTER_RE.finditer(text)}
    expected = {i for i in range(0x110000) if not read.match(text, i)}
    assert unread == expected
    assert {0x09, 0x0D, 0x85, 0x2028, 0x2029, 0xFEFF, 0xD800, 0xFFFE} <= unread
