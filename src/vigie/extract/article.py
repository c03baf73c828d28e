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
from vigie.extract.metadata import (
    as_list,
    best_datetime,
    detect_language,
    first_sentence,
    is_dateline,
    normalise_language,
    parse_datetime,
    site_key,
    site_keys,
    strip_site_name,
    title_segments,
    title_site_name,
    unique,
)
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

    authors = unique([a for x in as_list(meta.get("authors")) or fields["authors"] if (a := _line(x))])
    outlet, original = _outlets(
        reg, url, _str(meta.get("outlet")), fields["site_names"], fields["credits"], fields["homepages"],
        authors=authors, title=title,
    )
    title = _headline(title, body, fields["standfirst"], reg, url, outlet, original)
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
        authors=authors,
        language=language,
        body=_text(body),
        standfirst=_line(_str(meta.get("standfirst")) or fields["standfirst"]),
        comments=[c for x in fields["comments"] if (c := _text(x))],
        tags=unique([t for x in as_list(meta.get("tags")) or fields["tags"] if (t := _line(x))]),
    )


def _headline(title: str | None, body: str, standfirst: str | None, reg: OutletRegistry, url: str | None,
              outlet: str | None, original: str | None) -> str | None:
    """The title without the site name around it; a dateline ("BOGOTA (Reuters) -") is replaced by the first
    sentence of the text, since a dispatch that opens on one has no headline of its own."""
    # Registered names only: an HTML page's own site name was stripped by the HTML path, which knows its <h1>.
    names: list[str | None] = []
    for name in (outlet, original):
        o = reg.get(name) if name else None
        if o is not None:
            names += [o.name, *o.aliases, *o.domains]
    title = strip_site_name(_line(title), names, url if reg.by_url(url or "") else None)
    if title is None or is_dateline(title):
        title = first_sentence(body) or first_sentence(standfirst) or title
    return title


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


# Words of a site's name, never of a person's: "Bondy Blog", "ARTE Radio", "Info'Com-CGT".
_NOT_A_PERSON = re.compile(
    r"\b(?:blog|radio|info|infos|news|journal|magazine|revue|média|media|presse|press|tv|télé|times|post|daily"
    r"|actu|actualités?|le|la|les|l'|the|de|du|des|et|of|and|france|online|hebdo|quotidien|agence|agency|université"
    r"|universite)\b",
    re.IGNORECASE,
)
_PERSON = re.compile(r"[A-ZÀ-Þ][a-zà-ÿ'’-]+(?:\s+(?:[A-ZÀ-Þ][a-zà-ÿ'’-]+|[A-Z]\.)){1,2}")


def _looks_like_url(text: str) -> bool:
    """An address rather than a name: "https://www.mesopinions.com/", "www.x.fr", "x.fr/politique" ("Sports.fr" is a
    name)."""
    t = text.strip()
    return bool(re.match(r"(?:https?:)?//|www\.", t, re.IGNORECASE)) or bool(
        re.fullmatch(r"[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*", t, re.IGNORECASE)
    )


def _looks_like_person(text: str) -> bool:
    """A person's name ("Kristen Falc'hon"): two or three capitalised words, none of a site's name."""
    return bool(_PERSON.fullmatch(text.strip())) and not _NOT_A_PERSON.search(text)


def _site_name(reg: OutletRegistry, value: str | None, authors: list[str], url: str | None,
               title: str | None) -> str | None:
    """A site name as an outlet: a URL becomes its registered outlet or its host; an author's name, or a person's
    name that the registry, the address and the title do not confirm, is nobody's outlet."""
    if not value:
        return None
    if _looks_like_url(value):
        o = reg.by_url(value)
        return o.name if o else OutletRegistry.domain_of(value)
    if reg.get(value) is not None:
        return value
    key = site_key(value)
    if key in {site_key(a) for a in authors}:
        return None
    confirmed = key in site_keys([], url) or bool(title and key in {site_key(s) for s in title_segments(title)[1:]})
    if not confirmed and _looks_like_person(value):
        return None
    return value


def _outlets(
    reg: OutletRegistry, url: str | None, declared: str | None, site_names: list[str], credits: list[str],
    homepages: list[str], *, authors: list[str] | None = None, title: str | None = None,
) -> tuple[str | None, str | None]:
    """Publisher and, for a reprint, the original outlet.

    The publisher is, in order: the article URL's outlet, the container's declared outlet, the outlet whose home page
    the page furniture links to (sites print their own address), a site name from the furniture, the site the
    title names ("Titre | ARTE Radio"), the URL's host. A URL given as a name becomes its outlet or host; an author
    is never the publisher. The original is another outlet (not of the publisher's group) named by a credit line
    ("Source : Le Point", "(AFP) --") or in the furniture.
    """
    authors = authors or []
    declared = _site_name(reg, declared, authors, url, title)
    site_names = [n for s in site_names if (n := _site_name(reg, s, authors, url, title))]
    titled = title_site_name(title, url)
    if titled and not any(reg.get(s) for s in site_names):
        site_names.append(titled)
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
    hosts_a = {d.split("/")[0] for d in a.domains}
    hosts_b = {d.split("/")[0] for d in b.domains}  # "dw.com/fr" (DW Afrique) is a section of dw.com
    return any(x == y or x.endswith("." + y) or y.endswith("." + x) for x in hosts_a for y in hosts_b)


def _is_homepage(url: str) -> bool:
    path = urlsplit(url).path
    return path.strip("/") == ""
