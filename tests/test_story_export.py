"""« Exporter ce récit »: a story as Markdown for a press review (library, route, CLI) and its printable page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from click.testing import CliRunner
from fastapi.testclient import TestClient

from pagewait import ready
from vigie import stories
from vigie.cli import main
from vigie.export import md_text, story_filename, story_markdown, story_sources
from vigie.models import Article, RawDocument
from vigie.pipeline import ingest
from vigie.serve import create_app
from vigie.serve.i18n import translator
from vigie.store import Store
from vigie.stories.views import StoryArticle, StoryView
from vigie.understand.views import StoryDetail

EVIL = "<script>alert(1)</script>"
NNBSP = "\u202f"


def _detail(articles: list[StoryArticle]) -> StoryDetail:
    ids = [a.id for a in articles]
    view = StoryView(id="s-1", title="Moscou réagit", articles=articles, outlets=sorted({a.outlet or "" for a in articles}),
                     first_published="2021-10-07T12:00:00", last_published="2021-10-21T09:50:00")  # fmt: skip
    return StoryDetail.from_dict({
        **view.to_dict(),
        "headline": f"Otan-Russie {EVIL}",
        "summary": "Résumé.",
        "sentences": [{"text": f"# Moscou suspend sa mission {EVIL}.", "sources": ids[:2]},
                      {"text": "Paris déplore\x1b[2J la rupture.", "sources": [ids[2], "unknown-id"]}],
        "quotes": [{"speaker": "Dmitri Peskov", "text": "Il n'y avait rien à rompre", "article": ids[1]},
                   {"speaker": "Dmitri Peskov", "text": "Aucune conséquence", "article": ids[2]},
                   {"speaker": None, "text": "Sans auteur [lien](javascript:x)", "article": ids[0]}],
        "chronology": {"entries": [{"date": "2021-10-18", "sentences": [{"text": "La Russie suspend.", "sources": ids}]}]},
        "disagreements": [{"about": "date of: L'Otan a décidé", "values": [
            {"value": "2021-10-05", "sources": ids[1:2]}, {"value": "2021-10-07", "sources": ids[:1]}]}],
    }, story=view)


ARTICLES = [
    StoryArticle("a1", "x", "Premier *titre*", "Le Point", published="2021-10-07T12:00:00"),
    StoryArticle("a2", "x", "Deuxième", "Sputnik France", published="2021-10-19T22:22:00+02:00"),
    StoryArticle("a3", "x", f"Troisième {EVIL}", "Xinhua", published=None),
]
URLS = {"a1": "https://lepoint.fr/a (1)", "a2": "javascript:alert(1)", "a3": None}


def test_story_export_markdown_sections_and_numbered_sources() -> None:
    md = story_markdown(_detail(ARTICLES), urls=URLS, t=translator("fr"), page_url="http://localhost:8000/stories/s-1")
    lines = md.splitlines()
    assert lines[0] == r"# Otan-Russie \<script\>alert(1)\</script\>"
    assert lines[2] == r"*Moscou réagit*"
    assert f"- **Période{NNBSP}:** 2021-10-07 → 2021-10-21" in lines
    assert f"- **Médias{NNBSP}:** Le Point, Sputnik France, Xinhua" in lines
    assert f"- **Articles{NNBSP}:** 3" in lines
    # Sections in the order a press review reads them.
    heads = [ln for ln in lines if ln.startswith("## ")]
    assert heads == ["## Résumé", "## Les jours clés", "## Qui a dit quoi", "## Désaccords", "## Sources"]
    summary = lines[lines.index("## Résumé") + 2]
    # Sources numbered as on the story page; an id outside the story is not cited; markup escaped.
    assert summary == r"\# Moscou suspend sa mission \<script\>alert(1)\</script\>.[1][2] Paris déplore \[2J la rupture.[3]"
    assert "- **2021-10-18** — La Russie suspend.[1][2][3]" in lines
    # Who said what: grouped by speaker, guillemets with narrow no-break spaces.
    i = lines.index("- **Dmitri Peskov**")
    assert lines[i + 1 : i + 3] == [f"  - «{NNBSP}Il n'y avait rien à rompre{NNBSP}» [2]",
                                    f"  - «{NNBSP}Aucune conséquence{NNBSP}» [3]"]
    assert f"  - «{NNBSP}Sans auteur \\[lien\\](javascript:x){NNBSP}» [1]" in lines
    assert "- **Non attribué**" in lines
    assert f"- date de{NNBSP}: L'Otan a décidé{NNBSP}: 2021-10-05 [2]{NNBSP}; 2021-10-07 [1]" in lines
    # The source list: only http(s) URLs become links, percent-encoded so they cannot end the link early.
    src = lines[lines.index("## Sources") + 2 :]
    assert src[0] == r"1. [Premier \*titre\*](https://lepoint.fr/a%20%281%29) — Le Point, 2021-10-07"
    assert src[1] == "2. Deuxième — Sputnik France, 2021-10-19"
    assert src[2] == r"3. Troisième \<script\>alert(1)\</script\> — Xinhua"
    assert f"Page du récit{NNBSP}: <http://localhost:8000/stories/s-1>" in lines
    assert "<script>" not in md and "\x1b" not in md and "javascript:alert" not in md


def test_story_export_markdown_in_english() -> None:
    md = story_markdown(_detail(ARTICLES), urls=URLS, lang="en")
    assert "- **Span:** 2021-10-07 → 2021-10-21" in md and "## Who said what" in md and "## Key days" in md
    assert "date of: L'Otan a décidé: 2021-10-05 [2]; 2021-10-07 [1]" in md


def test_story_export_md_text_escapes_line_starts() -> None:
    assert md_text("1. liste") == r"1\. liste"
    assert md_text("- tiret") == r"\- tiret"
    assert md_text("> citation\n\n## titre") == r"\> citation \#\# titre"
    assert md_text("a_b `c` |d| ~e~") == r"a\_b \`c\` \|d\| \~e\~"
    assert md_text(None) == ""


def test_story_export_file_name_is_safe() -> None:
    d = _detail(ARTICLES)
    assert story_filename(d) == "otan-russie-script-alert-1-script.md"
    d.headline = '../../"; rm -rf /\r\n'
    d.story.title = None
    name = story_filename(d)
    assert re.fullmatch(r"[a-z0-9-]+\.md", name) and name == "rm-rf.md"
    d.headline = "«»"
    assert story_filename(d) == "s-1.md"
    assert [s.number for s in story_sources(d, URLS)] == [1, 2, 3]
    assert [s.url for s in story_sources(d, URLS)] == ["https://lepoint.fr/a (1)", None, None]


# -- served and printed -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("md") / "v.db"
    with Store(path) as store:
        ingest(store, [str(Path(__file__).resolve().parents[1] / "examples" / "seeds")])
        raw = RawDocument(source="evil.txt", format="text", content="hostile")
        store.add(raw, Article(id=raw.id, source="evil.txt", title=EVIL, body="Le maire a parlé.", language="fr",
                               url="javascript:alert(1)", published="2024-01-02T10:00:00"))  # fmt: skip
        stories.update_stories(store)
    return path


def _fake_detail(store: Store, story_id: str, **_: Any) -> StoryDetail:
    view = stories.get_story(store, story_id)
    d = _detail(view.articles)
    d.story = view
    return d


@pytest.fixture
def client(db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setattr(stories, "story_detail", _fake_detail)
    with TestClient(create_app(str(db), token=None)) as c:
        yield c


def _big_story(db: Path) -> StoryView:
    with Store(db) as store:
        return max(stories.list_stories(store), key=lambda v: len(v.articles))


def test_story_export_route_serves_markdown(client: TestClient, db: Path) -> None:
    view = _big_story(db)
    resp = ready(client, f"/stories/{view.id}.md")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/markdown; charset=utf-8"
    assert resp.headers["content-disposition"] == 'attachment; filename="otan-russie-script-alert-1-script.md"'
    text = resp.content.decode("utf-8")
    assert text.startswith(r"# Otan-Russie \<script\>") and "## Sources" in text
    assert f"Page du récit{NNBSP}: <http://testserver/stories/{view.id}>" in text
    with Store(db) as store:  # every article of the story is in the list, with its real URL when http(s)
        for a in view.articles:
            url = store.get(a.id).url
            if url and url.startswith("https://"):
                assert f"]({url}) — " in text
    assert "Who said what" in client.get(f"/stories/{view.id}.md?lang=en").text
    assert client.get("/stories/s-nope.md").status_code == 404
    assert client.get("/stories/a%20b.md").status_code == 404


def test_story_export_print_page(client: TestClient, db: Path) -> None:
    view = _big_story(db)
    resp = ready(client, f"/stories/{view.id}/imprimer")
    assert resp.status_code == 200
    html = resp.text
    assert '<link rel="stylesheet" href="/static/print.css">' in html
    assert "<nav" not in html and "/static/style.css" not in html and "<script" not in html
    assert "style=" not in html  # the CSP forbids inline style
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Sources as footnotes: numbered references in the text, a numbered note for each article.
    assert '<sup class="ref"><a href="#src-1">1</a>,<a href="#src-2">2</a></sup>' in html  # one note call, two sources
    for n in range(1, len(view.articles) + 1):
        assert f'<li id="src-{n}">' in html
    assert f"{len(view.articles)} sources" in html
    assert f"«{NNBSP}Il n&#39;y avait rien à rompre{NNBSP}»" in html
    assert f'href="/stories/{view.id}.md"' in html
    css = client.get("/static/print.css")
    assert css.status_code == 200 and "@media print" in css.text and ".no-print" in css.text
    en = client.get(f"/stories/{view.id}/imprimer?lang=en").text
    assert "Printed from Vigie" in en and '<html lang="en">' in en


def test_story_export_cli_markdown(db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(stories, "story_detail", _fake_detail)
    view = _big_story(db)
    runner = CliRunner()
    res = runner.invoke(main, ["export", "--db", str(db), "--what", "story", "--id", view.id, "--format", "markdown"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith(r"# Otan-Russie \<script\>") and "## Qui a dit quoi" in res.output
    out = tmp_path / "r.md"
    res = runner.invoke(main, ["export", "--db", str(db), "--what", "story", "--id", view.id, "-o", str(out),
                               "--lang", "en"])  # fmt: skip
    assert res.exit_code == 0 and "## Who said what" in out.read_text(encoding="utf-8")
    for bad in (["--what", "story"], ["--what", "story", "--id", view.id, "--format", "csv"],
                ["--format", "markdown"], ["--id", view.id]):
        res = runner.invoke(main, ["export", "--db", str(db), *bad])
        assert res.exit_code == 2, bad
        assert "--what story --id STORY_ID --format markdown" in res.output
    res = runner.invoke(main, ["export", "--db", str(db), "--what", "story", "--id", "s-nope"])
    assert res.exit_code == 1 and "error:" in res.output
