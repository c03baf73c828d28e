"""Tests for vigie.understand.summarize: the sentence splitter, budget, provenance, dangling references, determinism, seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vigie.text import split_sentences
from vigie.understand.summarize import (
    Summary,
    SummaryOptions,
    _compressions,
    is_dangling,
    strip_dateline,
    summarize,
)

STORY = [
    (
        "a",
        "La Russie suspend sa mission auprès de l'Otan - Le Journal",
        "BRUXELLES, 18 octobre (Xinhua) -- La Russie a annoncé lundi suspendre sa mission auprès de l'Otan à "
        "Bruxelles après l'expulsion de huit diplomates russes accusés d'espionnage.\n"
        "M. Lavrov a déclaré que l'Otan ne voulait pas d'un dialogue d'égal à égal avec Moscou.\n"
        "Il a ajouté que la décision prendrait effet le 1er novembre, selon le ministère russe.\n"
        "Elle a été prise après des semaines de tension.",
    ),
    (
        "b",
        "Moscou ferme la mission de l'Otan",
        "La Russie va suspendre sa mission permanente auprès de l'Otan à partir du 1er novembre, a annoncé "
        "Sergueï Lavrov.\n"
        "Cette décision fait suite au retrait de l'accréditation de huit diplomates russes par l'Alliance.\n"
        "Par ailleurs, le bureau d'information de l'Otan à Moscou sera fermé.",
    ),
    (
        "c",
        "Otan: Paris regrette la rupture avec Moscou",
        "La France regrette la décision de Moscou de suspendre sa mission auprès de l'Otan, a déclaré un "
        "porte-parole du Quai d'Orsay.\n"
        "Paris a toujours prôné le maintien des canaux de dialogue entre l'Otan et la Russie.\n"
        "Mais le Kremlin affirme qu'il n'y avait plus rien à rompre.",
    ),
]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_summarize_split_sentences_handles_abbreviations_and_initials() -> None:
    text = "M. Dupont et Mme Durand ont vu le Dr Martin. J. K. Rowling vit aux U.S. depuis longtemps. Fin."
    assert split_sentences(text) == [
        "M. Dupont et Mme Durand ont vu le Dr Martin.",
        "J. K. Rowling vit aux U.S. depuis longtemps.",
        "Fin.",
    ]


def test_summarize_split_sentences_keeps_quotes_and_decimals_whole() -> None:
    text = (
        "« Nous partons. Nous reviendrons », a-t-il dit. Le taux est passé de 3.5 à 4,2 %. "
        'Il a crié : "Stop !" Puis il est parti... Le lendemain, rien.'
    )
    assert split_sentences(text) == [
        "« Nous partons. Nous reviendrons », a-t-il dit.",
        "Le taux est passé de 3.5 à 4,2 %.",
        'Il a crié : "Stop !"',
        "Puis il est parti...",
        "Le lendemain, rien.",
    ]


def test_summarize_split_sentences_breaks_lines_and_glued_periods() -> None:
    text = "Premier paragraphe sans point\nLa Russie a suspendu sa mission.Comme prévu, l'Otan regrette."
    assert split_sentences(text) == [
        "Premier paragraphe sans point",
        "La Russie a suspendu sa mission.",
        "Comme prévu, l'Otan regrette.",
    ]


def test_summarize_split_sentences_quote_closing_after_period_opens_next() -> None:
    text = 'La pression monte. "Le seul choix est politique", estime un analyste.'
    assert split_sentences(text) == ["La pression monte.", '"Le seul choix est politique", estime un analyste.']


def test_summarize_strip_dateline() -> None:
    assert strip_dateline("BRUXELLES, 20 octobre (Xinhua) -- Le chef de l'Otan a parlé.") == "Le chef de l'Otan a parlé."
    assert strip_dateline("PARIS (AFP) - Le gouvernement a tranché.") == "Le gouvernement a tranché."
    assert strip_dateline("Le gouvernement a tranché - enfin.") == "Le gouvernement a tranché - enfin."


@pytest.mark.parametrize(
    ("sentence", "dangling"),
    [
        ("Il a ajouté que la décision était prise.", True),
        ("Elle a été prise après des semaines de tension.", True),
        ("Ce dernier a refusé de commenter.", True),
        ("Cette décision fait suite au retrait des accréditations.", True),
        ("De son côté, Moscou dénonce une provocation.", True),
        ("Par ailleurs, le bureau sera fermé.", True),
        ("En outre, la mission sera fermée.", True),
        ("Mais le Kremlin affirme le contraire.", True),
        ("« Nous regrettons », a-t-il déclaré.", True),
        ("Il y a eu trois morts lundi à Paris.", False),
        ("Cette semaine, le gouvernement a tranché.", False),
        ("La Russie a suspendu sa mission auprès de l'Otan.", False),
    ],
)
def test_summarize_is_dangling(sentence: str, dangling: bool) -> None:
    assert is_dangling(sentence) is dangling


def test_summarize_options_are_validated() -> None:
    with pytest.raises(ValueError, match="max_words"):
        SummaryOptions(max_words=5)
    with pytest.raises(ValueError, match="lambda_mmr"):
        SummaryOptions(lambda_mmr=1.5)


def test_summarize_rejects_duplicate_ids() -> None:
    with pytest.raises(ValueError, match="unique"):
        summarize([("a", "t", "Une phrase assez longue pour compter ici."), ("a", "t", "Autre phrase.")])


@pytest.mark.parametrize("max_words", [10, 25, 40, 100])
def test_summarize_stays_within_max_words(max_words: int) -> None:
    summary = summarize(STORY, SummaryOptions(max_words=max_words, use_embeddings=False))
    assert summary.sentences
    assert len(re.findall(r"\w+", summary.text)) <= max_words + 1  # +1: a cut lone sentence ends in "…"
    assert len(summary.text.split()) <= max_words + 1


def test_summarize_truncates_only_a_lone_overlong_sentence() -> None:
    long = " ".join(["La Russie a suspendu sa mission auprès de l'Otan après l'expulsion de diplomates"] * 3) + "."
    summary = summarize([("a", "Titre", long)], SummaryOptions(max_words=10, max_sentence_words=60, use_embeddings=False))
    assert len(summary.sentences) == 1
    assert summary.text.endswith("…")


def _words_in_order(text: str, source: str) -> bool:
    """Every word of ``text`` occurs in ``source`` in the same order (case aside): a deletion-only compression."""
    rest = iter(re.findall(r"\w+", source.lower()))
    return all(w in rest for w in re.findall(r"\w+", text.lower()))


def test_summarize_sentences_keep_valid_sources_and_source_text() -> None:
    summary = summarize(STORY, SummaryOptions(use_embeddings=False))
    sources = [s for _, _, body in STORY for s in split_sentences(body)]
    bodies = {doc_id for doc_id, _, _ in STORY}
    for s in summary.sentences:
        assert s.sources and set(s.sources) <= bodies
        # A source sentence, or a rule-based rewrite of one (pronoun subject named, dateline stripped, words deleted).
        tail = s.text.split(" ", 2)[-1] if s.text.startswith("M. ") else s.text
        assert any(_words_in_order(tail.rstrip("…"), source) for source in sources), s.text


@pytest.mark.parametrize(
    ("sentence", "compressed"),
    [
        ("Par ailleurs, le bureau de l'Otan à Moscou sera fermé.", "Le bureau de l'Otan à Moscou sera fermé."),
        (
            "Mais le Kremlin affirme qu'il n'y avait plus rien à rompre.",
            "Le Kremlin affirme qu'il n'y avait plus rien à rompre.",
        ),
        (
            "La Russie va suspendre sa mission à partir du 1er novembre, a annoncé Sergueï Lavrov.",
            "La Russie va suspendre sa mission à partir du 1er novembre.",
        ),
        ("La décision prendra effet le 1er novembre, a-t-il ajouté.", "La décision prendra effet le 1er novembre."),
        ("Le trader a été mis en examen, selon son avocate.", "Le trader a été mis en examen."),
        ("Le ministre russe, de son côté, a dénoncé une provocation.", "Le ministre russe a dénoncé une provocation."),
        ("La Russie a annoncé lundi suspendre sa mission.", "La Russie a annoncé suspendre sa mission."),
        ("Lundi soir, la France a regretté la décision de Moscou.", "La France a regretté la décision de Moscou."),
        ("L'Alliance atlantique (Otan) a expulsé huit diplomates.", "L'Alliance atlantique a expulsé huit diplomates."),
    ],
)
def test_summarize_compressions_are_grammatical_deletions(sentence: str, compressed: str) -> None:
    variants = _compressions(sentence)
    assert compressed in variants, variants
    assert all(_words_in_order(v, sentence) for v in variants)


@pytest.mark.parametrize(
    "sentence",
    [
        "« Nous regrettons cette décision », a déclaré le porte-parole.",  # would leave a bare quote
        "Sergueï Lavrov, qui s'exprimait à Moscou, a dénoncé une provocation.",  # "a dénoncé" is the main verb
        "Le Kremlin est fermé depuis lundi à tout dialogue.",  # "depuis lundi" is a complement
        "Le ministre a déclaré que la mission fermerait.",  # no comma: nothing to cut
    ],
)
def test_summarize_compressions_leave_what_they_cannot_cut(sentence: str) -> None:
    assert _compressions(sentence) == []


def test_summarize_compression_frees_budget_for_another_fact() -> None:
    docs = [
        (
            d,
            "Moscou suspend sa mission",
            "La Russie va suspendre sa mission auprès de l'Otan à Bruxelles, a déclaré Sergueï Lavrov à l'AFP.\n"
            "L'Otan a expulsé la semaine dernière huit diplomates russes accusés d'espionnage au profit de Moscou.",
        )
        for d in ("a", "b", "c")
    ]
    opts = SummaryOptions(max_words=30, use_embeddings=False, rewrite_pronouns=False)
    full = summarize(docs, SummaryOptions(max_words=30, use_embeddings=False, compress=False)).text
    short = summarize(docs, opts).text
    assert "huit diplomates" in short and "suspendre sa mission" in short, short
    assert not ("huit diplomates" in full and "suspendre sa mission" in full), full


def test_summarize_never_opens_with_a_dangling_reference() -> None:
    summary = summarize(STORY, SummaryOptions(use_embeddings=False))
    texts = [s.text for s in summary.sentences]
    for i, text in enumerate(texts):
        if is_dangling(text):  # allowed only right after its antecedent from the same document
            source = next(_norm(b) for d, _, b in STORY if d == summary.sentences[i].sources[0])
            assert i > 0 and source.index(texts[i - 1]) < source.index(text)


def test_summarize_rewrites_pronoun_after_honorific() -> None:
    docs = [("a", "Titre", "M. Lavrov a déclaré que l'Otan refusait le dialogue.\nIl a ajouté que la mission fermera.")]
    summary = summarize(docs, SummaryOptions(use_embeddings=False, rewrite_pronouns=False))
    assert "M. Lavrov a ajouté que la mission fermera." in [s.text for s in summary.sentences]


def test_summarize_strips_datelines_and_cleans_headline() -> None:
    summary = summarize(STORY, SummaryOptions(use_embeddings=False))
    assert not any("Xinhua" in s.text for s in summary.sentences)
    assert summary.headline and not summary.headline.endswith("Le Journal")


def test_summarize_to_dict_shape() -> None:
    d = summarize(STORY, SummaryOptions(use_embeddings=False)).to_dict()
    assert set(d) == {"summary", "sentences", "headline"}
    assert all(set(s) == {"text", "sources"} for s in d["sentences"])
    assert d["summary"] == " ".join(s["text"] for s in d["sentences"])


def test_summarize_empty_story() -> None:
    assert summarize([]) == Summary(headline="", sentences=[])
    assert summarize([("a", "Un titre", "court")]).sentences == []


def test_summarize_is_deterministic() -> None:
    first = summarize(STORY).to_dict()
    assert all(summarize(STORY).to_dict() == first for _ in range(2))


@pytest.mark.slow
def test_summarize_seed_story_covers_suspension_and_expulsion(seeds_dir: Path) -> None:
    import vigie

    articles = vigie.extract_file(str(seeds_dir))
    summary = summarize([(a.id, a.title or "", a.body) for a in articles], SummaryOptions(max_words=100))
    text = summary.text.lower()
    assert len(re.findall(r"\w+", text)) <= 100
    assert any("suspend" in s.text.lower() and "mission" in s.text.lower() for s in summary.sentences), text
    assert "huit" in text and ("diplomates" in text or "expuls" in text or "accréditation" in text), text
