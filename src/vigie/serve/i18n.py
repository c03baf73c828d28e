"""UI strings of the web pages, one dict per language; French by default, English on request.

The language is chosen by ``?lang=`` (remembered in a cookie), else the cookie, else the browser's Accept-Language
(its most preferred supported language), else the server's default.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("fr", "en")
COOKIE = "vigie_lang"

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "about": "Vigie — veille des récits d'actualité",
        "action": "Action",
        "actor": "Acteur",
        "all_outlets": "Tous les médias",
        "api_docs": "API",
        "article": "Article",
        "articles": "articles",
        "articles_over_time": "Articles dans le temps",
        "articles_per_outlet": "Articles par média dans le temps",
        "authors": "Auteurs",
        "back_home": "Retour à l'accueil",
        "clean_text": "Texte nettoyé",
        "comments": "Commentaires de lecteurs",
        "count": "nombre",
        "country": "Pays",
        "coverage": "Couverture par média",
        "coverage_fact": "Fait",
        "date": "Date",
        "description": "Description",
        "disagreements": "Désaccords",
        "domains": "Domaines",
        "duplicate_of": "copie de",
        "entities": "Entités",
        "entity": "Entité",
        "error": "Erreur",
        "errors": "Erreurs :",
        "events": "Événements",
        "filter": "Filtrer",
        "first_seen": "Premier article",
        "funding": "Financement",
        "home": "Accueil",
        "language": "Langue",
        "languages": "Langues",
        "mentions": "mentions",
        "missing": "Absent chez",
        "next": "Suivant",
        "no": "non",
        "no_results": "Aucun résultat.",
        "no_stories": "Aucun récit pour l'instant. Ingérez des articles avec « vigie ingest ».",
        "only": "Seulement chez",
        "original": "Article original",
        "original_outlet": "média d'origine",
        "outlet": "Média",
        "outlets": "Médias",
        "owner": "Propriétaire",
        "param": "Paramètre",
        "param_in": "Dans",
        "per_day": "par jour",
        "per_week": "par semaine",
        "political_events": "Actes politiques",
        "previous": "Précédent",
        "published": "Publié",
        "query": "Recherche",
        "quotes": "Citations",
        "read_article": "Lire l'article",
        "registered": "Dans le registre",
        "required": "Requis",
        "search": "Rechercher",
        "since": "Depuis",
        "source": "Source",
        "sources": "sources",
        "state_affiliated": "Média d'État",
        "stories": "Récits",
        "stories_count": "Récits : ",
        "story": "Récit",
        "summary": "Résumé",
        "abstract": "Réécriture automatique (modèle de langue, non vérifiée) :",
        "target": "Cible",
        "timeline": "Chronologie",
        "chronology": "Les jours clés",
        "top_stories": "Principaux récits",
        "type": "Type",
        "undated": "non daté",
        "unknown_outlet": "Média inconnu du registre",
        "until": "Jusqu'au",
        "values": "Versions",
        "yes": "oui",
    },
    "en": {
        "about": "Vigie — news-story intelligence",
        "action": "Action",
        "actor": "Actor",
        "all_outlets": "All outlets",
        "api_docs": "API",
        "article": "Article",
        "articles": "articles",
        "articles_over_time": "Articles over time",
        "articles_per_outlet": "Articles per outlet over time",
        "authors": "Authors",
        "back_home": "Back to the home page",
        "clean_text": "Clean text",
        "comments": "Reader comments",
        "count": "count",
        "country": "Country",
        "coverage": "Coverage by outlet",
        "coverage_fact": "Fact",
        "date": "Date",
        "description": "Description",
        "disagreements": "Disagreements",
        "domains": "Domains",
        "duplicate_of": "copy of",
        "entities": "Entities",
        "entity": "Entity",
        "error": "Error",
        "errors": "Errors:",
        "events": "Events",
        "filter": "Filter",
        "first_seen": "First article",
        "funding": "Funding",
        "home": "Home",
        "language": "Language",
        "languages": "Languages",
        "mentions": "mentions",
        "missing": "Missing from",
        "next": "Next",
        "no": "no",
        "no_results": "No results.",
        "no_stories": "No stories yet. Ingest articles with “vigie ingest”.",
        "only": "Only in",
        "original": "Original article",
        "original_outlet": "original outlet",
        "outlet": "Outlet",
        "outlets": "Outlets",
        "owner": "Owner",
        "param": "Parameter",
        "param_in": "In",
        "per_day": "per day",
        "per_week": "per week",
        "political_events": "Political events",
        "previous": "Previous",
        "published": "Published",
        "query": "Search",
        "quotes": "Quotes",
        "read_article": "Read the article",
        "registered": "In the registry",
        "required": "Required",
        "search": "Search",
        "since": "Since",
        "source": "Source",
        "sources": "sources",
        "state_affiliated": "State-affiliated",
        "stories": "Stories",
        "stories_count": "Stories: ",
        "story": "Story",
        "summary": "Summary",
        "abstract": "Automatic rewrite (language model, unchecked):",
        "target": "Target",
        "timeline": "Timeline",
        "chronology": "Key days",
        "top_stories": "Top stories",
        "type": "Type",
        "undated": "undated",
        "unknown_outlet": "Outlet not in the registry",
        "until": "Until",
        "values": "Versions",
        "yes": "yes",
    },
}


def negotiate(query: str | None, cookie: str | None, accept_language: str | None, default: str) -> str:
    """The page language: ``?lang=``, then the cookie, then Accept-Language, then ``default``."""
    for explicit in (query, cookie):
        if explicit and explicit.lower() in LANGUAGES:
            return explicit.lower()
    best: tuple[float, str] | None = None
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().split("-")[0].lower()
        if code not in LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        # Earlier entries win ties, as the header lists them in preference order.
        if q > 0 and (best is None or q > best[0]):
            best = (q - i * 1e-6, code)
    return best[1] if best else default


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)``: the UI string in ``lang`` (the key itself when missing, so a gap shows instead of failing)."""
    table = STRINGS.get(lang, STRINGS["fr"])
    return lambda key: table.get(key, key)
