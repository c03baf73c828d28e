"""The web side of :mod:`vigie.i18n`: the page language, from ``?lang=``, the cookie or the browser.

The catalogue itself (strings, plurals, labels, dates) is :mod:`vigie.i18n`, shared with the CLI; its names are
re-exported here so ``from vigie.serve.i18n import STRINGS, translator`` keeps working.

The language is chosen by ``?lang=`` (remembered in a cookie), else the cookie, else the browser's Accept-Language
(its most preferred supported language), else the server's default.
"""

from __future__ import annotations

from vigie.i18n import DEFAULT, LABELS, LANGUAGES, PLURALS, STRINGS, Translator, not_found, translator

__all__ = ["COOKIE", "DEFAULT", "LABELS", "LANGUAGES", "PLURALS", "STRINGS", "Translator", "negotiate", "not_found",
           "translator"]

COOKIE = "vigie_lang"


def negotiate(query: str | None, cookie: str | None, accept_language: str | None, default: str) -> str:
    """The page language: ``?lang=``, then the cookie, then Accept-Language, then ``default``."""
    for explicit in (query, cookie):
        if explicit and explicit.lower() in LANGUAGES:
            return explicit.lower()
    best: tuple[float, str] | None = None
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().split("-")[0].lower()
        if code not in LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        # Earlier entries win ties, as the header lists them in preference order.
        if q > 0 and (best is None or q > best[0]):
            best = (q - i * 1e-6, code)
    return best[1] if best else default

