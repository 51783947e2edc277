"""The essay domain: front matter, vocabularies, dates, bibliography, listings.

Nothing in this package imports MkDocs, so it can be reused by MkDocs' successors.
"""
