"""mkdocs-essay-meta: essay metadata, bibliographies and listings for MkDocs.

The domain lives in :mod:`mkdocs_essay_meta.structure` (plain Python, no MkDocs import);
:mod:`mkdocs_essay_meta.plugin` is the thin MkDocs glue.
"""

__version__ = "0.1.0"
