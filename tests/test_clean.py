"""Tests of the plain-text cleaner: the five seeds, hand-written noisy pages, and robustness on any string."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.extract.clean import (
    BodyModel,
    CleanedText,
    CleanOptions,
    TreeEnsemble,
    _clean,
    clean_text,
    page_lines,
    stage2_rows,
    viterbi,
)

S000, S001, S002, S003, S004 = (
    "000_4be715d5b9f8e314.txt",
    "001_37b476e53cd719ce.txt",
    "002_bd8ae65ee2c76035.txt",
    "003_97844727ab504620.txt",
    "004_d89e750bbe1b059c.txt",
)

TITLES = {
    S000: "Otan-Russie: Paris déplore la rupture, pour Moscou il n’y avait \"rien à rompre\"",
    S001: "Moscou réagit à l'expulsion de diplomates russes à l'Otan",
    S002: "Tango d’un seul danseur, rien à rompre: Moscou décrit les liens avec l’Otan",
    S003: "La Russie réagit durement aux sanctions de l’OTAN",
    S004: "L'OTAN affirme chercher des moyens de dialoguer avec la Russie",
}
AUTHORS = {S000: ["Anna Dedkova"], S001: ["Nikita Martynov"], S002: [], S003: [], S004: []}
FIRST_LAST = {
    S000: ("La Russie a annoncé, lundi 18 octobre 2021", "son refus de normaliser les relations."),
    S001: ("L’Otan a décidé le 5 octobre", "se poursuit en violation du Traité."),
    S002: ("De facto les relations entre la Russie", "ce poste étant vacant depuis janvier 2018."),
    S003: ("Le lundi 18 octobre 2021", "Mark Milley à Helsinki, en Finlande."),
    S004: ("BRUXELLES, 20 octobre (Xinhua)", "en 2015 et 2018."),
}
# Furniture of the seeds that must never reach a body (comments, footers, metadata, tags, URLs).
FURNITURE = [
    "http", "/html/head", "@content", "feedback.fr@", "Rosiya", "1920 1080", "2021-10-19T", "full-up",
    "Michelvsrin", "Serge Favaro", "Pasqua", "Ce sont nos politiques", "LIRE AUSSI", "Recevez chaque mardi",
    "FAQ", "Politique de confidentialité", "CGV", "Keywords", "NATO,Russia", "FansLike", "Advertisement",
    "Anna Dedkova", "Nikita Martynov", "conseil russie-otan, otan", "Sputnik France", "xinhuanet",
    "Publié le", "Contactez", "abonnez-vous", "A lire aussi", "010020070770",
]


@pytest.fixture
def cleaned(seed_texts: dict[str, str]) -> dict[str, CleanedText]:
    return {name: clean_text(text) for name, text in seed_texts.items()}


@pytest.mark.parametrize("name", sorted(TITLES))
def test_clean_seed_title(cleaned: dict[str, CleanedText], name: str) -> None:
    assert cleaned[name].title == TITLES[name]


@pytest.mark.parametrize("name", sorted(AUTHORS))
def test_clean_seed_authors(cleaned: dict[str, CleanedText], name: str) -> None:
    assert cleaned[name].authors == AUTHORS[name]


@pytest.mark.parametrize("name", sorted(FIRST_LAST))
def test_clean_seed_body_bounds(cleaned: dict[str, CleanedText], name: str) -> None:
    first, last = FIRST_LAST[name]
    c = cleaned[name]
    assert c.paragraphs[0].startswith(first)
    assert c.paragraphs[-1].endswith(last)


@pytest.mark.parametrize("name", sorted(FIRST_LAST))
def test_clean_seed_body_has_no_furniture(cleaned: dict[str, CleanedText], name: str) -> None:
    body = cleaned[name].body
    for bit in FURNITURE:
        assert bit not in body, f"{bit!r} leaked into the body of {name}"
    assert cleaned[name].title not in cleaned[name].paragraphs


def test_clean_seed_duplicated_body_kept_once(cleaned: dict[str, CleanedText]) -> None:
    c = cleaned[S004]
    assert c.body.count("BRUXELLES, 20 octobre (Xinhua)") == 1
    assert c.body.count("La taille de la mission russe") == 1
    assert not c.body.endswith("Fin")
    assert len(c.paragraphs) == 8


def test_clean_seed_comments(cleaned: dict[str, CleanedText]) -> None:
    assert cleaned[S000].comments == ["full-up Paris aurait mieux fait de se taire car il passe pour un ignorant !"]
    c1 = cleaned[S001].comments
    assert len(c1) == 2
    assert "Un partenariat entre l'Otan et la Russie ?" in c1[0] and not c1[0].endswith("5")
    assert "Ne jamais faire confiance" in c1[1] and not c1[1].endswith("3")
    c3 = " ".join(cleaned[S003].comments)
    assert "J’ai cru voir Pasqua !" in c3 and "Ce sont nos politiques étroites" in c3
    assert "est un crime contre la nation." in c3
    assert cleaned[S002].comments == [] and cleaned[S004].comments == []


def test_clean_seed_glued_subheads_split(cleaned: dict[str, CleanedText]) -> None:
    assert "Aucune réaction de l’Otan" in cleaned[S000].paragraphs
    assert "Rupture programmée" in cleaned[S002].paragraphs
    assert "La Russie et l’Otan en mauvais termes" in cleaned[S001].paragraphs
    assert any(p.startswith("Comme de nombreux membres de l’Alliance") for p in cleaned[S000].paragraphs)
    assert any(p.startswith("Octobre 2021 est devenu") for p in cleaned[S002].paragraphs)
    # "M.Maas" is an abbreviation, not a paragraph break.
    assert "a déclaré M. Maas aux journalistes" in cleaned[S000].body
    assert not any(p.startswith("Maas") for p in cleaned[S000].paragraphs)


def test_clean_seed_metadata(cleaned: dict[str, CleanedText]) -> None:
    c = cleaned[S000]
    assert c.standfirst is not None and c.standfirst.startswith("Les derniers canaux de communication")
    assert "Sputnik France" not in c.standfirst and "19.10.2021" not in c.standfirst
    assert "19.10.2021" in c.date_strings or any(d.startswith("2021-10-19T17:11") for d in c.date_strings)
    assert c.site_names[0] == "Sputnik France"
    assert c.urls[0].startswith("https://fr.sputniknews.com/20211019/otan-russie")
    assert not any("cdnnfr1.img" in u for u in c.urls)
    assert "otan" in c.tags and "conseil russie-otan" in c.tags and len(c.tags) == len({t.lower() for t in c.tags})
    x = cleaned[S004]
    assert x.date_strings[0] == "Publié le 2021-10-21 à 09:50"
    assert "French.xinhuanet.com" in x.site_names
    assert "Le Point" in cleaned[S003].site_names
    assert "Jens Stoltenberg" in cleaned[S003].tags
    # Dates mentioned in body sentences are not publication dates.
    assert not any("18 octobre" in d for d in c.date_strings)
    assert any("Rosiya" in f for f in c.furniture)


# ------------------------------------------------------------------------------------------ hand-written pages

LE_MONDE_LIKE = """\ufeffRéforme des retraites : le Conseil constitutionnel valide l'essentiel du texte - Le Quotidien\r
\r
Aller au contenu principal\r
Menu\r
Rechercher\r
Se connecter\r
S’abonner\r
International\r
Politique\r
Société\r
Économie\r
Culture\r
\r
Nous utilisons des cookies pour améliorer votre expérience. En poursuivant votre navigation, vous acceptez leur utilisation.\r
Accepter\r
Paramétrer\r
\r
Politique\r
Réforme des retraites : le Conseil constitutionnel valide l'essentiel du texte\r
\r
Les Sages ont censuré six « cavaliers sociaux » mais validé le report de l'âge légal de départ à 64 ans, ouvrant la voie à une promulgation rapide.\r
\r
Par Marie Dupont\r
Publié le 14 avril 2023 à 18h12, mis à jour le 15 avril 2023 à 08h30\r
Partager sur Facebook\r
Partager sur Twitter\r
Envoyer par e-mail\r
Réagir (12)\r
\r
Le Conseil constitutionnel a validé, vendredi 14 avril, l'essentiel de la réforme des retraites portée par le gouvernement, dont la mesure phare, le report de l'âge légal de départ de 62 à 64 ans. Dans leur décision, les neuf membres de l'institution ont toutefois censuré six dispositions jugées sans rapport avec une loi de financement de la Sécurité sociale.\r
\r
Lire aussi : Retraites : ce que contient la réforme adoptée par le Parlement\r
\r
La décision était attendue avec fébrilité par l'exécutif comme par les syndicats, qui espéraient une censure totale du texte. Le président de la République dispose désormais de quinze jours pour promulguer la loi, ce qu'il a indiqué vouloir faire « dans les meilleurs délais ».\r
\r
Une mobilisation qui s'essouffle\r
\r
Les organisations syndicales, réunies en intersyndicale depuis janvier, ont appelé à une nouvelle journée de mobilisation le 1er mai. Selon le ministère de l'intérieur, 380 000 personnes ont manifesté jeudi en France, un chiffre en net recul par rapport au pic de mars.\r
\r
Publicité\r
\r
La première ministre a de son côté réaffirmé sa volonté de « renouer le dialogue » avec les partenaires sociaux, sans toutefois revenir sur le cœur de la réforme. Les oppositions, de la gauche au Rassemblement national, dénoncent un passage en force et promettent de poursuivre le combat au Parlement.\r
\r
Marie Dupont\r
\r
Newsletter\r
Recevez chaque matin l'essentiel de l'actualité politique.\r
S'inscrire\r
\r
Commentaires (12)\r
\r
Jeanpaul75\r
Il y a 2 heures\r
Une décision sans surprise, le Conseil ne pouvait pas faire autrement au vu de la jurisprudence.\r
Répondre\r
\r
Citoyenne_en_colère\r
Il y a 3 heures\r
Encore une fois, le peuple n'est pas écouté. Honteux !\r
Répondre\r
\r
Les plus lus\r
1\r
Inflation : les prix alimentaires continuent de grimper\r
2\r
Météo : un week-end pluvieux sur la moitié nord\r
\r
Mentions légales\r
Politique de confidentialité\r
Gestion des cookies\r
© Le Quotidien 2023 - Tous droits réservés\r
"""

ENGLISH = """Skip to main content
Home | World | Business | Tech | Sport
Subscribe
Sign in
Central bank raises interest rates for the fifth time this year
By Jane Smith and Tom Brown
March 12, 2023
Share on Twitter
Share on Facebook
The central bank raised its benchmark interest rate by a quarter of a percentage point on Wednesday, the fifth increase this year, as policymakers tried to bring persistent inflation back towards their target.
Officials said the decision was unanimous and that further increases could not be ruled out if price pressures did not ease in the coming months.
Inflation slowed slightly in February but remains well above the level the bank considers consistent with stable prices, according to figures published last week.
Markets had largely expected the move, and stocks rose modestly after the announcement as investors bet that the end of the tightening cycle was in sight.
Read more: What higher rates mean for your mortgage
Advertisement
Related stories
Oil prices fall as demand outlook weakens
Housing market cools in the spring
Most read
1. Storm warning issued for the coast
2. New stadium plans unveiled
© 2023 The Daily Ledger. All rights reserved.
Privacy policy | Cookie settings | Terms of use
"""

RPM2_LIKE = """\ufeffLibération des otages : la joie des familles\r
Les proches des otages libérés ont laissé éclater leur joie hier soir à l'annonce de la nouvelle.\r
Les quinze otages, détenus depuis plusieurs années dans la jungle, ont été récupérés sains et saufs lors d'une opération militaire.\r
Le président a salué « une opération parfaite » et remercié les militaires qui y ont participé.\r
Les familles devraient retrouver leurs proches dès ce matin à l'aéroport de la capitale.\r
"""

BYLINE_PAGE = """Accueil > Société > Éducation

Éducation : le ministère annonce un plan pour les écoles rurales

Par Marie Dupont

Publié le 12 mars 2023 à 14h05, mis à jour le 12 mars 2023 à 16h40

Le ministère de l'éducation nationale a présenté, dimanche, un plan de soutien destiné aux écoles des communes rurales, qui prévoit le maintien des classes menacées de fermeture jusqu'en 2027 et la création de 300 postes de remplaçants.

Ce plan répond à une demande ancienne des maires ruraux, qui dénoncent depuis plusieurs années la fermeture de classes dans les petites communes et la disparition progressive des services publics.

Les syndicats d'enseignants ont salué « un premier pas », tout en regrettant l'absence de moyens supplémentaires pour la formation continue des professeurs.

Mots clés :

éducation, écoles rurales, ministère de l'éducation

À lire aussi

Le baccalauréat réformé en débat

Partager cet article
"""


def test_clean_le_monde_like_page() -> None:
    c = clean_text(LE_MONDE_LIKE)
    assert c.title == "Réforme des retraites : le Conseil constitutionnel valide l'essentiel du texte"
    assert c.paragraphs[0].startswith("Le Conseil constitutionnel a validé, vendredi 14 avril")
    assert c.paragraphs[-1].endswith("promettent de poursuivre le combat au Parlement.")
    assert "Une mobilisation qui s'essouffle" in c.paragraphs  # subhead between body paragraphs stays
    for bit in ("cookies", "Lire aussi", "Partager", "Publicité", "Réagir", "Newsletter", "Jeanpaul75", "Honteux",
                "Répondre", "Les plus lus", "Inflation", "Mentions légales", "©", "Marie Dupont", "Menu"):
        assert bit not in c.body, bit
    assert c.authors == ["Marie Dupont"]
    assert c.date_strings[0].startswith("Publié le 14 avril 2023")
    assert any("Honteux" in x for x in c.comments)
    assert any("sans surprise" in x for x in c.comments)
    assert "Le Quotidien" in c.site_names


def test_clean_english_page() -> None:
    c = clean_text(ENGLISH)
    assert c.title == "Central bank raises interest rates for the fifth time this year"
    assert c.authors == ["Jane Smith", "Tom Brown"]
    assert c.date_strings == ["March 12, 2023"]
    assert len(c.paragraphs) == 4
    assert c.paragraphs[0].startswith("The central bank raised")
    assert c.paragraphs[-1].endswith("was in sight.")
    for bit in ("Read more", "Advertisement", "Oil prices", "Storm warning", "Share", "rights reserved"):
        assert bit not in c.body, bit


def test_clean_rpm2_like_keeps_every_line() -> None:
    c = clean_text(RPM2_LIKE)
    assert c.title == "Libération des otages : la joie des familles"
    lines = RPM2_LIKE.lstrip("\ufeff").splitlines()
    assert c.paragraphs == [ln.strip() for ln in lines[1:]]
    assert c.furniture == [c.title]


def test_clean_byline_and_publication_date() -> None:
    c = clean_text(BYLINE_PAGE)
    assert c.title == "Éducation : le ministère annonce un plan pour les écoles rurales"
    assert c.authors == ["Marie Dupont"]
    assert c.date_strings[0] == "Publié le 12 mars 2023 à 14h05"
    assert "mis à jour le 12 mars 2023 à 16h40" in c.date_strings
    assert len(c.paragraphs) == 3 and c.paragraphs[-1].endswith("formation continue des professeurs.")
    assert c.tags == ["éducation", "écoles rurales", "ministère de l'éducation"]
    assert "Le baccalauréat" not in c.body


def test_clean_glued_paragraphs_keep_names_and_abbreviations() -> None:
    body = (
        "Le groupe a présenté mardi ses résultats annuels.Selon la direction, le chiffre d'affaires a progressé de "
        "3.5 % grâce aux ventes d'iPhone et aux publicités sur YouTube et LinkedIn.Les analystes de McDonald Research "
        "jugent que les U.S. restent le premier marché, selon M.Durand, joint par téléphone.Perspectives prudentes"
        "Le groupe table sur une croissance plus modeste l'an prochain, détaille le site https://example.com/Rapport.Annuel"
    )
    c = clean_text("Titre du communiqué\n\n" + body + "\n")
    assert c.paragraphs[0] == "Le groupe a présenté mardi ses résultats annuels."
    assert c.paragraphs[1].startswith("Selon la direction") and "3.5 %" in c.paragraphs[1]
    assert "iPhone" in c.body and "YouTube et LinkedIn." in c.body and "McDonald Research" in c.body
    assert "les U.S. restent" in c.body and "M. Durand" in c.body
    assert "Perspectives prudentes" in c.paragraphs
    assert c.paragraphs[-1].startswith("Le groupe table sur")


def test_clean_normalises_odd_characters() -> None:
    text = "\ufeffUn titre\u00a0simple\r\n\r\nUn\u200b paragraphe\u00a0de corps, avec une phrase complète et du sens.\f"
    c = clean_text(text)
    assert c.title == "Un titre simple"
    assert c.paragraphs == ["Un paragraphe de corps, avec une phrase complète et du sens."]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\r\n", "\ufeff", "\u200b\u00a0\f"])
def test_clean_empty_input(text: str) -> None:
    c = clean_text(text)
    assert c == CleanedText()
    assert c.body == ""


def test_clean_options_are_checked() -> None:
    with pytest.raises(ValueError, match="good_stop_density"):
        CleanOptions(good_stop_density=2.0)


_ALPHABET = st.sampled_from(
    [*list("abcdeéàç ABCÉ.,;:!?«»\"'’-–—|/@#0123456789\n\r\t\x0c\xa0\u200b\ufeff©"), "http://x.fr/a-b-c", "Lire aussi", "Par Jean Dupont", "2021-10-19T17:11+0200", " 5\n", "OtanLe ", "M.Maas"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=300).map("".join))
def test_clean_never_raises(text: str) -> None:
    c = _clean(text, CleanOptions())  # the inner function: the safety net of clean_text must not hide bugs
    assert isinstance(c, CleanedText)
    assert all(p.strip() == p and p for p in c.paragraphs)
    assert clean_text(text) is not None


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_clean_never_raises_on_any_text(text: str) -> None:
    _clean(text, CleanOptions())


# -- the learned body decision ------------------------------------------------------------------------------------


def test_clean_viterbi_trades_scores_against_switches() -> None:
    assert viterbi([2.0, -1.0, 2.0], 0.0) == [True, False, True]
    assert viterbi([2.0, -1.0, 2.0], 5.0) == [True, True, True]  # one thin line between body lines joins them
    assert viterbi([-3.0, -3.0], 1.0) == [False, False]
    assert viterbi([], 1.0) == []


def test_clean_shipped_model_matches_the_features() -> None:
    model = BodyModel.load()
    pl = page_lines(LE_MONDE_LIKE)
    assert len(pl.rows) == len(pl.lines) and (model.n_features or len(model.weights)) == len(pl.rows[0])
    assert len(model.scores(pl.rows)) == len(pl.lines)
    assert pl.language == "fr"
    if model.weights2:  # the second stage ships only when the inner CV found it pays
        assert len(model.weights2) == len(stage2_rows([0.0])[0])


def test_clean_tree_ensemble_walks_every_line_down_every_tree() -> None:
    """Two stumps and a depth-2 tree, flattened as train/train_cleaner.py ships them: leaves point to themselves."""
    inf = float("inf")
    trees = TreeEnsemble(
        # tree 0: x0 <= 0.5 ? 1.0 : -1.0 (nodes 0-2); tree 1: x1 <= 2 ? (x0 <= -1 ? 0.25 : 0.5) : -0.5 (nodes 3-7)
        feature=np.array([0, 0, 0, 1, 0, 0, 0, 0]),
        threshold=np.array([0.5, inf, inf, 2.0, -1.0, inf, inf, inf]),
        left=np.array([1, 1, 2, 4, 6, 5, 6, 7]),
        right=np.array([2, 1, 2, 5, 7, 5, 6, 7]),
        value=np.array([0.0, 1.0, -1.0, 0.0, 0.0, -0.5, 0.25, 0.5]),
        roots=np.array([0, 3]), depth=2, base=0.1,
    )
    X = np.array([[0.0, 0.0], [-2.0, 1.0], [1.0, 3.0], [0.5, 2.0]])
    assert trees.predict(X).tolist() == pytest.approx([0.1 + 1.0 + 0.5, 0.1 + 1.0 + 0.25, 0.1 - 1.0 - 0.5, 1.6])
    assert trees.predict(np.zeros((0, 2))).tolist() == []
    model = BodyModel(weights=[], bias=0.0, trees=trees, n_features=2, threshold=1.0)
    assert model.scores(X.tolist()) == pytest.approx([2.6, 2.35, -0.4, 2.6])
    with pytest.raises(ValueError, match="expects 2 features"):
        model.stage1([[0.0, 1.0, 2.0]])


def test_clean_page_context_features_read_the_page() -> None:
    """Rows have one width whatever the page, and the page-level cues say what they mean."""
    title = "Stadtrat beschließt neuen Haushalt"
    prose = ("Der Stadtrat hat am Dienstagabend nach einer langen Debatte den Haushalt für das kommende Jahr "
             "beschlossen, wobei die Mehrheit der Fraktionen den Vorschlag der Verwaltung unterstützte.")
    one = page_lines(title)
    page = page_lines("\n".join([f"{title} | Stadtanzeiger", *MENU, title, prose, prose + " Noch mehr.", *MENU]))
    assert len(one.rows[0]) == len(page.rows[0])
    rows = page.rows
    i_title = 1 + len(MENU)
    # title overlap: the headline repeated below the <title> line shares all its words; a menu item none
    assert rows[i_title][-2] == 1.0 and rows[i_title][-1] == 1.0 and rows[1][-2] == 0.0
    # a prose line sits in a prose run, a menu line outside any
    assert rows[i_title + 1][-7] > 0 and rows[1][-7] == 0.0
    # within-page length z-score: the paragraph is long for this page, a menu item short
    assert rows[i_title + 1][-6] > 1.0 > 0.0 > rows[1][-6]


def test_clean_learned_false_is_the_hand_tuned_rule() -> None:
    c = clean_text(LE_MONDE_LIKE, CleanOptions(learned=False))
    assert c.paragraphs[0].startswith("Le Conseil constitutionnel a validé, vendredi 14 avril")


MENU = ["Startseite", "Politik", "Wirtschaft", "Sport", "Kultur", "Anmelden", "Suche"]
GERMAN = "\n".join([
    *MENU,
    "Stadtrat beschließt neuen Haushalt für das kommende Jahr",
    "Der Stadtrat hat am Dienstagabend nach einer langen Debatte den Haushalt für das kommende Jahr beschlossen, "
    "wobei die Mehrheit der Fraktionen den Vorschlag der Verwaltung unterstützte.",
    "Lesen Sie auch: Neue Radwege in der Innenstadt",
    "Die Opposition kritisierte vor allem die geplanten Kürzungen bei den Zuschüssen für die Vereine, die nach "
    "ihrer Ansicht das Leben in den Stadtteilen schwächen würden.",
    "Der Bürgermeister sagte, dass die Stadt trotz der schwierigen Lage weiter in die Schulen und in den "
    "Nahverkehr investieren werde, und kündigte eine Bürgerversammlung im Frühjahr an.",
    "Teilen", "Drucken", "Impressum", "Datenschutz", "© 2023 Stadtanzeiger",
])


def test_clean_german_page_body_without_chrome() -> None:
    c = clean_text(GERMAN)
    assert "Der Stadtrat hat am Dienstagabend" in c.body and "Bürgerversammlung im Frühjahr" in c.body
    for bit in ("Startseite", "Lesen Sie auch", "Impressum", "Datenschutz", "Teilen"):
        assert bit not in c.body, bit


NON_LATIN = {
    "ar": "أعلنت الحكومة في بيان رسمي يوم الثلاثاء أن الاجتماع المقبل مع ممثلي النقابات سيعقد في العاصمة خلال "
          "الأسبوع القادم، وذلك بعد أن فشلت المفاوضات السابقة في التوصل إلى اتفاق حول الأجور والتقاعد.",
    "he": "הממשלה הודיעה ביום שלישי כי הפגישה הבאה עם נציגי האיגודים תתקיים בבירה בשבוע הבא, לאחר שהמשא ומתן "
          "הקודם לא הצליח להגיע להסכם על השכר והפנסיה של העובדים במגזר הציבורי.",
    "ru": "Правительство во вторник объявило, что следующая встреча с представителями профсоюзов пройдет в столице "
          "на следующей неделе, после того как предыдущие переговоры не привели к соглашению о зарплатах.",
    "zh": "政府星期二在一份声明中宣布，与工会代表的下一次会议将于下周在首都举行，此前的谈判未能就工资和退休问题达成协议，"
          "双方都表示希望在新的会议上取得进展。",
}


@pytest.mark.parametrize("lang", sorted(NON_LATIN))
def test_clean_non_latin_scripts_are_not_emptied(lang: str) -> None:
    prose = NON_LATIN[lang]
    text = "\n".join(["Home", "News", "Login", prose, prose[: len(prose) // 2] + "。" * (lang == "zh"), "© 2023"])
    c = clean_text(text)
    assert prose in c.body
    assert "Login" not in c.body


# -- already-extracted text (news-please maintext, feed content) ---------------------------------------------------


def test_clean_container_text_is_not_recleaned_as_a_dump() -> None:
    from vigie.extract.article import extract
    from vigie.models import RawDocument

    italian = ("Il consiglio comunale ha approvato ieri sera il bilancio.\n"
               "Breve.\n"
               "Leggi anche: altre notizie\n"
               "La seduta è durata fino a tarda notte e l'opposizione ha votato contro.")
    a = extract(RawDocument(source="x.jsonl#L1", format="text", content=italian, meta={"title": "Bilancio"}))
    assert a.body.split("\n\n") == [
        "Il consiglio comunale ha approvato ieri sera il bilancio.", "Breve.",
        "La seduta è durata fino a tarda notte e l'opposizione ha votato contro.",
    ]
    assert a.title == "Bilancio"
