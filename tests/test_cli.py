"""The `vigie` command: exact output shapes, exit codes, one-line errors naming the file, idempotent ingest."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from vigie.cli import main

EXTRACT_KEYS = {"source", "title", "published", "url", "outlet", "authors", "language", "body", "comments", "tags"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_cli_extract_json_keys(runner: CliRunner, seeds_dir: Path) -> None:
    path = str(seeds_dir / "004_d89e750bbe1b059c.txt")
    res = runner.invoke(main, ["extract", path, "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert set(d) >= EXTRACT_KEYS
    assert d["source"] == path
    assert d["body"].count("BRUXELLES, 20 octobre (Xinhua)") == 1
    assert "\n\n" in d["body"]


def test_cli_extract_jsonl_gives_list(runner: CliRunner, tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    rec = {"title": "Titre", "maintext": "Le gouvernement a présenté mardi son projet de budget pour 2024 au "
           "Parlement, qui doit l'examiner en novembre.", "url": "https://www.lefigaro.fr/x", "language": "fr"}
    p.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    res = runner.invoke(main, ["extract", str(p), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert isinstance(out, list) and out[0]["outlet"] == "Le Figaro"


def test_cli_extract_stdin(runner: CliRunner, seeds_dir: Path) -> None:
    data = (seeds_dir / "001_37b476e53cd719ce.txt").read_bytes()
    res = runner.invoke(main, ["extract", "-", "--json"], input=data)
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["title"] == "Moscou réagit à l'expulsion de diplomates russes à l'Otan"


def test_cli_extract_readable(runner: CliRunner, seeds_dir: Path) -> None:
    res = runner.invoke(main, ["extract", str(seeds_dir / "000_4be715d5b9f8e314.txt")])
    assert res.exit_code == 0
    assert "Outlet     Sputnik France" in res.output
    assert "--- 1 reader comment ---" in res.output


def test_cli_ingest_bad_inputs_batch_goes_on(runner: CliRunner, seeds_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (bad / "trunc.txt.gz").write_bytes(gzip.compress(b"Titre\n" + b"Un texte assez long. " * 200)[:-30])
    with (bad / "big.txt").open("wb") as f:
        f.truncate(50 * 1024 * 1024)
        f.seek(0)
        f.write(b"Titre\n")
    db = str(tmp_path / "v.db")
    res = runner.invoke(main, ["ingest", str(seeds_dir), str(bad), "--db", db, "--no-stories"])
    assert res.exit_code == 1
    errors = [line for line in res.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 4, res.stderr
    for name in ("empty.txt", "binary.txt", "trunc.txt.gz", "big.txt"):
        assert any(name in line for line in errors), (name, errors)
    assert "read 5, new 5, duplicate 0, failed 4" in res.stdout
    again = runner.invoke(main, ["ingest", str(seeds_dir), "--db", db, "--no-stories"])
    assert again.exit_code == 0
    assert "read 5, new 0, duplicate 5, failed 0" in again.stdout


def test_cli_articles_and_search(runner: CliRunner, seeds_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    runner.invoke(main, ["ingest", str(seeds_dir), "--db", db, "--no-stories"])
    res = runner.invoke(main, ["articles", "--db", db, "--json"])
    rows = json.loads(res.output)
    assert len(rows) == 5
    assert {"id", "source", "title", "outlet", "published"} <= set(rows[0])
    assert rows[0]["outlet"] == "Xinhua French"  # newest first
    found = json.loads(runner.invoke(main, ["search", "Skripal", "--db", db, "--json"]).output)
    assert found["total"] == 1 and [h["outlet"] for h in found["hits"]] == ["Actu Cameroun"]
    assert found["hits"][0]["source"].endswith(".txt")
    assert {"text": "Skripal", "match": True} in found["hits"][0]["snippet_segments"]
    comment_hits = json.loads(runner.invoke(main, ["search", "Pasqua", "--db", db, "--json"]).output)
    assert comment_hits["total"] == 0 and comment_hits["hits"] == []  # reader comments are not article text


def test_cli_article_not_found(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(main, ["article", "deadbeef0000", "--db", str(tmp_path / "v.db")])
    assert res.exit_code == 1
    assert res.stderr.strip() == "error: no article deadbeef0000"


def test_cli_usage_error_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(main, ["ingest"]).exit_code == 2
    assert runner.invoke(main, ["nope"]).exit_code == 2


def test_cli_bad_db_path(runner: CliRunner, tmp_path: Path, seeds_dir: Path) -> None:
    res = runner.invoke(main, ["ingest", str(seeds_dir), "--db", str(tmp_path / "no" / "v.db")])
    assert res.exit_code == 1
    assert "does not exist" in res.stderr


def test_cli_every_command_documented() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name in main.commands:  # type: ignore[attr-defined]
        assert f"vigie {name}" in readme, f"command {name} missing from README"


def test_cli_stories_json(runner: CliRunner, seeds_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    res = runner.invoke(main, ["ingest", str(seeds_dir), "--db", db])
    assert res.exit_code == 0, res.output
    assert "5 placed in stories" in res.stdout
    stories = json.loads(runner.invoke(main, ["stories", "--db", db, "--json"]).output)
    assert len(stories) == 1
    s = stories[0]
    assert {"id", "title", "articles", "events", "outlets", "first_published", "last_published"} <= set(s)
    assert {"id", "source", "title", "outlet", "published"} <= set(s["articles"][0])
    one = json.loads(runner.invoke(main, ["story", s["id"], "--db", db, "--json"]).output)
    assert one["id"] == s["id"]
    text = runner.invoke(main, ["story", s["id"], "--db", db]).output
    assert "Event" in text


def test_cli_summarize_json(runner: CliRunner, seeds_dir: Path) -> None:
    paths = [str(p) for p in sorted(seeds_dir.glob("*.txt"))]
    res = runner.invoke(main, ["summarize", *paths, "--max-words", "60", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) >= {"summary", "sentences"}
    assert len(out["summary"].split()) <= 60
    for s in out["sentences"]:
        assert s["sources"] and set(s["sources"]) <= set(paths)


def test_cli_extract_json_understanding(runner: CliRunner, seeds_dir: Path) -> None:
    res = runner.invoke(main, ["extract", str(seeds_dir / "004_d89e750bbe1b059c.txt"), "--json"])
    d = json.loads(res.stdout)
    assert {"entities", "quotes", "dates"} <= set(d)
    assert any(e["name"] == "Jens Stoltenberg" and e["type"] == "PER" for e in d["entities"])
    assert any(q["speaker"] == "Jens Stoltenberg" for q in d["quotes"])
    assert any(x["date"] == "2021-10-20" for x in d["dates"])


# -- languages: --lang, $VIGIE_LANG, the locale; --json the same in every language -----------------------------------


def test_cli_french_output(runner: CliRunner, seeds_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    res = runner.invoke(main, ["--lang", "fr", "ingest", str(seeds_dir), "--db", db])
    assert res.exit_code == 0, res.output
    assert "5 lus, 5 nouveaux, 0 doublon, 0 en échec\u202f; 5 placés dans des récits (0 quasi-copie)" in res.stdout
    listing = runner.invoke(main, ["--lang", "fr", "stories", "--db", db]).output
    assert listing.splitlines()[-1] == "1 récit" and "story(ies)" not in listing and " év. " in listing
    sid = json.loads(runner.invoke(main, ["stories", "--db", db, "--json"]).output)[0]["id"]
    text = runner.invoke(main, ["--lang", "fr", "story", sid, "--db", db]).output
    for expected in ("5 articles · médias\u202f: ", "Événement ", "Les jours clés", "Chronologie", "Citations",
                     "Couverture par média", "[média d'État]\u202f: 3 articles", "premier à en parler",
                     "Désaccord\u202f: date de l'événement — ", "(1 source)"):
        assert expected in text, expected
    for english in ("None", "(unattributed)", "Event", "Coverage", "source(s)", "article(s)", "date of", "outlets:"):
        assert english not in text, english
    assert "  (locuteur inconnu)\u202f: «\u202f" in text  # the seeds' quotes without a resolved speaker
    arts = runner.invoke(main, ["--lang", "fr", "articles", "--db", db]).output
    assert arts.splitlines()[-1] == "5 articles" and "None" not in arts
    gone = runner.invoke(main, ["--lang", "fr", "article", "deadbeef0000", "--db", db])
    assert gone.exit_code == 1 and gone.stderr.strip() == "erreur\u202f: Aucun article deadbeef0000"
    saved = runner.invoke(main, ["--lang", "fr", "alert", "add", "Otan", "--db", db]).output
    assert saved.strip() == "alerte 1 enregistrée\u202f: «\u202fOtan\u202f»"
    assert runner.invoke(main, ["--lang", "fr", "alert", "list", "--db", db]).output.splitlines()[-1] == "1 alerte"
    # --json is the same whatever the language.
    for cmd in (["articles"], ["stories"], ["story", sid], ["alert", "list"]):
        fr = runner.invoke(main, ["--lang", "fr", *cmd, "--db", db, "--json"]).output
        assert fr == runner.invoke(main, ["--lang", "en", *cmd, "--db", db, "--json"]).output, cmd


def test_cli_english_has_no_placeholders(runner: CliRunner, seeds_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    runner.invoke(main, ["ingest", str(seeds_dir), "--db", db, "--no-stories"])
    listing = runner.invoke(main, ["--lang", "en", "stories", "--db", db]).output
    assert listing.splitlines()[-1] == "1 story"
    assert runner.invoke(main, ["articles", "--db", db]).output.splitlines()[-1] == "5 articles"


def test_cli_language_from_env_and_locale(runner: CliRunner, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "v.db")
    gone = ["article", "deadbeef0000", "--db", db]
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert runner.invoke(main, gone).stderr.startswith("erreur\u202f: Aucun article")  # a French locale
    assert runner.invoke(main, ["--lang", "en", *gone]).stderr.startswith("error: no article")  # --lang wins
    monkeypatch.setenv("VIGIE_LANG", "en")
    assert runner.invoke(main, gone).stderr.startswith("error: no article")  # $VIGIE_LANG beats the locale
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("VIGIE_LANG", "fr")
    assert runner.invoke(main, gone).stderr.startswith("erreur")
    monkeypatch.setenv("VIGIE_LANG", "de")
    bad = runner.invoke(main, gone)
    assert bad.exit_code == 2 and "$VIGIE_LANG must be one of fr, en; got 'de'" in bad.stderr
    assert runner.invoke(main, ["--lang", "de", *gone]).exit_code == 2
    monkeypatch.delenv("VIGIE_LANG")
    assert runner.invoke(main, gone).stderr.startswith("error: no article")  # the C locale: English


def test_cli_extract_readable_in_french(runner: CliRunner, seeds_dir: Path) -> None:
    res = runner.invoke(main, ["--lang", "fr", "extract", str(seeds_dir / "000_4be715d5b9f8e314.txt")])
    assert res.exit_code == 0
    assert "Média      Sputnik France" in res.output and "--- 1 commentaire de lecteur ---" in res.output
    assert re.search(r"Publié +\d{1,2} octobre 2021 à \d\d:\d\d", res.output)


def test_cli_parse_option_reaches_the_run_and_rejects_nonsense(runner: CliRunner, seeds_dir: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import vigie.pipeline as pipeline
    from vigie.understand import ParseOptions

    seen: list[ParseOptions | None] = []
    real_run = pipeline.run

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(kwargs["options"].parse)  # type: ignore[attr-defined]
        return real_run(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "run", spy)
    db = str(tmp_path / "v.db")
    res = runner.invoke(main, ["ingest", str(seeds_dir / "001_37b476e53cd719ce.txt"), "--db", db, "--no-understand",
                               "--parse", "cues+2", "-q"])
    assert res.exit_code == 0, res.output
    assert seen == [ParseOptions("cues", 2)]
    bad = runner.invoke(main, ["ingest", str(seeds_dir), "--db", db, "--parse", "everything"])
    assert bad.exit_code == 2
    assert "--parse" in bad.output and "'everything'" in bad.output
