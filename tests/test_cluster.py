"""Two-level story clustering on small hand-written French articles (USE runs offline; a few seconds in all)."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace

import numpy as np
import pytest

from vigie.stories.cluster import (
    PAIR_FEATURES,
    ArticleFeatures,
    ClusterItem,
    ClusterOptions,
    PairModel,
    StoryClusterer,
    featurize,
)
from vigie.stories.embed import Embedder

# Two stories, each with two events a month apart: (id, published, title, body)
ARTICLES = [
    ("fa1", "2023-07-18", "Incendie dans le massif des Maures : 2 000 hectares brûlés",
     "Un violent incendie s'est déclaré lundi dans le massif des Maures, dans le Var. Les pompiers luttent contre "
     "les flammes attisées par le mistral. Plus de 2 000 hectares de forêt ont brûlé et des campings ont été évacués."),
    ("fa2", "2023-07-18", "Var : les pompiers toujours mobilisés contre le feu des Maures",
     "Dans le Var, 900 pompiers combattent toujours l'incendie du massif des Maures. Le feu, poussé par le mistral, "
     "a parcouru 2 000 hectares de forêt. Des vacanciers ont été évacués des campings de la côte."),
    ("fa3", "2023-07-19", "Feu de forêt dans les Maures : le mistral complique la lutte",
     "Le mistral complique la tâche des pompiers face à l'incendie du massif des Maures, dans le Var. La forêt a brûlé "
     "sur des milliers d'hectares ; les campings évacués accueillent de nouveau des vacanciers."),
    ("fb1", "2023-08-21", "Incendie des Maures : un pyromane présumé mis en examen",
     "Un mois après l'incendie du massif des Maures dans le Var, un homme de 34 ans a été mis en examen pour "
     "destruction volontaire. Les enquêteurs de la gendarmerie l'ont confondu grâce à la téléphonie."),
    ("fb2", "2023-08-22", "Feu des Maures : le suspect placé en détention provisoire",
     "Le suspect de l'incendie du massif des Maures, dans le Var, a été placé en détention provisoire. Les gendarmes "
     "l'ont identifié par la téléphonie ; il est mis en examen pour destruction volontaire et nie les faits."),
    ("fb3", "2023-08-22", "Var : l'enquête sur l'incendie des Maures aboutit à une mise en examen",
     "L'enquête de la gendarmerie sur l'incendie du massif des Maures a abouti : un homme est mis en examen pour "
     "destruction volontaire par incendie. Il conteste les faits devant le juge d'instruction."),
    ("sa1", "2023-03-07", "Grève à la SNCF : trafic très perturbé contre la réforme",
     "Les cheminots de la SNCF sont en grève ce mardi contre la réforme. Le trafic des TGV et des TER est très "
     "perturbé ; la SNCF conseille aux voyageurs de reporter leurs déplacements. Les syndicats appellent à continuer."),
    ("sa2", "2023-03-08", "SNCF : la grève des cheminots reconduite, TGV et TER supprimés",
     "La grève des cheminots est reconduite à la SNCF. De nombreux TGV et TER sont supprimés et les voyageurs restent "
     "à quai. Les syndicats de cheminots maintiennent la pression contre la réforme."),
    ("sa3", "2023-03-08", "Trains supprimés : les voyageurs face à la grève à la SNCF",
     "Les voyageurs subissent la grève à la SNCF : un TGV sur deux et de nombreux TER sont supprimés. Les cheminots "
     "grévistes protestent contre la réforme ; la direction de la SNCF appelle au dialogue."),
    ("sb1", "2023-04-11", "SNCF : direction et syndicats signent un accord salarial",
     "Après un mois de négociations, la direction de la SNCF et les syndicats de cheminots ont signé un accord "
     "salarial. Les salaires augmenteront de 4 % et une prime sera versée ; la grève est levée."),
    ("sb2", "2023-04-12", "Fin du conflit à la SNCF : l'accord sur les salaires signé",
     "L'accord sur les salaires a été signé à la SNCF : hausse de 4 % et prime pour les cheminots. Les syndicats "
     "lèvent leur préavis de grève, la direction salue un compromis."),
    ("sb3", "2023-04-12", "Cheminots : ce que contient l'accord salarial de la SNCF",
     "L'accord salarial signé entre la SNCF et les syndicats prévoit une hausse de 4 % des salaires des cheminots et "
     "une prime. La grève est terminée et le trafic redevient normal."),
]  # fmt: skip


@pytest.fixture(scope="module")
def items() -> list[ClusterItem]:
    """The articles with their USE vectors, computed once for the module."""
    its = [ClusterItem(id=i, title=t, body=b, published=p, language="fr") for i, p, t, b in ARTICLES]
    vecs = Embedder().embed_articles([it.title for it in its], [it.body for it in its])
    return [replace(it, vector=v) for it, v in zip(its, vecs, strict=True)]


def _unit(i: int) -> np.ndarray:
    v = np.zeros(512, dtype=np.float32)
    v[i] = 1.0
    return v


def fresh(items: list[ClusterItem]) -> list[ClusterItem]:
    return [replace(it, features=None) for it in items]


def partition(assign: dict[str, tuple[str, str]], level: int) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for aid, ids in assign.items():
        groups.setdefault(ids[level], set()).add(aid)
    return {frozenset(g) for g in groups.values()}


def test_cluster_separates_stories_and_events(items: list[ClusterItem]) -> None:
    cl = StoryClusterer()
    cl.add(fresh(items))
    got = cl.assignments()
    assert partition(got, 1) == {
        frozenset({"fa1", "fa2", "fa3", "fb1", "fb2", "fb3"}),
        frozenset({"sa1", "sa2", "sa3", "sb1", "sb2", "sb3"}),
    }
    assert partition(got, 0) == {
        frozenset({"fa1", "fa2", "fa3"}),
        frozenset({"fb1", "fb2", "fb3"}),
        frozenset({"sa1", "sa2", "sa3"}),
        frozenset({"sb1", "sb2", "sb3"}),
    }
    # Ids come from the first article in (published, id) order.
    assert got["fb2"] == ("e-fb1", "s-fa1")
    assert got["sb3"] == ("e-sb1", "s-sa1")


def test_cluster_is_deterministic(items: list[ClusterItem]) -> None:
    a, b = StoryClusterer(), StoryClusterer()
    a.add(fresh(items))
    b.add(list(reversed(fresh(items))))
    assert a.assignments() == b.assignments()


def test_cluster_incremental_equals_batch(items: list[ClusterItem]) -> None:
    batch = StoryClusterer()
    batch.add(fresh(items))
    inc = StoryClusterer()
    order = sorted(fresh(items), key=lambda it: (it.published or "", it.id))
    inc.add(order[:6])
    out = inc.add(order[6:])
    assert [a.article_id for a in out] == [it.id for it in order[6:]]
    assert inc.assignments() == batch.assignments()


def test_cluster_same_content_months_later_opens_new_event(items: list[ClusterItem]) -> None:
    cl = StoryClusterer()
    cl.add(fresh(items))
    again = replace(items[0], id="fa1-later", published="2023-10-20", features=None)
    (a,) = cl.add([again])
    assert a.event_id == "e-fa1-later"
    assert a.event_id != cl.assignments()["fa1"][0]
    # Without time the same text joins its twin's event.
    flat = StoryClusterer(ClusterOptions(use_time=False))
    flat.add(fresh(items))
    (b,) = flat.add([replace(again, features=None)])
    assert b.event_id == flat.assignments()["fa1"][0]


def test_cluster_state_round_trip(items: list[ClusterItem]) -> None:
    order = sorted(fresh(items), key=lambda it: (it.published or "", it.id))
    first = StoryClusterer()
    first.add(order[:8])
    state = first.state()
    vsum = state.pop("vsum")
    state = json.loads(json.dumps(state))  # what a store keeps: JSON plus one float32 array
    state["vsum"] = np.asarray(vsum, dtype=np.float32)
    second = StoryClusterer.from_state(state)
    assert second.assignments() == first.assignments()
    second.add(order[8:])
    first.add(order[8:])
    assert second.assignments() == first.assignments()


def test_cluster_features_serialise(items: list[ClusterItem]) -> None:
    (f,) = featurize([replace(items[3], features=None)])
    assert f.anchor == "2023-08-21"
    assert ArticleFeatures.from_dict(json.loads(json.dumps(f.to_dict()))) == f


def test_cluster_order_independent(items: list[ClusterItem]) -> None:
    """Any order and any batching give the same assignments: stories and events are functions of the set."""
    batch = StoryClusterer()
    batch.add(fresh(items))
    rng = np.random.default_rng(3)
    for n_batches in (2, 3, 12):
        order = [items[i] for i in rng.permutation(len(items))]
        cl = StoryClusterer()
        for k in range(n_batches):
            cl.add(fresh(order[k * len(order) // n_batches : (k + 1) * len(order) // n_batches]))
            cl = StoryClusterer.from_state(cl.state())
        assert cl.assignments() == batch.assignments()


def test_cluster_state_version_checked() -> None:
    from vigie.errors import VigieError

    with pytest.raises(VigieError, match="version"):
        StoryClusterer.from_state({"version": 1})


def test_cluster_options_checked() -> None:
    with pytest.raises(ValueError, match="max_block"):
        ClusterOptions(max_block=0)
    with pytest.raises(ValueError, match="within"):
        ClusterOptions(story_threshold=1.5)
    with pytest.raises(ValueError, match="story_split_q"):
        ClusterOptions(story_split_q=-0.1)
    with pytest.raises(ValueError, match="features"):
        PairModel((1.0,), 0.0)


def test_cluster_undated_events_split_only_when_cited_days_confirm(items: list[ClusterItem]) -> None:
    """Without published dates the cited days decide: a month apart splits the story, the same week does not."""
    fire = [it for it in items if it.id.startswith("f")]

    def undated(days: dict[str, str]) -> list[ClusterItem]:
        return [replace(it, published=None, features=None, body=f"{it.body} Les faits datent du {days[it.id[1]]}.")
                for it in fire]  # fmt: skip

    cl = StoryClusterer()
    cl.add(undated({"a": "17 juillet", "b": "21 août"}))
    assert partition(cl.assignments(), 0) == {frozenset({"fa1", "fa2", "fa3"}), frozenset({"fb1", "fb2", "fb3"})}
    same = StoryClusterer()
    same.add(undated({"a": "17 juillet", "b": "19 juillet"}))
    assert len(partition(same.assignments(), 0)) == 1


def test_cluster_modularity_bisection_finds_blocks_and_refuses_uniform() -> None:
    from vigie.stories.cluster import _median_gap, _modularity_bisection

    sim = np.full((6, 6), 0.1)
    sim[:3, :3] = sim[3:, 3:] = 0.8
    side = _modularity_bisection(sim)
    assert side is not None and len(set(side[:3])) == 1 and len(set(side[3:])) == 1 and side[0] != side[3]
    # One uniform block has no split better than its null model: nothing to cut.
    assert _modularity_bisection(np.full((6, 6), 0.5)) is None
    assert _median_gap([360, 362, 364], [10, 12, 14]) == 15.0  # across the new year, on the yearly circle


def test_cluster_local_vocabulary_drops_story_wide_terms() -> None:
    """Terms every article of a story shares do not make two articles alike inside it; shared rarer terms do."""
    cl = StoryClusterer()
    common = "sommet otan russie mission bruxelles"
    texts = {"a": f"{common} expulsion diplomates espions", "b": f"{common} expulsion diplomates espions",
             "c": f"{common} suspension représentation fermeture", "d": f"{common} suspension représentation fermeture"}
    cl.add([ClusterItem(id=k, title="", body=v, published="2021-10-07", vector=_unit(i)) for i, (k, v) in
            enumerate(texts.items())])  # fmt: skip
    rows = [cl._row[k] for k in "abcd"]
    local = cl._local_matrix(rows)
    assert local[0, 1] > 0.99 and local[2, 3] > 0.99
    assert abs(local[0, 2]) < 1e-9  # only the story-wide vocabulary in common


def test_cluster_pair_features_symmetric_and_named(items: list[ClusterItem]) -> None:
    """Pair features do not depend on which article asks; dates, cited days and the language pair land in place."""
    cl = StoryClusterer()
    cl.add(fresh(items))
    ra, rb, rc = cl._row["fa1"], cl._row["fb1"], cl._row["sa1"]
    ab = cl._pair_features(ra, np.array([rb]))[0]
    ba = cl._pair_features(rb, np.array([ra]))[0]
    assert ab == pytest.approx(ba)
    f = dict(zip(PAIR_FEATURES, ab.tolist(), strict=True))
    assert f["both_dated"] == 1.0 and f["date_gap"] == pytest.approx(34 / 30)  # 18 July -> 21 August
    assert f["cross"] == 0.0 and f["names"] > 0.3  # "Maures", "Var" in both
    ac = dict(zip(PAIR_FEATURES, cl._pair_features(ra, np.array([rc]))[0].tolist(), strict=True))
    assert ac["names"] < f["names"] and ac["use"] < f["use"]
    # The probability rises with each similarity, all else equal: the shipped weights make sense.
    model = PairModel.default()
    for name in ("use", "tfidf", "names"):
        assert model.weights[PAIR_FEATURES.index(name)] > 0, name


def test_cluster_names_weigh_rare_capitalised_words() -> None:
    from vigie.stories.cluster import _NAMES, _names, term_kind

    names = _names("Le juge a entendu Tara Reid. Elle est arrivée à Promises avec la France entière.", 16)
    assert names and all(term_kind(k) == _NAMES for k in names)
    assert len(names) == 4  # Tara, Reid, Promises, France: "Le" and "Elle" open their sentences

    def key(word: str) -> int:
        return (zlib.crc32(word.encode()) & ((1 << 30) - 1)) | (_NAMES << 30)

    assert names[key("reid")] > names[key("france")]  # the rare name weighs more than the common one


EN_ARTICLES = [
    ("en-strike", "2023-03-08", "Rail strike in France: most high-speed and regional trains cancelled",
     "French railway workers walked out again on Wednesday against the pension reform. Most high-speed and regional "
     "trains were cancelled and passengers were told to postpone their journeys. Unions called for the strike to "
     "continue."),
    ("en-ecb", "2023-03-08", "The European Central Bank raises interest rates again",
     "The European Central Bank raised its key interest rate by a quarter point on Thursday to fight inflation in "
     "the euro area. Its president said further increases could follow if prices keep rising."),
]  # fmt: skip


def test_cluster_cross_language_report_joins_its_story(items: list[ClusterItem]) -> None:
    """An English report of the SNCF strike joins the French strike story and event (its TF-IDF terms share almost
    nothing with the French ones: the pair model scores cross-language pairs on what such pairs of one story look
    like); one on another subject stays apart."""
    en = [ClusterItem(id=i, title=t, body=b, published=p, language="en") for i, p, t, b in EN_ARTICLES]
    vecs = Embedder().embed_articles([it.title for it in en], [it.body for it in en])
    en = [replace(it, vector=v) for it, v in zip(en, vecs, strict=True)]
    cl = StoryClusterer()
    cl.add(fresh(items) + en)
    got = cl.assignments()
    assert got["en-strike"][1] == got["sa1"][1]
    assert got["en-strike"][0] == got["sa1"][0]  # the strike itself, not the wage deal a month later
    assert all(got["en-ecb"][1] != got[i][1] for i, *_ in ARTICLES)
    r, j = cl._row["en-strike"], cl._row["sa1"]
    assert cl._pair_features(r, np.array([j]))[0][PAIR_FEATURES.index("cross")] == 1.0
    # The language is part of the saved state: a reloaded clusterer scores the pair the same way.
    state = cl.state()
    again = StoryClusterer.from_state(json.loads(json.dumps({**state, "vsum": None})) | {"vsum": state["vsum"]})
    assert again._contents(r, [j])[0] == pytest.approx(cl._contents(r, [j])[0])


# Two earthquakes of one kind, undated, in English: what ECB+ topics pair up (a merge is a false story).
QUAKES = [
    ("qa1", "Magnitude 6.8 earthquake strikes northern Chile near Iquique",
     "A magnitude 6.8 earthquake struck northern Chile on Tuesday near the port city of Iquique, the US Geological "
     "Survey said. Buildings swayed in Iquique and Arica, power was cut in parts of the Tarapaca region and the navy "
     "issued a brief tsunami warning for the coast. President Bachelet said two people were injured."),
    ("qa2", "Chile earthquake: Iquique residents evacuate after tsunami alert",
     "Residents of Iquique fled to higher ground after a strong earthquake shook northern Chile. The quake, of "
     "magnitude 6.8, was centred off the coast of the Tarapaca region. Bachelet visited Arica and said the damage "
     "was limited; the tsunami warning was lifted after two hours."),
    ("qa3", "Strong quake hits Chile's Tarapaca region, tsunami warning lifted",
     "An earthquake of magnitude 6.8 hit the Tarapaca region of northern Chile, damaging houses in Iquique and "
     "Alto Hospicio. The Chilean navy lifted its tsunami warning. Bachelet said emergency teams were in Arica and "
     "Iquique and that two people had been hurt."),
    ("qb1", "Magnitude 6.1 earthquake strikes Indonesia's Aceh province",
     "A magnitude 6.1 earthquake struck Aceh province on the Indonesian island of Sumatra on Tuesday, the US "
     "Geological Survey said. Houses collapsed in Bener Meriah and Takengon, and the disaster agency said at least "
     "ten people were killed. President Yudhoyono ordered troops to help the rescue."),
    ("qb2", "Indonesia quake: rescuers search collapsed houses in Aceh",
     "Rescuers dug through collapsed houses in Bener Meriah after a strong earthquake shook Aceh, in northern "
     "Sumatra. The quake, of magnitude 6.1, killed at least ten people, Indonesia's disaster agency said. "
     "Yudhoyono said troops would reach Takengon by nightfall."),
    ("qb3", "Deadly earthquake hits Sumatra's Aceh, landslides cut roads",
     "An earthquake of magnitude 6.1 hit Aceh province in Sumatra, killing at least ten people in Bener Meriah and "
     "Takengon. Landslides cut the roads to the highlands. Yudhoyono sent troops and the disaster agency set up "
     "shelters for thousands of residents."),
]  # fmt: skip


def test_cluster_story_split_parts_two_same_kind_events(items: list[ClusterItem]) -> None:
    """Two earthquakes merged by a loose story threshold fall apart along their own places and people when the
    story split is on, in any batch order; one storyline whose two developments a month apart share its
    protagonists (the fire, then the arrest) stays one story."""
    its = [ClusterItem(id=i, title=t, body=b, language="en") for i, t, b in QUAKES]
    vecs = Embedder().embed_articles([it.title for it in its], [it.body for it in its])
    quakes = [replace(it, vector=v) for it, v in zip(its, vecs, strict=True)]
    loose = ClusterOptions(story_threshold=0.1, attach_threshold=0.1, story_split_q=0.0)
    merged = StoryClusterer(loose)
    merged.add(fresh(quakes))
    assert len(partition(merged.assignments(), 1)) == 1  # the pair model alone lets the two quakes meet
    split = replace(loose, story_split_q=0.04)
    cl = StoryClusterer(split)
    cl.add(fresh(quakes) + fresh(items))
    want = {frozenset({"qa1", "qa2", "qa3"}), frozenset({"qb1", "qb2", "qb3"})}
    stories = partition(cl.assignments(), 1)
    assert want <= stories
    assert frozenset({"fa1", "fa2", "fa3", "fb1", "fb2", "fb3"}) in stories
    # The same set in other batches gives the same stories; recluster applies the split without rescoring pairs.
    inc = StoryClusterer(split)
    for part in (quakes[3:] + items[6:], quakes[:3] + items[:6]):
        inc.add(fresh(part))
        inc = StoryClusterer.from_state(inc.state())
    assert inc.assignments() == cl.assignments()
    merged.recluster(split)
    assert partition(merged.assignments(), 1) == want


def test_cluster_modularity_of_a_split() -> None:
    from vigie.stories.cluster import _modularity

    sim = np.full((6, 6), 0.1)
    sim[:3, :3] = sim[3:, 3:] = 0.8
    good, bad = [True] * 3 + [False] * 3, [True, False] * 3
    assert 0.3 < _modularity(sim, good) < 0.5
    assert _modularity(sim, bad) < 0 < _modularity(sim, good)
    assert _modularity(np.full((4, 4), 0.5), [True, True, False, False]) < 0  # no structure: below the null model
