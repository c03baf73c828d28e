"""The one catalogue of user-visible text, for the web pages and the CLI: French first, English on request.

A :class:`Translator` gives, in one language, the strings (``t("key", name=value)``: interpolation with
:meth:`str.format`), their plural forms (``t.n("n_sources", 3)`` -> "3 sources"; French counts 0 and 1 as
singular), labels of codes (entity types, outlet funding and type, coverage fact kinds, language and country names,
registry owners), and dates and numbers formatted per language (Babel). French strings get French typography when
the catalogue is loaded: a narrow no-break space (U+202F) before « : ; ! ? » and inside « guillemets ».

Strings stay one dict per language (:data:`STRINGS`, plurals in :data:`PLURALS`) so that blocks added by different
branches at the end of each dict merge mechanically. Library errors and data stay in English (logs, JSON); the
edges translate them (:func:`not_found`, :meth:`Translator.phrase`).

Example:
    >>> t = translator("fr")
    >>> t.n("n_sources", 1), t.n("n_sources", 3)
    ('1 source', '3 sources')
    >>> t.label("entity_type", "PER")
    'Personne'
    >>> t.date("2021-10-05")
    '5 octobre 2021'
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from babel import Locale

__all__ = [
    "API_DOCS_FR",
    "DEFAULT",
    "LABELS",
    "LANGUAGES",
    "PLURALS",
    "STRINGS",
    "Translator",
    "current",
    "french_typography",
    "language_from_env",
    "not_found",
    "translator",
    "using",
]

LANGUAGES = ("fr", "en")
DEFAULT = "fr"  # the web's default; the CLI follows the user's locale (language_from_env)

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
        # --- i18n: web and CLI catalogue ---
        "all_languages": "Toutes les langues",
        "api_description": "Veille des récits d'actualité : récits, articles, entités.",
        "date_of": "date de l'événement — {text}",
        "date_time": "{date} à {time}",
        "language_menu": "Langue de l'interface",
        "original_outlet_of": "(média d'origine : {outlet})",
        "request_body": "Corps de la requête :",
        "tags": "Mots-clés",
        "unknown_outlet_name": "(média inconnu)",
        "unknown_speaker": "(locuteur inconnu)",
        "untitled": "(sans titre)",
        "untitled_story": "(récit sans titre)",
        "url": "URL",
        "not_found.article": "Aucun article {id}",
        "not_found.story": "Aucun récit {id}",
        "not_found.entity": "Aucune entité {id}",
        "not_found.outlet": "Aucun média {id}",
        "not_found.alert": "Aucune alerte {id} (voir « vigie alert list »)",
        "not_found.route": "Aucune page à l'adresse {id}",
        "not_found.static": "Aucun fichier statique {id}",
        "not_found.raw": "Aucune donnée brute pour l'article {id}",
        "error.internal": "Erreur interne du serveur",
        "error.invalid_request": "Requête invalide : {detail}",
        "error.method_not_allowed": "Méthode non autorisée",
        "alert.line": "alerte {id} « {query} » : {title} ({outlet})",
        "alert.story_line": "alerte {id} « {query} » : nouveau récit {story} : {title} ({articles})",
        "alert.unknown_outlet": "média inconnu",
        "alert.webhook_failed": "alerte {id} : webhook {url} : {problem}",
        "cli.abbr_articles": "art.",
        "cli.abbr_events": "év.",
        "cli.alert_removed": "alerte {id} supprimée",
        "cli.alert_saved": "alerte {id} enregistrée : « {query} »",
        "cli.copy_of": " (copie de {id})",
        "cli.coverage_row": "{name}{flag} : {articles}, {exclusive}, {left_out}{first}",
        "cli.disagreement": "Désaccord : {about}",
        "cli.error": "erreur : {message}",
        "cli.event": "Événement {id} : {title}",
        "cli.first_to_report": " · premier à en parler",
        "cli.ingest_summary": "{read}, {new}, {duplicate}, {failed}",
        "cli.needs_dask": "--scheduler et --partitions demandent --engine dask",
        "cli.no_article_chronology": "aucun article pour établir une chronologie",
        "cli.no_article_summary": "aucun article à résumer",
        "cli.no_dated_day": "aucun jour daté (ni date de publication ni jour cité)",
        "cli.nothing_to_watch": "rien à surveiller : donnez un dossier ou un fichier, ou --feed URL_OU_FICHIER",
        "cli.parquet_stdout": "parquet est un format binaire : donnez un fichier avec --output",
        "cli.serving": "Vigie sur http://{host}:{port}/  (documentation de l'API : http://{host}:{port}/docs)",
        "cli.state_flag": " [média d'État]",
        "cli.stdout": "la sortie standard",
        "cli.stopped": "arrêté",
        "cli.story_head": "id {id} · {articles} · médias : {outlets}",
        "cli.the_output": "la sortie",
        "cli.watching": "surveillance de {paths} et {feeds} toutes les {interval} s ; Ctrl-C pour arrêter",
        "cli.workers_local": "--workers concerne le moteur local (Dask a ses propres processus)",
        "cli.write_file": "impossible d'écrire {where} : {reason}",
        "cli.write_full": "le disque du stockage est plein : les articles déjà stockés sont gardés, "
                          "le reste n'a pas été écrit",
        "cli.write_readonly": "le stockage est en lecture seule : rien n'a été écrit",
        "cli.write_store": "le stockage ne peut pas être écrit ({detail})",
        "cli.poll_line": "{time} {summary}",
        "cli.quote": "{speaker} : « {text} »",
        "cli.more_hits": "({first}-{last} affichés ; --offset {last} pour la suite)",
        # --- end i18n ---
        # --- feeds and export ---
        "alerts_nav": "Alertes",
        "alerts_title": "Recherches enregistrées",
        "alerts_intro": "Chaque recherche enregistrée signale, à chaque ingestion, les nouveaux articles qui la contiennent. Son flux Atom donne ses derniers articles.",
        "alerts_none": "Aucune recherche enregistrée pour l'instant.",
        "alerts_writes_off": "Les écritures sont désactivées sur ce serveur : lancez-le avec VIGIE_TOKEN pour créer ou supprimer des recherches.",
        "alert_token_needed": "Créer ou supprimer une recherche demande le jeton d'écriture du serveur (VIGIE_TOKEN).",
        "alert_add": "Enregistrer une recherche",
        "alert_query": "Recherche",
        "alert_syntax": "La syntaxe de la recherche\u202f: mots (tous requis, sans tenir compte des majuscules, des accents ni des terminaisons\u202f: «\u202fgrève\u202f» trouve «\u202fgrévistes\u202f»), \"expression exacte\" entre guillemets droits, a OR b, préfixe*, -mot exclu.",
        "alert_webhook": "Webhook (facultatif)",
        "alert_token": "Jeton d'écriture",
        "alert_save": "Enregistrer",
        "alert_remove": "Supprimer",
        "alert_feed": "Flux Atom",
        "alert_created": "Créée le",
        "alert_match_one": "{n} article correspondant parmi les {scanned} derniers",
        "alert_match_many": "{n} articles correspondants parmi les {scanned} derniers",
        "alert_saved": "Recherche enregistrée.",
        "alert_removed": "Recherche supprimée.",
        "alert_failed": "Échec :",
        "alert_need_token": "Saisissez d'abord le jeton d'écriture.",
        "feed_alert_title": "Vigie — recherche",
        "feed_story": "Flux Atom du récit",
        "export_story": "Exporter ce récit (Markdown)",
        "print_story": "Version imprimable",
        "print_back": "Retour au récit",
        "print_from": "Imprimé depuis Vigie",
        "n_sources_one": "{n} source",
        "n_sources_many": "{n} sources",
        "n_outlets_one": "{n} média",
        "n_outlets_many": "{n} médias",
        "md_span": "Période :",
        "md_outlets": "Médias :",
        "md_articles": "Articles :",
        "md_quotes": "Qui a dit quoi",
        "md_unattributed": "Non attribué",
        "md_colon": " :",
        "md_semicolon": " ; ",
        "md_date_of": "date de : ",
        "md_sources": "Sources",
        "md_untitled": "(sans titre)",
        "md_story_page": "Page du récit",
        # --- search ---
        "search_result_one": "{n}\u00a0résultat",
        "search_result_many": "{n}\u00a0résultats",
        "search_for": "pour «\u202f{q}\u202f»",
        "search_hint": "Tous les mots sont requis, au singulier comme au pluriel («\u202fgrève\u202f» trouve «\u202fgrévistes\u202f»)\u202f; \"expression exacte\", mot1 OR mot2, -mot pour exclure, préf* pour un préfixe.",
        "search_sort": "Trier par",
        "search_sort_relevance": "pertinence",
        "search_sort_newest": "plus récents d'abord",
        "search_sort_oldest": "plus anciens d'abord",
        "search_apply": "Appliquer",
        "search_refine": "Affiner",
        "search_facet_outlet": "Médias",
        "search_facet_language": "Langues",
        "search_facet_month": "Mois",
        "search_facet_story": "Récits",
        "search_active": "Filtres\u202f:",
        "search_remove": "retirer",
        "search_clear": "Tout effacer",
        "search_no_story": "Articles hors récit",
        "search_undated": "Sans date",
        "search_untitled_story": "Récit sans titre",
        "search_story_link": "Voir le récit",
        "search_pages": "Pages de résultats",
        "search_page_of": "Page {page} sur {pages}",
        "search_months": "janvier,février,mars,avril,mai,juin,juillet,août,septembre,octobre,novembre,décembre",
        # --- story page ---
        "all_dates": "Toutes les dates",
        "all_stories": "Tous les récits",
        "article_many": "articles",
        "article_one": "article",
        "blindspot_country": "Couvert seulement par des médias d'un pays\u202f:",
        "blindspot_state": "Couvert seulement par des médias d'État",
        "blindspots": "Angles morts",
        "blindspots_intro": "Récits que seuls des médias d'État couvrent, ou que seuls les médias d'un même pays couvrent (d'après le registre des médias).",
        "by_country": "Par pays",
        "by_owner": "Par propriétaire",
        "by_state": "Médias d'État ou non",
        "context": "Contexte",
        "context_intro": "Dates plus anciennes que le récit, rappelées par les articles\u202f:",
        "coverage_matrix": "Tableau des faits par média",
        "fact_many": "faits",
        "fact_one": "fait",
        "first_to_report": "premier à publier",
        "independent": "Hors État",
        "kind_entity": "entité",
        "kind_entity_many": "entités",
        "kind_entity_one": "entité",
        "kind_fact": "fait",
        "kind_fact_many": "faits",
        "kind_fact_one": "fait",
        "kind_quote": "citation",
        "kind_quote_many": "citations",
        "kind_quote_one": "citation",
        "kind_timeline": "date",
        "kind_timeline_many": "dates",
        "kind_timeline_one": "date",
        "left_out": "Ne reprend pas\u202f:",
        "more_many": "autres",
        "more_one": "autre",
        "negated": "(démenti)",
        "no_blindspots": "Aucun angle mort pour l'instant.",
        "only_here": "Seulement ici\u202f:",
        "outlet_many": "médias",
        "outlet_one": "média",
        "pagination": "Pages des récits",
        "possible": "(envisagé)",
        "quote_many": "citations",
        "quote_one": "citation",
        "source_many": "sources",
        "source_one": "source",
        "state_media": "Médias d'État",
        "unattributed": "Sans locuteur identifié",
        "unknown": "Inconnu",
        "via": "via",
        # --- ui2 ---
        "summary_pending": "Résumé en cours…",
        "summary_pending_note": "Le résumé, les citations et la chronologie de ce récit sont en cours de calcul\u202f; la page se recharge d'elle-même.",
        "story_tools": "Exporter et suivre ce récit",
        # --- end ui2 ---
        # --- understand ---
        "export_pending_note": "Le fichier sera prêt dans quelques secondes\u202f: réessayez alors.",
        # --- entitypage ---
        "entity_pending_note": "Certains récits qui citent ce nom sont encore en cours d'analyse\u202f: leurs chiffres et citations viennent de leurs articles, en attendant leur résumé.",
        "story_pending": "analyse en cours",
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
        # --- i18n: web and CLI catalogue ---
        "all_languages": "All languages",
        "api_description": "News-story intelligence: stories, articles, entities.",
        "date_of": "date of: {text}",
        "date_time": "{date} at {time}",
        "language_menu": "Interface language",
        "original_outlet_of": "(original outlet: {outlet})",
        "request_body": "Request body:",
        "tags": "Tags",
        "unknown_outlet_name": "(unknown outlet)",
        "unknown_speaker": "(speaker unknown)",
        "untitled": "(untitled)",
        "untitled_story": "(untitled story)",
        "url": "URL",
        "not_found.article": "no article {id}",
        "not_found.story": "no story {id}",
        "not_found.entity": "no entity {id}",
        "not_found.outlet": "no outlet {id}",
        "not_found.alert": "no alert {id} (see `vigie alert list`)",
        "not_found.route": "no route {id}",
        "not_found.static": "no static file {id}",
        "not_found.raw": "no raw input for article {id}",
        "error.internal": "internal server error",
        "error.invalid_request": "invalid request: {detail}",
        "error.method_not_allowed": "Method not allowed",
        "alert.line": 'alert {id} "{query}": {title} ({outlet})',
        "alert.story_line": 'alert {id} "{query}": new story {story}: {title} ({articles})',
        "alert.unknown_outlet": "unknown outlet",
        "alert.webhook_failed": "alert {id}: webhook {url}: {problem}",
        "cli.abbr_articles": "art.",
        "cli.abbr_events": "ev.",
        "cli.alert_removed": "alert {id} removed",
        "cli.alert_saved": 'alert {id} saved: "{query}"',
        "cli.copy_of": " (copy of {id})",
        "cli.coverage_row": "{name}{flag}: {articles}, {exclusive}, {left_out}{first}",
        "cli.disagreement": "Disagreement: {about}",
        "cli.error": "error: {message}",
        "cli.event": "Event {id}: {title}",
        "cli.first_to_report": " · first to report",
        "cli.ingest_summary": "{read}, {new}, {duplicate}, {failed}",
        "cli.needs_dask": "--scheduler and --partitions need --engine dask",
        "cli.no_article_chronology": "no article to build a chronology from",
        "cli.no_article_summary": "no article to summarise",
        "cli.no_dated_day": "no dated day found (no publication date and no day cited)",
        "cli.nothing_to_watch": "nothing to watch: give a folder or file, or --feed URL_OR_FILE",
        "cli.parquet_stdout": "parquet is binary: give a file with --output",
        "cli.serving": "Vigie at http://{host}:{port}/  (API docs: http://{host}:{port}/docs)",
        "cli.state_flag": " [state-affiliated]",
        "cli.stdout": "standard output",
        "cli.stopped": "stopped",
        "cli.story_head": "id {id} · {articles} · outlets: {outlets}",
        "cli.the_output": "the output",
        "cli.watching": "watching {paths} and {feeds} every {interval}s; Ctrl-C stops",
        "cli.workers_local": "--workers is for the local engine (Dask has its own workers)",
        "cli.write_file": "cannot write {where}: {reason}",
        "cli.write_full": "the disk holding the store is full: the articles stored so far are kept, "
                          "the rest was not written",
        "cli.write_readonly": "the store is read-only: nothing was written",
        "cli.write_store": "the store cannot be written ({detail})",
        "cli.poll_line": "{time} {summary}",
        "cli.quote": "{speaker}: “{text}”",
        "cli.more_hits": "({first}-{last} shown; --offset {last} for more)",
        # --- end i18n ---
        # --- feeds and export ---
        "alerts_nav": "Alerts",
        "alerts_title": "Saved searches",
        "alerts_intro": "Each saved search reports, at every ingest, the new articles that match it. Its Atom feed gives its latest articles.",
        "alerts_none": "No saved search yet.",
        "alerts_writes_off": "Writes are disabled on this server: start it with VIGIE_TOKEN to create or remove searches.",
        "alert_token_needed": "Creating or removing a search needs the server's write token (VIGIE_TOKEN).",
        "alert_add": "Save a search",
        "alert_query": "Query",
        "alert_syntax": "The search syntax: words (all required; case, accents and endings ignored: \"strike\" finds \"strikes\"), \"exact phrase\" in straight quotes, a OR b, prefix*, -excluded word.",
        "alert_webhook": "Webhook (optional)",
        "alert_token": "Write token",
        "alert_save": "Save",
        "alert_remove": "Remove",
        "alert_feed": "Atom feed",
        "alert_created": "Created",
        "alert_match_one": "{n} matching article among the latest {scanned}",
        "alert_match_many": "{n} matching articles among the latest {scanned}",
        "alert_saved": "Search saved.",
        "alert_removed": "Search removed.",
        "alert_failed": "Failed:",
        "alert_need_token": "Enter the write token first.",
        "feed_alert_title": "Vigie — search",
        "feed_story": "Story Atom feed",
        "export_story": "Export this story (Markdown)",
        "print_story": "Printable version",
        "print_back": "Back to the story",
        "print_from": "Printed from Vigie",
        "n_sources_one": "{n} source",
        "n_sources_many": "{n} sources",
        "n_outlets_one": "{n} outlet",
        "n_outlets_many": "{n} outlets",
        "md_span": "Span:",
        "md_outlets": "Outlets:",
        "md_articles": "Articles:",
        "md_quotes": "Who said what",
        "md_unattributed": "Unattributed",
        "md_colon": ":",
        "md_semicolon": "; ",
        "md_date_of": "date of: ",
        "md_sources": "Sources",
        "md_untitled": "(untitled)",
        "md_story_page": "Story page",
        # --- search ---
        "search_result_one": "{n} result",
        "search_result_many": "{n} results",
        "search_for": "for “{q}”",
        "search_hint": "All words are required, singular or plural (“strike” finds “strikes”); \"exact phrase\", word1 OR word2, -word to exclude, pre* for a prefix.",
        "search_sort": "Sort by",
        "search_sort_relevance": "relevance",
        "search_sort_newest": "newest first",
        "search_sort_oldest": "oldest first",
        "search_apply": "Apply",
        "search_refine": "Refine",
        "search_facet_outlet": "Outlets",
        "search_facet_language": "Languages",
        "search_facet_month": "Months",
        "search_facet_story": "Stories",
        "search_active": "Filters:",
        "search_remove": "remove",
        "search_clear": "Clear all",
        "search_no_story": "Articles outside any story",
        "search_undated": "Undated",
        "search_untitled_story": "Untitled story",
        "search_story_link": "See the story",
        "search_pages": "Result pages",
        "search_page_of": "Page {page} of {pages}",
        "search_months": "January,February,March,April,May,June,July,August,September,October,November,December",
        # --- story page ---
        "all_dates": "Every date",
        "all_stories": "All stories",
        "article_many": "articles",
        "article_one": "article",
        "blindspot_country": "Covered only by outlets of one country:",
        "blindspot_state": "Covered only by state-affiliated outlets",
        "blindspots": "Blindspots",
        "blindspots_intro": "Stories only state-affiliated outlets cover, or only outlets of a single country (from the outlet registry).",
        "by_country": "By country",
        "by_owner": "By owner",
        "by_state": "State-affiliated or not",
        "context": "Background",
        "context_intro": "Dates older than the story, recalled by the articles:",
        "coverage_matrix": "Facts by outlet",
        "fact_many": "facts",
        "fact_one": "fact",
        "first_to_report": "first to report",
        "independent": "Not state-affiliated",
        "kind_entity": "entity",
        "kind_entity_many": "entities",
        "kind_entity_one": "entity",
        "kind_fact": "fact",
        "kind_fact_many": "facts",
        "kind_fact_one": "fact",
        "kind_quote": "quote",
        "kind_quote_many": "quotes",
        "kind_quote_one": "quote",
        "kind_timeline": "date",
        "kind_timeline_many": "dates",
        "kind_timeline_one": "date",
        "left_out": "Leaves out:",
        "more_many": "more",
        "more_one": "more",
        "negated": "(denied)",
        "no_blindspots": "No blindspot yet.",
        "only_here": "Only here:",
        "outlet_many": "outlets",
        "outlet_one": "outlet",
        "pagination": "Story pages",
        "possible": "(considered)",
        "quote_many": "quotes",
        "quote_one": "quote",
        "source_many": "sources",
        "source_one": "source",
        "state_media": "State-affiliated",
        "unattributed": "Unattributed",
        "unknown": "Unknown",
        "via": "via",
        # --- ui2 ---
        "summary_pending": "Summary in progress…",
        "summary_pending_note": "This story's summary, quotes and chronology are being computed; the page reloads by itself.",
        "story_tools": "Export and follow this story",
        # --- end ui2 ---
        # --- understand ---
        "export_pending_note": "The file will be ready in a few seconds: try again then.",
        # --- entitypage ---
        "entity_pending_note": "Some stories naming this entity are still being analysed: their figures and quotes come from their articles until their summary is made.",
        "story_pending": "analysis in progress",
    },
}


# Plural forms: (singular, plural). French uses the singular for 0 and 1, English for 1 only.
PLURALS: dict[str, dict[str, tuple[str, str]]] = {
    "fr": {
        "n_alerts": ("{n} alerte", "{n} alertes"),
        "n_analysed": ("{n} article analysé", "{n} articles analysés"),
        "n_articles": ("{n} article", "{n} articles"),
        "n_changed": ("{n} article modifié", "{n} articles modifiés"),
        "n_indexed": ("{n} analyse indexée", "{n} analyses indexées"),
        "n_comments": ("{n} commentaire de lecteur", "{n} commentaires de lecteurs"),
        "n_duplicate": ("{n} doublon", "{n} doublons"),
        "n_events": ("{n} événement", "{n} événements"),
        "n_exclusive_facts": ("{n} fait exclusif", "{n} faits exclusifs"),
        "n_failed": ("{n} en échec", "{n} en échec"),
        "n_feeds": ("{n} flux", "{n} flux"),
        "n_left_out": ("{n} omis", "{n} omis"),
        "n_mentions": ("{n} mention", "{n} mentions"),
        "n_moved": ("{n} article a changé de récit ou d'événement", "{n} articles ont changé de récit ou d'événement"),
        "n_near_copies": ("{n} quasi-copie", "{n} quasi-copies"),
        "n_new": ("{n} nouveau", "{n} nouveaux"),
        "n_outlets": ("{n} média", "{n} médias"),
        "n_paths": ("{n} chemin", "{n} chemins"),
        "n_placed": (" ; {n} placé dans un récit ({copies})", " ; {n} placés dans des récits ({copies})"),
        "n_quotes": ("{n} citation", "{n} citations"),
        "n_read": ("{n} lu", "{n} lus"),
        "n_rows_written": ("{n} ligne écrite", "{n} lignes écrites"),
        "n_sources": ("{n} source", "{n} sources"),
        "n_stories": ("{n} récit", "{n} récits"),
        "n_results": ("{n} résultat", "{n} résultats"),
    },
    "en": {
        "n_alerts": ("{n} alert", "{n} alerts"),
        "n_analysed": ("{n} article analysed", "{n} articles analysed"),
        "n_articles": ("{n} article", "{n} articles"),
        "n_changed": ("{n} article changed", "{n} articles changed"),
        "n_indexed": ("{n} analysis indexed", "{n} analyses indexed"),
        "n_comments": ("{n} reader comment", "{n} reader comments"),
        "n_duplicate": ("duplicate {n}", "duplicate {n}"),  # the ingest summary's "read 5, new 5, ..." wording
        "n_events": ("{n} event", "{n} events"),
        "n_exclusive_facts": ("{n} exclusive fact", "{n} exclusive facts"),
        "n_failed": ("failed {n}", "failed {n}"),
        "n_feeds": ("{n} feed", "{n} feeds"),
        "n_left_out": ("{n} left out", "{n} left out"),
        "n_mentions": ("{n} mention", "{n} mentions"),
        "n_moved": ("{n} article changed story or event", "{n} articles changed story or event"),
        "n_near_copies": ("{n} near copy", "{n} near copies"),
        "n_new": ("new {n}", "new {n}"),
        "n_outlets": ("{n} outlet", "{n} outlets"),
        "n_paths": ("{n} path", "{n} paths"),
        "n_placed": ("; {n} placed in stories ({copies})", "; {n} placed in stories ({copies})"),
        "n_quotes": ("{n} quote", "{n} quotes"),
        "n_read": ("read {n}", "read {n}"),
        "n_rows_written": ("{n} row written", "{n} rows written"),
        "n_sources": ("{n} source", "{n} sources"),
        "n_stories": ("{n} story", "{n} stories"),
        "n_results": ("{n} result", "{n} results"),
    },
}

# Labels of codes, per language then kind. Languages and countries come from Babel (CLDR), not from here.
LABELS: dict[str, dict[str, dict[str, str]]] = {
    "fr": {
        "entity_type": {"PER": "Personne", "LOC": "Lieu", "ORG": "Organisation", "MISC": "Divers"},
        "funding": {"state": "État", "public": "Public", "private": "Privé", "cooperative": "Coopératif"},
        "outlet_type": {"newspaper": "Journal", "agency": "Agence de presse", "broadcaster": "Radio-télévision",
                        "online": "Site d'information", "magazine": "Magazine"},
        "fact_kind": {"timeline": "Date", "quote": "Citation", "entity": "Entité", "figure": "Chiffre",
                      "event": "Événement"},
        # Registry owners are written in English (vigie/data/outlets.json): whole names or their parenthesised part.
        "owner": {
            "Arte France and ARD/ZDF": "Arte France et ARD/ZDF",
            "France Télévisions and Radio France": "France Télévisions et Radio France",
            "Groupe Le Monde and Les Amis du Monde diplomatique": "Groupe Le Monde et Les Amis du Monde diplomatique",
            "Groupe Rossel and SIPA Ouest-France": "Groupe Rossel et SIPA Ouest-France",
            "Torstar, The Globe and Mail and La Presse": "Torstar, The Globe and Mail et La Presse",
            "Cooperative of US news organisations": "Coopérative de médias américains",
            "French-speaking public broadcasters": "Radio-télévisions publiques francophones",
            "France, Belgium, Switzerland, Canada": "France, Belgique, Suisse, Canada",
            "State Council of the People's Republic of China": "Conseil des affaires de l'État de la République "
                                                               "populaire de Chine",
            "French state": "État français",
            "German federal government": "Gouvernement fédéral allemand",
            "Russian state": "État russe",
            "Chinese state": "État chinois",
            "Iranian state": "État iranien",
            "Tunisian state": "État tunisien",
            "Turkish state": "État turc",
            "Qatari state-funded": "financé par l'État qatari",
            "public service": "service public",
            "public corporation": "entreprise publique",
            "autonomous public corporation": "établissement public autonome",
            "federal crown corporation": "société d'État fédérale",
            "Altice Media until 2024": "Altice Media jusqu'en 2024",
            "Pinault family": "famille Pinault",
            "non-profit": "à but non lucratif",
            "independent": "indépendant",
            "owned by its staff": "détenu par ses salariés",
            "Czech Radio": "Radio tchèque",
        },
        # English phrases the library writes into its data (story details, JSON): shown translated.
        "phrase": {"(unknown outlet)": "(média inconnu)"},
    },
    "en": {
        "entity_type": {"PER": "Person", "LOC": "Place", "ORG": "Organisation", "MISC": "Other"},
        "funding": {"state": "State", "public": "Public", "private": "Private", "cooperative": "Cooperative"},
        "outlet_type": {"newspaper": "Newspaper", "agency": "News agency", "broadcaster": "Broadcaster",
                        "online": "News website", "magazine": "Magazine"},
        "fact_kind": {"timeline": "Date", "quote": "Quote", "entity": "Entity", "figure": "Figure", "event": "Event"},
        "owner": {},
        "phrase": {},
    },
}

# The API reference page in French: summaries and parameter descriptions by "METHOD /path" and "METHOD /path?param"
# (English is the OpenAPI schema's own text, from the route docstrings).
API_DOCS_FR: dict[str, str] = {
    "GET /api/stories": "Les récits, les meilleurs d'abord, avec filtres et pagination",
    "GET /api/stories?since": "Récits encore en cours ce jour-là ou après (AAAA-MM-JJ)",
    "GET /api/stories?until": "Récits commencés ce jour-là ou avant (AAAA-MM-JJ)",
    "GET /api/stories?language": "Code ISO 639-1",
    "GET /api/stories?outlet": "Un nom de média (casse indifférente)",
    "GET /api/stories?q": "Recherche plein texte dans les articles",
    "GET /api/stories/{story_id}": "Un récit et ses détails (comme « vigie story ID --json »)",
    "GET /api/articles/{article_id}": "Un article, ses sources et son récit",
    "GET /api/search": "Recherche plein texte dans les articles (sans tenir compte des accents ; syntaxe FTS5 admise)",
    "GET /api/entities/{entity_id}": "Une entité (le slug de son nom canonique) : ses récits et ses citations",
    "GET /api/outlets": "Les médias du registre et du stockage, avec leur nombre d'articles",
    "GET /api/outlets?present": "Seulement les médias qui ont des articles dans ce stockage",
    "GET /api/outlets/{outlet_id}": "Un média : profil du registre, articles par jour ou par semaine, articles",
    "GET /api/export": "Exporter une table en JSON Lines, CSV ou Parquet",
    "POST /api/articles": "Ingérer un article (demande le jeton du serveur)",
}

NNBSP = "\u202f"  # narrow no-break space
_BEFORE_PUNCT = re.compile(r"[ \u00a0\u202f]*([;:!?])(?=\s|$|[»)\"'{])")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]*»")


def french_typography(text: str) -> str:
    """``text`` with a narrow no-break space before ``: ; ! ?`` and inside « guillemets ».

    Meant for catalogue strings, not data: a colon inside a word, a URL or a time ("10:30") is left alone.

    Example:
        >>> french_typography("Récits : « vigie ingest »") == "Récits\\u202f: «\\u202fvigie ingest\\u202f»"
        True
    """
    text = _BEFORE_PUNCT.sub(lambda m: NNBSP + m[1] if m.start(1) > 0 else m[0], text)
    return _CLOSE_QUOTE.sub(NNBSP + "»", _OPEN_QUOTE.sub("«" + NNBSP, text))


def _typeset(lang: str) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    strings, plurals = STRINGS.get(lang, STRINGS[DEFAULT]), PLURALS.get(lang, PLURALS[DEFAULT])
    if lang != "fr":
        return dict(strings), dict(plurals)
    return ({k: french_typography(v) for k, v in strings.items()},
            {k: (french_typography(a), french_typography(b)) for k, (a, b) in plurals.items()})


class _Params(dict[str, Any]):
    """Format parameters where a missing name shows as ``{name}`` instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


# Messages of NotFoundError as the library writes them ("no story s-123"), matched to a catalogue key.
_NOT_FOUND = re.compile(r"^no (article|story|entity|outlet|alert|static file|route|raw input for article) (.+?)"
                        r"(?: \(see `vigie alert list`\))?$", re.DOTALL)
_NOT_FOUND_KEYS = {"static file": "static", "raw input for article": "raw"}


class Translator:
    """Text in one language: ``t("key")``, ``t.n(key, count)``, ``t.label(kind, code)``, ``t.date(value)``.

    Args:
        lang: ``"fr"`` or ``"en"``; another value gets French (the product's default), as the web always did.
    """

    __slots__ = ("_plurals", "_strings", "lang")

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self._strings, self._plurals = _TABLES[self.lang]

    def __call__(self, key: str, /, **params: Any) -> str:
        """The string of ``key`` (the key itself when missing, so a gap shows instead of failing), formatted."""
        text = self._strings.get(key, key)
        return text.format_map(_Params(params)) if params else text

    def n(self, key: str, count: int, /, **params: Any) -> str:
        """The plural form of ``key`` for ``count``, with ``{n}`` the count formatted for the language."""
        forms = self._plurals.get(key)
        if forms is None:
            return f"{self.number(count)} {key}"
        one = count in (0, 1) if self.lang == "fr" else count == 1
        return (forms[0] if one else forms[1]).format_map(_Params(params, n=self.number(count)))

    def api_doc(self, key: str, english: str | None) -> str:
        """The API reference's text for ``key`` ("GET /api/stories", "GET /api/stories?q"): French from
        :data:`API_DOCS_FR`, else the schema's own (English) text, else ""."""
        if self.lang == "fr" and key in API_DOCS_FR:
            return french_typography(API_DOCS_FR[key])
        return english or ""

    def label(self, kind: str, code: object) -> str:
        """The name of a code: ``kind`` is ``entity_type``, ``funding``, ``outlet_type``, ``fact_kind``, ``language``,
        ``country`` or ``owner``; an unknown code is shown as is, None as ""."""
        if code is None or code == "":
            return ""
        text = str(code)
        if kind == "language":
            return _cldr(self.lang, "languages", text.lower(), text)
        if kind == "country":
            return _cldr(self.lang, "territories", text.upper(), text)
        if kind == "owner":
            return self._owner(text)
        table = LABELS[self.lang].get(kind, {})
        return table.get(text) or table.get(text.upper()) or table.get(text.lower()) or text

    def _owner(self, owner: str) -> str:
        table = LABELS[self.lang]["owner"]
        if owner in table:
            return table[owner]
        head, sep, rest = owner.partition(" (")
        if sep and rest.endswith(")"):
            inner = rest[:-1]
            return f"{table.get(head, head)} ({table.get(inner, inner)})"
        return owner

    def phrase(self, text: str | None) -> str:
        """A phrase of the library's data shown in this language: "(unknown outlet)", "date of: …"; others as is."""
        if not text:
            return ""
        if text.startswith("date of: "):
            return self("date_of", text=text[len("date of: "):])
        return LABELS[self.lang]["phrase"].get(text, text)

    def number(self, value: float) -> str:
        """``value`` with the language's digit grouping: 12 345 in French, 12,345 in English."""
        if isinstance(value, int) and -1000 < value < 1000:
            return str(value)  # no Babel for the usual small counts
        from babel.numbers import format_decimal

        return str(format_decimal(value, locale=locale_of(self.lang)))

    def date(self, value: object, format: str = "long") -> str:
        """A day in words ("5 octobre 2021", "October 5, 2021"); ISO strings and datetimes are accepted, a year or a
        year-month stays as written, anything else is shown as is and None as ""."""
        day = _as_date(value)
        if day is None:
            return "" if value is None else str(value)
        from babel.dates import format_date

        return str(format_date(day, format=format, locale=locale_of(self.lang)))

    def datetime(self, value: object) -> str:
        """A timestamp in words, its time of day in its own offset ("20 octobre 2021 à 10:00"); a bare date as
        :meth:`date`."""
        when = _as_datetime(value)
        if when is None:
            return self.date(value)
        from babel.dates import format_time

        return self("date_time", date=self.date(when.date()), time=format_time(when.time(), "short", locale=locale_of(self.lang)))


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) > 10 and value[10] in "T ":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


@functools.cache
def locale_of(lang: str) -> Locale:
    """Babel's locale of ``lang``, parsed once: babel parses a code given as a string on every call (a story page
    formats hundreds of dates)."""
    from babel import Locale

    return Locale.parse(lang)


def _cldr(lang: str, table: str, code: str, fallback: str) -> str:
    name = getattr(locale_of(lang), table).get(code)
    return str(name[:1].upper() + name[1:]) if name else fallback


_TABLES = {lang: _typeset(lang) for lang in LANGUAGES}
_TRANSLATORS = {lang: Translator(lang) for lang in LANGUAGES}
_CURRENT: ContextVar[str] = ContextVar("vigie_lang", default="en")


def translator(lang: str | None = None) -> Translator:
    """The translator of ``lang`` (French for an unknown one); None: the language in use (:func:`using`)."""
    return _TRANSLATORS.get(lang or _CURRENT.get(), _TRANSLATORS[DEFAULT])


def current() -> str:
    """The language of text the library writes for a person (alert lines): English unless :func:`using` says."""
    return _CURRENT.get()


@contextmanager
def using(lang: str) -> Iterator[Translator]:
    """Write the library's human-readable text in ``lang`` inside the block (the CLI wraps each command in it)."""
    token = _CURRENT.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield translator()
    finally:
        _CURRENT.reset(token)


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The CLI's language when no ``--lang`` is given: ``$VIGIE_LANG``, else the locale's (the first set of
    ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, as POSIX orders them): French when it starts with ``fr``, else English.

    Example:
        >>> language_from_env({"LANG": "fr_FR.UTF-8"}), language_from_env({"LANG": "C.UTF-8"})
        ('fr', 'en')
    """
    env = os.environ if environ is None else environ
    chosen = (env.get("VIGIE_LANG") or "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def not_found(message: str, t: Translator) -> str:
    """A NotFoundError's message ("no story s-1") in ``t``'s language; an unknown shape is left as is."""
    m = _NOT_FOUND.match(message)
    if m is None:
        return message
    what = _NOT_FOUND_KEYS.get(m[1], m[1])
    return t(f"not_found.{what}", id=m[2])
