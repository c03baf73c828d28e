"""Crash safety: `vigie ingest` killed with SIGKILL at seeded random points, then run again to completion, loses no
article, stores none twice, and leaves raw inputs, articles and stories consistent."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

VIGIE = str(Path(sys.executable).with_name("vigie"))

TOPICS = [
    ("budget", "Le gouvernement a présenté son projet de budget pour {y} au Parlement, avec {n} milliards d'euros "
               "d'économies. Le ministre de l'Économie a défendu des choix « responsables » devant les députés."),
    ("otan", "Moscou a réagi à l'expulsion de {n} diplomates russes par l'Otan, dénonçant une décision hostile. "
             "Le Kremlin promet une réponse, a indiqué son porte-parole {y} jours après l'annonce à Bruxelles."),
    ("climat", "La conférence sur le climat s'est ouverte à Glasgow avec {n} délégations. Les pays doivent relever "
               "leurs objectifs de réduction des émissions d'ici {y}, selon le secrétaire général de l'ONU."),
    ("grève", "La grève dans les transports a perturbé {n} lignes de métro à Paris jeudi. Les syndicats réclament une "
              "hausse des salaires de {y} euros et menacent de reconduire le mouvement la semaine prochaine."),
    ("santé", "L'épidémie de grippe a touché {n} personnes en France selon Santé publique France. Les hôpitaux "
              "signalent une hausse des passages aux urgences depuis {y} jours, surtout chez les enfants."),
]


def make_batch(folder: Path, n: int, copies: int, rnd: random.Random) -> int:
    """Write ``n`` distinct small articles plus ``copies`` byte-identical copies; return the number of distinct ones."""
    folder.mkdir()
    texts = []
    for i in range(n):
        topic, para = TOPICS[i % len(TOPICS)]
        body = "\n\n".join(para.format(n=rnd.randint(2, 999), y=rnd.randint(2, 60)) for _ in range(3))
        texts.append(f"{topic.capitalize()} : point de situation numéro {i}\n\n{body}\nArticle {i}.\n")
    for i, text in enumerate(texts):
        (folder / f"a{i:04d}.txt").write_text(text, encoding="utf-8")
    for j in range(copies):
        (folder / f"copy{j:03d}.txt").write_text(texts[rnd.randrange(n)], encoding="utf-8")
    return n


def _count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # not created yet, or the schema is being migrated
        return 0


def _kill_when(args: list[str], db: Path, sql: str, target: int, delay: float = 0.0, timeout: float = 120) -> int:
    """Start ``args``, SIGKILL it once ``sql`` on the db reaches ``target`` (then ``delay`` s); return the count then."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and _count(db, sql) < target:
            assert time.monotonic() < deadline, "the ingest never got there"
            time.sleep(0.02)
        time.sleep(delay)
        killed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        assert "Traceback" not in stderr, stderr
        assert not killed or proc.returncode == -signal.SIGKILL
        return _count(db, sql)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def check_store(db: Path, distinct: int, files: int) -> list[str]:
    """Raw inputs and articles match one to one, every input file is a recorded source; return the article ids."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM raw").fetchone()[0] == distinct
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == distinct
        orphans = conn.execute("SELECT COUNT(*) FROM articles a LEFT JOIN raw r ON r.id = a.id WHERE r.id IS NULL")
        assert orphans.fetchone()[0] == 0
        bare = conn.execute("SELECT COUNT(*) FROM raw r LEFT JOIN articles a ON a.id = r.id WHERE a.id IS NULL")
        assert bare.fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(DISTINCT source) FROM article_sources").fetchone()[0] == files
    listed = subprocess.run([VIGIE, "articles", "--json", "--db", str(db)], capture_output=True, text=True, check=True)
    ids = [a["id"] for a in json.loads(listed.stdout)]
    assert len(ids) == len(set(ids)) == distinct
    return ids


@pytest.mark.slow
@pytest.mark.parametrize("stories", [False, True], ids=["no-stories", "stories"])
def test_crash_sigkill_mid_ingest_loses_and_duplicates_nothing(tmp_path: Path, stories: bool) -> None:
    rnd = random.Random(20240601 + stories)
    src = tmp_path / "in"
    distinct = make_batch(src, 200, 20, rnd)
    files = distinct + 20
    db = tmp_path / "crash.db"
    args = [VIGIE, "ingest", "--stories" if stories else "--no-stories", "--db", str(db), str(src)]
    n_articles = "SELECT COUNT(*) FROM articles"

    # Two kills while articles are being stored, at seeded random counts; with stories, a third one during the
    # story stage (all articles stored, placements being computed).
    k1, k2 = sorted(rnd.sample(range(20, distinct - 20), 2))
    got1 = _kill_when(args, db, n_articles, k1)
    got2 = _kill_when(args, db, n_articles, max(k2, got1 + 1))
    assert 0 < got1 < got2 < distinct, (got1, got2)
    if stories:
        _kill_when(args, db, n_articles, distinct, delay=rnd.uniform(0.2, 1.5))

    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    ids = check_store(db, distinct, files)

    res = subprocess.run([VIGIE, "stories", "--json", "--db", str(db)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    placed = [a["id"] for story in json.loads(res.stdout) for a in story["articles"]]
    assert len(placed) == len(set(placed)), "an article is in two stories"
    assert sorted(placed) == sorted(ids), "an article is in no story"
