"""Index terms, computed in Python so that every back end indexes and queries the very same terms.

A word becomes a term by case and accent folding, then the Snowball stemmer of its article's language (PyStemmer;
French when the language is unknown), then, for French, a light derivational step that Snowball leaves out:
"grève", "grèves" and "grévistes" all give ``grev``. Queries are parsed here too (:class:`Query`): their words are
stemmed the same way, in each language present in the store, and the variants OR-ed.

Example:
    >>> [term(w) for w in ("grève", "grèves", "grévistes")]
    ['grev', 'grev', 'grev']
    >>> index_text("Les grévistes de l'Otan", "fr")
    'le grev de l otan'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

DEFAULT_LANGUAGE = "fr"

# ISO 639-1 code -> Snowball algorithm of PyStemmer.
STEMMERS = {
    "fr": "french", "en": "english", "de": "german", "es": "spanish", "it": "italian", "pt": "portuguese",
    "nl": "dutch", "ca": "catalan", "da": "danish", "sv": "swedish", "no": "norwegian", "nb": "norwegian",
    "fi": "finnish", "ro": "romanian", "hu": "hungarian", "tr": "turkish", "ru": "russian", "el": "greek",
    "ar": "arabic", "cs": "czech", "pl": "polish", "id": "indonesian", "ga": "irish", "lt": "lithuanian",
    "eu": "basque", "et": "estonian", "sr": "serbian",
}
_AVAILABLE = set(Stemmer.algorithms())

# A word: letters and digits (no underscore), the way FTS5's unicode61 tokenizer splits the stored terms again.
WORD = re.compile(r"[^\W_]+")
# French derivational endings Snowball keeps when its R2 region is short (grévist-, syndicalism-): stripped when
# at least this many characters stay, so that "artiste" keeps its own term.
_FR_DERIVED = ("ist", "ism")
_MIN_STEM = 4
INDEX_CHARS = 300_000  # of a body indexed (PostgreSQL holds at most 1 MB per tsvector); both back ends cut alike
MAX_TERM = 100  # longer "words" (base64, hashes) are cut: PostgreSQL refuses lexemes over 2 KB


@lru_cache(maxsize=1)
def _combining() -> dict[int, None]:
    # Every combining mark sits between U+0300 and U+1EFFF; a table for str.translate, 7x faster than testing
    # each character.
    return {cp: None for cp in range(0x300, 0x1F000) if unicodedata.combining(chr(cp))}


def fold(text: str) -> str:
    """Lower case without accents ("Grévistes" -> "grevistes"); ligatures and compatibility forms opened."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text.casefold()).translate(_combining())


def language_key(language: str | None) -> str:
    """The stemmer key of an article language: its ISO code when Snowball knows it, French when unknown, else ""
    (folded words, no stemming)."""
    code = (language or DEFAULT_LANGUAGE).strip().lower().replace("_", "-").split("-")[0]
    if not code:
        return DEFAULT_LANGUAGE
    return code if STEMMERS.get(code) in _AVAILABLE else ""


@lru_cache(maxsize=64)
def _stemmer(key: str) -> Stemmer.Stemmer | None:
    return Stemmer.Stemmer(STEMMERS[key]) if key else None


@lru_cache(maxsize=65536)
def _stem(word: str, key: str) -> str:
    stemmer = _stemmer(key)
    stem = stemmer.stemWord(word) if stemmer is not None else word
    if key == "fr":
        for end in _FR_DERIVED:
            if stem.endswith(end) and len(stem) - len(end) >= _MIN_STEM:
                stem = stem[: -len(end)]
                break
    return stem[:MAX_TERM]


def term(word: str, language: str | None = None) -> str:
    """The index term of one word in ``language`` (an ISO code; French when None)."""
    return _stem(fold(word)[:MAX_TERM], language_key(language))


def tokens(text: str) -> Iterator[re.Match[str]]:
    """The words of ``text`` with their offsets (what highlighting maps terms back to)."""
    return WORD.finditer(text)


def index_terms(text: str | None, language: str | None = None) -> list[str]:
    """The terms of ``text``, in order (one per word; positions count for phrases)."""
    if not text:
        return []
    key = language_key(language)
    # Folded first, then split: folding works character by character, so this splits as folding each word would.
    return [_stem(w[:MAX_TERM], key) for w in WORD.findall(fold(text))]


def index_text(text: str | None, language: str | None = None) -> str:
    """:func:`index_terms` joined by spaces: the shadow text an FTS5 table indexes."""
    return " ".join(index_terms(text, language))


# -- queries ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """One query item: a word (``words`` of one), a "phrase" (several), or a prefix* (one word, ``prefix``)."""

    words: tuple[str, ...]
    prefix: bool = False

    def variants(self, languages: Iterable[str]) -> list[tuple[str, ...]]:
        """The term sequences this item stands for: one per stemmer key (deduplicated, in a stable order).

        A prefix is folded but its end is stemmed too, so that ``expulsé*`` still reaches ``expuls``."""
        out: list[tuple[str, ...]] = []
        # Folded as the index folds them: a word that folding splits ("½" -> "1⁄2") gives its pieces.
        folded = [x[:MAX_TERM] for w in self.words for x in WORD.findall(fold(w))]
        if not folded:
            return out
        for key in languages:
            seq = tuple(_stem(w, key) or w for w in folded)
            if self.prefix:
                seq = (min(seq[-1], folded[-1], key=len),)
            if seq not in out:
                out.append(seq)
        return out


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: ``groups`` must all match (each group: one of its items), ``excluded`` items must not.

    Syntax, the same on every back end: plain words (all required), ``"a phrase"``, ``a OR b`` (``or`` too),
    ``-word`` or ``NOT word`` to exclude, ``prefix*``. Anything else is a word separator, so no input is an error.
    """

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = field(default=())

    @classmethod
    def parse(cls, text: str) -> Query:
        """Parse ``text``.

        Example:
            >>> Query.parse('grève "mission russe" -sport otan OR nato russ*').groups[1]
            (Term(words=('mission', 'russe'), prefix=False),)
        """
        groups: list[list[Term]] = []
        excluded: list[Term] = []
        join = negate = False
        for m in _QUERY_TOKEN.finditer(text):
            phrase, bare = m.group("phrase"), m.group("word")
            if bare is not None and not m.group("neg") and bare in ("OR", "or") and not m.group("star"):
                join = bool(groups)
                continue
            if bare is not None and not m.group("neg") and bare in ("NOT", "AND") and not m.group("star"):
                negate = bare == "NOT"
                continue
            words = tuple(w for w in WORD.findall(phrase if phrase is not None else bare or "") if WORD.search(fold(w)))
            if not words:
                join = negate = False
                continue
            star = bool(m.group("star")) and phrase is None
            items = [Term(words[-1:] if star else words, prefix=star)]
            if star and len(words) > 1:  # "foo-ba*": the whole words are required, the last one as a prefix
                items = [Term((w,)) for w in words[:-1]] + items
            if m.group("neg") or negate:
                excluded.extend(items)
            elif join and groups and len(items) == 1:
                groups[-1].append(items[0])
            else:
                groups.extend([i] for i in items)
            join = negate = False
        return cls(tuple(tuple(g) for g in groups), tuple(excluded))

    def __bool__(self) -> bool:
        return bool(self.groups)

    def items(self) -> Iterator[Term]:
        """Every item that must or may match (the ones highlighting shows)."""
        for g in self.groups:
            yield from g

    def matches(self, doc: Document, languages: Sequence[str]) -> bool:
        """Whether the index would return ``doc`` for this query, its words stemmed in each of ``languages``
        (the store's :meth:`search_languages`): what saved searches use, so an alert fires on what search finds.

        Example:
            >>> Query.parse("grève -sport").matches(Document.of(["Les grévistes"], "fr"), ["fr"])
            True
        """
        if not self.groups:
            return False
        if any(doc.has(t, languages) for t in self.excluded):
            return False
        return all(any(doc.has(t, languages) for t in g) for g in self.groups)

    def matches_text(self, text: str, language: str | None = None) -> bool:
        """:meth:`matches` on one text in ``language`` (French when None), its words stemmed in that language."""
        return self.matches(Document.of([text], language), [language_key(language)])


@dataclass(frozen=True, slots=True)
class Document:
    """The index terms of an article's fields (title, standfirst, body), as the back ends index them: a phrase
    matches within one field, a prefix any term it starts."""

    fields: tuple[tuple[str, ...], ...]
    vocabulary: frozenset[str]

    @classmethod
    def of(cls, texts: Iterable[str | None], language: str | None = None) -> Document:
        fields = tuple(tuple(index_terms(x[:INDEX_CHARS], language)) for x in texts if x)
        return cls(fields, frozenset(t for f in fields for t in f))

    def has(self, item: Term, languages: Sequence[str]) -> bool:
        for seq in item.variants(languages):
            if item.prefix:
                if any(t.startswith(seq[0]) for t in self.vocabulary):
                    return True
            elif len(seq) == 1:
                if seq[0] in self.vocabulary:
                    return True
            elif all(w in self.vocabulary for w in seq) and any(_contains(f, seq) for f in self.fields):
                return True
        return False


def _contains(terms: Sequence[str], seq: Sequence[str]) -> bool:
    n = len(seq)
    return any(terms[i : i + n] == tuple(seq) for i in range(len(terms) - n + 1) if terms[i] == seq[0])


_QUERY_TOKEN = re.compile(r'(?P<neg>-)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+?)(?P<star>\*+)?(?=\s|"|$))')


def highlighter(query: Query, languages: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(terms, prefixes) a word of a hit is highlighted for: every word of every item, in every language."""
    exact: set[str] = set()
    prefixes: list[str] = []
    keys = list(languages)
    for item in query.items():
        for seq in item.variants(keys):
            if item.prefix:
                prefixes.append(seq[0])
            else:
                exact.update(seq)
    return frozenset(exact), tuple(prefixes)
