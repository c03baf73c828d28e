"""HTML to article fields: trafilatura for the body, structured metadata (JSON-LD, Open Graph, <meta>) first for
the fields, htmldate only when the page states no publication date, a jusText fallback when trafilatura finds
nothing, and a last pass that drops furniture lines ("Lire aussi…", "Partager", cookie notices).

Limits: libxml2 stops building the tree 256 levels deep, so text nested deeper than that (100,000 nested divs)
is dropped, not read; the call still returns promptly. Input larger than ``HtmlOptions.max_html_chars`` raises
``ValueError`` (the caller turns it into an ``InputError``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vigie.extract.metadata import strip_site_name, title_site_name

log = logging.getLogger(__name__)


@dataclass(slots=True)
class HtmlOptions:
    """Switches of the HTML extraction.

    Attributes:
        favor_precision: trafilatura's precision mode (less furniture, sometimes a paragraph less).
        favor_recall: trafilatura's recall mode; ignored when ``favor_precision`` is set.
        include_tables: keep tables in the body (one row per line, cells separated by `` | ``).
        remove_furniture: drop leftover lines such as "Lire aussi : …", "Partager", cookie notices.
        date_extensive_search: let htmldate guess from the URL and free text when the page states no date.
        detect_language: guess the language from the body when the page does not declare it.
        fallback: try jusText, then all <p> text, when trafilatura returns no body.
        max_html_chars: larger documents raise ValueError instead of being parsed.
    """

    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    remove_furniture: bool = True
    date_extensive_search: bool = False
    detect_language: bool = True
    fallback: bool = True
    max_html_chars: int = 50_000_000


@dataclass(slots=True)
class HtmlExtract:
    """What one HTML page says about its article; ``None`` / empty when the page does not say it."""

    title: str | None = None
    body: str = ""
    published: str | None = None
    url: str | None = None
    site_name: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    standfirst: str | None = None
    comments: list[str] = field(default_factory=list)


def extract_html(html: str, url: str | None = None, options: HtmlOptions | None = None) -> HtmlExtract:
    """Extract the article of an HTML page: body paragraphs separated by a blank line, metadata and comments apart.

    Args:
        html: the decoded page.
        url: where the page came from, used when the page names no canonical URL.
        options: extraction switches; defaults to ``HtmlOptions()``.

    Returns:
        An ``HtmlExtract``; an empty or unreadable page gives an empty body, never an exception.

    Raises:
        ValueError: the page is larger than ``options.max_html_chars``.

    Example:
        >>> page = '<html lang="fr"><head><title>T</title></head><body><article><p>' + "Un texte. " * 30
        >>> extract_html(page + "</p></article></body></html>").language
        'fr'
    """
    opts = options or HtmlOptions()
    if len(html) > opts.max_html_chars:
        raise ValueError(f"HTML page too large ({len(html)} > {opts.max_html_chars} characters)")
    out = HtmlExtract(url=url)
    if not html.strip():
        return out
    tree = _parse(html)
    meta = _PageMeta.read(tree) if tree is not None else _PageMeta()
    # Parse once: trafilatura works on (a copy of) our tree, and skips its own metadata pass (ours is above).
    doc = _trafilatura(tree if tree is not None else html, url, opts)

    paragraphs = _blocks(doc.body) if doc is not None and doc.body is not None else []
    if not paragraphs and opts.fallback and tree is not None:
        paragraphs = _fallback_paragraphs(html, tree, meta.language)
    out.title = _strip_site_suffix(meta.title or _clean(getattr(doc, "title", None)) or _page_title(tree, meta), tree)
    site = meta.site_name or _clean(getattr(doc, "sitename", None))
    if site is None:  # "La voix des nuls | ARTE Radio" names its site where the page's metadata does not
        site = title_site_name(meta.title, meta.url or url) or title_site_name(meta.page_title, meta.url or url)
    if out.title != _first_h1(tree):  # a headline the page prints whole keeps its parts ("Welpen kaufen – Tipps…")
        out.title = strip_site_name(out.title, [site], url=meta.url or url)
    if opts.remove_furniture:
        paragraphs = drop_furniture(paragraphs, [out.title, _clean(getattr(doc, "title", None)), meta.page_title])
    out.body = "\n\n".join(paragraphs)
    if doc is not None and doc.commentsbody is not None:
        out.comments = (
            drop_furniture(_blocks(doc.commentsbody), []) if opts.remove_furniture else _blocks(doc.commentsbody)
        )

    out.url = meta.url or url or _clean(getattr(doc, "url", None))
    out.site_name = site
    out.authors = meta.authors or _split_authors(getattr(doc, "author", None))
    out.tags = meta.tags or _dedupe([*(getattr(doc, "tags", None) or []), *(getattr(doc, "categories", None) or [])])
    out.standfirst = meta.description or _clean(getattr(doc, "description", None))
    out.language = meta.language or _language_code(getattr(doc, "language", None))
    if out.language is None and opts.detect_language and len(out.body) >= 200:
        out.language = _detect_language(out.body)
    out.published = meta.published or _htmldate(tree if tree is not None else html, url, opts)
    return out


# -- trafilatura --------------------------------------------------------------------------------------------------


def _parse(html: str) -> Any:
    from trafilatura.utils import load_html

    try:
        return load_html(html)
    except Exception:  # lxml refuses some inputs (e.g. encoding declarations in str); treat as no tree
        log.debug("lxml could not parse the page", exc_info=True)
        return None


def _page_title(tree: Any, meta: _PageMeta) -> str | None:
    """The first <h1>, else the <title> without a trailing " | Site" (what trafilatura's metadata pass would say)."""
    if tree is None:
        return None
    h1 = next((t for el in tree.iter("h1") if (t := _clean(" ".join(el.itertext())))), None)
    if h1:
        return h1
    title = meta.page_title
    if title:
        parts = re.split(r"\s+[|–—-]\s+", title)
        if len(parts) > 1 and len(parts[0]) >= 12:
            return parts[0]
    return title


def _trafilatura(html: Any, url: str | None, opts: HtmlOptions) -> Any:
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            html,
            url=url,
            favor_precision=opts.favor_precision,
            favor_recall=opts.favor_recall and not opts.favor_precision,
            include_comments=True,
            include_tables=opts.include_tables,
            with_metadata=False,
            date_extraction_params={"extensive_search": opts.date_extensive_search, "original_date": True},
        )
    except Exception:  # a library bug on one odd page must not stop the batch
        log.debug("trafilatura failed", exc_info=True)
        return None


_SPACE_RE = re.compile(r"[ \t\u00a0\u2009\u202f\r\f\v]+")
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u2060\ufeff]")  # soft hyphens and zero-width spaces split words


def _clean(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    s = _SPACE_RE.sub(" ", _INVISIBLE_RE.sub("", text)).strip()
    return s or None


def _element_text(el: Any) -> str:
    """Text of one trafilatura XML block, keeping <lb/> as line breaks and list items / table rows as lines."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "lb" or (tag in ("item", "row") and parts and not parts[-1].endswith("\n")):
            parts.append("\n")
        elif tag == "cell" and parts and not parts[-1].endswith(("\n", " | ")):
            parts.append(" | ")
        if node.text and tag not in ("graphic",):
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    lines = [_clean(line) for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _blocks(body: Any) -> list[str]:
    out: list[str] = []
    for child in body:
        text = _element_text(child)
        if text:
            out.append(text)
    if not out and body.text and body.text.strip():
        out.append(_clean(body.text) or "")
    return out


# -- fallback -----------------------------------------------------------------------------------------------------

_JUSTEXT_LANG = {
    "fr": "French",
    "en": "English",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}


def _fallback_paragraphs(html: str, tree: Any, language: str | None) -> list[str]:
    """jusText's good paragraphs, else every <p> long enough to be prose."""
    try:
        import justext

        stoplist = justext.get_stoplist(_JUSTEXT_LANG.get(language or "fr", "French"))
        found = justext.justext(html.encode("utf-8"), stoplist, encoding="utf-8")
        kept = [t for p in found if not p.is_boilerplate and (t := _clean(p.text))]
        if kept:
            return kept
    except Exception:  # jusText is a last resort; its failure leaves the <p> rule below
        log.debug("jusText failed", exc_info=True)
    texts = (_clean(" ".join(p.itertext())) for p in tree.iter("p"))
    return [t for t in texts if t and len(t) >= 80]


# -- furniture ----------------------------------------------------------------------------------------------------

_FURNITURE_START = re.compile(
    r"^(?:[»>•▶►→-]\s*)?(?:"
    r"(?:à|a) lire (?:aussi|également|egalement)|lire (?:aussi|également|egalement|la suite)|voir aussi|"
    r"(?:sur le même sujet|sur le meme sujet)|notre sélection|(?:à|a) découvrir|"
    r"(?:partager|partagez)(?: (?:sur|cet article|l'article|l’article|par))?|"
    r"suivez[- ]nous|abonnez[- ]vous|inscrivez[- ]vous (?:à|a) (?:la|notre) newsletter|newsletter|publicité|"
    r"read more|read also|see also|related articles?|share (?:this|on)|follow us|subscribe|advertisement|"
    r"lesen sie (?:auch|mehr)|mehr zum thema|weiterlesen|jetzt abonnieren|leer más|lee también|leggi anche|"
    r"leia (?:mais|também)|lees (?:ook|meer)"
    r")\b",
    re.I,
)
_FURNITURE_ONLY = re.compile(
    r"^(?:partager|partage|imprimer|tweet|tweeter|envoyer|e-?mail|facebook|twitter|linkedin|whatsapp|"
    r"copier le lien|réagir|commenter|s'abonner|s’abonner|j'aime|j’aime|share|print|like|"
    r"lire la suite|voir plus|en savoir plus|accepter|refuser|tout accepter|ok)(?:\s*[|/·,-]\s*\w+)*[.!…]*$",
    re.I,
)
_COOKIE = re.compile(
    r"\bcookies?\b.*\b(?:utilis|accept|consent|navigation|paramétr|parametr|use|agree)|"
    r"\b(?:utilis|accept|consent|navigation|paramétr|parametr|use|agree)\w*\b.*\bcookies?\b",
    re.I,
)


_PAYWALL = re.compile(
    r"^(?:pour (?:lire|continuer (?:à|a) lire) la suite|la suite (?:de cet article )?est réservée|"
    r"(?:cet|l['’]) ?article (?:est )?réservé aux (?:abonnés|membres)|il vous reste \d+ ?% de cet article|"
    r"(?:déjà abonné|vous êtes abonné)|to continue reading|subscribe to (?:continue|read))",
    re.I,
)
_CREDIT = re.compile(
    r"^(?:crédits? (?:photos?|images?)?|photos?|image(?: illustrative)?|illustration|source image|©)\s*:", re.I
)


def drop_furniture(paragraphs: list[str], titles: list[str | None]) -> list[str]:
    """Remove furniture lines, a leading repeat of the title, and everything from a paywall notice on."""
    keys = {_key(t) for t in titles if t}
    out: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        lines = paragraph.split("\n")
        if i > 0 and _PAYWALL.match(lines[0]) and len(lines[0]) <= 200:
            break  # what follows a paywall notice is the sales pitch, not the article
        if not out and keys and _is_title(paragraph, keys):
            continue
        kept = [line for line in lines if not _is_furniture(line)]
        if kept:
            out.append("\n".join(kept))
    return out


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _is_title(paragraph: str, keys: set[str]) -> bool:
    """The title again at the top of the body, whole or without the site suffix ("Titre | Rubrique | Site")."""
    if len(paragraph) > 300:
        return False
    k = _key(paragraph)
    for t in keys:
        short, long = sorted((k, t), key=len)
        if short and long.startswith(short) and len(short) >= 0.6 * len(long):
            return True
    return False


def _first_h1(tree: Any) -> str | None:
    return None if tree is None else next((_clean(" ".join(el.itertext())) for el in tree.iter("h1")), None)


def _strip_site_suffix(title: str | None, tree: Any) -> str | None:
    """'Titre | DW | 23.05.2011' -> 'Titre' when the page's <h1> says just 'Titre'."""
    if not title or tree is None:
        return title
    h1 = next((_clean(" ".join(el.itertext())) for el in tree.iter("h1")), None)
    if h1 and title != h1 and title.startswith(h1) and re.match(r"\s*[|–—:-]\s", title[len(h1) :]):
        return h1
    return title


def _is_furniture(paragraph: str) -> bool:
    """Short lines of page furniture; long paragraphs are never dropped, whatever they start with."""
    p = paragraph.strip()
    if len(p) > 300:
        return False
    if _FURNITURE_ONLY.match(p):
        return True
    if len(p) <= 200 and (_FURNITURE_START.match(p) or _CREDIT.match(p)):
        return True
    return len(p) <= 300 and bool(_COOKIE.search(p))


# -- structured metadata ------------------------------------------------------------------------------------------

_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "scholarlyarticle",
    "report",
    "webpage",
}


@dataclass(slots=True)
class _PageMeta:
    title: str | None = None
    published: str | None = None
    url: str | None = None
    site_name: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    description: str | None = None
    page_title: str | None = None

    @classmethod
    def read(cls, tree: Any) -> _PageMeta:
        """JSON-LD article first, then Open Graph / article:* / Dublin Core <meta>, then <html lang>."""
        m = cls()
        metas = _meta_tags(tree)
        ld = _jsonld_article(tree)
        first = _first

        m.page_title = next((_clean(" ".join(el.itertext())) for el in tree.iter("title")), None)
        m.title = first(_ld_str(ld.get("headline")), metas.get("og:title"), metas.get("twitter:title"))
        m.published = _first_date(
            _ld_str(ld.get("datePublished")),
            metas.get("article:published_time"),
            metas.get("og:article:published_time"),
            metas.get("datepublished"),
            metas.get("date"),
            metas.get("pubdate"),
            metas.get("publishdate"),
            metas.get("publish-date"),
            metas.get("dc.date.issued"),
            metas.get("dcterms.issued"),
            metas.get("dc.date"),
            metas.get("dcterms.created"),
            metas.get("parsely-pub-date"),
            metas.get("sailthru.date"),
            _time_published(tree),
            _ld_str(ld.get("dateCreated")),
        )
        canonical = next((el.get("href") for el in tree.iterfind(".//link[@rel='canonical']") if el.get("href")), None)
        m.url = first(_absolute(canonical), _absolute(metas.get("og:url")), _absolute(_ld_str(ld.get("url"))))
        publisher = ld.get("publisher")
        m.site_name = first(
            metas.get("og:site_name"),
            _ld_publisher(publisher[0] if isinstance(publisher, list) and publisher else publisher),
            metas.get("application-name"),
        )
        m.authors = _ld_authors(ld.get("author")) or _split_authors(
            first(metas.get("author"), metas.get("article:author"), metas.get("dc.creator"), metas.get("byl"))
        )
        m.tags = (
            _keywords(ld.get("keywords"))
            or _dedupe(metas.get_all("article:tag"))
            or _keywords(first(metas.get("news_keywords"), metas.get("keywords")))
        )
        root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
        m.language = first(
            _language_code(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")),
            _language_code(metas.get("og:locale")),
            _language_code(_ld_str(ld.get("inLanguage"))),
            _language_code(metas.get("content-language")),
            _language_code(metas.get("dc.language")),
        )
        m.description = first(metas.get("og:description"), metas.get("description"), _ld_str(ld.get("description")))
        return m


class _Metas(dict[str, str]):
    """<meta> content by lowercased name/property (first wins), with every value kept for repeated names."""

    def __init__(self) -> None:
        super().__init__()
        self.all: dict[str, list[str]] = {}

    def add(self, key: str, value: str) -> None:
        self.setdefault(key, value)
        self.all.setdefault(key, []).append(value)

    def get_all(self, key: str) -> list[str]:
        return self.all.get(key, [])


def _meta_tags(tree: Any) -> _Metas:
    metas = _Metas()
    for el in tree.iter("meta"):
        content = _clean(el.get("content"))
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                metas.add(key.strip().lower(), content)
    return metas


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


def _absolute(url: str | None) -> str | None:
    return url if url and re.match(r"https?://", url) else None


def _jsonld_objects(tree: Any) -> Iterator[dict[str, Any]]:
    for script in tree.iterfind(".//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"))
        except ValueError:
            continue
        yield from _walk_ld(data, depth=0)


def _walk_ld(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 5:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_ld(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _walk_ld(data["@graph"], depth + 1)
        main = data.get("mainEntity")
        if isinstance(main, dict | list):
            yield from _walk_ld(main, depth + 1)


def _ld_types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    types = t if isinstance(t, list) else [t]
    return {x.lower() for x in types if isinstance(x, str)}


def _jsonld_article(tree: Any) -> dict[str, Any]:
    """The most article-like JSON-LD object: a *NewsArticle beats Article beats WebPage."""
    best: dict[str, Any] = {}
    best_rank = 99
    for obj in _jsonld_objects(tree):
        types = _ld_types(obj)
        if not types & _ARTICLE_TYPES:
            continue
        rank = 0 if any(t.endswith("newsarticle") for t in types) else 1 if types - {"webpage"} else 2
        if rank < best_rank:
            best, best_rank = obj, rank
    return best


def _ld_str(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@id") or value.get("name")
    return _clean(value) if isinstance(value, str) else None


def _ld_name(value: Any) -> str | None:
    if isinstance(value, dict):
        return _clean(value.get("name"))
    return _clean(value) if isinstance(value, str) else None


def _ld_publisher(value: Any) -> str | None:
    """A publisher's name, unless the publisher is a person (a blog's author is not an outlet)."""
    if isinstance(value, dict):
        kinds = {str(t).lower() for t in (value.get("@type"), value.get("type")) if isinstance(t, str)}
        if "person" in kinds:
            return None
    return _ld_name(value)


def _ld_authors(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = [_ld_name(v) for v in items]
    return _dedupe(n for n in names if n and not n.startswith("http"))


def _split_authors(value: str | None) -> list[str]:
    if not value or value.startswith("http"):
        return []
    return _dedupe(a.strip() for a in re.split(r"\s*(?:;|,|\bet\b|\band\b|&)\s*", value) if a.strip())


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return _dedupe(_clean(v) for v in value if isinstance(v, str))


def _dedupe(values: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


def _time_published(tree: Any) -> str | None:
    for el in tree.iterfind(".//time[@datetime]"):
        if (el.get("itemprop") or "").lower() == "datepublished" or "published" in (el.get("class") or "").lower():
            return _clean(el.get("datetime"))
    return None


def _first_date(*values: str | None) -> str | None:
    for v in values:
        iso = _iso(v) if v else None
        if iso:
            return iso
    return None


def _iso(value: str) -> str | None:
    """ISO 8601 keeping the page's own offset; a bare date stays a bare date (no midnight invented)."""
    s = value.strip()
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?)?", s)
    if not m:
        return None
    if m.group(2) is None:
        return m.group(1)
    tz = m.group(3) or ""
    if tz and tz != "Z" and ":" not in tz:
        tz = f"{tz[:3]}:{tz[3:]}"
    try:
        dt = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{tz}")
    except ValueError:
        return None
    return dt.isoformat()


def _htmldate(tree_or_html: Any, url: str | None, opts: HtmlOptions) -> str | None:
    """Date-only guess from htmldate (original date), for pages that state no structured date."""
    from htmldate import find_date

    try:
        found = find_date(tree_or_html, extensive_search=opts.date_extensive_search, original_date=True, url=url)
    except Exception:
        log.debug("htmldate failed", exc_info=True)
        return None
    return found if isinstance(found, str) and found else None


def _language_code(value: str | None) -> str | None:
    if not value:
        return None
    code = re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower()
    return code if code.isalpha() and len(code) == 2 else None


def _detect_language(text: str) -> str | None:
    try:
        import py3langid

        code, _ = py3langid.classify(text[:5000])
    except Exception:
        return None
    return str(code) if code else None
