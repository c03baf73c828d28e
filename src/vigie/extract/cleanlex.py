"""Lexicons for the plain-text cleaner: stop words (French + English) and generic page-furniture cues.

Kept apart from ``clean.py`` so the word lists can grow without burying the logic. Nothing here is keyed on a
particular site: cues are the stock phrases of news-page chrome (menus, share bars, paywalls, footers).
"""

from __future__ import annotations

# Function words: a line of running prose is dense in them, menus and tag lists are not (the jusText signal).
_FR = """
a à au aux avec ce ces dans de des du elle en et eux il ils je la le les leur leurs lui ma mais me même mes moi mon
ne nos notre nous on ou où par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d
j l m n s t y été étée étés étant suis es est sommes êtes sont serai seras sera serons serez seront serais serait
serions seriez seraient étais était étions étiez étaient fus fut fûmes furent sois soit soyons soyez soient fusse
ai as avons avez ont aurai aura aurons aurez auront aurais aurait aurions auriez auraient avais avait avions aviez
avaient eut eûmes eurent aie aies ait ayons ayez aient eu ayant cela ceci celui celle ceux celles cet cette dont
donc or ni car si sans sous entre vers chez depuis pendant avant après selon contre comme lorsque lors quand ainsi
alors aussi autre autres aucun aucune bien beaucoup peu plus moins très trop tout toute tous toutes tant encore
déjà toujours jamais ici là puis enfin ensuite cependant pourtant toutefois néanmoins non oui fait faire font
peut peuvent pourrait doit doivent devrait dit dire quelque quelques chaque plusieurs certains certaines tel telle
tels telles leur y a-t-il qu'il qu'elle qu'ils c'est n'est s'est d'un d'une l'on jusqu jusqu'à afin parce dès
déjà lequel laquelle lesquels lesquelles auquel duquel quoi quel quelle quels quelles cela ça être avoir mon
nombreux nombreuses notamment également seulement surtout près loin hier aujourd'hui demain ont été fois an ans
"""

_EN = """
a about above after again against all am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or
other our ours ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where which while who whom
why will with would you your yours yourself yourselves also said says say one two new many much may might must
shall us last year years since still well even however although though whether another every around among
"""

STOPWORDS: frozenset[str] = frozenset(_FR.split()) | frozenset(_EN.split())

# Months and weekdays (FR + EN), used to recognise date-stamp lines and to split glued subheads ("…programméeOctobre").
MONTHS: tuple[str, ...] = (
    "janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet", "août", "aout", "septembre",
    "octobre", "novembre", "décembre", "decembre", "janv", "févr", "fév", "avr", "juil", "sept", "oct", "nov", "déc",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "dec",
)
WEEKDAYS: tuple[str, ...] = (
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)

# Phrases after which the article is over: comment sections, newsletter pitches, "most read" and "related" boxes,
# legal footers. A body rarely continues across them, so they weigh heavily against extending the body region.
BOUNDARY_CUES: tuple[str, ...] = (
    "commentaires", "commentaire", "réagir", "réagissez", "vos réactions", "réactions", "laisser un commentaire",
    "laissez un commentaire", "ajouter un commentaire", "écrire un commentaire", "votre commentaire",
    "charte des commentaires", "charte de modération", "comments", "leave a reply", "leave a comment",
    "add a comment", "newsletter", "newsletters", "infolettre", "lettre d'information", "inscrivez-vous",
    "abonnez-vous", "abonnez vous", "je m'abonne", "s'abonner", "subscribe", "sign up", "recevez", "offres exclusives",
    "les plus lus", "les plus populaires", "les plus consultés", "les plus partagés", "articles les plus lus",
    "sur le même sujet", "dans la même rubrique", "articles similaires", "articles correspondants",
    "articles associés", "vous aimerez aussi", "vous aimerez", "à découvrir", "a découvrir", "à lire également",
    "plus de sujets", "nos derniers articles", "derniers articles", "dernières actualités", "à la une",
    "a la une", "related articles", "related stories", "more stories", "most read", "most popular",
    "you may also like", "recommended", "tous droits réservés", "all rights reserved", "mentions légales",
    "politique de confidentialité", "conditions générales", "conditions d'utilisation", "plan du site",
    "pour aller plus loin", "pour approfondir", "en images", "à écouter aussi", "à voir aussi", "voir aussi",
    "pour lire la suite", "la suite est réservée", "réservé aux abonnés", "article réservé", "déjà abonné",
    "already a subscriber", "article précédent", "article suivant", "partager cet article", "share this article",
    "billet précédent", "billet suivant", "previous article", "next article", "haut de page", "retour en haut", "back to top", "avez-vous apprécié",
)

# Phrases of page chrome: share bars, account links, cookie banners, ads, captions, navigation.
FURNITURE_CUES: tuple[str, ...] = (
    "lire aussi", "à lire aussi", "a lire aussi", "lire la suite", "lire plus", "read more", "read also",
    "en savoir plus", "voir plus", "voir tous", "voir toutes", "tout voir", "afficher plus", "charger plus",
    "partager", "partagez", "share", "tweet", "tweeter", "facebook", "twitter", "linkedin", "whatsapp", "instagram",
    "youtube", "pinterest", "telegram", "dailymotion", "envoyer par e-mail", "envoyer par mail", "imprimer", "print",
    "e-mail", "email", "courriel", "copier le lien", "lien copié", "permalien", "embed",
    "se connecter", "connectez-vous", "connexion", "déconnexion", "log in", "login", "sign in", "mon compte",
    "créer un compte", "créez un compte", "créez-vous un compte", "mot de passe", "identifiant", "s'inscrire",
    "inscription", "abonnement", "abonnements", "abonné", "abonnés", "essai gratuit", "premium",
    "cookies", "cookie", "consentement", "paramétrer", "accepter", "accepte", "j'accepte", "refuser", "tout accepter",
    "publicité", "advertisement", "sponsorisé", "sponsored", "contenu sponsorisé",
    "crédits", "crédit photo", "crédit", "photo :", "photo:", "copyright", "getty", "afp photo",
    "faq", "contact", "contactez", "contactez-nous", "nous contacter", "nous joindre", "à propos", "qui sommes-nous",
    "cgv", "cgu", "données personnelles", "gérer", "paramètres", "préférences",
    "accueil", "menu", "rechercher", "recherche", "search", "fermer", "sections", "rubriques",
    "suivez-nous", "suivez nous", "suivez", "retrouvez-nous", "retrouvez nous", "rejoignez-nous", "follow us",
    "télécharger", "téléchargez", "app store", "google play", "podcast", "podcasts",
    "réécouter", "vidéo", "vidéos", "replay", "en direct",
    "répondre", "signaler", "signaler un abus", "j'aime", "like", "likes", "follow", "followers", "fans",
    "subscribers", "votre adresse", "champs obligatoires", "adresse de messagerie", "ne sera pas publiée",
    "faire un don", "soutenez", "soutenir", "tags", "mots clés", "mots-clés", "keywords",
    "catégories", "rubrique", "article suivant", "article précédent", "précédent", "suivant",
    "pagination", "sommaire", "archives", "rss", "flux rss", "plus d'infos",
    "mis à jour", "publié", "modifié", "updated", "posted", "temps de lecture", "min de lecture",
    "image d'illustration", "image illustrative", "illustration", "légende", "agrandir",
)

# Headings that introduce the reader comments (what follows them, sentence-like, is a comment, not body).
COMMENT_HEADS: tuple[str, ...] = (
    "commentaires", "commentaire", "réagir", "réagissez", "vos réactions", "réactions", "les réactions", "comments",
    "reader comments", "avis des lecteurs", "vos commentaires", "discussion",
)

# Lines that decorate a comment (actions, votes): dropped, and they confirm we are in the comment zone.
COMMENT_META: tuple[str, ...] = (
    "répondre", "reply", "signaler", "signaler un abus", "report", "j'aime", "like", "recommander", "partager",
    "voir les réponses", "afficher les réponses", "réponse", "réponses", "abonné", "abonnée", "modifié",
)

# Camel-case words that are names, not a subhead glued to the next sentence ("LinkedIn", "YouTube").
CAMEL_NAMES: frozenset[str] = frozenset(
    w.lower()
    for w in ["LinkedIn", "YouTube", "iPhone", "iPad", "iPod", "iOS", "iMac", "MacBook", "McDonald", "McDonald's", "PlayStation", "WhatsApp", "PowerPoint", "JavaScript", "TikTok", "PayPal", "MasterCard", "SoftBank", "WeChat", "AstraZeneca", "BioNTech", "GlaxoSmithKline", "ArcelorMittal", "TotalEnergies", "BlaBlaCar", "LeBron", "DiCaprio", "OpenAI", "DeepMind", "BlackRock", "GameStop", "FedEx", "eBay", "SpaceX", "SoundCloud", "DreamWorks", "PricewaterhouseCoopers", "FaceTime", "AirBnB", "HuffPost", "BuzzFeed", "MediaPart", "LinkedIn", "GitHub", "StackOverflow", "SharePoint", "OneDrive", "DropBox", "WordPress", "TripAdvisor", "LeMonde", "McKinsey", "MacArthur", "McCain", "McConnell", "McCartney", "DeSantis", "LaGuardia", "DuPont", "VanderBilt"]
)

# Unambiguous chrome: counts even inside a longer line ("Pour nous lire, abonnez-vous ou acceptez les cookies.").
STRONG_BOUNDARY_CUES: tuple[str, ...] = (
    "newsletter", "newsletters", "infolettre", "abonnez-vous", "inscrivez-vous", "je m'abonne", "offres exclusives",
    "tous droits réservés", "all rights reserved", "mentions légales", "politique de confidentialité",
    "conditions générales", "conditions d'utilisation", "déjà abonné", "réservé aux abonnés", "pour lire la suite",
    "la suite est réservée", "already a subscriber", "subscribe to our", "sign up for", "charte des commentaires",
    "charte de modération", "laisser un commentaire", "leave a reply", "avez-vous apprécié",
)
STRONG_FURNITURE_CUES: tuple[str, ...] = (
    "cookies", "créez un compte", "créer un compte", "mot de passe", "votre adresse e-mail", "adresse de messagerie",
    "champs obligatoires", "ne sera pas publiée", "javascript", "navigateur", "cliquez ici", "click here",
    "lire aussi", "à lire aussi", "a lire aussi", "read more", "en savoir plus", "partager sur", "share on",
    "suivez-nous", "suivez nous", "follow us", "télécharger l'application", "app store", "google play",
)
