"""The records that flow between pipeline stages."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Format = Literal["text", "html"]


@dataclass(slots=True)
class RawDocument:
    """One article as read, before cleaning.

    ``content`` is decoded text (plain text or HTML, per ``format``); ``meta`` holds what the container already
    says about the article (news-please fields, RSS entry, WARC headers) under Vigie's own names: ``title``,
    ``url``, ``published``, ``outlet``, ``authors``, ``language``, ``tags``.
    """

    source: str
    format: Format
    content: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """Content hash: the same input always gets the same id, so re-ingesting adds nothing."""
        h = hashlib.sha256()
        h.update(self.format.encode())
        h.update(b"\0")
        h.update(self.content.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
        h.update(json.dumps(self.meta, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass"))
        return h.hexdigest()[:16]


@dataclass(slots=True)
class Article:
    """A cleaned article: body without furniture, metadata, reader comments kept apart."""

    id: str
    source: str
    title: str | None = None
    published: str | None = None
    url: str | None = None
    outlet: str | None = None
    original_outlet: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    body: str = ""
    standfirst: str | None = None
    comments: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in names})
