"""Search that understands French (issue #19): stemmed terms identical on SQLite and PostgreSQL, typed results with
facets, sorting and paging, highlighted (and escaped) snippets, the page, the API, the CLI and the migration.

Tests taking the ``store`` fixture run on both back ends (PostgreSQL from tests/pg.py, else skipped).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pg import BACKENDS, backend_store, fresh_database
from vigie.cli import main
from vigie.models import Article, RawDocument
from vigie.store import ArticleStore, SearchOptions, Store, open_store
from vigie.store.migrations import MIGRATIONS
from vigie.store.search import UNDATED
from vigie.store.terms import Query, index_text, term

GREVE = [
    ("Transports", "La grève des cheminots paralyse le trafic à Paris."),
    ("Raffineries", "Les grèves se multiplient dans les raffineries du pays."),
    ("Piquets", "Les grévistes tiennent les piquets devant le dépôt."),
]


def _doc(title: str, body: str, *, outlet: str | None = "Le Monde", published: str | None = "2023-01-19",
         language: str | None = "fr", source: str | None = None) -> tuple[RawDocument, Article]:
    text = f"{title}\n{body}"
    raw = RawDocument(source=source or f"{title}.txt", format="text", content=text)
    art = Article(id=raw.id, source=raw.source, title=title, body=body, published=published, outlet=outlet,
                  language=language)
    return raw, art


def _add(store: ArticleStore, *args: object, **kw: object) -> str:
    raw, art = _doc(*args, **kw)  # type: ignore[arg-type]
    store.add(raw, art)
    return art.id


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[ArticleStore]:
    with backend_store(request.param) as s:
        yield s


def _ids(store: ArticleStore, q: str, **kw: object) -> list[str]:
    return [h.article.id for h in store.find(q, SearchOptions(**kw)).hits]  # type: ignore[arg-type]


# -- terms ------------------------------------------------------------------------------------------------------


def test_search_terms_french_derivations() -> None:
    assert {term(w) for w in ("grève", "grèves", "grévistes", "GRÉVISTE", "greve")} == {"grev"}
    assert term("artiste") != term("art")  # the derivational step keeps a stem of 4 letters at least
    assert term("expulsés") == term("expulses") and term("Sergueï") == term("serguei")
    assert term("strikes", "en") == term("strike", "en") != term("strikes", "fr")
    assert term("Streiks", "de") == term("Streik", "de")
    assert index_text("L'Otan, les grévistes !", "fr") == "l otan le grev"
    assert term("naïve", "zz") == "naive"  # a language without stemmer: folded only


def test_search_query_parse() -> None:
    q = Query.parse('grève "mission russe" -sport otan OR nato russ* NOT foot')
    assert [[t.words for t in g] for g in q.groups] == [[("grève",)], [("mission", "russe")], [("otan",), ("nato",)],
                                                         [("russ",)]]
    assert q.groups[3][0].prefix and [t.words for t in q.excluded] == [("sport",), ("foot",)]
    for empty in ("", "   ", "* - OR", '"', "-seul"):
        assert not Query.parse(empty)  # nothing to look for: no hit, and no error


# -- the same on both back ends -----------------------------------------------------------------------------------


def test_search_greve_forms_find_the_same_articles(store: ArticleStore) -> None:
    ids = {_add(store, title, body) for title, body in GREVE}
    _add(store, "Météo", "Il pleuvra demain sur la Bretagne.")
    for q in ("grève", "grèves", "grévistes", "GREVE", "gréviste"):
        found = store.find(q)
        assert found.total == 3 and {h.article.id for h in found.hits} == ids, q


def test_search_highlights_the_original_word(store: ArticleStore) -> None:
    _add(store, "Piquets", "Les grévistes tiennent les piquets devant le dépôt.")
    hit = store.find("grève").hits[0]
    assert [s.text for s in hit.snippet if s.match] == ["grévistes"]
    assert hit.snippet_text() == "Les grévistes tiennent les piquets devant le dépôt."
    assert hit.snippet_text("[", "]") == "Les [grévistes] tiennent les piquets devant le dépôt."
    assert store.search("grève") == [(hit.article, "Les [grévistes] tiennent les piquets devant le dépôt.")]


def test_search_syntax_same_on_both(store: ArticleStore) -> None:
    a = _add(store, "Otan", "La mission russe auprès de l'Otan est suspendue.")
    b = _add(store, "Skripal", "L'empoisonnement de Sergueï Skripal à Salisbury a tendu les relations.")
    assert _ids(store, "empoisonné") == [b]
    assert set(_ids(store, "skripal OR otan")) == {a, b} == set(_ids(store, "skripal or otan"))
    assert _ids(store, "skripal -salisbury") == [] and _ids(store, "skripal NOT salisbury") == []
    assert _ids(store, '"mission russe"') == [a] and _ids(store, '"russe mission"') == []
    assert _ids(store, "empoison*") == [b] and _ids(store, "salis*") == [b]
    assert _ids(store, '"unbalanced') == [] and _ids(store, "\x00") == []


def test_search_no_input_is_an_error(store: ArticleStore) -> None:
    gid = _add(store, "Grève ½", "Les grévistes d'İstanbul ²")
    for q in ('"', "'", "\\", "a:*", "!&|", "NEAR(a b)", "(grève", "grève)", "ͅ", "\u0301", "½", "x' | 'y", '"a" OR',
              "OR grève", "grève OR", "-", "--grève", "*grève", "grève**", "NOT", "a AND", "'grev':*"):
        store.find(q)  # every input reads as words, whatever the back end's own syntax
    assert _ids(store, "(grève") == [gid] == _ids(store, "grève**") == _ids(store, "istanbul")


def test_search_facets_filters_sort_and_pages(store: ArticleStore) -> None:
    old = _add(store, "Grève de janvier", "Les cheminots en grève.", outlet="Le Monde", published="2023-01-19")
    mid = _add(store, "Strike", "Workers on strike, la grève continue.", outlet="BBC", published="2023-02-07",
               language="en")
    new = _add(store, "Grèves de mars", "Encore des grévistes.", outlet="Le Monde", published="2023-03-07")
    undated = _add(store, "Sans date", "Une grève ancienne.", outlet=None, published=None)
    _add(store, "Autre", "Rien à voir.", outlet="BBC", published="2023-02-08")
    store.save_placements([(i, i, None, None, None) for i in (old, mid, new)], {},
                          {old: ("e1", "s1"), new: ("e2", "s1"), mid: ("e3", "s2")}, {})
    found = store.find("grève", SearchOptions(limit=2))
    assert found.total == 4 and len(found.hits) == 2  # facets count every match, not the page
    f = found.facets
    assert [(c.value, c.count) for c in f.outlet] == [("Le Monde", 2), ("BBC", 1)]
    assert [(c.value, c.count) for c in f.language] == [("fr", 3), ("en", 1)]
    assert [(c.value, c.count) for c in f.month] == [("2023-03", 1), ("2023-02", 1), ("2023-01", 1), (UNDATED, 1)]
    assert [(c.value, c.count) for c in f.story] == [("s1", 2), ("s2", 1)]
    assert {h.article.id: h.story_id for h in store.find("grève").hits}[undated] is None

    assert _ids(store, "grève", sort="newest") == [new, mid, old, undated]
    assert _ids(store, "grève", sort="oldest") == [old, mid, new, undated]
    pages = [_ids(store, "grève", sort="newest", offset=o, limit=3) for o in (0, 3)]
    assert pages == [[new, mid, old], [undated]]

    only = store.find("grève", SearchOptions(outlet="Le Monde"))
    assert only.total == 2 and [(c.value, c.count) for c in only.facets.outlet] == [("Le Monde", 2)]
    assert _ids(store, "grève", language="en") == [mid]
    assert _ids(store, "grève", month="2023-01") == [old] and _ids(store, "grève", month=UNDATED) == [undated]
    assert set(_ids(store, "grève", story="s1")) == {old, new}


def test_search_relevance_prefers_titles(store: ArticleStore) -> None:
    body = _add(store, "Trafic", "Une grève est annoncée.")
    title = _add(store, "Grève générale", "Le trafic est perturbé.")
    assert _ids(store, "grève") == [title, body]


def test_search_update_reindexes(store: ArticleStore) -> None:
    raw, art = _doc("Titre", "Ancien texte.")
    store.add(raw, art)
    art.body = "Les grévistes reprennent le travail."
    store.update_article(art)
    assert _ids(store, "grève") == [art.id] and _ids(store, "ancien") == []


def test_search_options_checked() -> None:
    for bad in ({"sort": "best"}, {"month": "2023-1"}, {"offset": -1}, {"limit": 5000}):
        with pytest.raises(ValueError, match="must be"):
            SearchOptions(**bad)  # type: ignore[arg-type]


# -- SQLite: other connections, migration --------------------------------------------------------------------------


def test_search_sqlite_other_connections_do_not_break(tmp_path: Path) -> None:
    p = tmp_path / "v.db"
    with Store(p) as s:
        gone = _add(s, "Grève", "La grève continue.")
        kept = _add(s, "Grèves", "Les grèves reprennent.")
    conn = sqlite3.connect(p)  # as the sqlite3 shell would: no function of Vigie's is needed to write
    conn.execute("DELETE FROM article_sources WHERE article_id = ?", (gone,))
    conn.execute("DELETE FROM articles WHERE id = ?", (gone,))
    conn.execute("INSERT INTO raw (id, source, format, content, meta, read_at) VALUES ('x1', 's', 'text', '', '{}', '')")
    conn.execute("INSERT INTO articles (id, source, title, body, ingested_at) VALUES ('x1', 's', 'Grévistes', '', '')")
    conn.commit()
    conn.close()
    with Store(p) as s:
        assert _ids(s, "grève") == [kept]  # the delete followed; the outside insert waits for a rebuild
        assert s.rebuild_search_index() == 2
        assert set(_ids(s, "grève")) == {kept, "x1"}


_OLD_FTS = (
    """CREATE VIRTUAL TABLE articles_fts USING fts5(title, standfirst, body, content='articles',
        content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, standfirst, body) VALUES (new.rowid, new.title, new.standfirst, new.body);
    END""",
    """CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, standfirst, body)
        VALUES ('delete', old.rowid, old.title, old.standfirst, old.body);
    END""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
)


def test_search_migration_upgrades_a_schema_7_store(tmp_path: Path) -> None:
    p = tmp_path / "v.db"
    with Store(p) as s:
        ids = {_add(s, title, body) for title, body in GREVE}
    # Back to schema 7: its unstemmed external-content FTS5 index, and no migration 8.
    conn = sqlite3.connect(p)
    conn.execute("DROP TRIGGER search_fts_ad")
    conn.execute("DROP TABLE search_fts")
    for stmt in _OLD_FTS:
        conn.execute(stmt)
    conn.execute("DELETE FROM migrations WHERE version = 8")
    conn.commit()
    assert conn.execute("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH 'greve'").fetchone()[0] == 1
    conn.close()
    with Store(p) as s:
        assert s.schema_version() == MIGRATIONS[-1][0]  # every migration ran
        assert {h.article.id for h in s.find("grève").hits} == ids
        names = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master")}
        assert "articles_fts" not in names and "articles_ai" not in names and "search_fts" in names


def test_search_migration_upgrades_a_pg_store() -> None:
    with fresh_database() as url:
        with open_store(url) as s:
            ids = {_add(s, title, body) for title, body in GREVE}
            c = s.conn  # type: ignore[attr-defined]
            c.execute("ALTER TABLE articles DROP COLUMN search")
            c.execute("ALTER TABLE articles ADD COLUMN fts tsvector GENERATED ALWAYS AS "
                      "(to_tsvector('french'::regconfig, coalesce(title, '') || ' ' || body)) STORED")
            c.execute("CREATE INDEX articles_fts ON articles USING GIN (fts)")
            c.execute("DELETE FROM migrations WHERE version = 8")
        with open_store(url) as s:
            assert s.schema_version() == MIGRATIONS[-1][0]  # every migration ran
            assert {h.article.id for h in s.find("grévistes").hits} == ids
            cols = {r[0] for r in s.conn.execute(  # type: ignore[attr-defined]
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'articles'")}
            assert "fts" not in cols and "search" in cols


# -- edges: page, API, CLI ----------------------------------------------------------------------------------------

EVIL = "<script>alert(1)</script>"


@pytest.fixture
def search_db(tmp_path: Path) -> str:
    p = str(tmp_path / "v.db")
    with Store(p) as s:
        for title, body in GREVE:
            _add(s, title, body)
        _add(s, f"{EVIL} Grève", f"Le maire {EVIL} a parlé de la grève <b>totale</b>.", outlet=EVIL, published=None)
    return p


def test_search_page_counts_groups_and_escapes(search_db: str) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from vigie.serve import create_app

    with TestClient(create_app(search_db, token=None)) as c:
        html = c.get("/search", params={"q": "grève"}).text
        assert "4\u00a0résultats" in html and "pour «\u202fgrève\u202f»" in html
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>totale" not in html and "&lt;b&gt;totale" in html
        assert "<mark>grévistes</mark>" in html and "<mark>grève</mark>" in html
        assert "Articles hors récit" in html  # none of these articles was placed in a story
        assert "· ·" not in html and "· </span>" not in html  # the undated article shows no empty date
        assert 'href="/search?q=gr%C3%A8ve&amp;outlet=Le+Monde"' in html and "Sans date" in html
        assert 'href="/static/search.css"' in html and c.get("/static/search.css").status_code == 200
        one = c.get("/search", params={"q": "grève", "outlet": "Le Monde", "sort": "newest", "lang": "en"}).text
        assert "3 results" in one and '<option value="newest" selected>' in one and "Clear all" in one
        c.cookies.clear()  # ?lang=en is remembered
        assert "1\u00a0résultat<" in c.get("/search", params={"q": "grève", "month": "undated"}).text
        assert "Aucun résultat" in c.get("/search", params={"q": "zzzqqq"}).text
        ok = c.get("/search", params={"q": "grève", "month": "nonsense", "sort": "nonsense"})
        assert ok.status_code == 200 and "4\u00a0résultats" in ok.text  # what the page never offers is ignored

        body = c.get("/api/search", params={"q": "grévistes", "sort": "oldest", "limit": 2}).json()
        assert body["total"] == 4 and len(body["items"]) == 2 and body["sort"] == "oldest"
        assert {"value": "Le Monde", "count": 3} in body["facets"]["outlet"]
        evil = next(h for h in c.get("/api/search", params={"q": "maire"}).json()["items"])
        assert EVIL in evil["snippet"] and {"text": "maire", "match": True} in evil["snippet_segments"]
        bad = c.get("/api/search", params={"q": "grève", "month": "2023-13-01"})
        assert bad.status_code == 422 and bad.json()["error"]["code"]


def test_search_cli_count_and_plain_hits(search_db: str) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["search", "grève", "--db", search_db, "--sort", "oldest", "--limit", "2"])
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert lines[0] == "4 results" and "[" not in res.output and "\x1b" not in res.output  # bold on a terminal only
    assert "(1-2 shown; --offset 2 for more)" in lines[-1]
    tty = runner.invoke(main, ["search", "grévistes", "--db", search_db, "--outlet", EVIL], color=True).output
    assert "\x1b[1mgrève\x1b[0m" in tty and EVIL in tty  # on a terminal: matched words in bold, text as is
    one = runner.invoke(main, ["search", "grève", "--db", search_db, "--outlet", "Le Monde", "--month", "2023-01",
                               "--json"])
    out = json.loads(one.output)
    assert out["total"] == 3 and out["filters"] == {"outlet": "Le Monde", "month": "2023-01"}
    assert runner.invoke(main, ["search", "x", "--db", search_db, "--month", "janvier"]).exit_code == 2
