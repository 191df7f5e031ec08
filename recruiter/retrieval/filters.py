"""Hard filters applied before any ranking, each exclusion with a reason a recruiter can read.

A filter excludes only on *evidence*: a candidate who states languages but not the mandatory
one at its level, or who is based elsewhere and not willing to relocate, is out. Missing data is
never evidence: a candidate without a languages list, location or work-authorisation statement
passes with an ``unverified`` note, because excluding them would punish incomplete profiles
(often a parsing problem, not the candidate's) and hide them from the human reviewer.

Filters:

* **mandatory languages** at the required CEFR level (``native`` above ``C2``);
* **location**: ``remote`` jobs pass everyone; ``onsite`` and ``hybrid`` need the same city, a
  geodesic distance (geopy, WGS-84) within ``commute_km`` when both sides have coordinates, the
  same country when the job names no city, or willingness to relocate;
* **mandatory criteria**: a criterion about work authorisation is checked against the
  candidate's ``work_authorization`` statement, read with its negations against the job's country
  (:mod:`.workauth`: a statement that denies it excludes; a grant for another place, an unreadable
  statement or none is unverified, with the reason); other criteria (licences, registrations) cannot be checked from structured
  fields and are always reported as unverified for the reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .workauth import read_authorization

CEFR = ("A1", "A2", "B1", "B2", "C1", "C2", "native")


@dataclass
class FilterResult:
    passed: bool
    reasons: list[str] = field(default_factory=list)  # why excluded
    unverified: list[str] = field(default_factory=list)  # what a human should check

    def as_dict(self) -> dict:
        return {"passed": self.passed, "reasons": self.reasons, "unverified": self.unverified}


def level_at_least(level: str, required: str) -> bool:
    return CEFR.index(level) >= CEFR.index(required)


def _norm(text: str | None) -> str:
    return " ".join(str(text or "").lower().split())


def check_languages(candidate: Mapping, job: Mapping) -> tuple[list[str], list[str]]:
    required = job.get("mandatory_languages") or []
    if not required:
        return [], []
    spoken = candidate.get("languages")
    if not spoken:
        names = ", ".join(f"{m['name']} {m['level']}" for m in required)
        return [], [f"languages not stated (job requires {names})"]
    levels = {_norm(s["name"]): s["level"] for s in spoken}
    reasons = []
    for m in required:
        have = levels.get(_norm(m["name"]))
        if have is None:
            reasons.append(f"mandatory language {m['name']} ({m['level']}) not listed")
        elif not level_at_least(have, m["level"]):
            reasons.append(f"{m['name']} {have} is below the required {m['level']}")
    return reasons, []


def distance_km(a: Mapping, b: Mapping) -> float | None:
    if not all(isinstance(x.get(k), int | float) for x in (a, b) for k in ("lat", "lon")):
        return None
    from geopy.distance import geodesic

    return float(geodesic((a["lat"], a["lon"]), (b["lat"], b["lon"])).km)


def check_location(
    candidate: Mapping, job: Mapping, commute_km: float
) -> tuple[list[str], list[str]]:
    presence = job.get("presence", "onsite")
    where = job.get("location") or {}
    if presence == "remote" or not where:
        return [], []
    here = candidate.get("location") or {}
    if not here:
        return [], ["candidate location not stated"]
    if candidate.get("willing_to_relocate"):
        return [], []
    same_city = where.get("city") and _norm(here.get("city")) == _norm(where.get("city"))
    same_country = _norm(here.get("country")) == _norm(where.get("country"))
    km = distance_km(here, where)
    if same_city or (km is not None and km <= commute_km):
        return [], []
    if not where.get("city") and same_country and where.get("country"):
        return [], []
    place = ", ".join(x for x in (here.get("city"), here.get("country")) if x) or "elsewhere"
    target = ", ".join(x for x in (where.get("city"), where.get("country")) if x)
    dist = f", {km:,.0f} km away" if km is not None else ""
    return [
        f"{presence} job in {target}; candidate is based in {place}{dist} and not willing to relocate"
    ], []


def check_criteria(candidate: Mapping, job: Mapping) -> tuple[list[str], list[str]]:
    reasons, unverified = [], []
    for crit in job.get("mandatory_criteria") or []:
        text = _norm(f"{crit['name']} {crit['description']}")
        if re.search(r"work (authori[sz]ation|permit)|right to work|visa", text):
            statement = candidate.get("work_authorization")
            if not statement:
                unverified.append(f"{crit['name']}: no statement")
                continue
            country = (job.get("location") or {}).get("country")
            got = read_authorization(statement, country)
            if got.verdict == "denied":
                reasons.append(
                    f"{crit['name']}: candidate states '{statement[:80]}' ({got.reason})"
                )
            elif got.verdict == "review":
                unverified.append(f"{crit['name']}: {got.reason}")
        else:
            unverified.append(f"{crit['name']}: check by hand ({crit['description'][:80]})")
    return reasons, unverified


def apply_filters(candidate: Mapping, job: Mapping, commute_km: float = 60.0) -> FilterResult:
    reasons, unverified = [], []
    for check in (
        check_languages(candidate, job),
        check_location(candidate, job, commute_km),
        check_criteria(candidate, job),
    ):
        reasons += check[0]
        unverified += check[1]
    return FilterResult(not reasons, reasons, unverified)
