"""Word lists and person-name lexicon for PII masking (used by :mod:`.masker` and :mod:`.ner`).

Holds the allow-list of skills/tools and the role/organisation/honorific words that keep a span
from being a person, the dictionary + Faker name lexicon, and the regex that matches a record's
own name. spaCy loading, the NER gate and the Presidio engine/enhancer classes are in
:mod:`.ner`; the keyword pre-checks of the regex recognisers are in :mod:`.prechecks`.
"""

from __future__ import annotations

import importlib
import pkgutil
import re as _sre
from dataclasses import dataclass

import regex as re

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
ROLE_WORDS = frozenset(
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
ROLE_MODIFIERS = frozenset(
    "line head sous pastry chief senior junior lead staff charge ward principal deputy registered general field sales".split()
)
ORG_WORDS = frozenset(
    """
groep group gmbh ag inc inc. llc ltd ltd. plc bv b.v. nv sa s.a. sas sarl spa s.p.a. srl sl s.l. kg oy ab as a/s
sp sp. z o.o. inşaat holding holdings partners associates corp corp. corporation company co co. consulting
solutions technologies technology systems labs lab studio studios bank university college institute school
hospital clinic foundation agency media ventures capital industries international global services
""".split()
)

HONORIFICS = frozenset(
    "dr dr. mr mr. mrs mrs. ms ms. miss mx prof prof. sir madam jr sr ii iii iv".split()
)

# --------------------------------------------------------------------------------------------
# lexicon for the NER gate and for PERSON filtering
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
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


def faker_names() -> tuple[frozenset[str], frozenset[str]]:
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


_UPPERCASE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWERCASED_CACHE: tuple[str | None, bool] = (None, False)


def is_lowercased(text: str) -> bool:
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


INNER_CAP_OK = re.compile(r"(?:Mc|Mac|O'|De|Di|Le|La|Van|Von)\p{Lu}")
PREV_WORD = re.compile(r"(\p{L}+(?:['’]\p{L}+)?)(\.?)[ \t*_,]*$")


_PARTICLES = frozenset(
    "van von de der den del della di da dos das do du la le el al bin ibn ben ter ten af zu y e".split()
)


def own_name_regex(tokens: tuple[str, ...], lex: Lexicon, lowercased: bool = False):
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
