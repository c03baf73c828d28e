"""Turn one raw document into a clean Article: body, title, date, URL, outlet (and original outlet), language.

What the container says (news-please fields, RSS entry, WARC URI) wins over what is guessed from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from vigie.errors import InputError
from vigie.extract.clean import CleanOptions, clean_text
from vigie.extract.html import HtmlOptions, drop_furniture, extract_html
from vigie.extract.metadata import as_list, best_datetime, detect_language, normalise_language, parse_datetime, unique
from vigie.extract.outlets import Outlet, OutletRegistry
from vigie.models import Article, RawDocument

# Credit lines that name the outlet an article comes from: "Source : Le Point", "(AFP)", "avec Reuters".
_CREDIT = re.compile(
    r"(?:^|\b)(?:source|sources|crédit|credit|avec|with|d'après|d’après|selon|par|article (?:paru|publié) (?:dans|sur|par)"
    r"|(?:cet|this) article (?:est paru|a été publié|was (?:first )?published) (?:dans|sur|in|by|on))\s*:?\s*(?P<name>.{2,60})$"
    r"|\((?P<agency>[A-Z][\w .&-]{1,30})\)\s*(?:--|—|–|-)",
    re.IGNORECASE | re.MULTILINE,
)


_WEB_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
# C0/C1 controls (ESC starts terminal sequences that clear a screen or set a window title) and bidirectional
# overrides (which make a title read other than it is): never part of a title, an outlet or a name.
_LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+")
# In running text, line breaks and tabs stay (paragraphs are separated by blank lines).
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+")


@dataclass(slots=True)
class ExtractOptions:
    """How raw documents are turned into articles."""

    clean: CleanOptions = field(default_factory=CleanOptions)
    html: HtmlOptions = field(default_factory=HtmlOptions)
    detect_language: bool = True
    # Text a container gives with its own fields (a news-please ``maintext``, a feed entry's content) is the body an
    # extractor already chose: only clear furniture lines are removed, it is not re-cleaned as a raw page dump.
    trust_container_text: bool = True


def extract(doc: RawDocument, options: ExtractOptions | None = None, registry: OutletRegistry | None = None) -> Article:
    """Clean one raw document into an Article.

    Raises:
        InputError: the document holds no article text at all.
    """
    opts = options or ExtractOptions()
    reg = registry or OutletRegistry.default()
    meta = doc.meta
    if doc.format == "html":
        fields = _from_html(doc.content, meta.get("url"), opts)
    elif meta and opts.trust_container_text:
        fields = _from_extracted(doc.content)
    else:
        fields = _from_text(doc.content, opts)

    title = _str(meta.get("title")) or fields["title"]
    body: str = fields["body"]
    if not body.strip() and not title:
        raise InputError(doc.source, "no article text found")
    url = _str(meta.get("url")) or fields["url"]
    if url and not _WEB_URL.match(url):  # "javascript:…", "file:…", junk: not an address anyone can visit
        url = None
    if url and _is_homepage(url):  # a site's own address in its furniture says who publishes, not where the article is
        fields["homepages"].insert(0, url)
        url = None
    published = parse_datetime(_str(meta.get("published"))) if meta.get("published") else None
    published = published or fields["published"]

    outlet, original = _outlets(
        reg, url, _str(meta.get("outlet")), fields["site_names"], fields["credits"], fields["homepages"]
    )
    language = normalise_language(meta.get("language")) or fields["language"]
    if opts.detect_language and body:
        # The text itself is more reliable than a page's declared locale, which is often a site-wide default.
        language = detect_language(f"{title or ''}\n{body}") or language
    return Article(
        id=doc.id,
        source=doc.source,
        title=_line(title),
        published=_line(published),
        url=_line(url),
        outlet=_line(outlet),
        original_outlet=_line(original),
        authors=unique([a for x in as_list(meta.get("authors")) or fields["authors"] if (a := _line(x))]),
        language=language,
        body=_text(body),
        standfirst=_line(_str(meta.get("standfirst")) or fields["standfirst"]),
        comments=[c for x in fields["comments"] if (c := _text(x))],
        tags=unique([t for x in as_list(meta.get("tags")) or fields["tags"] if (t := _line(x))]),
    )


def _line(v: str | None) -> str | None:
    """A one-line field without control characters (they become spaces), or None when nothing is left."""
    if v is None:
        return None
    return " ".join(_LINE_CONTROLS.sub(" ", v).split()) or None


def _text(v: str) -> str:
    """Running text without control characters other than line breaks and tabs."""
    return _TEXT_CONTROLS.sub("", v) if _TEXT_CONTROLS.search(v) else v


def _str(v: Any) -> str | None:
    if v is None:
        return None
    s = " ".join(str(v).split())
    return s or None


def _from_text(text: str, opts: ExtractOptions) -> dict[str, Any]:
    c = clean_text(text, opts.clean)
    edges = c.paragraphs[:1] + c.paragraphs[-1:]
    urls = [u for u in c.urls if not _is_homepage(u)]
    return {
        "title": c.title,
        "body": c.body,
        "url": urls[0] if urls else None,
        "homepages": [u for u in c.urls if _is_homepage(u)],
        # Short furniture lines are often bare stamps ("2021-10-19T17:11+0200") that add a time and an offset.
        "published": best_datetime(list(c.date_strings), [f for f in c.furniture if len(f) <= 40]),
        "site_names": list(c.site_names),
        "credits": [*c.furniture, *edges],
        "authors": list(c.authors),
        "tags": list(c.tags),
        "comments": list(c.comments),
        "standfirst": c.standfirst,
        "language": None,
    }


_TITLE_LINE = re.compile(r"^[^\n]{3,200}$")


def _from_extracted(text: str) -> dict[str, Any]:
    """Already-extracted body: paragraphs as given, minus furniture lines and a leading headline."""
    lines = [" ".join(ln.split()) for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    title = None
    # A headline on the first line (short, no sentence end) when more text follows: the text's own title.
    if len(lines) > 1 and _TITLE_LINE.match(lines[0]) and lines[0][-1] not in ".!?…:;»\"”)" and len(lines[0]) <= 150:
        title, lines = lines[0], lines[1:]
    paras = drop_furniture(lines, [title])
    return {
        "title": title,
        "body": "\n\n".join(paras),
        "url": None,
        "homepages": [],
        "published": None,
        "site_names": [],
        "credits": paras[:1] + paras[-1:],
        "authors": [],
        "tags": [],
        "comments": [],
        "standfirst": None,
        "language": None,
    }


def _from_html(html: str, url: str | None, opts: ExtractOptions) -> dict[str, Any]:
    h = extract_html(html, url=url, options=opts.html)
    paras = [p for p in h.body.split("\n\n") if p.strip()]
    return {
        "title": h.title,
        "body": h.body,
        "url": h.url or url,
        "homepages": [],
        "published": h.published,
        "site_names": [h.site_name] if h.site_name else [],
        "credits": paras[:1] + paras[-1:],
        "authors": list(h.authors),
        "tags": list(h.tags),
        "comments": list(h.comments),
        "standfirst": h.standfirst,
        "language": normalise_language(h.language),
    }


def _outlets(
    reg: OutletRegistry, url: str | None, declared: str | None, site_names: list[str], credits: list[str],
    homepages: list[str],
) -> tuple[str | None, str | None]:
    """Publisher and, for a reprint, the original outlet.

    The publisher is, in order: the article URL's outlet, the container's declared outlet, the outlet whose home page
    the page furniture links to (sites print their own address), a site name from the furniture. The original is
    another outlet (not of the publisher's group) named by a credit line ("Source : Le Point", "(AFP) --") or in
    the furniture.
    """
    publisher: Outlet | None = reg.by_url(url) if url else None
    name: str | None = publisher.name if publisher else None
    if name is None and declared:
        publisher = reg.by_url(declared) or reg.get(declared)
        name = publisher.name if publisher else declared
    if name is None:
        publisher = next((o for h in homepages if (o := reg.by_url(h))), None)
        name = publisher.name if publisher else None
    if name is None:
        for s in site_names:
            publisher = reg.get(s) or reg.by_url(s) or next(iter(reg.find_in_text(s)), None)
            if publisher:
                name = publisher.name
                break
        else:
            name = site_names[0] if site_names else None
    if name is None and url:
        name = OutletRegistry.domain_of(url)

    original: Outlet | None = None
    candidates: list[str] = []
    for line in credits:
        candidates += [m["name"] or m["agency"] or "" for m in _CREDIT.finditer(line)]
    candidates += site_names
    for cand in candidates:
        for o in reg.find_in_text(cand):
            if not (publisher and _same_group(publisher, o)) and o.name != name:
                original = o
                break
        if original:
            break
    if name is None and original:
        return original.name, None
    return name, original.name if original else None


def _same_group(a: Outlet, b: Outlet) -> bool:
    """Two registry entries of one organisation (Xinhua French and Xinhua, Sputnik France and Sputnik)."""
    if a.name == b.name or (a.owner and a.owner == b.owner):
        return True
    if a.name.startswith(b.name + " ") or b.name.startswith(a.name + " "):
        return True
    return any(x == y or x.endswith("." + y) or y.endswith("." + x) for x in a.domains for y in b.domains)


def _is_homepage(url: str) -> bool:
    path = urlsplit(url).path
    return path.strip("/") == ""
