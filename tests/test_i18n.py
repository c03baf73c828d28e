"""The one catalogue of web and CLI text: both languages complete, every key in use defined, plurals, French
typography, labels of codes, dates and numbers per language, the CLI's language choice."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from vigie import i18n
from vigie.extract.outlets import FUNDINGS, TYPES, OutletRegistry
from vigie.i18n import LABELS, PLURALS, STRINGS, french_typography, language_from_env, not_found, translator

SRC = Path(__file__).resolve().parents[1] / "src" / "vigie"
TEMPLATES = SRC / "serve" / "templates"

# t("key") / t('key') / translator()("key") with a literal key, then "," or ")": keys built at run time
# (t("per_" + unit), t(f"not_found.{what}")) are checked on their own below.
_T_CALL = re.compile(r"""(?:\bt|\btranslator\([^()]*\))\(\s*["']([\w.]+)["']\s*[,)]""")
_TN_CALL = re.compile(r"""(?:\btn|\.n)\(\s*["']([\w.]+)["']\s*,""")
_LABEL_CALL = re.compile(r"""\blabel\(\s*["'](\w+)["']\s*,""")
_BUILT_KEYS = {"per_day", "per_week"} | {f"not_found.{w}" for w in
                                          ("article", "story", "entity", "outlet", "alert", "route", "static", "raw")}


def _sources() -> list[Path]:
    return sorted(TEMPLATES.glob("*.html")) + sorted(SRC.rglob("*.py"))


def test_i18n_every_key_in_both_languages() -> None:
    assert set(STRINGS["fr"]) == set(STRINGS["en"])
    assert set(PLURALS["fr"]) == set(PLURALS["en"])
    assert set(LABELS["fr"]) == set(LABELS["en"])
    for kind in ("entity_type", "funding", "outlet_type", "fact_kind"):
        assert set(LABELS["fr"][kind]) == set(LABELS["en"][kind]), kind
    for lang in i18n.LANGUAGES:
        assert all(v.strip() for v in STRINGS[lang].values()), lang
        assert all("{n}" in one and "{n}" in other for one, other in PLURALS[lang].values()), lang


def test_i18n_every_key_used_in_templates_and_code_exists() -> None:
    used: dict[str, set[str]] = {"t": set(), "tn": set(), "label": set()}
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        used["t"].update(_T_CALL.findall(text))
        used["tn"].update(_TN_CALL.findall(text))
        used["label"].update(_LABEL_CALL.findall(text))
    assert {"timeline", "n_sources", "cli.error"} <= used["t"] | used["tn"]  # the scan does find the calls
    used["t"].discard("key")  # the docstrings' own example, t("key")
    missing = sorted((used["t"] | _BUILT_KEYS) - set(STRINGS["fr"]))
    assert not missing, f"t() keys missing from vigie.i18n.STRINGS: {missing}"
    missing = sorted(used["tn"] - set(PLURALS["fr"]))
    assert not missing, f"tn() keys missing from vigie.i18n.PLURALS: {missing}"
    unknown = sorted(used["label"] - set(LABELS["fr"]) - {"language", "country", "owner"})
    assert not unknown, f"label() kinds unknown to vigie.i18n.LABELS: {unknown}"


def test_i18n_plurals_follow_each_language() -> None:
    fr, en = translator("fr"), translator("en")
    assert [fr.n("n_sources", n) for n in (0, 1, 2)] == ["0 source", "1 source", "2 sources"]
    assert [en.n("n_sources", n) for n in (0, 1, 2)] == ["0 sources", "1 source", "2 sources"]
    assert [fr.n("n_outlets", n) for n in (1, 3)] == ["1 média", "3 médias"]
    assert fr.n("n_articles", 12345) == "12\u202f345 articles" and en.n("n_articles", 12345) == "12,345 articles"
    assert en.n("n_placed", 5, copies=en.n("n_near_copies", 1)) == "; 5 placed in stories (1 near copy)"


def test_i18n_interpolation_and_missing_keys() -> None:
    fr = translator("fr")
    assert fr("original_outlet_of", outlet="Le Point") == "(média d'origine\u202f: Le Point)"
    assert fr("cli.error") == "erreur\u202f: {message}"  # a missing parameter shows, it does not raise
    assert fr("no.such.key") == "no.such.key"
    assert translator("de").lang == "fr" and translator("de")("stories") == "Récits"  # the web's old fallback


def test_i18n_french_typography() -> None:
    assert french_typography("Récits : 3") == "Récits\u202f: 3"
    assert french_typography("Quoi? Non!") == "Quoi\u202f? Non\u202f!"
    assert french_typography("« vigie ingest »") == "«\u202fvigie ingest\u202f»"
    assert french_typography("http://localhost:8000/ à 10:30") == "http://localhost:8000/ à 10:30"
    assert french_typography(french_typography("a : « b »")) == french_typography("a : « b »")
    fr = translator("fr")
    every = [fr(k) for k in STRINGS["fr"]] + [fr.n(k, n) for k in PLURALS["fr"] for n in (1, 2)]
    bad = [s for s in every if re.search(r"(?<!\u202f)[;:!?](?=\s|$)|«(?!\u202f)|(?<!\u202f)»", s)]
    assert not bad, bad


def test_i18n_labels_of_codes() -> None:
    fr, en = translator("fr"), translator("en")
    assert [fr.label("entity_type", c) for c in ("PER", "LOC", "ORG", "MISC")] == [
        "Personne", "Lieu", "Organisation", "Divers"]
    assert en.label("entity_type", "PER") == "Person"
    for lang in i18n.LANGUAGES:
        for code in FUNDINGS:
            assert LABELS[lang]["funding"].get(code), (lang, code)
        for code in TYPES:
            assert LABELS[lang]["outlet_type"].get(code), (lang, code)
    assert fr.label("funding", "state") == "État" and fr.label("outlet_type", "agency") == "Agence de presse"
    assert fr.label("fact_kind", "TIMELINE") == "Date" and fr.label("fact_kind", "quote") == "Citation"
    assert fr.label("language", "fr") == "Français" and en.label("language", "fr") == "French"
    assert fr.label("country", "RU") == "Russie" and en.label("country", "RU") == "Russia"
    assert fr.label("entity_type", "XYZ") == "XYZ" and fr.label("funding", None) == ""
    assert fr.phrase("(unknown outlet)") == "(média inconnu)" and en.phrase("(unknown outlet)") == "(unknown outlet)"
    assert fr.phrase("date of: la réunion") == "date de l'événement — la réunion"


def test_i18n_registry_owners_read_in_french() -> None:
    fr = translator("fr")
    assert fr.label("owner", "TV-Novosti (Russian state)") == "TV-Novosti (État russe)"
    assert fr.label("owner", "Groupe Figaro (Dassault)") == "Groupe Figaro (Dassault)"
    english = re.compile(r"\b(state|State|public service|corporation|family|owned|non-profit|independent|until|"
                         r"government|Cooperative|broadcasters)\b| and ")
    owners = {o.owner for o in OutletRegistry.default() if o.owner}
    left = sorted(o for o in owners if english.search(fr.label("owner", o).replace("The Globe and Mail", "")))
    assert not left, left


def test_i18n_dates_and_numbers_per_language() -> None:
    fr, en = translator("fr"), translator("en")
    assert fr.date("2021-10-05") == "5 octobre 2021" and en.date("2021-10-05") == "October 5, 2021"
    assert fr.date(date(2021, 10, 5), "medium") == "5 oct. 2021"
    assert fr.datetime("2021-10-20T10:00:00+00:00") == "20 octobre 2021 à 10:00"
    assert fr.datetime("2021-10-20") == "20 octobre 2021"
    assert fr.date("2021-10") == "2021-10" and fr.date("bientôt") == "bientôt" and fr.date(None) == ""
    assert fr.number(1234567) == "1\u202f234\u202f567" and en.number(1234567) == "1,234,567"


@pytest.mark.parametrize(("env", "lang"), [
    ({}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "fr"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "fr_CA.UTF-8"}, "fr"),
    ({"LANG": "fr_FR.UTF-8", "LC_ALL": "C"}, "en"),  # LC_ALL wins, as POSIX orders them
    ({"LANG": "fr_FR.UTF-8", "VIGIE_LANG": "en"}, "en"),
    ({"LANG": "C", "VIGIE_LANG": "FR"}, "fr"),
    ({"LANG": "fr_BE", "VIGIE_LANG": "de"}, "fr"),  # an unknown VIGIE_LANG is refused by the CLI, ignored here
])
def test_i18n_cli_language_from_env(env: dict[str, str], lang: str) -> None:
    assert language_from_env(env) == lang


def test_i18n_not_found_messages() -> None:
    fr, en = translator("fr"), translator("en")
    assert not_found("no story s-123", fr) == "Aucun récit s-123"
    assert not_found("no story s-123", en) == "no story s-123"
    assert not_found("no route /x/y", fr) == "Aucune page à l'adresse /x/y"
    assert not_found("no alert 4 (see `vigie alert list`)", fr) == "Aucune alerte 4 (voir «\u202fvigie alert list\u202f»)"
    assert not_found("no static file x.css", fr) == "Aucun fichier statique x.css"
    assert not_found("something else", fr) == "something else"


def test_i18n_using_sets_the_language_of_library_text() -> None:
    assert i18n.current() == "en"
    with i18n.using("fr") as t:
        assert t.lang == "fr" and translator()("untitled") == "(sans titre)"
    assert translator()("untitled") == "(untitled)"


def test_i18n_serve_module_reexports_the_catalogue() -> None:
    from vigie.serve import i18n as web

    assert web.STRINGS is STRINGS and web.translator is translator
    assert web.translator("en")("stories") == "Stories"
