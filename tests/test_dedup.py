"""Near-duplicate detection: copies with small edits link to the first-seen copy; distinct texts do not."""

from __future__ import annotations

import pytest

from vigie.stories.dedup import Deduplicator, DedupOptions, exact_key

BODY = (
    "La Russie a annoncé lundi suspendre sa mission auprès de l'Otan à Bruxelles, après le retrait des "
    "accréditations de huit diplomates russes accusés d'espionnage. Le ministre russe des Affaires étrangères "
    "a déclaré que le cadre de coopération n'était plus en place et que la décision prendrait effet début "
    "novembre. Le porte-parole du Kremlin a estimé qu'il n'y avait rien à rompre entre Moscou et l'Alliance."
)
OTHER = (
    "Le Conseil d'Etat devrait rendre fin décembre sa décision sur la légalité du fichier policier Edvige, "
    "contre lequel de nombreuses associations et personnalités politiques ont déposé des recours devant la plus "
    "haute juridiction administrative, qui examinera aussi les conditions de conservation des données collectées."
)


def test_dedup_exact_copy_with_other_spacing() -> None:
    d = Deduplicator()
    assert d.add("a", BODY) is None
    assert d.add("b", "  " + BODY.replace(" ", "\n", 3).upper()) == "a"
    assert exact_key(BODY) == exact_key(BODY + "  ")


def test_dedup_near_copy_small_edits() -> None:
    d = Deduplicator()
    d.add("a", BODY)
    edited = BODY.replace("lundi", "ce lundi").replace("huit", "8") + " Lire aussi notre dossier."
    assert d.add("b", edited) == "a"


def test_dedup_distinct_texts_stay_apart() -> None:
    d = Deduplicator()
    d.add("a", BODY)
    assert d.add("b", OTHER) is None
    assert len(d) == 2


def test_dedup_short_text_only_exact() -> None:
    d = Deduplicator()
    assert d.signature("trois petits mots") is None
    d.add("a", "trois petits mots")
    assert d.add("b", "trois petits mots") == "a"
    assert d.add("c", "trois petits chats") is None


def test_dedup_signature_is_deterministic_across_instances() -> None:
    s1, s2 = Deduplicator().signature(BODY), Deduplicator().signature(BODY)
    assert s1 is not None and s2 is not None
    assert (s1 == s2).all()


def test_dedup_restore_reindexes() -> None:
    d1 = Deduplicator()
    sig = d1.signature(BODY)
    d2 = Deduplicator()
    d2.restore("a", exact_key(BODY), sig)
    assert d2.add("b", BODY + " Fin.") == "a"


@pytest.mark.parametrize("kw", [{"num_perm": 4}, {"threshold": 0}, {"shingle": 0}])
def test_dedup_options_checked(kw: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        DedupOptions(**kw)  # type: ignore[arg-type]
