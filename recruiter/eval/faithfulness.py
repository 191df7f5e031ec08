"""Are the facts a decision's reasoning cites true? Checked against the synthetic corpus' ground truth.

A decision can be right for the wrong reasons, and a reasoning can read well while every number
in it is wrong. On the synthetic corpus the facts behind each label are known (the generator's
latent rule: share of required skills covered, years of experience against the minimum, how many
interview answers were concrete, mandatory languages, red flags), so a model trained on the
generator's reasoning format can be checked fact by fact:

* ``skills_count``: the cited "Covers k/n required skills" equals the truth (both k and n);
* ``years_exact`` / ``years_within_half``: the cited years of experience (and ``min_years``:
  the cited requirement);
* ``interview_competent`` / ``interview_both``: how many answers it calls concrete (and vague);
* ``languages`` / ``red_flag``: whether it cites a language shortfall / a red flag, as the truth;
* ``status_follows_own_facts``: its status is what the rule gives on the facts it cited (is the
  decision consistent with its reasoning?); ``status_follows_true_facts``: what the rule gives on
  the true facts (the noise-free label).

The ground truth is not stored with the data: :func:`corpus_truth` regenerates the corpus from the
settings in the corpus folder's resolved ``config.yaml`` (the generator is deterministic) and
uses it only if the regenerated ``records.jsonl`` is byte-identical to the one on disk. Any other
data (real exports, hand-made folders) gets no faithfulness numbers, and a note says why.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from ..prepare import synth
from ..prepare import synth_text as T

_COVERS = re.compile(r"Covers (\d+)/(\d+) required skills")
_YEARS = re.compile(r"(\d+(?:\.\d+)?) years vs (\d+(?:\.\d+)?) required")
_GOOD = re.compile(r"answered the (.+?) questions? concretely")
_BAD = re.compile(r"(?:vague on|no hands-on answer on|could not give an example for) ([^;.]+)")
_LANG_SHORT = re.compile(r"below the required")
# the cited-fact shares :func:`faithfulness` reports (beside the two "status follows" shares)
FACTS = (
    "skills_count",
    "years_exact",
    "years_within_half",
    "min_years",
    "interview_competent",
    "interview_both",
    "languages",
    "red_flag",
)


def skill_topics() -> dict[str, set[str]]:
    """Skill label -> the topic phrases the reasoning uses for it (labels recur across roles)."""
    out: dict[str, set[str]] = {}
    for occ in T.OCCUPATIONS:
        for skill in occ["skills"]:
            out.setdefault(skill[0], set()).add(skill[1].lower())
    return out


def truth_for(cfg, what: str = "faithfulness") -> tuple[dict[str, dict] | None, str | None]:
    """:func:`corpus_truth` of the corpus behind ``cfg.eval.data`` (``retrieval.corpus`` when
    set), or ``(None, "<what> skipped: why")``."""
    from ..errors import InputError
    from ..retrieval.data import corpus_of

    try:
        corpus = cfg.retrieval.corpus or corpus_of(Path(cfg.eval.data))
    except InputError as exc:
        return None, f"{what} skipped: {str(exc).splitlines()[0][:160]}"
    truth, note = corpus_truth(corpus)
    return truth, (note.replace("faithfulness skipped", f"{what} skipped") if note else None)


def corpus_truth(corpus: str | Path) -> tuple[dict[str, dict] | None, str | None]:
    """``(record id -> true facts, None)`` for a generator-made corpus folder, else ``(None, why)``."""
    corpus = Path(corpus)
    cfg_path, records = corpus / "config.yaml", corpus / "records.jsonl"
    if not cfg_path.is_file() or not records.is_file():
        return None, f"faithfulness skipped: {corpus} is not a `recruiter prepare synth` folder"
    s = ((yaml.safe_load(cfg_path.read_text()) or {}).get("prepare") or {}).get("synth") or {}
    keys = (
        "n_records",
        "seed",
        "label_noise",
        "dup_rate",
        "near_dup_rate",
        "spam_rate",
        "leak_rate",
    )
    if any(k not in s for k in keys):
        return None, f"faithfulness skipped: {cfg_path} has no complete prepare.synth section"
    corpus_obj = synth.generate(*(s[k] for k in keys))
    regenerated = hashlib.sha256(synth._jsonl(corpus_obj.records).encode()).hexdigest()
    if regenerated != hashlib.sha256(records.read_bytes()).hexdigest():
        return None, (
            f"faithfulness skipped: {records} differs from what the generator makes with its "
            "config (another generator version, or edited)"
        )
    jobs = {j["job_id"]: j for j in corpus_obj.jobs}
    skills = {c["candidate_id"]: c["skills"] for c in corpus_obj.candidates}
    truth = {}
    for rec, m in zip(corpus_obj.records, corpus_obj.meta, strict=True):
        if m["coverage"] is None:  # spam rows: no rule features
            continue
        req = jobs[rec["job_id"]]["required_skills"]
        have = skills.get(rec["candidate_id"], [])
        truth[m["id"]] = {
            "covered_skills": [s for s in req if s in have],
            "mandatory_languages": jobs[rec["job_id"]]["mandatory_languages"],
            "competent_skills": m["competent_skills"],
            "required": req,
            "covered": round(m["coverage"] * len(req)),
            "years": m["years"],
            "min_years": m["min_years"],
            "competent": m["competent"],
            "vague": m["vague"],
            "languages_ok": m["languages_ok"],
            "red_flag": bool(m["red_flag"]),
            "rule": m["true_label"],
        }
    return truth, None


def cited_facts(reasoning: str, required: list[str], topics: Mapping[str, set[str]]) -> dict | None:
    """The facts a reasoning in the generator's format states, or ``None`` if it states neither
    the skills count nor the years. Interview answers are counted by the required skills whose
    topic phrase appears in the "concretely" / "vague on" clauses (topics can contain "and")."""
    mc, my = _COVERS.search(reasoning), _YEARS.search(reasoning)
    if mc is None or my is None:
        return None

    def count(text: str) -> int:
        # Longest topic first, each match blanked out: "driving" is not counted again inside
        # "defensive driving"; whole words only: the topic "R" is not the r in "scikit-learn".
        text, found = text.lower(), set()
        pairs = sorted(
            ((t, s) for s in required for t in topics.get(s, ())), key=lambda p: -len(p[0])
        )
        for topic, skill in pairs:
            rx = re.compile(rf"(?<!\w){re.escape(topic)}(?!\w)")
            if skill not in found and rx.search(text):
                found.add(skill)
                text = rx.sub(" ", text)
        return len(found)

    good = _GOOD.search(reasoning)
    return {
        "covered": int(mc.group(1)),
        "n_required": int(mc.group(2)),
        "years": float(my.group(1)),
        "min_years": float(my.group(2)),
        "competent": count(good.group(1)) if good else 0,
        "vague": sum(count(b) for b in _BAD.findall(reasoning)),
        "languages_ok": _LANG_SHORT.search(reasoning) is None,
        "red_flag": "no red flags" not in reasoning.lower(),
    }


def _rule(f: Mapping, n_required: int) -> str:
    coverage = f["covered"] / n_required if n_required else 0.0
    return synth.decide(
        coverage,
        f["years"],
        f["min_years"],
        f["languages_ok"],
        f["competent"],
        f["vague"],
        int(f["red_flag"]),
    )


def faithfulness(records: list[dict], rows: list[dict], truth: Mapping[str, dict]) -> dict:
    """Shares (over the records with ground truth and a decision) of cited facts that are true."""
    topics = skill_topics()
    keys = FACTS + ("status_follows_own_facts", "status_follows_true_facts")
    hits = dict.fromkeys(keys, 0)
    n = parsed = 0
    for rec, row in zip(records, rows, strict=True):
        t = truth.get(str(row.get("id", "")).rsplit(":", 1)[-1])
        if t is None or rec.get("status") is None:
            continue
        n += 1
        hits["status_follows_true_facts"] += rec["status"] == t["rule"]
        c = cited_facts(str(rec.get("reasoning") or ""), t["required"], topics)
        if c is None:
            continue
        parsed += 1
        hits["skills_count"] += c["covered"] == t["covered"] and c["n_required"] == len(
            t["required"]
        )
        hits["years_exact"] += abs(c["years"] - t["years"]) < 0.05
        hits["years_within_half"] += abs(c["years"] - t["years"]) <= 0.5
        hits["min_years"] += c["min_years"] == t["min_years"]
        hits["interview_competent"] += c["competent"] == t["competent"]
        hits["interview_both"] += c["competent"] == t["competent"] and c["vague"] == t["vague"]
        hits["languages"] += c["languages_ok"] == t["languages_ok"]
        hits["red_flag"] += c["red_flag"] == t["red_flag"]
        hits["status_follows_own_facts"] += rec["status"] == _rule(c, c["n_required"])
    out: dict = {"n": n, "parsed": parsed}
    for k in keys:
        denom = n if k == "status_follows_true_facts" else parsed
        out[k] = hits[k] / denom if denom else None
    return out
