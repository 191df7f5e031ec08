"""Regex tables for PII masking: word lists and the patterns the recognisers use.

Holds the regex for placeholders already in a text (the entity types and placeholders themselves
are :mod:`recruiter.pii_entities`), the word tables and regex building
blocks for phones, addresses, dates and protected attributes (street words, units, months,
contexts), the pre-compiled helper regexes, and the per-recogniser pattern strings that
:func:`.recognizers.build_recognizers` wraps in Presidio ``Pattern`` objects. Pure data:
nothing here imports Presidio or the recognisers.
"""

from __future__ import annotations

import regex as re

from ..pii_entities import SUPPORTED_ENTITIES
from .prechecks import NeedWords, expand_alt

# --------------------------------------------------------------------------------------------
# placeholders already in a text (the entity types are recruiter.pii_entities)
# --------------------------------------------------------------------------------------------

PLACEHOLDER_RX = re.compile(r"\[(?:" + "|".join(SUPPORTED_ENTITIES) + r")\]")

# --------------------------------------------------------------------------------------------
# chunking and dotted-tech tables (URL / e-mail recognisers)
# --------------------------------------------------------------------------------------------

AT_RX = re.compile(r"@")
DOT_RX = re.compile(r"[A-Za-z0-9\-]{2}\.[A-Za-z]{2}")
WS = " \t\n\r\f\v"

DOTTED_TECH = frozenset(
    """
asp.net vb.net ado.net dot.net socket.io node.js vue.js next.js nuxt.js react.js express.js d3.js
three.js chart.js ember.js backbone.js angular.js nest.js deno.land readme.md changelog.md
""".split()
)
FILE_TLDS = frozenset(
    "md sh rs pl py cc ps so at it is be by am in do go to rb ts js cs kt".split()
)


# ---- regex building blocks -----------------------------------------------------------------

_SEP = (
    r"[ \t]*(?:\*{1,2}|_{1,2})?[ \t]*[:\-–=][ \t]*(?:\*{1,2}|_{1,2})?[ \t]*"  # "Key: ", "**Key:** "
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)?\d{2}(?!\d)|(?:19|20)\d{2}[/.\-]\d{1,2}[/.\-]\d{1,2}(?!\d)"
    rf"|\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTH},?\s+(?:19|20)\d{{2}}"
    rf"|{_MONTH}\s+\d{{1,2}}{_ORD},?\s+(?:19|20)\d{{2}}|{_MONTH}\s+(?:19|20)\d{{2}}"
    rf"|{_MONTH}\s+\d{{1,2}}{_ORD}\b|\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTH}(?![a-z]))"
)
_AGE_NUM = r"(?:1[4-9]|[2-9]\d)"
_WORD = r"\p{L}[\p{L}'’\-]*"
_STOP_KEYS = (
    r"(?!(?i:marital|status|gender|religion|age|date|dob|sex|phone|email|e-mail|address|visa|"
    r"nationality|citizenship|languages?|location|mobile|tel|linkedin|github|website|photo)\b)"
)
_VALUE_1_3 = rf"{_WORD}(?:[ \t]+{_STOP_KEYS}{_WORD}){{0,2}}"

_US_SUFFIX = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    "Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Plaza|Alley|Crescent|"
    "Close|Grove|Groves|Gardens|Garden|Heights|Vista|Ridge|Ridges|Mews|Walk|Row|Crossing|Pike|"
    "Loop|Expressway|Freeway|Turnpike|Hollow|Meadow|Meadows|Mountain|Mountains|Manor|Manors|"
    "Estate|Estates|Village|Villages|Valley|Valleys|Hill|Hills|Creek|Brook|Brooks|Cove|Coves|"
    "Harbor|Harbors|Haven|Knoll|Knolls|Landing|Glen|Glens|Dale|Canyon|Cliff|Cliffs|Orchard|"
    "Shore|Shores|Springs|Falls|Ferry|Forest|Fork|Forks|Ford|Fords|Lake|Lakes|Island|Islands|"
    "Isle|Junction|Mill|Mills|Overpass|Underpass|Passage|Path|Pines|Plains|Prairie|Ranch|"
    "Rapids|River|Skyway|Stravenue|Stream|Throughway|Trafficway|Tunnel|"
    "Viaduct|Views|Ville|Wells|Causeway|Bypass|Cape|Corner|Corners|Crest|"
    "Flats|Motorway|Oval|Shoal|Shoals|Squares|"
    "Streets|Walks|Ways|Roads|Drives|Parkways|Hwy|Mount|Pine|Plain|Rue"
)
UNIT_CORE = (
    r"(?i:apt|apartment|suite|ste|unit|flat|studio|fl|floor|room|rm|puerta|piso|portal|planta|escalera|"
    r"interno|interior|int|edif|depto|dpto|scala|top|tür|stiege|étage|bus|lgh|кв|#)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?\b"
)
# every street word Faker's en_* address providers use; after a unit ("Flat 3, Leanne Dam") or
# before one ("1965 Kelly Field Apt. 094") they are safe, alone they need an address context
_ANY_SUFFIX = (
    _US_SUFFIX
    + "|Branch|Bridge|Burg|Burgs|Camp|Centers|Center|Centre|Club|Common|Course|Courts|Curve|"
    "Dam|Divide|Extension|Extensions|Fall|Field|Fields|Forge|Forges|Gateway|Green|Greens|Harbour|Inlet|"
    "Key|Keys|Land|Light|Lights|Loaf|Lock|Locks|Lodge|Mall|Mission|Neck|Park|Parks|Pass|Point|Points|"
    "Port|Ports|Radial|Ramp|Rest|Route|Run|Spring|Spur|Spurs|Station|Summit|Trace|Track|Union|"
    "Unions|Via|View|Wall|Well|Rise|Quay|Esplanade|Approach|Wynd|Tor|Steps|"
    "Nagar|Ganj|Chowk|Marg|Colony|Vihar|Enclave|Puram|Bagh|Layout|Sector"
)
_UNIT = rf"(?:,?[ \t]*{UNIT_CORE})"
# street words glued to the name ("Jens-Drubin-Straße 47", "Kayleighsteeg 10", "Storgatan 77")
_EU_SUFFIX = (
    "straße|strasse|str\\.|gasse|weg|allee|platz|ring|damm|ufer|steig|"
    "straat|laan|plein|gracht|kade|singel|hof|dreef|baan|pad|steeg|lei|"
    "gatan|gata|vägen|väg|gränd|stigen|torget|vej|gade|stræde|alléen|veien|vegen|gaten|løkka|faret|stien|"
    "katu|tie|kuja|polku|bulevardi|utca|út|tér|körút|köz|sétány|ulice|ulica|cesta|iela|gatvė|tänav|boulevard"
)
# street words before the name ("rue Margot Blanc", "Via Roma", "ulica Paderewskiego")
_EU_PREFIX = (
    "rue|avenue|av\\.|boulevard|bd|chemin|allée|impasse|place|quai|cours|route|montée|"
    "via|viale|piazza|piazzale|corso|contrada|vicolo|largo|borgo|strada|stretto|rotonda|canale|"
    "calle|callejón|camino|carrera|cuesta|cañada|acceso|glorieta|pasaje|pasadizo|urbanización|rambla|"
    "avenida|avda\\.?|paseo|plaza|ronda|travesía|vial|alameda|"
    "rua|travessa|praça|estrada|ladeira|pátio|trecho|vila|quadra|conjunto|setor|rodovia|jardim|residencial|"
    "condomínio|chácara|núcleo|vereda|"
    "andador|calzada|privada|prolongación|circuito|cerrada|retorno|periférico|diagonal|continuación|"
    "eje vial|c\\.|av|incrocio|"
    "вулиця|провулок|площа|проспект|бульвар|сквер|шосе|набережна|"
    "bulevardul|calea|șoseaua|soseaua|aleea|intrarea|drumul|"
    "ulica|ul\\.|aleja|al\\.|plac|osiedle|os\\."
)

STREET_WORD = re.compile(rf"(?i)\b(?:{_ANY_SUFFIX}|{_EU_PREFIX})\b|\p{{L}}(?:{_EU_SUFFIX})\b")
_EU_PREFIX_TITLE = "|".join(
    w[0].upper() + w[1:] for w in _EU_PREFIX.split("|") if w not in ("al\\.", "os\\.")
)
# lower-case street words that English prose does not use before a capitalised name + number
_EU_PREFIX_LOWER = "|".join(
    w
    for w in _EU_PREFIX.split("|")
    if w not in ("via", "place", "route", "plaza", "cours", "vial", "largo", "canale")
)
# ... and before a capitalised name alone ("avenue Lacombe", "ulica Paderewskiego")
_EU_PREFIX_LOWER_SAFE = (
    "rue|avenue|boulevard|chemin|allée|impasse|quai|calle|callejón|avenida|travessa|rua|"
    "strada|bulevardul|calea|aleea|ulica|aleja|plac|viale|piazza|corso|вулиця|провулок|площа|"
    "проспект|бульвар|сквер|шосе|набережна"
)

# "@": a street next to an e-mail address on a contact line
ADDRESS_CONTEXT = [
    "address",
    "live",
    "lives",
    "living",
    "located",
    "location",
    "street",
    "reside",
    "residence",
    "home",
    "mail",
    "mailing",
    "billing",
    "shipping",
    "return",
    "deliver",
    "apt",
    "suite",
    "zip",
    "postal",
    "@",
]
# "@": a number next to an e-mail address on a contact line ("jo@x.com | 728 355 272 | ...")
PHONE_CONTEXT = [
    "phone",
    "telephone",
    "tel",
    "mobile",
    "cell",
    "cellphone",
    "call",
    "contact",
    "fax",
    "desk",
    "office",
    "whatsapp",
    "number",
    "reach",
    "text",
    "sms",
    "landline",
    "@",
]


YEAR_RANGE = re.compile(r"(?:19|20)\d\d\s*[-–/]\s*(?:19|20)\d\d")
DATE_LIKE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}")
ISO_DATE = re.compile(r"(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])\b")
IPV4 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
DIGITS = re.compile(r"\d+")
YEAR = re.compile(r"(?:19|20)\d\d")
EXT = re.compile(r"(?i)\s?(?:x|ext\.?|extension)\s?\d{1,6}$")


# ---- per-recogniser patterns (used by build_recognizers) ----------------------------------

_NAME_SEQ = r"\p{L}[\p{L}'’\-]*\.?(?:[ \t]+\p{L}[\p{L}'’\-]*\.?){0,3}"
_PERSON_SPEAKER_LABEL = rf"^[ \t>]*(?:\*\*|__)?[ \t]*\K{_NAME_SEQ}(?=[ \t]*(?:\*\*|__)?[ \t]*:)"
_PERSON_NAMED_ROLE = (
    rf"\b(?i:interviewer|interviewed[ \t]+by|hiring[ \t]+manager|recruiter|references?|referees?|"
    rf"supervisor|manager|contact[ \t]+person|mentor|panel(?:ists?)?){_SEP}\K{_NAME_SEQ}(?=[ \t]*(?:$|[,;(|]))"
)
_PERSON_NAMED_ROLE_NEED = [
    "interview",
    "manager",
    "recruiter",
    "referen",
    "referee",
    "supervisor",
    "contact",
    "mentor",
    "panel",
]
PERSON_FIRST_LAST_NAME = (
    r"(?<![\w\-])\p{Lu}\p{Ll}+(?:[ \t]+\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?){1,2}(?![\w\-])"
)
_PHONE_EXT = r"(?:[ \t]?(?i:x|ext\.?|extension)[ \t]?\d{1,6})?"
_PHONE_PARENTHESISED_AREA_CODE = rf"(?<![\w+])(?:\+\d{{1,3}}[ \t.\-]?)?\(\d{{1,5}}\)[ \t.\-]?\d{{2,5}}(?:[ \t.\-]?\d{{2,5}}){{0,3}}{_PHONE_EXT}(?![\w\-])"
_PHONE_INTERNATIONAL = (
    rf"(?<![\w+])\+\d{{1,3}}(?:[ \t.\-]?(?:\(\d{{1,5}}\)|\d{{1,5}})){{2,5}}{_PHONE_EXT}(?![\w\-])"
)
_PHONE_NANP = rf"(?<![\w.\-/])(?:(?:\+|00)\d{{1,3}}[ \t.\-]?|1[ \t.\-])?\d{{3}}[ \t.\-]\d{{3}}[ \t.\-]\d{{4}}{_PHONE_EXT}(?![\w\-/])"
_PHONE_GROUPED_DIGITS = (
    rf"(?<![\w.\-/+])\d{{2,5}}(?:[ \t.\-]\d{{1,5}}){{0,3}}[ \t.\-]\d{{2,5}}{_PHONE_EXT}(?![\w\-/])"
)
_PHONE_DIGIT_RUN = rf"(?<![\w.\-/+])0{{0,2}}\d{{8,12}}{_PHONE_EXT}(?![\w\-/])"
_HOUSE_NUM = r"\d{1,6}[A-Za-z]?(?:[\-–/]\d{1,6}[A-Za-z]?)?"
_TITLE_WORD = r"(?:\p{Lu}[\p{L}'’.\-]*|\d{1,3}(?:st|nd|rd|th))"
_LOWER_WORD = (
    r"(?!(?i:of|and|the|in|on|at|to|for|with|from|by|or|a|an|years?|yrs?|months?|weeks?|days?|"
    r"hours?|times?|people|members|teams?|projects?|clients?|users?|new|key|major|main)\b)\p{L}[\p{L}'’.\-]*"
)
_COMPASS = r"(?:(?:[NSEW]|N\.|S\.|E\.|W\.|North|South|East|West|NE|NW|SE|SW)[ \t]+)?"
_NAME_ARTICLES = r"(?:(?:de|del|de la|di|da|do|dos|das|du|des|della|van|von)[ \t]+)?"
_NAME_TOK = r"\p{Lu}[\p{L}'’\-]*\.?"
_STREET_NAME = rf"{_NAME_ARTICLES}{_NAME_TOK}(?:[ \t]+(?:{_NAME_TOK}|de|del|la|di|da|do|dos|das|du|des|e|y)){{0,3}}"
_HOUSE = r"(?:(?i:nr|no|nº|n°|n|буд|д)\.?[ \t]*)?\d{1,5}[A-Za-z]?(?:/\d{1,5}[A-Za-z]?)?"
EU_PREFIX_NEED = NeedWords(
    w.replace("\\.?", "").replace("\\.", ".").split()[0] for w in _EU_PREFIX.split("|")
)
_UNIT_NEED = NeedWords(
    w
    for u in (
        "apt",
        "apartment",
        "suite",
        "ste",
        "unit",
        "flat",
        "studio",
        "fl",
        "floor",
        "room",
        "rm",
        "puerta",
        "piso",
        "portal",
        "planta",
        "escalera",
        "interno",
        "interior",
        "int",
        "edif",
        "depto",
        "dpto",
        "scala",
        "top",
        "tür",
        "stiege",
        "étage",
        "bus",
        "lgh",
        "кв",
    )
    for w in (u, u + ".")
)
_ADDRESS_STREET_TITLE_CASE = rf"\b{_HOUSE_NUM},?[ \t]+{_COMPASS}(?:{_TITLE_WORD}[ \t]+){{0,3}}{_TITLE_WORD}[ \t]+(?:{_US_SUFFIX})\b\.?{_UNIT}?"
_ADDRESS_STREET_WITH_UNIT_ANY_STREET_WORD = (
    rf"\b{_HOUSE_NUM},?[ \t]+(?:{_TITLE_WORD}[ \t]+){{1,3}}(?:{_ANY_SUFFIX})\b\.?{_UNIT}"
)
_ADDRESS_STREET_ANY_STREET_WORD = (
    rf"\b{_HOUSE_NUM},?[ \t]+(?:{_TITLE_WORD}[ \t]+){{1,3}}(?:{_ANY_SUFFIX})\b\.?"
)
_ADDRESS_STREET_ANY_CASE = rf"\b{_HOUSE_NUM}[ \t]+(?:{_LOWER_WORD}[ \t]+){{1,3}}(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|terrace|circle|parkway|highway|square|trail|plaza)\b\.?{_UNIT}?"
_ADDRESS_UNIT_THEN_STREET = (
    rf"\b{UNIT_CORE},?[ \t]+(?:{_TITLE_WORD}[ \t]+){{0,3}}(?:{_ANY_SUFFIX})\b\.?"
)
ADDRESS_EUROPEAN_SUFFIX_STREET = rf"\b\p{{Lu}}(?=[\p{{L}}\-]{{2,40}}\.?[ \t]+\d)[\p{{L}}\-]{{1,}}(?i:{_EU_SUFFIX})[ \t]+\d{{1,5}}[A-Za-z]?(?:[\-–/]\d{{1,5}}[A-Za-z]?)?\b\.?{_UNIT}?"
_ADDRESS_EUROPEAN_PREFIX_STREET_NUMBER_FIRST = rf"(?<!\d[ \t.\-/]\d{{1,4}}[ \t.\-/])\b\d{{1,5}}[A-Za-z]?,?[ \t]+(?i:{_EU_PREFIX})[ \t]+{_STREET_NAME}"
_ADDRESS_EUROPEAN_PREFIX_STREET_NUMBER_LAST = rf"(?<!et[ \t])\b(?:{_EU_PREFIX_TITLE}|{_EU_PREFIX_LOWER})[ \t]+{_STREET_NAME},?[ \t]+{_HOUSE}\b(?:,?[ \t]*{UNIT_CORE})*"
ADDRESS_EUROPEAN_PREFIX_STREET_NO_NUMBER = rf"\b(?:{_EU_PREFIX_LOWER_SAFE})[ \t]+{_STREET_NAME}"
_ADDRESS_HOUSE_NUMBER = r"\b(?i:h\.?[ \t]?no\.?|house[ \t]+no\.?|plot[ \t]+no\.?|flat[ \t]+no\.?)[ \t]*\d{1,5}[A-Za-z/\-]*(?:,?[ \t]+\p{Lu}[\p{L}]+){0,3}"
_ADDRESS_UNIT = r"\b(?i:apt|apartment|suite|flat|studio)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?\b"
_ADDRESS_PO_BOX = r"\b(?i:p\.?[ \t]?o\.?[ \t]*box|post[ \t]+office[ \t]+box)[ \t]*#?[ \t]*\d{1,6}\b"
ADDRESS_LINE = rf"(?<![\w\-])(?i:(?:home|street|mailing|postal|permanent|current|residential|billing|shipping)[ \t]+)?(?i:address)(?<!(?i:e-?mail|ip|web|mac)[ \t]*address){_SEP}\K[^\n]{{3,160}}"
_DATE_OF_BIRTH_DOB_CUE = rf"\b(?i:d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|birth[ \t]*date|birthday)(?:[ \t]+is)?(?:{_SEP}|[ \t]+)\K(?i:{_DATE})"
_DATE_OF_BIRTH_BORN_ON_IN = (
    rf"\b(?i:born)[ \t]+(?i:on[ \t]+|in[ \t]+)?(?i:the[ \t]+)?\K(?i:{_DATE}|(?:19|20)\d{{2}}\b)"
)
_AGE_CUE = rf"\b(?i:age|aged)(?:[ \t]+is)?(?:{_SEP}|[ \t]+)\K{_AGE_NUM}\b(?![ \t]*(?:%|\+|[\-–]\d|(?i:years?|yrs?)[ \t]+(?i:of|in|experience)))"
_AGE_YEARS_OLD = (
    rf"\b{_AGE_NUM}[ \t]*[\-–]?[ \t]*(?i:years?|yrs?)(?:[ \t]*[\-–][ \t]*|[ \t]+)(?i:old)\b"
)
_AGE_Y_O = rf"\b{_AGE_NUM}[ \t]*(?i:y/o|y\.o\.|yo)(?![\w/])"
_GENDER_VALUES = (
    r"(?i:male|female|man|woman|non[\s\-]?binary|transgender(?:[ \t]+(?:man|woman))?|"
    r"trans(?:[ \t]+(?:man|woman))?|genderqueer|gender[\s\-]?fluid|agender|intersex|"
    r"cis(?:gender)?(?:[ \t]+(?:man|woman))?|prefer[ \t]+not[ \t]+to[ \t]+(?:say|disclose)|other|m|f)\b"
)
_PRONOUNS = (
    r"(?i:(?:she|he|they|ze|xe)[ \t]*/[ \t]*(?:her|him|them|they|hir|zir|xem)(?:[ \t]*/[ \t]*\w+)?)"
)
_GENDER_CUE = rf"\b(?i:gender(?:[ \t]+identity)?|sex){_SEP}\K{_GENDER_VALUES}"
_GENDER_PRONOUNS_CUE = rf"\b(?i:pronouns?)(?:{_SEP}|[ \t]+)\K{_PRONOUNS}"
_GENDER_PRONOUNS_IN_PARENTHESES = rf"\({_PRONOUNS}\)"
_GENDER_SELF_DESCRIPTION = r"\b(?i:i[ \t]+am|i'm|i’m|as)[ \t]+(?i:an?)[ \t]+\K(?i:woman|man|female|male|mother|father|mom|dad|transgender[ \t]+(?:woman|man)|trans[ \t]+(?:woman|man)|non-binary[ \t]+person)\b"
_GENDER_SELF_DESCRIPTION_NEED = [
    "woman",
    "man ",
    "man.",
    "man,",
    "male",
    "mother",
    "father",
    "mom",
    "dad",
    "person",
]
_NUM_WORDS = r"(?:\d+|one|two|three|four|five|six)"
_MARITAL_STATUS_MARITAL_CUE = rf"\b(?i:marital[ \t]+status|civil[ \t]+status|family[ \t]+status|relationship[ \t]+status){_SEP}\K(?i:single|married|divorced|widowed|widow|widower|separated|engaged|unmarried|partnered|in[ \t]+a[ \t]+(?:civil[ \t]+union|domestic[ \t]+partnership|relationship)|domestic[ \t]+partnership|civil[ \t]+union)\b(?:[ \t]*(?:,|with)[ \t]*(?i:{_NUM_WORDS})[ \t]+(?i:kids?|children|child|dependents?))?"
_MARITAL_STATUS_SELF_STATEMENT = r"\b(?i:i[ \t]+am|i'm|i’m|i[ \t]+got|we[ \t]+are|we're|we’re)[ \t]+(?i:happily[ \t]+|recently[ \t]+|newly[ \t]+|currently[ \t]+|now[ \t]+|just[ \t]+)?\K(?i:married|divorced|widowed|separated|engaged|single)\b(?![\-\w])"
_MARITAL_STATUS_FAMILY_PHRASE = rf"\b(?i:married|divorced|widowed|single)[ \t]+(?i:with[ \t]+{_NUM_WORDS}[ \t]+(?:kids|children|child)|(?:mother|father|mom|dad|parent)(?:[ \t]+of[ \t]+{_NUM_WORDS}\b)?)"
_MARITAL_STATUS_SPOUSE = (
    r"\b(?i:my)[ \t]+\K(?i:husband|wife|spouse|fianc[ée]e?|ex-husband|ex-wife)\b"
)
_DEMONYM = r"(?:\p{Lu}[\p{L}]*(?:an|ian|ese|ish|i|ic|ch|ot|ss|er)|U\.?S\.?A?\.?|U\.?K\.?|EU)"
_NATIONALITY_CUE = rf"\b(?i:nationality|nationalities|citizenship(?:[ \t]+status)?|national[ \t]+origin|country[ \t]+of[ \t]+(?:origin|birth|citizenship)|ethnicity|ethnic[ \t]+origin|race){_SEP}\K{_VALUE_1_3}"
_NATIONALITY_CUE_NEED = ["national", "citizenship", "origin", "birth", "ethnic", "race"]
_NATIONALITY_NATIONAL_OF = r"\b(?i:national|native)[ \t]+(?i:of)[ \t]+\K(?:the[ \t]+)?\p{Lu}[\p{L}.]*(?:[ \t]+\p{Lu}[\p{L}.]*){0,2}"
_NATIONALITY_X_NATIONAL = (
    rf"(?<![\w.]){_DEMONYM}(?=[ \t]+(?i:nationals?|passport[ \t]+holder|by[ \t]+birth)\b)"
)
_RELIGIONS = (
    r"muslims?|islam|islamic|hindus?|hinduism|jewish|judaism|jews?|buddhists?|buddhism|sikhs?|"
    r"sikhism|catholics?|catholicism|protestants?|mormons?|evangelicals?|atheists?|jains?|jainism|"
    r"baptists?|methodists?|lutherans?|presbyterians?|anglicans?|episcopalians?|pentecostals?|"
    r"quakers?|shia|shiite|sunni|zoroastrians?|bahá['’]?í|baha['’]?i|taoists?|taoism|shinto|"
    r"wiccans?|christianity|orthodox[ \t]+christian|born-again[ \t]+christian"
)
_RELIGION_WORDS = [
    w for alt in _RELIGIONS.replace("[ \\t]+", " ").split("|") for w in expand_alt(alt)
]
_RELIGION_WORDS += ["bahá'í", "bahá’í", "baha'i", "bahai"]
_RELIGION_CUE = rf"\b(?i:religion|religious[ \t]+(?:affiliation|beliefs?|background)|faith|denomination){_SEP}\K{_VALUE_1_3}"
_RELIGION_NAMED_RELIGION = rf"(?<![\w\-])(?i:{_RELIGIONS})(?![\w\-])"
_RELIGION_CHRISTIAN = r"(?<![\w\-])(?:Christians?|CHRISTIANS?)(?![\w\-])(?![ \t]+\p{Lu})"
_PIC = r"(?i:photo(?:graph)?s?|picture|pic|headshot|portrait|passport[\s\-]+(?:size[d]?[ \t]+)?photo(?:graph)?|profile[ \t]+(?:photo|picture|pic))"
_PIC_NEED = ["photo", "picture", "pic", "headshot", "portrait"]
_PHOTO_IS_ATTACHED = rf"\b{_PIC}[ \t]*(?:[:\-–][ \t]*)?(?:(?i:is|are)[ \t]+)?(?i:attached|enclosed|included|below|above|available[ \t]+on[ \t]+request)\b"
_PHOTO_ATTACHED_PHOTO = rf"\b(?i:see[ \t]+)?(?i:attached|enclosed)[ \t]+(?:(?i:is|are)[ \t]+)?(?:(?i:a|my|the)[ \t]+)?(?:(?i:recent|passport|profile)[ \t]+)?{_PIC}\b"
_PHOTO_PLACEHOLDER = r"\[[ \t]*(?i:(?:insert|add|attach)[ \t]+)?(?i:photo|picture|headshot|image|profile[ \t]+(?:photo|picture))[^\]\n]{0,40}\]"
_PHOTO_FIELD = rf"\b(?i:photo(?:graph)?|picture|headshot){_SEP}\K[^\n]{{1,80}}"
_PHOTO_MARKDOWN_IMAGE = r"!\[[^\]\n]{0,80}\]\([^)\n]{1,300}\)"
_PHOTO_IMAGE_FILE = r"(?<![\w\-])[\w\-]*(?i:photo|headshot|pic|picture|profile|selfie|portrait|passport|avatar|img|image)[\w\-]*\.(?i:jpe?g|png|gif|heic|webp|bmp)\b"
_PHOTO_IMAGE_FILE_NEED = [".jp", ".png", ".gif", ".heic", ".webp", ".bmp"]

# ---- pattern tables: (name, regex, score[, need]) per recogniser ----------------------------

SPEAKER_NAME_PATTERNS = (
    ("speaker label", _PERSON_SPEAKER_LABEL, 0.6),
    ("named role", _PERSON_NAMED_ROLE, 0.6, _PERSON_NAMED_ROLE_NEED),
)

PHONE_REGEX_PATTERNS = (
    ("parenthesised area code", _PHONE_PARENTHESISED_AREA_CODE, 0.5),
    ("international", _PHONE_INTERNATIONAL, 0.5),
    ("nanp", _PHONE_NANP, 0.45),
    ("grouped digits (needs context)", _PHONE_GROUPED_DIGITS, 0.3),
    ("digit run (needs context)", _PHONE_DIGIT_RUN, 0.3),
)

STREET_ADDRESS_PATTERNS_1 = (
    ("street (title case)", _ADDRESS_STREET_TITLE_CASE, 0.6),
    ("street with unit (any street word)", _ADDRESS_STREET_WITH_UNIT_ANY_STREET_WORD, 0.6),
    ("street (any street word, needs context)", _ADDRESS_STREET_ANY_STREET_WORD, 0.3),
    ("street (any case, needs context)", _ADDRESS_STREET_ANY_CASE, 0.3),
    ("unit then street", _ADDRESS_UNIT_THEN_STREET, 0.6, _UNIT_NEED),
)

STREET_ADDRESS_PATTERNS_2 = (
    (
        "european prefix street, number first",
        _ADDRESS_EUROPEAN_PREFIX_STREET_NUMBER_FIRST,
        0.5,
        EU_PREFIX_NEED,
    ),
    (
        "european prefix street, number last",
        _ADDRESS_EUROPEAN_PREFIX_STREET_NUMBER_LAST,
        0.5,
        EU_PREFIX_NEED,
    ),
)

STREET_ADDRESS_PATTERNS_3 = (
    ("house number", _ADDRESS_HOUSE_NUMBER, 0.6, ["no"]),
    ("unit", _ADDRESS_UNIT, 0.45),
    ("po box", _ADDRESS_PO_BOX, 0.8),
)

DATE_OF_BIRTH_PATTERNS = (
    ("dob cue", _DATE_OF_BIRTH_DOB_CUE, 0.9, ["dob", "d.o.b", "birth"]),
    ("born on/in", _DATE_OF_BIRTH_BORN_ON_IN, 0.85),
)

AGE_PATTERNS = (
    ("age cue", _AGE_CUE, 0.85),
    ("years old", _AGE_YEARS_OLD, 0.85, ["old"]),
    ("y/o", _AGE_Y_O, 0.7, ["y/o", "y.o.", "yo"]),
)

GENDER_PATTERNS = (
    ("gender cue", _GENDER_CUE, 0.85, ["gender", "sex"]),
    ("pronouns cue", _GENDER_PRONOUNS_CUE, 0.85),
    ("pronouns in parentheses", _GENDER_PRONOUNS_IN_PARENTHESES, 0.85),
    ("self description", _GENDER_SELF_DESCRIPTION, 0.7, _GENDER_SELF_DESCRIPTION_NEED),
)

MARITAL_STATUS_PATTERNS = (
    ("marital cue", _MARITAL_STATUS_MARITAL_CUE, 0.85, ["status"]),
    ("self statement", _MARITAL_STATUS_SELF_STATEMENT, 0.8),
    ("family phrase", _MARITAL_STATUS_FAMILY_PHRASE, 0.8),
    ("spouse", _MARITAL_STATUS_SPOUSE, 0.6),
)

NATIONALITY_PATTERNS = (
    ("nationality cue", _NATIONALITY_CUE, 0.85, _NATIONALITY_CUE_NEED),
    ("national of", _NATIONALITY_NATIONAL_OF, 0.8, ["national of", "native of"]),
    ("X national", _NATIONALITY_X_NATIONAL, 0.8, ["national", "passport", "by birth"]),
)

RELIGION_PATTERNS = (
    ("religion cue", _RELIGION_CUE, 0.85, ["religio", "faith", "denomination"]),
    ("named religion", _RELIGION_NAMED_RELIGION, 0.7, NeedWords(_RELIGION_WORDS)),
    ("christian", _RELIGION_CHRISTIAN, 0.6),
)

PHOTO_PATTERNS = (
    ("photo attached", _PHOTO_IS_ATTACHED, 0.85, _PIC_NEED),
    ("attached photo", _PHOTO_ATTACHED_PHOTO, 0.85, _PIC_NEED),
    ("photo placeholder", _PHOTO_PLACEHOLDER, 0.85),
    ("photo field", _PHOTO_FIELD, 0.8, _PIC_NEED),
    ("markdown image", _PHOTO_MARKDOWN_IMAGE, 0.85),
    ("image file", _PHOTO_IMAGE_FILE, 0.85, _PHOTO_IMAGE_FILE_NEED),
)
