"""The three scales an essay is rated on: status, certainty and importance.

A *scale* is a named vocabulary of *terms*. Each term has a label shown to readers, an
optional default percentage (used when the author gives none) and a description that
explains it. Users can relabel, re-describe or extend any scale from ``mkdocs.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .problems import Problems

SCALE_NAMES = ("status", "certainty", "importance")

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalize_word(word: str) -> str:
    """Case- and separator-insensitive form: ``In_Progress`` → ``in progress``."""
    return _SEPARATORS.sub(" ", word.strip()).casefold()


def term_key(word: str) -> str:
    """A CSS- and URL-safe identifier for a term: ``In Progress`` → ``in-progress``."""
    key = re.sub(r"[^0-9a-z]+", "-", normalize_word(word)).strip("-")
    return key or "term"


@dataclass(frozen=True)
class Term:
    key: str
    """Stable identifier, e.g. ``in-progress`` (used in CSS classes)."""
    label: str
    """What readers see, e.g. ``In Progress``."""
    percentage: int | None
    """Default percentage when the author gives none; ``None`` for no meter."""
    description: str
    """What the term means, shown on hover and to screen readers."""


_FOUND_MEMO_SIZE = 1024


@dataclass(frozen=True)
class Scale:
    name: str
    """``status``, ``certainty`` or ``importance``."""
    label: str
    """The badge label, e.g. ``Certainty``."""
    explanation: str
    """What the scale measures, shown with every badge."""
    terms: tuple[Term, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {normalize_word(t.label): t for t in self.terms}
                           | {normalize_word(t.key): t for t in self.terms})
        object.__setattr__(self, "_found", {})

    def find(self, word: str) -> Term | None:
        found: dict[str, Term | None] = self._found  # type: ignore[attr-defined]
        if word in found:
            return found[word]
        term = self._index.get(normalize_word(word))  # type: ignore[attr-defined]
        if len(found) < _FOUND_MEMO_SIZE:
            found[word] = term  # essays spell the same few words, again and again
        return term

    def labels(self) -> list[str]:
        return [t.label for t in self.terms]


def _terms(rows: list[tuple[str, int | None, str]]) -> tuple[Term, ...]:
    return tuple(Term(term_key(label), label, pct, desc) for label, pct, desc in rows)


STATUS = Scale(
    name="status",
    label="Status",
    explanation="How finished the essay is, from rough notes to a finished piece.",
    terms=_terms([
        ("Abandoned", None, "The author stopped working on this and does not plan to return."),
        ("Notes", 10, "Raw notes and quotes; not yet an argument."),
        ("Draft", 30, "A first draft: the argument is there but rough and incomplete."),
        ("In Progress", 60, "Substantially written and still being revised and extended."),
        ("Finished", 100, "Complete; changes from now on are corrections and small additions."),
        ("Obsolete", None, "Kept for the record; superseded or no longer accurate."),
    ]),
)

CERTAINTY = Scale(
    name="certainty",
    label="Certainty",
    explanation=(
        "How sure the author is of the main claims, in Kesselman's estimative words "
        "(the percentage is the probability the author gives them)."
    ),
    terms=_terms([
        ("Certain", 100, "The author has no real doubt about the main claims."),
        ("Almost Certain", 93, "Very nearly sure: about 86–99 %."),
        ("Highly Likely", 78, "Strongly supported: about 71–85 %."),
        ("Likely", 63, "More likely than not: about 56–70 %."),
        ("Possible", 50, "Plausible, roughly as likely as not: about 46–55 %."),
        ("Unlikely", 38, "Probably wrong, but not ruled out: about 31–45 %."),
        ("Highly Unlikely", 23, "Very probably wrong: about 16–30 %."),
        ("Remote", 8, "A long shot: about 1–15 %."),
        ("Impossible", 0, "The author is sure the claims are false."),
        ("Log", None, "A record of events or observations; makes no claims to be believed."),
        ("Emotional", None, "Personal feeling rather than argument; not a probability."),
        ("Fiction", None, "Invented; not a claim about the world."),
    ]),
)

IMPORTANCE_MAX = 10

_IMPORTANCE_WORDS = [
    (0, "Trivial or an index page: of no importance on its own."),
    (1, "Of very minor interest."),
    (2, "Of minor interest."),
    (3, "Of some interest to a few readers."),
    (4, "Moderately important."),
    (5, "Important to readers interested in the topic."),
    (6, "Important; worth most readers' time."),
    (7, "Quite important."),
    (8, "Very important."),
    (9, "Among the author's most important writing."),
    (10, "Life-changing, in the author's view."),
]

IMPORTANCE = Scale(
    name="importance",
    label="Importance",
    explanation="How much the topic matters, on a scale from 0 (trivial) to 10 (life-changing).",
    terms=tuple(Term(str(n), str(n), n * 10, desc) for n, desc in _IMPORTANCE_WORDS),
)

DEFAULT_SCALES: dict[str, Scale] = {s.name: s for s in (STATUS, CERTAINTY, IMPORTANCE)}


def _as_percentage(value: Any) -> int | None | str:
    """An int 0–100, ``None``, or an error string."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "a number from 0 to 100"
    if value != value or not 0 <= value <= 100:  # NaN or out of range
        return "a number from 0 to 100"
    return round(value)


def build_scales(overrides: Mapping[str, Any] | None) -> tuple[dict[str, Scale], Problems]:
    """Apply the user's ``vocabularies:`` configuration to the built-in scales.

    Shape::

        status:                       # or certainty / importance
          label: Progress             # optional: rename the badge
          explanation: ...            # optional: re-explain the scale
          terms:
            in progress: {label: Ongoing, percentage: 50, description: ...}
            sketch: {percentage: 20, description: A first sketch.}   # a new term
            remote: false                                            # remove a term
    """
    problems = Problems()
    scales = dict(DEFAULT_SCALES)
    if not overrides:
        return scales, problems
    if not isinstance(overrides, Mapping):
        problems.add("vocabularies", overrides, "a mapping of scale name to settings")
        return scales, problems
    for name, settings in overrides.items():
        if name not in scales:
            problems.add("vocabularies", name, f"one of {', '.join(SCALE_NAMES)}")
            continue
        if not isinstance(settings, Mapping):
            problems.add(f"vocabularies.{name}", settings, "a mapping with label, explanation, terms")
            continue
        scale = scales[name]
        for key in settings:
            if key not in ("label", "explanation", "terms"):
                problems.add(f"vocabularies.{name}", key, "one of label, explanation, terms")
        label = settings.get("label", scale.label)
        explanation = settings.get("explanation", scale.explanation)
        terms = list(scale.terms)
        term_settings = settings.get("terms") or {}
        if not isinstance(term_settings, Mapping):
            problems.add(f"vocabularies.{name}.terms", term_settings, "a mapping of term to settings")
            term_settings = {}
        for word, spec in term_settings.items():
            where = f"vocabularies.{name}.terms.{word}"
            word = str(word)
            index = next((i for i, t in enumerate(terms)
                          if normalize_word(t.label) == normalize_word(word)
                          or t.key == term_key(word)), None)
            if spec is False:
                if index is None:
                    problems.add(where, word, "an existing term to remove")
                else:
                    del terms[index]
                continue
            if spec is None:
                spec = {}
            if not isinstance(spec, Mapping):
                problems.add(where, spec, "a mapping with label, percentage, description (or false)")
                continue
            unknown = set(spec) - {"label", "percentage", "description"}
            if unknown:
                problems.add(where, sorted(unknown)[0], "one of label, percentage, description")
            base = terms[index] if index is not None else Term(term_key(word), word, None, "")
            pct = _as_percentage(spec.get("percentage", base.percentage))
            if isinstance(pct, str):
                problems.add(f"{where}.percentage", spec.get("percentage"), pct)
                pct = base.percentage
            new = replace(
                base,
                label=str(spec.get("label", base.label)),
                percentage=pct,
                description=str(spec.get("description", base.description)),
            )
            if index is None:
                terms.append(new)
            else:
                terms[index] = new
        scales[name] = Scale(name, str(label), str(explanation), tuple(terms))
    return scales, problems
