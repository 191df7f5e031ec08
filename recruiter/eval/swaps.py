"""Counterfactual swaps: the same record with only a name, a gender or an age proxy changed.

* **Names.** Groups of full names, by origin and sex. The default list is built from Faker
  (seeded, so it is the same everywhere) for eight Latin-script locales — en_US, de_DE, es_MX,
  en_IN, yo_NG, vi_VN, tr_TR, pl_PL — times male/female, 50 names per group. *Limits:* a Faker
  locale is a proxy for the origin a name signals to a reader, not an ethnicity; its lists mix
  in generic names, and non-Latin scripts are left out (a different test). Any JSON file
  ``{"group": ["First Last", …]}`` can replace it (``eval.fairness.names``), and so can a folder
  with ``top_mens_names.json`` / ``top_womens_names.json`` keyed by group (the layout of the
  names in the Bloomberg GPT-hiring study), which gives groups ``<key>-men`` / ``<key>-women``.
  A swap puts the name wherever the record has its ``[NAME]`` placeholder (prepared data is
  masked) or its ``name``, and sets ``name``.
* **Gender.** Pronouns, titles and gendered words are exchanged both ways (he <-> she, his <->
  her, Mr <-> Ms, husband <-> wife, …), keeping capitalisation. Records without such words stay
  unchanged; the report gives the share that changed.
* **Age.** Years on education lines (degree words nearby) move ``age_shift`` years earlier, so
  the graduation year says "older" while experience stays the same.

Each function returns a new dict and changes nothing else; tests pin that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

TEXT_FIELDS = ("resume", "transcript")
DEFAULT_LOCALES = ("en_US", "de_DE", "es_MX", "en_IN", "yo_NG", "vi_VN", "tr_TR", "pl_PL")

_PAIRS = [
    ("he", "she"),
    ("him", "her"),
    ("his", "her"),
    ("himself", "herself"),
    ("man", "woman"),
    ("men", "women"),
    ("male", "female"),
    ("husband", "wife"),
    ("father", "mother"),
    ("son", "daughter"),
    ("brother", "sister"),
    ("boyfriend", "girlfriend"),
    ("gentleman", "lady"),
    ("sir", "madam"),
    ("boy", "girl"),
    ("paternity", "maternity"),
]
_SWAP = {}
for a, b in _PAIRS:
    _SWAP.setdefault(a, b)
    _SWAP.setdefault(b, a)
_SWAP["her"] = "his"  # ambiguous (him/his); "his" keeps noun phrases grammatical more often
# Titles only before a name: "ms" alone is milliseconds in many resumes.
_TITLE = re.compile(r"\b(Mr|Mrs|Ms)(\.?)(?=\s+[A-Z\[])")
_TITLE_SWAP = {"Mr": "Ms", "Mrs": "Mr", "Ms": "Mr"}
_GENDER_RE = re.compile(r"\b(" + "|".join(sorted(_SWAP, key=len, reverse=True)) + r")\b\.?", re.I)
_EDU_LINE = re.compile(
    r"\b(bsc|msc|ba|ma|mba|phd|b\.?sc|m\.?sc|bachelor|master|doctor|diploma|degree|university|college|school|graduated|education)\b",
    re.I,
)
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def default_names(per_group: int = 50, seed: int = 0) -> dict[str, list[str]]:
    from faker import Faker

    groups: dict[str, list[str]] = {}
    for loc in DEFAULT_LOCALES:
        for sex in ("male", "female"):
            f = Faker(loc)
            f.seed_instance(seed)
            first = f.first_name_male if sex == "male" else f.first_name_female
            names, tries = [], 0
            while len(names) < per_group and tries < per_group * 20:
                tries += 1
                name = f"{first()} {f.last_name()}"
                if name not in names:
                    names.append(name)
            groups[f"{loc}-{sex}"] = names
    return groups


def load_names(
    source: str | Path | None, per_group: int = 50, seed: int = 0
) -> dict[str, list[str]]:
    if source is None:
        return default_names(per_group, seed)
    path = Path(source)
    if path.is_dir():
        groups = {}
        for fname, sex in (("top_mens_names.json", "men"), ("top_womens_names.json", "women")):
            data = json.loads((path / fname).read_text())
            for key, names in data.items():
                groups[f"{key}-{sex}"] = [n.title() for n in names]
        return groups
    data = json.loads(path.read_text())
    return {str(k): [str(n) for n in v] for k, v in data.items()}


def swap_name(record: Mapping, name: str) -> dict:
    out = dict(record)
    old = str(record.get("name") or "").strip()
    for f in TEXT_FIELDS:
        text = str(record.get(f) or "")
        text = text.replace("[NAME]", name)
        if old:
            text = re.sub(rf"\b{re.escape(old)}\b", name, text)
        out[f] = text
    out["name"] = name
    return out


def _swap_word(match: re.Match) -> str:
    word = match.group(1)
    dot = match.group(0)[len(word) :]
    new = _SWAP[word.lower()]
    if word.isupper() and len(word) > 1:
        new = new.upper()
    elif word[0].isupper():
        new = new.capitalize()
    return new + dot


def swap_gender(record: Mapping) -> dict:
    out = dict(record)
    for f in TEXT_FIELDS:
        text = _GENDER_RE.sub(_swap_word, str(record.get(f) or ""))
        out[f] = _TITLE.sub(lambda m: _TITLE_SWAP[m.group(1)] + m.group(2), text)
    return out


def shift_age(record: Mapping, years: int = 20) -> dict:
    out = dict(record)
    for f in TEXT_FIELDS:
        lines = []
        for line in str(record.get(f) or "").split("\n"):
            if _EDU_LINE.search(line):
                line = _YEAR.sub(lambda m: str(int(m.group(1)) - years), line)
            lines.append(line)
        out[f] = "\n".join(lines)
    return out


def changed(a: Mapping, b: Mapping) -> bool:
    return any(a.get(f) != b.get(f) for f in TEXT_FIELDS)
