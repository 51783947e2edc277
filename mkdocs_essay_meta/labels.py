"""The words the plugin prints around the user's values, in a few languages.

Users override any of them with the ``labels:`` option; a partial override in the user's
``custom_dir`` can of course print anything at all.
"""

from __future__ import annotations

from collections.abc import Mapping

ENGLISH: dict[str, str] = {
    "published": "Published",
    "updated": "Updated",
    "tags": "Tags",
    "categories": "Categories",
    "ratings": "About this essay",
    "out_of": "{value} of {max}",
    "default_percentage": "default for this term",
    "incomplete_title": "Work in progress.",
    "incomplete_text": "This essay is not finished yet: expect gaps, rough passages and changes.",
    "draft_title": "Draft.",
    "draft_text": "Shown only while serving; it is left out of the built site.",
    "scheduled_title": "Scheduled.",
    "scheduled_text": "Publishes on {date}; until then it is left out of the built site.",
    "bibliography": "Bibliography",
    "accessed": "Accessed",
    "back_to_citation": "Back to citation",
    "featured": "Featured essays",
    "read_more": "Read more",
    "essay": "Essay",
    "no_essays": "No essays to show yet.",
    "no_group": "Other",
    "ratings_legend": "What the ratings mean",
}

TRANSLATIONS: dict[str, dict[str, str]] = {
    "de": {
        "published": "Veröffentlicht",
        "updated": "Aktualisiert",
        "tags": "Schlagwörter",
        "categories": "Kategorien",
        "ratings": "Über diesen Essay",
        "out_of": "{value} von {max}",
        "default_percentage": "Standardwert für diesen Begriff",
        "incomplete_title": "In Arbeit.",
        "incomplete_text": "Dieser Essay ist noch nicht fertig: Lücken, Rohfassungen und Änderungen sind zu erwarten.",
        "draft_title": "Entwurf.",
        "draft_text": "Nur beim Servieren sichtbar; in der gebauten Seite fehlt er.",
        "scheduled_title": "Geplant.",
        "scheduled_text": "Erscheint am {date}; bis dahin fehlt er in der gebauten Seite.",
        "bibliography": "Literatur",
        "accessed": "Abgerufen am",
        "back_to_citation": "Zurück zum Zitat",
        "featured": "Ausgewählte Essays",
        "read_more": "Weiterlesen",
        "essay": "Essay",
        "no_essays": "Noch keine Essays.",
        "no_group": "Sonstige",
        "ratings_legend": "Was die Bewertungen bedeuten",
    },
    "fr": {
        "published": "Publié",
        "updated": "Mis à jour",
        "tags": "Mots-clés",
        "categories": "Catégories",
        "ratings": "À propos de cet essai",
        "out_of": "{value} sur {max}",
        "default_percentage": "valeur par défaut de ce terme",
        "incomplete_title": "Travail en cours.",
        "incomplete_text": "Cet essai n’est pas terminé : attendez-vous à des lacunes et à des changements.",
        "draft_title": "Brouillon.",
        "draft_text": "Visible seulement avec serve ; absent du site construit.",
        "scheduled_title": "Programmé.",
        "scheduled_text": "Paraît le {date} ; d’ici là, absent du site construit.",
        "bibliography": "Bibliographie",
        "accessed": "Consulté le",
        "back_to_citation": "Retour à la citation",
        "featured": "Essais à la une",
        "read_more": "Lire la suite",
        "essay": "Essai",
        "no_essays": "Aucun essai pour l’instant.",
        "no_group": "Autres",
        "ratings_legend": "Ce que signifient les évaluations",
    },
}


class Labels(dict[str, str]):
    """The labels of one build: a dict whose words templates also read as ``labels.name``.

    Jinja reads ``labels.published`` by trying the attribute first. Each word is also an
    attribute of the instance, set when it is made (so make it whole, as :func:`labels_for`
    does): a class ``__getattr__`` alone is reached only after a failed lookup, about ten
    times slower, on every use in every partial. Words named like a dict method (``items``)
    stay methods, as attributes; templates read those as ``labels["items"]``.
    """

    def __init__(self, words: Mapping[str, str] | None = None) -> None:
        super().__init__(words or {})
        self.__dict__.update((name, word) for name, word in self.items() if not hasattr(Labels, name))

    def __getattr__(self, name: str) -> str:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def labels_for(language: str, overrides: Mapping[str, str] | None = None) -> Labels:
    """English, then the language's translation, then the user's own words."""
    words = dict(ENGLISH)
    base = language.replace("_", "-").split("-")[0].lower()
    words.update(TRANSLATIONS.get(base, {}))
    if overrides:
        words.update({str(k): str(v) for k, v in overrides.items()})
    return Labels(words)
