"""Reading a work-authorisation statement: may this person work where the job is?

Statements on resumes and in applicant-tracking exports are short and negation-heavy: "EU
citizen, no work permit needed" grants what "no work permit" alone denies, and "does not require
sponsorship" is the opposite of "requires sponsorship". :func:`read_authorization` reads one
statement against the job's country and returns a :class:`Authorization` verdict:

* ``denied``: the statement says the person needs sponsorship or a permit they do not have
  (pending, expired, applying, not authorised) — a hard filter may exclude on it;
* ``authorised``: a grant (citizen, permanent resident, valid permit, authorised to work, no
  permit or sponsorship needed) for the job's country or a region containing it, or naming no
  place;
* ``review``: a grant for another place than the job's (a US-only permit for a Berlin job), or a
  statement this reader cannot place: shown to the reviewer with the reason, never a silent pass
  and never an exclusion.

Negations are read before grants: "needs no visa", "no sponsorship required", "does not need a
permit" are grants; "no permit", "without a work permit", "not authorised" are denials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EU = (
    "austria", "belgium", "bulgaria", "croatia", "cyprus", "czechia", "czech republic", "denmark",
    "estonia", "finland", "france", "germany", "greece", "hungary", "ireland", "italy", "latvia",
    "lithuania", "luxembourg", "malta", "netherlands", "poland", "portugal", "romania", "slovakia",
    "slovenia", "spain", "sweden",
)  # fmt: skip
EEA_EXTRA = ("iceland", "liechtenstein", "norway")
# place -> the words a statement names it by (country names, demonyms, abbreviations)
PLACES: dict[str, tuple[str, ...]] = {
    "eu": ("eu", "e.u.", "european union", "european", "eea", "schengen", "eu blue card"),
    "united states": ("us", "u.s.", "usa", "u.s.a.", "united states", "american", "green card"),
    "united kingdom": ("uk", "u.k.", "united kingdom", "british", "britain", "great britain"),
    "canada": ("canada", "canadian"),
    "australia": ("australia", "australian"),
    "switzerland": ("switzerland", "swiss"),
    "india": ("india", "indian"),
    "turkey": ("turkey", "turkish", "türkiye"),
    "germany": ("germany", "german"),
    "france": ("france", "french"),
    "spain": ("spain", "spanish"),
    "italy": ("italy", "italian"),
    "netherlands": ("netherlands", "dutch", "holland"),
    "poland": ("poland", "polish"),
    "portugal": ("portugal", "portuguese"),
    "sweden": ("sweden", "swedish"),
    "ireland": ("ireland", "irish"),
    "austria": ("austria", "austrian"),
    "belgium": ("belgium", "belgian"),
    "norway": ("norway", "norwegian"),
}
_ALIASES = {"usa": "united states", "us": "united states", "uk": "united kingdom"}

_NEED = r"(?:requir\w*|need\w*|necessary)"
_PAPER = (
    r"(?:(?:work|residence) (?:permit|visa|authori[sz]ation)|visa|permit|sponsorship|work visa)"
)
# grants written as a negated need: "no work permit needed", "does not require sponsorship"
_NO_NEED = re.compile(
    rf"\b(?:no|without(?: the)? need (?:of|for)(?: an?)?|not) {_PAPER} (?:is )?{_NEED}"
    rf"|\b(?:does|do|will) not {_NEED}(?: any| an?)?(?: visa)? {_PAPER}"
    rf"|\b(?:don't|doesn't|won't|never) {_NEED}(?: any| an?)?(?: visa)? {_PAPER}"
    rf"|\b{_NEED} no(?: visa)? {_PAPER}"
    rf"|\b{_PAPER}:? (?:is )?not {_NEED}"
    rf"|\bnone {_NEED}",
    re.I,
)
_DENIAL = re.compile(
    rf"\b(?:requires?|requiring|needs?|needing|will need|would need|will require|would require)"
    rf"(?: an?| visa| employer)? (?:visa )?(?:{_PAPER})"
    r"|\b(?:pending|expired|expiring|applying for|applied for|in process|awaiting|waiting for)\b"
    r"|\bnot (?:yet )?(?:authori[sz]ed|eligible|permitted|allowed)\b"
    r"|\bno (?:right to work|work (?:permit|visa|authori[sz]ation)|permit|visa)\b"
    r"|\bwithout (?:an? )?(?:work )?(?:permit|visa|authori[sz]ation)\b"
    rf"|\b{_PAPER} (?:is |would be |will be )?{_NEED}"
    r"|:\s*none\b"
    r"|\bineligible\b",
    re.I,
)
_GRANT = re.compile(
    r"\b(?:citizen\w*|national|passport|permanent resident\w*|settled status|indefinite leave"
    r"|green card|blue card|valid (?:work )?(?:permit|visa)|work permit|work visa"
    r"|(?:fully )?authori[sz]ed to work|eligible to work|right to work|entitled to work"
    r"|residence permit|niederlassungserlaubnis)\b",
    re.I,
)


@dataclass(frozen=True)
class Authorization:
    verdict: str  # authorised | denied | review
    reason: str
    places: tuple[str, ...] = ()  # places the statement names (normalised)


def places_in(statement: str) -> tuple[str, ...]:
    text = f" {statement.lower()} "
    found = []
    for place, words in PLACES.items():
        if any(re.search(rf"(?<![\w.]){re.escape(w)}(?![\w])", text) for w in words):
            found.append(place)
    return tuple(found)


FREE_MOVEMENT = frozenset((*EU, *EEA_EXTRA, "switzerland", "eu"))


def covers(place: str, job_country: str) -> bool:
    """Does a grant for ``place`` cover work in ``job_country``? Citizens of the EU, the EEA and
    Switzerland may work anywhere in that area (free movement of workers)."""
    job = _ALIASES.get(job_country.lower().strip(), job_country.lower().strip())
    return place == job or (place in FREE_MOVEMENT and job in FREE_MOVEMENT)


def read_authorization(statement: str, job_country: str | None = None) -> Authorization:
    """The verdict of one statement for a job in ``job_country`` (None: any place will do)."""
    text = " ".join(str(statement or "").split())
    if not text:
        return Authorization("review", "no statement")
    places = places_in(text)
    no_need = _NO_NEED.search(text)
    rest = _NO_NEED.sub(" ", text)  # what the grant-as-negated-need leaves
    denial = _DENIAL.search(rest)
    if denial and not no_need:
        return Authorization("denied", f"says '{denial.group(0).strip()}'", places)
    if not (no_need or _GRANT.search(rest)):
        return Authorization("review", f"cannot read '{text[:80]}'", places)
    if job_country and places and not any(covers(p, job_country) for p in places):
        where = ", ".join(places)
        return Authorization(
            "review", f"authorised for {where}, the job is in {job_country}", places
        )
    return Authorization("authorised", "authorised", places)
