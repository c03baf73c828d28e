"""Property-based fuzzing of the readers, the text cleaner and the HTML extractor with structured inputs.

Inputs are built from the shapes real documents have (furniture lines around prose, HTML trees, news-please
records, RSS / Atom feeds) and then mangled; the only exception allowed out is the documented InputError.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.errors import InputError
from vigie.extract import extract
from vigie.extract.clean import clean_text
from vigie.extract.html import extract_html
from vigie.extract.readers import read_bytes
from vigie.models import RawDocument

# VIGIE_FUZZ_EXAMPLES=2000 for a deeper local run.
FUZZ = settings(max_examples=int(os.environ.get("VIGIE_FUZZ_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PROSE = [
    "Le gouvernement a présenté mardi son projet de budget pour 2024 au Parlement, qui doit l'examiner en novembre.",
    "« Nous ne céderons pas », a déclaré le ministre à l'Assemblée nationale, sous les huées de l'opposition.",
    "Selon l'AFP, les négociations ont repris à Bruxelles entre les Vingt-Sept et le Royaume-Uni.",
    "Les prix de l'énergie ont augmenté de 12 % sur un an, d'après les chiffres publiés par l'Insee jeudi.",
]
FURNITURE = [
    "Partager", "Lire aussi", "Publié le 12/03/2021 à 10h05", "Mis à jour le 13 mars 2021 à 08:00", "Par Jean Dupont",
    "Par Marie Curie et Pierre Martin", "Abonnez-vous à notre newsletter", "Commentaires (12)", "Réagir",
    "Tags : politique, budget, économie", "https://www.lefigaro.fr/", "www.lemonde.fr", "© AFP", "Source : Le Point",
    "Accueil > Politique > Budget", "Cookies", "Publicité", "Les plus lus", "1", "—", "…", "(AFP) --", "Facebook Twitter",
    "2021-10-19T17:11+0200", "lundi 4 janvier 2021", "Vidéo", "Écouter cet article", "Jean Dupont a dit :",
    "Signaler un abus", "Répondre", "il y a 3 heures", "Sputnik France", "RT France", "Xinhua",
]
ODD = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
WEIRD_CHARS = st.sampled_from(["\u200b", "\u202e", "\ufeff", "\x00", "\x1b", "\r", "\r\n", "\u2028", "\x85", "\t",
                               "\u00ad", "&amp;", "&#0;", "&#xD800;", "<", ">", "\\", '"', "\ufffd", "😀", "ا", "ש"])


@st.composite
def furniture_pages(draw: st.DrawFn) -> str:
    """A page dump: furniture lines, prose, blank lines and odd characters, in any order."""
    line = st.one_of(st.sampled_from(FURNITURE), st.sampled_from(PROSE), ODD, st.just(""),
                     st.lists(st.sampled_from(PROSE), min_size=1, max_size=4).map(" ".join),
                     st.tuples(st.sampled_from(PROSE), WEIRD_CHARS, st.sampled_from(PROSE)).map("".join))
    lines = draw(st.lists(line, max_size=40))
    sep = draw(st.sampled_from(["\n", "\r\n", "\n\n", "\r"]))
    return sep.join(lines)


@given(furniture_pages())
@FUZZ
def test_clean_text_never_raises_on_furniture_pages(text: str) -> None:
    c = clean_text(text)
    assert all(p.strip() for p in c.paragraphs)
    assert "\n\n\n" not in c.body


@given(furniture_pages())
@FUZZ
def test_extract_text_documents_raise_only_input_error(text: str) -> None:
    try:
        art = extract(RawDocument(source="fuzz.txt", format="text", content=text))
    except InputError:
        return
    assert art.body or art.title


TAGS = ["div", "p", "span", "article", "section", "main", "header", "footer", "nav", "aside", "h1", "h2", "ul", "li",
        "a", "table", "tr", "td", "blockquote", "figure", "figcaption", "time", "script", "style", "noscript",
        "iframe", "form", "br", "img", "svg", "template", "title", "meta", "b", "i"]
ATTRS = st.dictionaries(
    st.sampled_from(["class", "id", "href", "itemprop", "property", "content", "datetime", "lang", "style", "name",
                     "data-x", "onclick"]),
    st.one_of(st.sampled_from(["article", "content", "comment", "author", "byline", "headline", "og:title",
                               "2021-10-19T17:11:00+02:00", "https://www.lemonde.fr/x/1.html", "javascript:x()",
                               "fr", "description", "datePublished"]), ODD),
    max_size=3,
)


def _render(node: Any) -> str:
    if isinstance(node, str):
        return node
    tag, attrs, children = node
    a = "".join(f' {k}="{v.replace(chr(34), "&quot;")}"' for k, v in attrs.items())
    return f"<{tag}{a}>" + "".join(_render(c) for c in children) + f"</{tag}>"


TEXT_NODE = st.one_of(st.sampled_from(PROSE), st.sampled_from(FURNITURE), ODD, WEIRD_CHARS)
HTML_TREE = st.recursive(
    TEXT_NODE,
    lambda kids: st.tuples(st.sampled_from(TAGS), ATTRS, st.lists(kids, max_size=5)),
    max_leaves=40,
)


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    head = draw(st.lists(st.tuples(st.sampled_from(["meta", "title", "script", "link"]), ATTRS,
                                   st.lists(TEXT_NODE, max_size=1)), max_size=4))
    body = draw(st.lists(HTML_TREE, max_size=6))
    page = "<html><head>" + "".join(map(_render, head)) + "</head><body>" + "".join(map(_render, body))
    cut = draw(st.integers(0, 3))
    return page + "</body></html>" if cut else page[: draw(st.integers(0, len(page)))]  # sometimes truncated


@given(html_pages())
@FUZZ
def test_htmlextract_never_raises_on_random_trees(html: str) -> None:
    h = extract_html(html, url="https://www.lemonde.fr/politique/article/2021/x.html")
    assert isinstance(h.body, str)


@given(html_pages(), st.sampled_from(["page.html", "page", "page.htm.gz"]))
@FUZZ
def test_readers_and_extract_html_raise_only_input_error(html: str, name: str) -> None:
    data = html.encode("utf-8", "surrogatepass")
    if name.endswith(".gz"):
        data = gzip.compress(data)
    for item in read_bytes(data, name):
        if isinstance(item, InputError):
            continue
        with contextlib.suppress(InputError):
            extract(item)


JSON_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), ODD,
                        st.sampled_from(PROSE), st.sampled_from(FURNITURE))
JSON_VALUE = st.recursive(JSON_SCALAR, lambda kids: st.one_of(st.lists(kids, max_size=3),
                                                              st.dictionaries(ODD, kids, max_size=3)), max_leaves=10)
KEYS = ["maintext", "text", "body", "content", "html", "title", "headline", "url", "date_publish", "published",
        "source_domain", "authors", "author", "language", "lang", "tags", "keywords", "description", "site_name"]


@st.composite
def jsonl_files(draw: st.DrawFn) -> bytes:
    """News-please-like records with any types in any field, some lines broken, blank or not JSON at all."""
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        rec = draw(st.dictionaries(st.sampled_from(KEYS), JSON_VALUE, max_size=8))
        line = json.dumps(rec, ensure_ascii=draw(st.booleans()))
        kind = draw(st.integers(0, 9))
        if kind == 0:
            line = line[: draw(st.integers(0, len(line)))]
        elif kind == 1:
            line = draw(ODD)
        elif kind == 2:
            line = json.dumps(draw(JSON_VALUE))
        lines.append(line)
    raw = draw(st.sampled_from(["\n", "\r\n"])).join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        raw = raw.replace(b"e", draw(st.sampled_from([b"\xff", b"\x00", b"\xc3", b"e"])), 1)
    return raw


@given(jsonl_files(), st.sampled_from(["a.jsonl", "a.json", "a.ndjson", "a", "a.txt"]))
@FUZZ
def test_readers_random_jsonl_records_give_documents_or_input_errors(data: bytes, name: str) -> None:
    for item in read_bytes(data, name):
        assert isinstance(item, (RawDocument, InputError))
        if isinstance(item, RawDocument):
            item.content.encode("utf-8")
            json.dumps(item.meta, ensure_ascii=False).encode("utf-8")
            with contextlib.suppress(InputError):
                extract(item)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;")


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    """RSS 2.0 or Atom with random entries; text sometimes escaped, sometimes raw, sometimes with odd references."""
    atom = draw(st.booleans())
    entries = []
    for i in range(draw(st.integers(0, 5))):
        title = draw(st.one_of(st.sampled_from(PROSE), ODD))
        body = draw(st.one_of(st.sampled_from(PROSE), ODD, html_pages(), WEIRD_CHARS))
        body = _esc(body) if draw(st.booleans()) else f"<![CDATA[{body}]]>"
        date = draw(st.sampled_from(["Tue, 19 Oct 2021 17:11:00 +0200", "2021-10-19T17:11:00+02:00", "hier", "",
                                     "Mon, 99 Foo 9999 99:99:99 +9999"]))
        if atom:
            entries.append(f"<entry><title>{_esc(title)}</title><link href='https://a.fr/{i}'/><updated>{date}"
                           f"</updated><content type='html'>{body}</content></entry>")
        else:
            entries.append(f"<item><title>{_esc(title)}</title><link>https://a.fr/{i}</link><pubDate>{date}</pubDate>"
                           f"<description>{body}</description></item>")
    inner = "".join(entries)
    if atom:
        doc = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>{inner}</feed>'
    else:
        doc = f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{inner}</channel></rss>'
    if draw(st.integers(0, 4)) == 0:
        doc = doc[: draw(st.integers(0, len(doc)))]
    return doc.encode("utf-8", "surrogatepass")


@given(feeds(), st.sampled_from(["f.rss", "f.xml", "f.atom", "f"]))
@FUZZ
def test_readers_random_feeds_give_documents_or_input_errors(data: bytes, name: str) -> None:
    for item in read_bytes(data, name):
        assert isinstance(item, (RawDocument, InputError))
        if isinstance(item, RawDocument):
            item.content.encode("utf-8")
            with contextlib.suppress(InputError):
                extract(item)


@pytest.mark.parametrize("ref", [b"&#xD800;", b"&#0;", b"&#99999999999;", b"&#x110000;", b"&#xDFFF;", b"&#" + b"9" * 5000 + b";"])
def test_readers_feed_with_impossible_character_reference(ref: bytes) -> None:
    feed = (b'<rss version="2.0"><channel><title>t</title><item><title>A ' + ref + b"</title><link>https://a.fr/1"
            b"</link><description>Un texte " + ref + b" ici.</description></item></channel></rss>")
    (doc,) = list(read_bytes(feed, "f.rss"))
    assert isinstance(doc, RawDocument) and doc.content.startswith("Un texte")
