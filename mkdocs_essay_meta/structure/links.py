"""Which links the plugin may emit: only allowed schemes, or relative links."""

from __future__ import annotations

import html
import re

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_WEB_SCHEMES = frozenset({"http", "https"})

_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:").
_IGNORED_RE = re.compile(r"[\x00-\x20\x7f]+")

EXPECTED = "an http, https or mailto link, or a relative link"


def safe_url(raw: object, allowed: frozenset[str] = ALLOWED_SCHEMES) -> str | None:
    """The link to emit for ``raw``, or ``None`` when it must not be a link.

    Entities are decoded and ignored characters removed before the scheme is checked, so
    ``JaVa&#115;cript:`` and ``java\\tscript:`` are caught the way a browser would read them.
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if (text.startswith(("https://", "http://")) and allowed >= _WEB_SCHEMES
            and " " not in text and "&" not in text and text.isprintable()):
        return text  # a plain web link: nothing to decode or strip, and an allowed scheme
    if not text:
        return None
    probe = html.unescape(text)
    if " " in probe or not probe.isprintable():
        probe = _IGNORED_RE.sub("", probe)
    m = _SCHEME_RE.match(probe)
    if m and m.group(1).lower() not in allowed:
        return None
    if not m and ":" in probe.split("/", 1)[0]:
        return None  # "javascript&colon;..." decoded to something scheme-like we could not read
    return text
