"""The outlet registry: who published an article, who owns them, and whether a state controls them.

Shipped as ``vigie/data/outlets.json`` and overlaid by a user file, so an analyst can correct an owner or add a local
outlet without touching the package. Outlets are found three ways: by name (``get``), by URL (``by_url``, the most
specific domain wins) and by mention in a text (``find_in_text``, one compiled regex for every outlet).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vigie.errors import VigieError
from vigie.text import strip_accents

__all__ = ["ENV_VAR", "FUNDINGS", "TYPES", "Outlet", "OutletRegistry", "domain_of"]

ENV_VAR = "VIGIE_OUTLETS"
FUNDINGS = ("state", "public", "private", "cooperative")
TYPES = ("newspaper", "agency", "broadcaster", "online", "magazine")

# Order of the keys in outlets.json; `state_affiliated` is derived from `funding`, so it is never written.
_FIELDS = ("name", "domains", "aliases", "country", "language", "owner", "funding", "type")
_OPTIONAL_STR = ("country", "language", "owner", "funding", "type")

# Single-word names that are also ordinary words: matched only with the registry's capitalisation.
_COMMON_WORDS = frozenset(
    {"challenges", "economist", "gala", "guardian", "liberation", "marianne", "regards", "spiegel", "sud-ouest"}
)
# Known false friends of a spelling (folded, lowercase): (text just before, text just after) that disqualify it.
# "Coupe du Monde" is not the newspaper, "Sputnik V" is a vaccine, "RT @user" a retweet.
_FALSE_FRIENDS: dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]] = {
    "du monde": (re.compile(r"(?i:coupe|championnats?|champion(?:ne)?s?|tour|record|fin|bout|toit|reste)\s+$"), None),
    "sputnik": (None, re.compile(r"[\s-]+V(?!\w)")),
    "spoutnik": (None, re.compile(r"[\s-]+V(?!\w)")),
    "rt": (None, re.compile(r"\s*@")),
}
# A leading French article also matches its contractions ("du Point", "des Échos", "l'Humanité"). "La" keeps its
# capital: "la Croix" is usually the cross, not the newspaper.
_ARTICLE_RE = re.compile(r"(?:(le|la|les)\s+|(l)')(\S.*)", re.IGNORECASE)
_ARTICLE_VARIANTS = {
    "le": ("Le ", "le ", "Du ", "du ", "Au ", "au "),
    "la": ("La ",),
    "les": ("Les ", "les ", "Des ", "des ", "Aux ", "aux "),
    "l": ("L'", "l'"),
}
_DOMAIN_RE = re.compile(
    r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}(?:/[\w./-]*)?"
)
_HOST_RE = re.compile(r"[\w-]+(?:\.[\w-]+)*")
_COUNTRY_RE = re.compile(r"[A-Z]{2}")
_LANGUAGE_RE = re.compile(r"[a-z]{2}")
# A host name (and path) written in running text, e.g. "French.xinhuanet.com" or "https://www.actu-cameroun.com/x".
_HOST_IN_TEXT = r"(?<![\w.-])(?P<h>(?P<hn>(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})(?![\w-])(?P<hp>/[\w./-]*)?)"
# Folded-text spellings of names and aliases -> outlet, in _compiled(); the trailing boundary keeps "AP" out of "AP-HP".
_NAME_IN_TEXT = r"(?<!\w)(?P<n>{trie})(?![\w-])"


def _key(name: str) -> str:
    """Lookup key of a name or alias: case-, accent-, apostrophe- and spacing-insensitive."""
    return " ".join(strip_accents(name).casefold().split())


def _split_url(url: str) -> tuple[str, str] | None:
    """(host without www., lowercased path) of a URL or bare domain, or None when there is no host."""
    text = url.strip()
    if not text:
        return None
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    if not host:
        return None
    host = host.rstrip(".")
    host = host.removeprefix("www.")
    if not _HOST_RE.fullmatch(host):
        return None
    return host, parts.path.lower().rstrip("/")


def domain_of(url: str) -> str | None:
    """The host of a URL or bare domain, lowercased, without port, credentials or a leading ``www.``.

    The full host is kept (``madame.lefigaro.fr``, not ``lefigaro.fr``): the registry needs it to pick the most
    specific outlet.

    Example:
        >>> domain_of("HTTPS://www.LeFigaro.fr:443/politique")
        'lefigaro.fr'
    """
    split = _split_url(url)
    return None if split is None else split[0]


@dataclass(frozen=True, slots=True)
class Outlet:
    """One news outlet. ``domains`` may carry a path prefix (``dw.com/fr``) for a service hosted in a section."""

    name: str
    domains: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    country: str | None = None  # ISO 3166-1 alpha-2 of the head office (of the parent, for a foreign edition)
    language: str | None = None  # ISO 639-1 of the edition; None for a multilingual outlet
    owner: str | None = None
    funding: str | None = None  # one of FUNDINGS
    type: str | None = None  # one of TYPES

    @property
    def state_affiliated(self) -> bool:
        """Funded and editorially controlled by a state; public-service broadcasters (funding "public") are not."""
        return self.funding == "state"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in the file's key order, plus the derived ``state_affiliated``."""
        data: dict[str, Any] = {field: getattr(self, field) for field in _FIELDS}
        data["domains"] = list(self.domains)
        data["aliases"] = list(self.aliases)
        data["state_affiliated"] = self.state_affiliated
        return data


def _parse_outlet(raw: object, where: str) -> Outlet:
    """One JSON object -> Outlet; ``where`` ("outlets.json: entry 3") prefixes every error."""
    if not isinstance(raw, dict):
        raise VigieError(f"{where} is a {type(raw).__name__}, expected an object")
    unknown = sorted(set(raw) - {*_FIELDS, "state_affiliated"})
    if unknown:
        raise VigieError(f"{where} has unknown key {unknown[0]!r}; valid keys: {', '.join(_FIELDS)}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise VigieError(f"{where} has no 'name'")
    where = f"{where} ({name})"
    lists: dict[str, tuple[str, ...]] = {}
    for field in ("domains", "aliases"):
        value = raw.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise VigieError(f"{where}: {field!r} must be a list of non-empty strings")
        lists[field] = tuple(v.strip() for v in value)
    domains = []
    for domain in lists["domains"]:
        clean = domain.lower().removeprefix("www.").rstrip("/")
        if not _DOMAIN_RE.fullmatch(clean):
            raise VigieError(f"{where}: domain {domain!r} should be a bare host such as 'example.com' or 'dw.com/fr'")
        domains.append(clean)
    values: dict[str, str | None] = {}
    for field in _OPTIONAL_STR:
        value = raw.get(field)
        if value is not None and not (isinstance(value, str) and value.strip()):
            raise VigieError(f"{where}: {field!r} must be a string or null")
        values[field] = value.strip() if isinstance(value, str) else None
    country, language = values["country"], values["language"]
    if country is not None and not _COUNTRY_RE.fullmatch(country):
        raise VigieError(f"{where}: country {country!r} is not an ISO 3166-1 alpha-2 code such as 'FR'")
    if language is not None and not _LANGUAGE_RE.fullmatch(language):
        raise VigieError(f"{where}: language {language!r} is not an ISO 639-1 code such as 'fr'")
    if values["funding"] is not None and values["funding"] not in FUNDINGS:
        raise VigieError(f"{where}: funding {values['funding']!r} is not one of {', '.join(FUNDINGS)}")
    if values["type"] is not None and values["type"] not in TYPES:
        raise VigieError(f"{where}: type {values['type']!r} is not one of {', '.join(TYPES)}")
    outlet = Outlet(
        name.strip(),
        tuple(domains),
        lists["aliases"],
        country,
        language,
        values["owner"],
        values["funding"],
        values["type"],
    )
    if "state_affiliated" in raw and raw["state_affiliated"] is not outlet.state_affiliated:
        raise VigieError(f"{where}: 'state_affiliated' is derived from funding ({outlet.funding!r}); drop it")
    return outlet


def _parse_outlets(text: str, source: str) -> list[Outlet]:
    """The outlets of one file's text; a file must not claim a name, alias or domain twice."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VigieError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from exc
    if not isinstance(data, list):
        raise VigieError(f"{source}: expected a JSON list of outlet objects, got a {type(data).__name__}")
    outlets = [_parse_outlet(raw, f"{source}: entry {i}") for i, raw in enumerate(data, start=1)]
    names: dict[str, str] = {}
    domains: dict[str, str] = {}
    for outlet in outlets:
        labels = [_key(label) for label in (outlet.name, *outlet.aliases)]
        if len(set(labels)) != len(labels):
            raise VigieError(f"{source}: {outlet.name!r} repeats an alias or its own name among its aliases")
        for label in (outlet.name, *outlet.aliases):
            other = names.setdefault(_key(label), outlet.name)
            if other != outlet.name:
                raise VigieError(f"{source}: {label!r} names both {other!r} and {outlet.name!r}")
        for domain in outlet.domains:
            other = domains.setdefault(domain, outlet.name)
            if other != outlet.name:
                raise VigieError(f"{source}: domain {domain!r} is claimed by both {other!r} and {outlet.name!r}")
    return outlets


def _read_file(path: Path) -> list[Outlet]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise VigieError(f"{path}: cannot read outlet file ({exc.strerror or exc})") from exc
    return _parse_outlets(text, str(path))


def _read_shipped() -> list[Outlet]:
    text = resources.files("vigie").joinpath("data/outlets.json").read_text(encoding="utf-8")
    return _parse_outlets(text, "outlets.json (shipped)")


def _user_file(path: str | Path | None) -> Path | None:
    """The user's overlay: `path`, else $VIGIE_OUTLETS (both must exist), else the config file when present."""
    if path is not None:
        return Path(path).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
    candidate = Path(config) / "vigie" / "outlets.json"
    return candidate if candidate.is_file() else None


def _spellings(literal: str) -> list[str]:
    """The spellings of a name or alias to look for in folded text; none for a domain (the host branch finds it)."""
    folded = " ".join(strip_accents(literal).split())
    if not folded or _DOMAIN_RE.fullmatch(folded):
        return []
    article = _ARTICLE_RE.fullmatch(folded)
    if article:
        return [variant + article[3] for variant in _ARTICLE_VARIANTS[(article[1] or article[2]).lower()]]
    # A distinctive single word ("Xinhua", "TASS") is matched in any usual case; several words, short acronyms and
    # ordinary words keep the registry's capitalisation, so "le monde entier" is not Le Monde.
    short_acronym = folded.isupper() and len(folded) <= 3
    if " " in folded or "'" in folded or short_acronym or folded.lower() in _COMMON_WORDS:
        return [folded]
    return list(dict.fromkeys([folded, folded.lower(), folded.upper(), folded.capitalize()]))


def _trie_pattern(spellings: Iterable[str]) -> str:
    """One regex for many literals, factored as a trie: Python's re tries alternatives one by one, so a flat
    alternation of hundreds of names costs hundreds of tests per position; the trie costs a few. A longer spelling
    is tried before its prefix ("Le Monde diplomatique" before "Le Monde")."""
    trie: dict[str, Any] = {}
    for spelling in spellings:
        node = trie
        for char in spelling:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [
            (r"\s+" if char == " " else re.escape(char)) + emit(child) for char, child in sorted(node.items()) if char
        ]
        if "" in node and branches:
            branches.append("")
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})" if branches else ""

    return emit(trie)


class OutletRegistry:
    """A set of outlets, looked up by name, URL or mention.

    Later outlets replace earlier ones with the same name, and win any alias or domain they share, so a user's
    entries override the shipped ones.

    Example:
        >>> registry = OutletRegistry.default()
        >>> registry.by_url("https://madame.lefigaro.fr/x").name
        'Madame Figaro'
    """

    domain_of = staticmethod(domain_of)

    def __init__(self, outlets: Iterable[Outlet] = ()) -> None:
        merged: dict[str, Outlet] = {}
        for outlet in outlets:
            merged.pop(_key(outlet.name), None)  # re-insert at the end: the replacement's claims must win
            merged[_key(outlet.name)] = outlet
        self._outlets = sorted(merged.values(), key=lambda o: (_key(o.name), o.name))
        self._by_key: dict[str, Outlet] = {}
        self._literals: dict[str, tuple[str, Outlet]] = {}
        claims: dict[tuple[str, str], Outlet] = {}
        for outlet in merged.values():
            for label in (outlet.name, *outlet.aliases):
                self._by_key[_key(label)] = outlet
                self._literals[_key(label)] = (label, outlet)
            for domain in outlet.domains:
                host, _, path = domain.partition("/")
                claims[host, f"/{path}" if path else ""] = outlet
        self._by_host: dict[str, list[tuple[str, Outlet]]] = {}
        for (host, path), outlet in sorted(claims.items(), key=lambda item: -len(item[0][1])):
            self._by_host.setdefault(host, []).append((path, outlet))
        self._matcher: tuple[re.Pattern[str], dict[str, Outlet]] | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> OutletRegistry:
        """Shipped registry, overlaid by the user's file.

        Args:
            path: the user's outlets.json; else ``$VIGIE_OUTLETS``; else ``~/.config/vigie/outlets.json`` (under
                ``$XDG_CONFIG_HOME`` when set) if it exists. User entries with a shipped name replace it; new names
                are added.

        Raises:
            VigieError: a named file is missing or malformed; the message names the file and the entry.
        """
        outlets = _read_shipped()
        user = _user_file(path)
        if user is not None:
            outlets += _read_file(user)
        return cls(outlets)

    @classmethod
    def from_file(cls, path: str | Path) -> OutletRegistry:
        """Only the outlets of one file, e.g. to check a user file before using it."""
        return cls(_read_file(Path(path)))

    @classmethod
    def default(cls) -> OutletRegistry:
        """The registry of ``load()``, built once per process (environment changes afterwards are not seen)."""
        return _default_registry()

    def __iter__(self) -> Iterator[Outlet]:
        return iter(self._outlets)

    def __len__(self) -> int:
        return len(self._outlets)

    def __repr__(self) -> str:
        return f"OutletRegistry({len(self)} outlets)"

    def get(self, name: str) -> Outlet | None:
        """The outlet with this name or alias, ignoring case, accents and apostrophe style."""
        return self._by_key.get(_key(name))

    def by_url(self, url_or_domain: str) -> Outlet | None:
        """The outlet of a URL or domain: the longest registered domain suffix wins, then the longest path prefix.

        ``"https://madame.lefigaro.fr/x"`` is Madame Figaro, ``"WWW.lefigaro.fr:8080"`` is Le Figaro; unknown
        hosts give None.
        """
        split = _split_url(url_or_domain)
        return None if split is None else self._lookup(*split)

    def _lookup(self, host: str, path: str) -> Outlet | None:
        labels = host.split(".")
        for start in range(len(labels) - 1):
            for prefix, outlet in self._by_host.get(".".join(labels[start:]), ()):
                if not prefix or path == prefix or path.startswith(prefix + "/"):
                    return outlet
        return None

    def find_in_text(self, text: str) -> list[Outlet]:
        """Outlets named in a text (by name, alias or domain), in order of first appearance.

        Matching ignores accents and, for distinctive single words ("Xinhua", "Mediapart"), case; other names need
        their capitalisation ("Le Monde", not "le monde entier"). A leading article also matches its contraction:
        "La rédaction du Point" names Le Point.
        """
        if not text:
            return []
        pattern, spelled = self._compiled()
        folded = strip_accents(text)
        found: dict[str, Outlet] = {}
        for match in pattern.finditer(folded):
            if match["h"] is not None:
                hit = self._lookup(match["hn"].lower(), (match["hp"] or "").lower().rstrip("/"))
                outlet = hit or self._by_key.get(_key(match["h"]))
            else:
                key = _key(match["n"])
                outlet = None if self._false_friend(key, folded, match) else spelled.get(key)
            if outlet is not None and outlet.name not in found:
                found[outlet.name] = outlet
        return list(found.values())

    @staticmethod
    def _false_friend(key: str, folded: str, match: re.Match[str]) -> bool:
        before, after = _FALSE_FRIENDS.get(key, (None, None))
        if before is not None and before.search(folded, max(0, match.start() - 40), match.start()):
            return True
        return after is not None and after.match(folded, match.end()) is not None

    def _compiled(self) -> tuple[re.Pattern[str], dict[str, Outlet]]:
        """The text regex (host names first, then a trie of every spelling) and spelling key -> outlet, built on
        first use."""
        if self._matcher is None:
            spelled = {key: outlet for key, (_, outlet) in self._literals.items()}
            for literal, outlet in self._literals.values():
                for spelling in _spellings(literal):
                    spelled.setdefault(_key(spelling), outlet)  # a name or alias outranks another's contraction
            spellings = [s for literal, _ in self._literals.values() for s in _spellings(literal)]
            pattern = _HOST_IN_TEXT
            if spellings:
                pattern += "|" + _NAME_IN_TEXT.format(trie=_trie_pattern(spellings))
            self._matcher = (re.compile(pattern), spelled)
        return self._matcher

    def to_json(self) -> str:
        """The registry as an outlets.json file: sorted by name, one object per outlet, fixed key order."""
        rows = [{field: value for field, value in o.to_dict().items() if field in _FIELDS} for o in self._outlets]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


@cache
def _default_registry() -> OutletRegistry:
    return OutletRegistry.load()
