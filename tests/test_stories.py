"""Story stage on the store: near copies link to the original, re-ingest changes nothing, batches agree."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import Any

import pytest

from vigie.errors import NotFoundError
from vigie.pipeline import ingest
from vigie.store import Store
from vigie.stories import get_story, list_stories, update_stories

SEED = "000_4be715d5b9f8e314.txt"


def _near_copy(seeds_dir: Path, dest: Path) -> Path:
    """Seed 000 as another site would serve it: other furniture, a small edit, comments gone."""
    text = (seeds_dir / SEED).read_text(encoding="utf-8")
    body_start = text.index("La Russie a annoncé")
    body_end = text.index("son refus de normaliser les relations.") + len("son refus de normaliser les relations.")
    body = text[body_start:body_end].replace("lundi 18 octobre 2021", "ce lundi 18 octobre")
    copy = (
        "Accueil > Monde > Europe\n\nOtan-Russie: Paris déplore la rupture\n\nPar la rédaction · 20/10/2021\n\n"
        f"{body}\n\nPartager sur Facebook\nPartager sur X\n\nNewsletter : recevez l'essentiel chaque matin\n"
        "© 2021 Le Journal du Monde — Mentions légales — Cookies\n"
    )
    p = dest / "copy.txt"
    p.write_text(copy, encoding="utf-8")
    return p


def _partition(store: Store) -> set[frozenset[str]]:
    return {frozenset(a.source.rsplit("/", 1)[-1] for a in s.articles) for s in list_stories(store)}


def test_stories_seeds_one_story(seeds_dir: Path) -> None:
    store = Store(":memory:")
    ingest(store, [str(seeds_dir)])
    report = update_stories(store)
    assert report.placed == 5
    stories = list_stories(store)
    assert len(stories) == 1
    s = stories[0].to_dict()
    assert len(s["articles"]) == 5
    # One voice per independent outlet: the reprint is "Le Point via Actu Cameroun", not two outlets.
    assert set(s["outlets"]) == {"Sputnik France", "Xinhua French", "Le Point via Actu Cameroun"}
    assert s["media"] == 3
    assert stories[0].outlet_names >= {"Sputnik France", "Xinhua French", "Actu Cameroun", "Le Point"}
    assert s["first_published"] == "2021-10-07T12:22:00+02:00"
    assert s["last_published"] == "2021-10-21T09:50:00"
    assert {"id", "title", "articles", "events", "outlets", "first_published", "last_published"} <= set(s)
    for ev in s["events"]:
        assert {"id", "title", "articles"} <= set(ev)
    assert sorted(a for ev in s["events"] for a in ev["articles"]) == sorted(a["id"] for a in s["articles"])


def test_stories_near_copy_is_linked(seeds_dir: Path, tmp_path: Path) -> None:
    store = Store(":memory:")
    ingest(store, [str(seeds_dir)])
    copy = _near_copy(seeds_dir, tmp_path)
    ingest(store, [str(copy)])
    report = update_stories(store)
    assert report.duplicates == 1
    (story,) = list_stories(store)
    by_source = {Path(a.source).name: a for a in story.articles}
    assert by_source["copy.txt"].duplicate_of == by_source[SEED].id


def test_stories_reingest_changes_nothing(seeds_dir: Path) -> None:
    store = Store(":memory:")
    ingest(store, [str(seeds_dir)])
    update_stories(store)
    before = list_stories(store)
    again = ingest(store, [str(seeds_dir)])
    assert again.new == 0 and again.duplicate == 5
    assert update_stories(store).placed == 0
    assert list_stories(store) == before


def test_stories_later_batch_same_as_all_at_once(seeds_dir: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    for i, p in enumerate(sorted(seeds_dir.glob("*.txt"))):
        shutil.copy(p, (first if i % 2 else second) / p.name)
    once = Store(":memory:")
    ingest(once, [str(first), str(second)])
    update_stories(once)
    twice = Store(tmp_path / "v.db")
    ingest(twice, [str(first)])
    update_stories(twice)
    twice.close()
    reopened = Store(tmp_path / "v.db")  # the clusterer state survives a new process
    ingest(reopened, [str(second)])
    update_stories(reopened)
    assert _partition(reopened) == _partition(once)


def test_stories_get_by_article_and_missing(seeds_dir: Path) -> None:
    store = Store(":memory:")
    ingest(store, [str(seeds_dir)])
    update_stories(store)
    (s,) = list_stories(store)
    art = s.articles[0].id
    assert get_story(store, art).id == s.id
    assert get_story(store, s.id[:8]).id == s.id
    with pytest.raises(NotFoundError):
        get_story(store, "s-nothing-here")


def test_stories_recluster_applies_new_options_without_recomputing(seeds_dir: Path, tmp_path: Path) -> None:
    """`vigie recluster`: the saved vectors and features regrouped under new options give what a store clustered with
    those options from the start gives; with unchanged options nothing moves."""
    from dataclasses import replace

    from click.testing import CliRunner

    from vigie.cli import main
    from vigie.errors import VigieError
    from vigie.stories import StoryOptions, recluster_stories
    from vigie.stories.cluster import ClusterOptions

    db = tmp_path / "v.db"
    store = Store(db)
    ingest(store, [str(seeds_dir)])
    update_stories(store)
    assert recluster_stories(store) == 0
    strict = replace(ClusterOptions(), story_threshold=0.9999, attach_threshold=0.9999)
    moved = recluster_stories(store, strict)
    assert moved > 0
    fresh = Store(":memory:")
    ingest(fresh, [str(seeds_dir)])
    update_stories(fresh, StoryOptions(cluster=strict))
    assert _partition(store) == _partition(fresh) and len(_partition(store)) > 1
    with pytest.raises(VigieError, match="never scored"):
        recluster_stories(store, replace(ClusterOptions(), story_threshold=0.1, attach_threshold=0.1))
    store.close()
    # Back to this version's defaults through the command line: one story again.
    result = CliRunner().invoke(main, ["recluster", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"{moved} {'article' if moved == 1 else 'articles'} changed story or event" in result.output
    assert len(_partition(Store(db))) == 1


def test_stories_every_article_in_a_story_and_old_state_replaced(seeds_dir: Path) -> None:
    """Every stored article has a story (a singleton is one); a state saved by an older clusterer (other features,
    other edge scores) is placed again by `recluster` instead of failing."""
    import json

    from vigie.stories import recluster_stories

    store = Store(":memory:")
    ingest(store, [str(seeds_dir)])
    update_stories(store)
    placed = {r["id"] for r in store.placements()}
    assert placed == {a.id for a in store.articles()}
    before = _partition(store)
    meta = json.loads(store.state_blob("clusterer.json") or b"{}")
    store.save_placements([], {}, {}, {"clusterer.json": json.dumps({**meta, "version": 2}).encode()}, [], [])
    recluster_stories(store)
    assert _partition(store) == before
    assert json.loads(store.state_blob("clusterer.json") or b"{}")["version"] != 2


def _match_instead(self: Any, add: Any, copy: str, aid: str, text: str, sig: Any = None) -> str | None:
    """``Deduplicator.add``, answering ``copy`` whenever it finds a match."""
    return add(self, aid, text, sig) and copy


def test_stories_copy_of_an_earlier_copy_is_listed_with_its_original(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A near copy whose best match is a copy placed by an earlier run takes that copy's original: pointing at the
    copy, which has no placement of its own, made it vanish from every story (seen in a race of two ingests)."""
    from vigie.models import RawDocument
    from vigie.pipeline import Documents, RunOptions, run
    from vigie.stories.dedup import Deduplicator

    words = [f"mot{i}" for i in range(400)]
    bodies = [" ".join(words), " ".join(f"autre{i}" if i % 80 == 40 else w for i, w in enumerate(words))]
    bodies.append(bodies[1].replace("mot300 ", "autre300 "))
    store = Store(tmp_path / "v.db")
    opts = RunOptions(understand=False, details=False, alerts=False)
    ids = []
    add = Deduplicator.add
    for k, body in enumerate(bodies):
        if k == 2:  # the index keeps copies too: here the third text's best match is the second, itself a copy
            monkeypatch.setattr(Deduplicator, "add", functools.partialmethod(_match_instead, add, ids[1]))
        doc = RawDocument(source=f"{k}.txt", format="text", content=f"Le même article, version {k}\n\n{body}\n")
        ids += run(store, Documents([doc]), options=opts).report.new_ids
    listed = {a.id: a.duplicate_of for s in list_stories(store) for a in s.articles}
    assert set(listed) == set(ids)
    assert listed[ids[1]] == listed[ids[2]] == ids[0]
