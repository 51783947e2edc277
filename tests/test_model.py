"""The front-matter model as plain Python: fields, forms, aliases, vocabularies, problems."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mkdocs_essay_meta.structure import dates
from mkdocs_essay_meta.structure.essay import Essay, ParseOptions, parse_essay
from mkdocs_essay_meta.structure.frontmatter import normalize_source, read_front_matter
from mkdocs_essay_meta.structure.problems import Problems, show_value
from mkdocs_essay_meta.structure.vocabulary import build_scales, normalize_word

UTC = timezone.utc


def parse(meta, **options):
    essay, problems = parse_essay(meta, ParseOptions(**options) if options else None)
    return essay, [p.message("essay.md") for p in problems]


def test_every_sample_field_is_typed_and_immutable(sample_meta) -> None:
    essay, problems = parse(sample_meta)
    [duplicate] = problems  # the sample lists one source twice
    assert "field 'bibliography[1]'" in duplicate and "duplicate of bibliography[0]" in duplicate
    assert essay.title == "The Future of Large Language Models: Trends and Predictions"
    assert essay.meta_title is None  # "" means none
    assert essay.description.startswith("An exploration")
    assert essay.excerpt.startswith("This essay explores")
    assert essay.published == datetime(2024, 3, 1, 5, tzinfo=UTC)
    assert essay.updated == datetime(2024, 3, 24, 5, tzinfo=UTC)
    assert essay.tags == ("AI", "LLM", "Machine Learning", "Future Tech")
    assert essay.categories == ("Artificial Intelligence",)
    assert (essay.status.label, essay.status.percentage) == ("In Progress", 65)
    assert (essay.certainty.label, essay.certainty.percentage) == ("Possible", 60)
    assert (essay.importance.label, essay.importance.percentage) == ("8", 80)
    assert essay.is_complete is False
    assert essay.featured is True
    assert [(r.title, r.url) for r in essay.bibliography] == [("Title of the Source", "https://www.example.com")] * 2
    assert essay.draft is False
    assert essay.is_essay
    with pytest.raises(AttributeError):
        essay.title = "x"  # type: ignore[misc]


@pytest.fixture
def sample_meta():
    from conftest import SAMPLE_ESSAY
    problems = Problems()
    meta = read_front_matter(normalize_source(SAMPLE_ESSAY), problems).data
    assert problems == []
    return meta


@pytest.mark.parametrize("word", ["In Progress", "in progress", "in-progress", "in_progress", "IN__PROGRESS", " In-Progress "])
def test_vocabulary_matching_ignores_case_and_separators(word: str) -> None:
    essay, problems = parse({"status": word})
    assert problems == [] and essay.status.key == "in-progress"


@pytest.mark.parametrize("word", ["certain", "highly likely", "likely", "possible", "unlikely",
                                  "highly unlikely", "remote", "impossible", "almost certain"])
def test_kesselman_words_have_default_percentages(word: str) -> None:
    essay, problems = parse({"certainty": word})
    assert problems == [] and essay.certainty.percentage is not None
    assert essay.certainty.percentage_is_default


@pytest.mark.parametrize("word", ["log", "emotional", "fiction"])
def test_non_probabilistic_certainty_has_no_percentage(word: str) -> None:
    essay, _ = parse({"certainty": word})
    assert essay.certainty.percentage is None


@pytest.mark.parametrize("status", ["abandoned", "notes", "draft", "in progress", "finished", "obsolete"])
def test_every_status(status: str) -> None:
    essay, problems = parse({"status": status})
    assert problems == [] and normalize_word(essay.status.label) == status


def test_explicit_percentage_wins_over_default() -> None:
    essay, _ = parse({"certainty": {"value": "likely", "percentage": 99}})
    assert essay.certainty.percentage == 99 and not essay.certainty.percentage_is_default


@pytest.mark.parametrize("value,expected", [(0, 0), (10, 100), ("7", 70), (7.0, 70), ({"value": 8, "percentage": 85}, 85)])
def test_importance_forms(value, expected) -> None:
    essay, problems = parse({"importance": value})
    assert problems == [] and essay.importance.percentage == expected


@pytest.mark.parametrize("meta,field,fragment", [
    ({"status": {"value": "finished", "percentage": 150}}, "status.percentage", "0 to 100"),
    ({"status": {"value": "finished", "percentage": -5}}, "status.percentage", "0 to 100"),
    ({"certainty": "posible"}, "certainty", "Possible"),
    ({"importance": "high"}, "importance", "0 to 10"),
    ({"importance": 11}, "importance", "0 to 10"),
    ({"importance": True}, "importance", "0 to 10"),
    ({"publishdate": "next tuesday"}, "publishdate", "2024-03-01"),
    ({"lastmod": "2024-13-45"}, "lastmod", "2024-03-01"),
    ({"is_post_complete": "maybe"}, "is_post_complete", "true or false"),
    ({"tags": {"a": 1}}, "tags", "list of strings"),
    ({"title": ["a", "b"]}, "title", "a string"),
    ({"status": {"value": "finished", "colour": "red"}}, "status.colour", "'value' and 'percentage'"),
])
def test_each_bad_value_is_one_problem_naming_file_field_value_expectation(meta, field, fragment) -> None:
    essay, problems = parse(meta)
    assert len(problems) == 1, problems
    [message] = problems
    assert message.startswith("essay.md: field '" + field + "'")
    bad_value = meta[field.split(".")[0]]
    if isinstance(bad_value, dict) and "." in field:
        bad_value = bad_value[field.split(".")[1]]
    assert f"has {show_value(bad_value)};" in message
    assert fragment in message


def test_valid_fields_survive_beside_invalid_ones() -> None:
    essay, problems = parse({"status": "finished", "certainty": "nope", "importance": 4})
    assert len(problems) == 1
    assert essay.status and essay.importance and essay.certainty is None


def test_explicit_bad_percentage_falls_back_to_default() -> None:
    essay, problems = parse({"status": {"value": "finished", "percentage": 150}})
    assert essay.status.percentage == 100 and len(problems) == 1


def test_lastmod_before_publishdate_is_a_problem() -> None:
    essay, problems = parse({"publishdate": date(2024, 3, 2), "lastmod": date(2024, 3, 1)})
    assert len(problems) == 1 and "lastmod" in problems[0] and "on or after publishdate" in problems[0]
    assert essay.updated is not None  # still shown


@pytest.mark.parametrize("value,expected", [
    (date(2024, 1, 5), datetime(2024, 1, 5, tzinfo=UTC)),
    (datetime(2024, 1, 5, 10, 0), datetime(2024, 1, 5, 10, tzinfo=UTC)),
    (datetime(2024, 1, 5, 10, 0, tzinfo=timezone(timedelta(hours=2))), datetime(2024, 1, 5, 8, tzinfo=UTC)),
    ("2024-01-05 10:00", datetime(2024, 1, 5, 10, tzinfo=UTC)),
    ("2024-1-5", datetime(2024, 1, 5, tzinfo=UTC)),
    ("2024-01-05T10:00:00+02:00", datetime(2024, 1, 5, 8, tzinfo=UTC)),
    ("2024-01-05 10:00:30.5Z", datetime(2024, 1, 5, 10, 0, 30, 500000, tzinfo=UTC)),
])
def test_dates_become_comparable_aware_datetimes(value, expected) -> None:
    parsed = dates.parse_date(value)
    assert parsed == expected and parsed.tzinfo is not None


def test_naive_dates_use_the_configured_timezone() -> None:
    essay, _ = parse({"publishdate": "2024-01-05 10:00"}, timezone=ZoneInfo("Europe/Berlin"))
    assert essay.published == datetime(2024, 1, 5, 9, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["2024-02-30", "24:00", "2024-01-05 25:00", "yesterday", ""])
def test_impossible_dates_are_not_dates(bad: str) -> None:
    assert dates.parse_date(bad) is None


@pytest.mark.parametrize("alias,field,value,attr", [
    ("confidence", "certainty", "likely", "certainty"),
    ("date", "publishdate", date(2024, 1, 1), "published"),
    ("updated", "lastmod", date(2024, 1, 2), "updated"),
    ("featured", "homepage_featured", True, "featured"),
])
def test_default_aliases(alias, field, value, attr) -> None:
    essay, problems = parse({alias: value})
    assert problems == [] and getattr(essay, attr)
    both, problems = parse({alias: value, field: value})
    assert len(problems) == 1 and f"'{alias}'" in problems[0]


def test_aliases_are_configurable() -> None:
    essay, _ = parse({"sureness": "likely", "confidence": "remote"}, aliases={"sureness": "certainty"})
    assert essay.certainty.key == "likely"


def test_material_blog_date_mapping() -> None:
    essay, problems = parse({"date": {"created": date(2024, 1, 1), "updated": date(2024, 2, 1)}})
    assert problems == []
    assert essay.published.month == 1 and essay.updated.month == 2


def test_foreign_material_status_is_accepted_silently() -> None:
    essay, problems = parse({"status": "new"}, foreign_status=frozenset({"new"}))
    assert problems == [] and essay.status is None and not essay.is_essay


def test_pages_without_essay_fields_are_not_essays() -> None:
    assert not parse({"title": "x", "tags": ["a"], "description": "d"})[0].is_essay
    assert parse({"importance": 2})[0].is_essay


def test_vocabularies_extend_relabel_and_remove() -> None:
    scales, problems = build_scales({
        "status": {"label": "Progress", "terms": {
            "in progress": {"label": "Ongoing", "percentage": 50},
            "sketch": {"percentage": 20, "description": "A first sketch."},
            "obsolete": False,
        }},
    })
    assert problems == []
    essay, problems = parse({"status": "in-progress"}, scales=scales)
    assert (essay.status.label, essay.status.percentage, essay.status.scale.label) == ("Ongoing", 50, "Progress")
    essay, _ = parse({"status": "Sketch"}, scales=scales)
    assert essay.status.key == "sketch" and essay.status.percentage == 20
    _, problems = parse({"status": "obsolete"}, scales=scales)
    assert problems and "sketch" in problems[0] and "Obsolete" not in problems[0]


@pytest.mark.parametrize("bad", [
    {"mood": {}}, {"status": []}, {"status": {"terms": {"x": {"percentage": 500}}}},
    {"status": {"terms": {"nope": False}}}, {"status": {"colour": "x"}},
])
def test_bad_vocabulary_configuration_is_reported(bad) -> None:
    _, problems = build_scales(bad)
    assert len(problems) == 1


@pytest.mark.parametrize("text,fragment", [
    ("---\ntitle: [unclosed\n---\nbody\n", "at line 3, column 1"),
    ("---\n- a\n- b\n---\nbody\n", "is a list"),
    ("---\ntitle: a\ntitle: b\n---\nbody\n", "appear once"),
    ("---\nx: !!python/object/apply:os.system ['true']\n---\nbody\n", "not valid YAML"),
])
def test_front_matter_errors_are_reported(text: str, fragment: str) -> None:
    problems = Problems()
    fm = read_front_matter(text, problems)
    assert len(problems) == 1 and fragment in problems[0].message("p.md")
    assert fm.block_end > 0


def test_front_matter_sources_are_normalized() -> None:
    problems = Problems()
    fm = read_front_matter(normalize_source("\ufeff---\r\ntitle: a\r\n---\r\nbody\r\n"), problems)
    assert fm.data == {"title": "a"} and problems == []


def test_essay_default_is_empty() -> None:
    assert Essay().ratings == () and not Essay().is_essay
