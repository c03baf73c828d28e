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

# --------------------------------------------------------------------------------------------- other languages
# Function words of more languages, for the per-document prose signal: the cleaner picks the list that covers the
# most words of the page (``STOPWORDS_BY_LANG``), so a German dump is judged on German function words.

_DE = """
der die das den dem des ein eine einer eines einem einen und oder aber doch sondern denn ist sind war waren wird
werden wurde wurden worden sein bin bist seid hat haben hatte hatten habe hast ich du er sie es wir ihr mich mir
dich dir sich uns euch ihn ihm ihnen mein meine dein deine sein seine unser unsere nicht auch noch schon nur sehr
mit von zu zum zur bei aus nach vor über unter auf an in im am ins vom für durch gegen ohne um bis seit wie als wenn
weil dass ob so da dann dort hier wo was wer welche welcher welches dieser diese dieses jener man kann können muss
müssen soll sollen will wollen würde würden mehr viel viele alle allem allen aller alles kein keine keinen immer
wieder also etwa bereits sowie zwischen während jedoch damit dabei dazu daher selbst ganz beim ab es einen eines
"""
_ES = """
el la los las un una unos unas y o u pero sino que de del al a en con por para sin sobre entre hacia hasta desde
es son era eran fue fueron ser estar está están estaba ha han había haber he hemos yo tú él ella ellos ellas nos
nosotros vosotros usted ustedes me te se le les lo mi mis tu tus su sus nuestro nuestra este esta estos estas ese
esa esos esas aquel no sí ya muy más menos también como cuando donde porque pues si aunque mientras todo toda todos
todas otro otra otros otras mismo misma cada según tras durante contra ante bajo así hay puede pueden sólo solo
"""
_IT = """
il lo la i gli le un uno una e ed o ma però che di del dello della dei degli delle da dal dallo dalla dai dagli
dalle in nel nello nella nei negli nelle con su sul sullo sulla sui sugli sulle per tra fra a al allo alla ai agli
alle è sono era erano fu stato stata essere ha hanno aveva avere ho abbiamo io tu lui lei noi voi loro mi ti si ci
vi ne non più meno anche come quando dove perché se mentre questo questa questi queste quello quella quelli tutto
tutti tutte altro altra altri molto già ancora solo sempre così cui chi quale quali dopo prima senza secondo
"""
_PT = """
o a os as um uma uns umas e ou mas que de do da dos das em no na nos nas por pelo pela pelos pelas para com sem
sobre entre até desde ao aos à às é são era eram foi foram ser estar está estão estava tem têm tinha ter há eu tu
ele ela eles elas nós vós você vocês me te se lhe lhes meu minha seu sua seus suas nosso nossa este esta estes
estas esse essa esses essas aquele aquela isto isso não sim já muito mais menos também como quando onde porque se
embora enquanto todo toda todos todas outro outra outros outras mesmo cada segundo durante contra após assim pode
"""
_NL = """
de het een en of maar dat die dit deze van in op aan met voor door bij naar uit over onder tegen tussen zonder om
tot sinds als wanneer omdat dan toen is zijn was waren wordt worden werd werden geweest heeft hebben had hadden ik
jij je hij zij ze wij we jullie u mij me mijn jouw zijn haar ons onze hun hem niet geen ook nog al wel zeer heel
veel meer er hier daar waar wat wie welke hoe zo dus toch kan kunnen moet moeten zal zullen zou zouden wil
"""
_RU = """
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее её мне было вот от меня
еще ещё нет о из ему теперь когда даже ну ли если уже или ни быть был него до вас там потом себя ей может они тут
где есть надо ней для мы тебя их чем была сам без кто этот того потому этого какой здесь этом один мой тем чтобы
сейчас были можно при два об другой после над больше тот через эти нас про всего них много также который которые
которая которых это года году
"""
_AR = """
في من على إلى الى أن ان عن مع هذا هذه التي الذي الذين كان كانت لا ما أو او ثم قد كل بين بعد قبل حتى عند لم لن
إن هو هي هم نحن كما وقال قال وفي ولا وأن وكان أي أيضا ذلك تلك منذ خلال حول ضد غير عام يوم
"""
_HE = """
של את על עם זה זו לא כי גם הוא היא הם הן אם או יש אין אבל כל אשר בין אל עוד רק כמו לפני אחרי מה מי כך שם כבר
היה הייתה היו אני אתה אנחנו להם לו לה בו בה זאת אלה
"""

STOPWORDS_BY_LANG: dict[str, frozenset[str]] = {
    "fr": frozenset(_FR.split()),
    "en": frozenset(_EN.split()),
    "de": frozenset(_DE.split()),
    "es": frozenset(_ES.split()),
    "it": frozenset(_IT.split()),
    "pt": frozenset(_PT.split()),
    "nl": frozenset(_NL.split()),
    "ru": frozenset(_RU.split()),
    "ar": frozenset(_AR.split()),
    "he": frozenset(_HE.split()),
}

# CJK has no spaces: the prose signal is the share of characters that are common particles and function
# characters (的 了 是 在 …, の に は を …), the same idea as stop-word density on words.
CJK_FUNCTION_CHARS: frozenset[str] = frozenset(
    "的了是在和有我他这不人们中也就都而及与着或一个上为以到说要会对所其之于被把让从但并还很没么吗呢吧"
    "のにはをたがでてとしもなからまれいるあうこそかっすます"
    "은는이가을를에의도와과로으로하고다"
)

# Page chrome in more languages, added to the cue lists the features look up (the same stock phrases as above).
MORE_BOUNDARY_CUES: tuple[str, ...] = (
    "kommentare", "kommentar schreiben", "kommentieren", "ihre meinung", "mehr zum thema", "das könnte sie auch",
    "weitere artikel", "ähnliche artikel", "verwandte artikel", "meistgelesen", "am meisten gelesen",
    "newsletter abonnieren", "jetzt abonnieren", "alle rechte vorbehalten", "impressum", "datenschutz",
    "datenschutzerklärung", "nutzungsbedingungen", "zum seitenanfang", "nach oben", "antworten",
    "comentarios", "deja un comentario", "dejar un comentario", "noticias relacionadas", "artículos relacionados",
    "lo más leído", "más leídas", "suscríbete", "todos los derechos reservados", "aviso legal",
    "política de privacidad", "commenti", "lascia un commento", "articoli correlati", "più letti",
    "iscriviti", "tutti i diritti riservati", "comentários", "deixe um comentário", "notícias relacionadas",
    "mais lidas", "todos os direitos reservados", "reacties", "reageer", "gerelateerde artikelen",
    "meest gelezen", "alle rechten voorbehouden", "privacybeleid",
)
MORE_FURNITURE_CUES: tuple[str, ...] = (
    "lesen sie auch", "lesen sie mehr", "weiterlesen", "mehr lesen", "mehr erfahren", "teilen", "drucken",
    "startseite", "anmelden", "abmelden", "registrieren", "suche", "suchen", "kontakt", "werbung", "anzeige",
    "cookie-einstellungen", "akzeptieren", "schließen", "zurück", "weiter", "foto", "bild", "quelle",
    "leer más", "seguir leyendo", "compartir", "iniciar sesión", "registrarse", "buscar", "publicidad",
    "inicio", "contacto", "leggi anche", "leggi tutto", "condividi", "accedi", "registrati", "cerca",
    "pubblicità", "contatti", "leia mais", "leia também", "compartilhar", "partilhar", "entrar", "pesquisar",
    "publicidade", "lees ook", "lees meer", "delen", "inloggen", "zoeken", "advertentie",
    "related", "tags", "categories", "filed under", "posted in", "share this", "like this",
)
