"""Turn one raw document into a clean Article: body, title, date, URL, outlet (and original outlet), language.

What the container says (news-please fields, RSS entry, WARC URI) wins over what is guessed from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from vigie.clean import CleanOptions, clean_text
from vigie.errors import InputError
from vigie.htmlextract import extract_html
from vigie.metadata import as_list, detect_language, first_datetime, normalise_language, parse_datetime, unique
from vigie.models import Article, RawDocument
from vigie.outlets import Outlet, OutletRegistry

# Credit lines that name the outlet an article comes from: "Source : Le Point", "(AFP)", "avec Reuters".
_CREDIT = re.compile(
    r"(?:^|\b)(?:source|sources|crédit|credit|avec|with|d'après|d’après|selon|par|article (?:paru|publié) (?:dans|sur|par)"
    r"|(?:cet|this) article (?:est paru|a été publié|was (?:first )?published) (?:dans|sur|in|by|on))\s*:?\s*(?P<name>.{2,60})$"
    r"|\((?P<agency>[A-Z][\w .&-]{1,30})\)\s*(?:--|—|–|-)",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(slots=True)
class ExtractOptions:
    """How raw documents are turned into articles."""

    clean: CleanOptions = field(default_factory=CleanOptions)
    detect_language: bool = True


def extract(doc: RawDocument, options: ExtractOptions | None = None, registry: OutletRegistry | None = None) -> Article:
    """Clean one raw document into an Article.

    Raises:
        InputError: the document holds no article text at all.
    """
    opts = options or ExtractOptions()
    reg = registry or OutletRegistry.default()
    meta = doc.meta
    if doc.format == "html":
        fields = _from_html(doc.content, meta.get("url"))
    else:
        fields = _from_text(doc.content, opts)

    title = _str(meta.get("title")) or fields["title"]
    body: str = fields["body"]
    if not body.strip() and not title:
        raise InputError(doc.source, "no article text found")
    url = _str(meta.get("url")) or fields["url"]
    published = parse_datetime(_str(meta.get("published"))) if meta.get("published") else None
    published = published or fields["published"]

    outlet, original = _outlets(reg, url, _str(meta.get("outlet")), fields["site_names"], fields["credits"], body)
    language = normalise_language(meta.get("language")) or fields["language"]
    if opts.detect_language and body:
        # The text itself is more reliable than a page's declared locale, which is often a site-wide default.
        language = detect_language(f"{title or ''}\n{body}") or language
    return Article(
        id=doc.id,
        source=doc.source,
        title=title,
        published=published,
        url=url,
        outlet=outlet,
        original_outlet=original,
        authors=unique(as_list(meta.get("authors")) or fields["authors"]),
        language=language,
        body=body,
        standfirst=_str(meta.get("standfirst")) or fields["standfirst"],
        comments=fields["comments"],
        tags=unique(as_list(meta.get("tags")) or fields["tags"]),
    )


def _str(v: Any) -> str | None:
    if v is None:
        return None
    s = " ".join(str(v).split())
    return s or None


def _from_text(text: str, opts: ExtractOptions) -> dict[str, Any]:
    c = clean_text(text, opts.clean)
    edges = c.paragraphs[:1] + c.paragraphs[-1:]
    return {
        "title": c.title,
        "body": c.body,
        "url": c.urls[0] if c.urls else None,
        "published": first_datetime(list(c.date_strings)),
        "site_names": list(c.site_names),
        "credits": [*c.furniture, *edges],
        "authors": list(c.authors),
        "tags": list(c.tags),
        "comments": list(c.comments),
        "standfirst": c.standfirst,
        "language": None,
    }


def _from_html(html: str, url: str | None) -> dict[str, Any]:
    h = extract_html(html, url=url)
    paras = [p for p in h.body.split("\n\n") if p.strip()]
    return {
        "title": h.title,
        "body": h.body,
        "url": h.url or url,
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
    reg: OutletRegistry, url: str | None, declared: str | None, site_names: list[str], credits: list[str], body: str
) -> tuple[str | None, str | None]:
    """Publisher and, for a reprint, the original outlet named in a credit line.

    The publisher comes from the URL's domain, else the container's declared outlet, else a site name found in the
    page furniture. The original is an outlet named by a credit line ("Source : Le Point", "(AFP) --") that differs.
    """
    publisher: Outlet | None = reg.by_url(url) if url else None
    name: str | None = publisher.name if publisher else None
    if name is None and declared:
        o = reg.by_url(declared) or reg.get(declared)
        name = o.name if o else declared
    if name is None:
        for s in site_names:
            o = reg.get(s) or reg.by_url(s) or next(iter(reg.find_in_text(s)), None)
            if o:
                name = o.name
                break
        else:
            if site_names:
                name = site_names[0]
    if name is None and url:
        name = OutletRegistry.domain_of(url)

    original: str | None = None
    for line in credits:
        for m in _CREDIT.finditer(line):
            cand = m["name"] or m["agency"] or ""
            found = reg.find_in_text(cand)
            if found and found[0].name != name:
                original = found[0].name
                break
        if original:
            break
    if name is None and original:
        name, original = original, None
    return name, original
