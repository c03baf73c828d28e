"""Atom feeds (RFC 4287) of what Vigie follows: a saved search's latest matches, a story's articles.

The feed is built with :mod:`xml.etree.ElementTree`, which escapes ``& < >`` (so ``]]>`` and ``<script>`` stay
text); characters XML 1.0 forbids (C0 controls but tab and line breaks, lone surrogates, U+FFFE/U+FFFF) are dropped
first, as no escape can carry them. Dates become RFC 3339 timestamps (a bare day is midnight UTC, a time without an
offset is read as UTC); an entry without a date takes the feed's ``updated``.

Example:
    >>> feed = AtomFeed("urn:vigie:story:s-1", "Otan", "2021-10-20T00:00:00Z",
    ...                 entries=[AtomEntry("urn:vigie:article:a1", "Moscou réagit", "2021-10-18", "https://x.fr/a1")])
    >>> feed.to_xml().startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    True
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

__all__ = ["ATOM_NS", "CONTENT_TYPE", "AtomEntry", "AtomFeed", "instant", "rfc3339", "xml_text"]

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
EPOCH = "1970-01-01T00:00:00Z"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str | None) -> str:
    """``text`` without the characters no XML 1.0 document may hold (escaping is the serializer's job)."""
    return _NOT_XML.sub("", text or "")


def rfc3339(value: str | None) -> str | None:
    """An ISO day or timestamp as RFC 3339 (``2021-10-18`` -> ``2021-10-18T00:00:00Z``); None when not a date."""
    if not value:
        return None
    v = value.strip()
    try:
        if len(v) == 10:
            d = date.fromisoformat(v)
            return f"{d.isoformat()}T00:00:00Z"
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if dt.utcoffset() == UTC.utcoffset(None):
        return dt.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return dt.replace(microsecond=0).isoformat()


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def instant(value: str | None) -> datetime:
    """The moment of an ISO date or timestamp, for sorting newest first; the undated sort before everything."""
    stamp = rfc3339(value)
    return _instant(stamp) if stamp else datetime.min.replace(tzinfo=UTC)


@dataclass(slots=True)
class AtomEntry:
    """One entry: ``link`` is where a reader goes (the article, http(s) only); ``related`` another page about it."""

    id: str
    title: str
    updated: str | None = None
    link: str | None = None
    summary: str | None = None
    author: str | None = None
    related: str | None = None
    published: str | None = None


@dataclass(slots=True)
class AtomFeed:
    """A feed: ``self_url`` is the feed's own address, ``link`` the page it follows."""

    id: str
    title: str
    updated: str | None = None
    entries: list[AtomEntry] = field(default_factory=list)
    self_url: str | None = None
    link: str | None = None
    subtitle: str | None = None
    lang: str | None = None
    author: str = "Vigie"

    def to_xml(self) -> bytes:
        """The feed as a UTF-8 XML document. ``updated`` falls back on the newest entry's date, then the epoch."""
        dated = [u for e in self.entries if (u := rfc3339(e.updated or e.published))]
        newest = max(dated, key=_instant) if dated else None
        feed_updated = rfc3339(self.updated) or newest or EPOCH
        root = ET.Element("feed", {"xmlns": ATOM_NS})
        if self.lang:
            root.set("{http://www.w3.org/XML/1998/namespace}lang", self.lang)
        _text(root, "id", self.id)
        _text(root, "title", self.title)
        if self.subtitle:
            _text(root, "subtitle", self.subtitle)
        _text(root, "updated", feed_updated)
        _text(ET.SubElement(root, "author"), "name", self.author)
        _text(root, "generator", "Vigie")
        if self.self_url:
            ET.SubElement(root, "link", {"rel": "self", "type": "application/atom+xml", "href": xml_text(self.self_url)})
        if self.link:
            ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "href": xml_text(self.link)})
        for e in self.entries:
            node = ET.SubElement(root, "entry")
            _text(node, "id", e.id)
            _text(node, "title", e.title)
            _text(node, "updated", rfc3339(e.updated or e.published) or feed_updated)
            if published := rfc3339(e.published):
                _text(node, "published", published)
            if e.author:
                _text(ET.SubElement(node, "author"), "name", e.author)
            if e.link:
                ET.SubElement(node, "link", {"rel": "alternate", "type": "text/html", "href": xml_text(e.link)})
            if e.related:
                ET.SubElement(node, "link", {"rel": "related", "type": "text/html", "href": xml_text(e.related)})
            if e.summary:
                s = _text(node, "summary", e.summary)
                s.set("type", "text")
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    node = ET.SubElement(parent, tag)
    node.text = xml_text(value)
    return node
