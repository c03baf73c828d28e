"""Quote and speaker patterns on hand-written French sentences."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.models import Article

spacy = pytest.importorskip("spacy")


@pytest.fixture(scope="module")
def analyze() -> Any:
    from vigie.understand import analyze_article, get_nlp

    try:
        nlp = get_nlp("fr")
    except Exception as exc:
        pytest.skip(f"French model unavailable: {exc}")

    def run(body: str) -> list[dict[str, Any]]:
        art = Article(id="t", source="t", body=body, language="fr", published="2021-10-19T12:00+02:00")
        return analyze_article(art, nlp).to_dict()["quotes"]

    return run


def _by_text(quotes: list[dict[str, Any]], fragment: str) -> dict[str, Any]:
    return next(q for q in quotes if fragment in q["text"])


def test_understand_quotes_preposed(analyze: Any) -> None:
    q = analyze("Dmitri Peskov a déclaré : « Il n'y avait rien à rompre entre nous. »")
    assert _by_text(q, "rien à rompre")["speaker"] == "Dmitri Peskov"


def test_understand_quotes_postposed(analyze: Any) -> None:
    q = analyze("« Il n'y aura aucune conséquence pour nous », a déclaré Dmitri Peskov.")
    assert _by_text(q, "aucune conséquence")["speaker"] == "Dmitri Peskov"


def test_understand_quotes_inverted_pronoun_uses_gender(analyze: Any) -> None:
    body = (
        "Le ministre Jean Dupont a parlé le premier. La porte-parole de l'Alliance, Oana Lungescu, a regretté la décision. "
        "\"La politique de l'Otan reste cohérente\", a-t-elle néanmoins ajouté."
    )
    assert _by_text(analyze(body), "reste cohérente")["speaker"] == "Oana Lungescu"


def test_understand_quotes_role_resolves_through_apposition(analyze: Any) -> None:
    body = (
        "Le porte-parole du Kremlin Dmitri Peskov a commenté la décision. "
        "Le porte-parole du Kremlin a déclaré qu'il n'y avait plus aucune relation avec l'Alliance."
    )
    assert _by_text(analyze(body), "aucune relation")["speaker"] == "Dmitri Peskov"


def test_understand_quotes_selon(analyze: Any) -> None:
    body = "Selon Sergueï Lavrov, la Russie n'a pas été surprise par la décision de l'Otan."
    q = _by_text(analyze(body), "pas été surprise")
    assert q["speaker"] == "Sergueï Lavrov" and q["kind"] == "indirect"


def test_understand_quotes_indirect_que(analyze: Any) -> None:
    q = _by_text(analyze("M. Stoltenberg a indiqué que l'alliance continuerait à chercher le dialogue."), "chercher le dialogue")
    assert q["speaker"] == "Stoltenberg" and q["kind"] == "indirect"


def test_understand_quotes_continuation_keeps_speaker(analyze: Any) -> None:
    body = "\"Nous restons ouverts\", a déclaré Heiko Maas. \"Nous sommes prêts au dialogue avec Moscou, mais pas à tout prix.\""
    assert _by_text(analyze(body), "prêts au dialogue")["speaker"] == "Heiko Maas"


def test_understand_quotes_scare_quotes_are_not_quotes(analyze: Any) -> None:
    body = 'Ils ont été accusés d\'être des "agents de renseignements russes non déclarés". La décision "malhonnête" a choqué.'
    assert analyze(body) == []


def test_understand_quotes_unresolvable_speaker_stays_none(analyze: Any) -> None:
    body = "Paris a toujours prôné le dialogue avec la Russie, a déclaré un porte-parole du ministère français."
    assert _by_text(analyze(body), "prôné le dialogue")["speaker"] is None


def _eval_module(name: str) -> Any:
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "eval" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_understand_quotes_gate_on_hand_gold(shared_data: Any, tmp_path: Any, lang: str) -> None:
    """Held-out attribution precision and recall on eval/quotes/gold_*.jsonl stay above eval/floors.json."""
    import json
    from pathlib import Path

    floors = json.loads((Path(__file__).resolve().parents[1] / "eval" / "floors.json").read_text(encoding="utf-8"))
    out = tmp_path / "q.json"
    assert _eval_module("eval_quotes").main(["--lang", lang, "--data", str(shared_data), "--json", str(out)]) == 0
    got = json.loads(out.read_text(encoding="utf-8"))
    ours, base = got[f"{lang}_ours"], got[f"{lang}_baseline"]
    assert ours["precision"] >= floors[f"quotes_{lang}_precision"], got
    assert ours["recall"] >= floors[f"quotes_{lang}_recall"], got
    assert ours["precision"] > base["precision"], got


def test_understand_quotes_named_incise_inside_quote(analyze: Any) -> None:
    body = (
        "L'icône respire l'apaisement.\n«Les plaisirs vont des plus petites aux plus grandes choses, raconte son amie "
        "Anne-Colombe de la Taille. Il n'y a de place que pour les moments de vraie vie.»"
    )
    assert _by_text(analyze(body), "plus grandes choses")["speaker"] == "Anne-Colombe de la Taille"


def test_understand_quotes_partial_quote_after_verb(analyze: Any) -> None:
    body = "Le ministre Jean Dupont a salué « une victoire d'abord du peuple » dans un communiqué."
    assert _by_text(analyze(body), "une victoire")["speaker"] == "Jean Dupont"


def test_understand_quotes_pronoun_gender_from_first_name(analyze: Any) -> None:
    body = (
        "Ingrid Betancourt est arrivée à Paris. Nicolas Sarkozy l'a accueillie. "
        "« Je dois tout à la France », a-t-elle déclaré. « Vous êtes chez vous », a-t-il répondu."
    )
    q = analyze(body)
    assert _by_text(q, "Je dois tout")["speaker"] == "Ingrid Betancourt"
    assert _by_text(q, "chez vous")["speaker"] == "Nicolas Sarkozy"


def test_understand_quotes_weekday_is_never_a_speaker(analyze: Any) -> None:
    body = "Vendredi, Ingrid Betancourt a souligné l'importance de l'opération. \"Les personnes n'étaient pas armées\", a-t-elle expliqué."
    assert _by_text(analyze(body), "pas armées")["speaker"] == "Ingrid Betancourt"


def test_understand_quotes_unnamed_speaker_keeps_its_description(analyze: Any) -> None:
    body = "\"Il n'a pas trahi les Farc\", a indiqué l'avocat."
    assert _by_text(analyze(body), "pas trahi")["speaker"] == "l'avocat"


def test_understand_quotes_story_gives_one_speaker_to_the_same_quote() -> None:
    from vigie.understand import _one_speaker_per_quote
    from vigie.understand.views import StoryQuote

    quotes = [
        StoryQuote("Dmitri Peskov", "Il n'y avait rien à rompre entre nous", "a", "direct"),
        StoryQuote("Dmitri Peskov", "Il n'y avait rien à rompre entre nous", "b", "direct"),
        StoryQuote(None, "Il n’y avait rien à rompre entre nous", "c", "direct"),
    ]
    _one_speaker_per_quote(quotes)
    assert {q.speaker for q in quotes} == {"Dmitri Peskov"}


def test_understand_quotes_inverted_she_said_goes_to_the_woman_before(analyze: Any) -> None:
    body = (
        "Marie Dupont, la ministre, a reçu jeudi Paul Martin, le maire de la ville. "
        "« Nous avons trouvé un accord sur le budget », a-t-elle dit à la presse."
    )
    assert _by_text(analyze(body), "trouvé un accord")["speaker"] == "Marie Dupont"


def test_understand_quotes_inverted_he_said_goes_to_the_man_before(analyze: Any) -> None:
    body = (
        "Marie Dupont, la ministre, a reçu jeudi Paul Martin, le maire de la ville. "
        "« Nous avons trouvé un accord sur le budget », a-t-il dit à la presse."
    )
    assert _by_text(analyze(body), "trouvé un accord")["speaker"] == "Paul Martin"


def test_understand_speakers_cue_pronoun() -> None:
    from vigie.understand.speakers import cue_pronoun

    assert cue_pronoun(", a-t-elle ajouté.", "") == "F"
    assert cue_pronoun(", ajoute-t-il.", "") == "M"
    assert cue_pronoun(', she said.', "") == "F"
    assert cue_pronoun("", "Elle a ensuite déclaré : ") == "F"
    assert cue_pronoun(", ont-ils expliqué.", "") == "P"
    assert cue_pronoun(", a déclaré Paul Martin.", "Hier, ") is None


def test_understand_speakers_shipped_model_loads_and_is_deterministic() -> None:
    from vigie.understand.speakers import SPEAKER_FEATURES, Candidate, SpeakerModel, shipped_models

    models = shipped_models()
    assert "fr" in models  # train/train_speakers.py ships a language only when the ranker helps it held out
    model = models["fr"]
    assert model.features == SPEAKER_FEATURES and 0.0 <= model.weak_threshold <= model.threshold <= 1.0
    assert SpeakerModel.from_dict(model.to_dict()) == model
    idx = {n: i for i, n in enumerate(SPEAKER_FEATURES)}

    def cand(name: str, **on: float) -> Candidate:
        f = [0.0] * len(SPEAKER_FEATURES)
        f[idx["bias_q"]] = 1.0
        for k, v in on.items():
            f[idx[k]] = v
        return Candidate(name, None, f)

    def pick() -> str | None:
        # A quote of about ten words ("a-t-elle ajouté"), two people named before it, the woman the latest subject.
        common = {"log_words": 2.4, "cue": 1.0, "is_person": 1.0, "share": 0.5}
        cands = [
            cand("Paul Martin", log_dist_before=2.0, cue_disagree=1.0, recent_rank0=1.0, **common),
            cand("Marie Dupont", log_dist_before=2.5, cue_agree=1.0, recent_agree_rank0=1.0, subject_near=1.0, **common),
        ]
        best = model.best(cands, weak=True)
        assert sum(c.score for c in cands) < 1.0  # "none of them" keeps some probability
        assert cands[1].score > cands[0].score
        return best.name if best is not None else None

    assert pick() == pick() == "Marie Dupont"


def test_understand_speakers_fit_is_deterministic() -> None:
    pytest.importorskip("scipy")
    eq = _eval_module("eval_quotes")
    from vigie.understand.speakers import SPEAKER_FEATURES

    n = len(SPEAKER_FEATURES)

    def item(k: int) -> Any:
        right = [1.0 if j % 3 == k % 3 else 0.0 for j in range(n)]
        wrong = [0.5 if j % 2 else 0.0 for j in range(n)]
        return eq.SpeakerItem("g", None, k % 2 == 0, True, k % 2 == 1, [right, wrong], [1, 0])

    items = [item(k) for k in range(12)]
    assert eq.fit_speaker_model(items) == eq.fit_speaker_model(items)


def test_understand_quotes_glued_sentences(analyze: Any) -> None:
    """A scraper glued the sentences ("ajouté.Le ministre"): each quote keeps its own sentence and speaker."""
    q = analyze(
        "La porte-parole Oana Lungescu a regretté la décision.Le ministre allemand Heiko Maas a qualifié "
        "l'annonce de \"plus que regrettable et dangereuse\".\"Nous restons prêts au dialogue\", a-t-il ajouté."
    )
    assert _by_text(q, "plus que regrettable")["speaker"] == "Heiko Maas"


def test_understand_quotes_relative_clause_organisation(analyze: Any) -> None:
    """"le PS, qui a dénoncé « … »": the words are the antecedent's, an organisation."""
    q = analyze("Pour le Parti socialiste, qui a dénoncé une « valse-hésitation sans fin » du gouvernement, "
                "la visite est un échec.")
    assert _by_text(q, "valse-hésitation")["speaker"] == "Parti socialiste"


def test_understand_quotes_participle_after_quote(analyze: Any) -> None:
    """"… son « combat courageux », précisant que …": the participle's subject is the clause's."""
    q = analyze("Rama Yade a annoncé qu'elle saluerait son « combat très courageux », précisant que le président "
                "avait donné son accord.")
    assert _by_text(q, "combat très courageux")["speaker"] == "Rama Yade"


def test_understand_quotes_reflexive_and_second_group_verbs(analyze: Any) -> None:
    """"« … », s'est ainsi réjoui M. X" and "« … », a renchéri … M. Y": reflexive and -ir verbs of saying."""
    q = analyze(
        "Les banquiers ont parlé après la réunion.\n"
        "\"Le dispositif français est solide et bien soutenu\", s'est ainsi réjoui Georges Pauget.\n"
        "\"Le système financier est stable et très solvable\", a renchéri Henri de Castries."
    )
    assert _by_text(q, "dispositif français")["speaker"] == "Georges Pauget"
    assert _by_text(q, "système financier")["speaker"] == "Henri de Castries"


def test_understand_quotes_object_pronoun_before_the_verb(analyze: Any) -> None:
    """"« … », leur a-t-il dit": an object pronoun between the quote and the inverted verb."""
    q = analyze("Nicolas Sarkozy a reçu les préfets à l'Elysée jeudi.\n"
                "\"La République a besoin de vous tous\", leur a-t-il dit devant la presse.")
    assert _by_text(q, "besoin de vous")["speaker"] == "Nicolas Sarkozy"


def test_understand_quotes_unnamed_role_keeps_its_description(analyze: Any) -> None:
    body = "« Nous ne céderons rien sur ce dossier », a déclaré le ministre de l'Intérieur lors d'un point presse."
    assert "ministre de l'Intérieur" in _by_text(analyze(body), "céderons rien")["speaker"]


def test_understand_quotes_object_of_judging_verb(analyze: Any) -> None:
    body = "Le ministre Jean Dupont a accusé Moscou de « vouloir diviser les Européens » lors de sa visite."
    assert _by_text(analyze(body), "diviser les Européens")["speaker"] == "Jean Dupont"


def test_understand_quotes_passive_agent_is_the_speaker(analyze: Any) -> None:
    body = "Le ministre Jean Dupont a présenté son offre. Cette offre a été qualifiée par les syndicats d'« injure faite aux salariés »."
    assert _by_text(analyze(body), "injure faite")["speaker"] == "les syndicats"


def test_understand_quotes_participle_goes_on_with_previous_speaker(analyze: Any) -> None:
    body = (
        "Le ministre Jean Dupont était présent. \"Je marchais avec un chapeau sur la tête\", a raconté Ingrid Betancourt, "
        "évoquant notamment \"les fourmis et les poux\"."
    )
    assert _by_text(analyze(body), "les fourmis")["speaker"] == "Ingrid Betancourt"


def test_understand_quotes_second_subject_of_a_sentence_speaks_for_itself(analyze: Any) -> None:
    body = (
        "Marine Dupuis (PS) a estimé qu'il n'était \"plus temps d'attendre\" et Paul Martin a dénoncé la politique "
        "\"totalement erronée\" du gouvernement."
    )
    direct = next(q for q in analyze(body) if q["text"] == "totalement erronée")
    assert direct["speaker"] == "Paul Martin"


def test_understand_quotes_heading_is_nobodys_quote(analyze: Any) -> None:
    body = (
        "« Je pars sans regret », a déclaré Charles Milhaud à ses collaborateurs.\n"
        "« Je ne demande aucune indemnité »\n"
        "Le président du directoire a quitté ses fonctions vendredi."
    )
    quotes = analyze(body)
    assert _by_text(quotes, "sans regret")["speaker"] == "Charles Milhaud"
    assert not [q for q in quotes if "aucune indemnité" in q["text"] and q["speaker"]]


def test_understand_quotes_term_in_marks_is_nobodys_quote(analyze: Any) -> None:
    body = (
        "« La banque a été trompée », a déclaré Charles Milhaud. "
        "Le trader Boris Picano-Nacci a été mis en examen jeudi pour « abus de confiance » par la juge."
    )
    assert not [q for q in analyze(body) if q["text"] == "abus de confiance" and q["speaker"]]


def test_understand_quotes_neutral_title_keeps_first_name_gender(analyze: Any) -> None:
    # "Me" (Maître) says nothing of gender: "Me Cécile Bernaille" is a woman, so "a-t-elle affirmé" is hers.
    body = (
        "Me Cécile Bernaille, avocate du trader, a déclaré vendredi que son client avait agi seul. "
        "\"Il n'a fait que son travail, ni plus ni moins\", a-t-elle affirmé."
    )
    assert _by_text(analyze(body), "ni plus ni moins")["speaker"] == "Cécile Bernaille"


def test_understand_quotes_role_named_after_bracketed_acronym(analyze: Any) -> None:
    body = (
        "Auditionné mercredi soir, le directeur général de la police nationale (DGPN) Frédéric Péchenard a soutenu "
        "qu'Edvige n'était qu'un \"outil rudimentaire, un fichier d'indexation\"."
    )
    assert _by_text(analyze(body), "outil rudimentaire")["speaker"] == "Frédéric Péchenard"


def test_understand_quotes_participle_object_is_not_the_speaker(analyze: Any) -> None:
    body = (
        "Ingrid Betancourt a déclaré que l'opération était \"le fruit de la réflexion commune entre Français et "
        "Colombiens\", saluant à nouveau le rôle de Nicolas Sarkozy dans le processus."
    )
    assert _by_text(analyze(body), "réflexion commune")["speaker"] == "Ingrid Betancourt"


def test_understand_quotes_bare_term_under_a_verb_of_saying(analyze: Any) -> None:
    # A bare term further down the object of a verb of saying is still the subject's wording (the gold gives it).
    body = ("Moscou a dénoncé les propos des dirigeants de l'Otan pour annoncer les mesures de riposte face à la "
            "décision \"malhonnête\" de l'Alliance.")
    assert _by_text(analyze(body), "malhonnête")["speaker"] == "Moscou"


def test_understand_quotes_mixed_marks_pair(analyze: Any) -> None:
    body = "« Nous restons ouverts », a déclaré Heiko Maas. \"Nous sommes prêts au dialogue avec Moscou.” Puis il est parti."
    assert any("prêts au dialogue" in q["text"] for q in analyze(body))


def test_understand_quotes_quoted_words_are_no_subject(analyze: Any) -> None:
    body = (
        "\"Dirigeables équipés de caméras surpuissantes pour filmer les banlieues, prison préventive à vie après la fin "
        "de l'exécution d'une peine, et à présent fichage d'enfants de treize ans désignés d'avance comme futurs repris "
        "de justice\", la Ligue des droits de l'Homme évoque un \"niveau de surveillance des citoyens, généralisée "
        "parfois, discriminatoire souvent\"."
    )
    assert _by_text(analyze(body), "discriminatoire souvent")["speaker"] == "Ligue des droits de l'Homme"
