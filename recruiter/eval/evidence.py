"""`recruiter eval evidence`: how often the evidence sheet finds each fact, and how often it is right.

On any prepared data it reports **coverage**: the share of records where each sheet field was
found (required skills in the job ad, at least one of them in the resume, minimum years, dated
roles, the job's languages, the candidate's languages, interview question/answer pairs, questions
tagged with a required skill), overall and per source file.

On a generator-made corpus (``recruiter prepare synth``; the ground truth is regenerated as for
:mod:`.faithfulness`) it also reports **accuracy** against the truth:

* ``required_list``: the extracted required skills are the job's, one phrase per skill;
* ``covered_exact``: the number of required skills found in the resume equals the truth, and
  per required skill the matcher's precision and recall;
* ``years_exact``: years from dated roles within 0.05 of the truth (a resume without dated roles
  reads as 0 years);
* ``min_years``, ``job_languages`` (name and level, over job ads that state them),
  ``languages_met`` (the sheet's "all required languages at level" equals the truth);
* ``interview_tagged``: three questions tagged with required skills, among them every skill the
  candidate answered concretely.

It also sweeps ``inference.evidence_match_threshold`` over ``eval.evidence_sweep`` on the
validation split (covered-exact per threshold), which is how the default was chosen.
The extraction never reads the generator's tables; only this report does, to score it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from ..inference.evidence import Sheet, build_sheet, default_matcher
from ..splits import read_split
from . import faithfulness as faith

COVERAGE = (
    "required_skills",
    "skill_found_in_resume",
    "min_years",
    "dated_roles",
    "job_languages",
    "candidate_languages",
    "interview_pairs",
    "skill_questions",
)
ACCURACY = (
    "required_list",
    "covered_exact",
    "years_exact",
    "min_years",
    "job_languages",
    "languages_met",
    "interview_tagged",
)


def sheets_for(rows: list[dict], matcher) -> list[Sheet]:
    return [build_sheet(r, matcher, as_of=r.get("as_of")) for r in rows]


def coverage(sheets: list[Sheet]) -> dict[str, float]:
    n = len(sheets) or 1
    tests = {
        "required_skills": lambda s: bool(s.required),
        "skill_found_in_resume": lambda s: s.found > 0,
        "min_years": lambda s: s.min_years is not None,
        "dated_roles": lambda s: bool(s.roles),
        "job_languages": lambda s: bool(s.job_languages),
        "candidate_languages": lambda s: bool(s.languages),
        "interview_pairs": lambda s: bool(s.interview),
        "skill_questions": lambda s: any(qa.topic_kind == "skill" for qa in s.interview),
    }
    return {k: round(sum(map(f, sheets)) / n, 4) for k, f in tests.items()}


def _is(phrase: str, label: str, topics: Mapping[str, set[str]]) -> bool:
    return phrase.lower() in {label.lower(), *topics.get(label, set())}


def accuracy(rows: list[dict], sheets: list[Sheet], truth: Mapping[str, dict]) -> dict:
    """Sheet fields against the generator's truth (see the module docstring)."""
    topics = faith.skill_topics()
    hits = dict.fromkeys(ACCURACY, 0)
    denom = dict.fromkeys(ACCURACY, 0)
    tp = fp = fn = 0
    for row, sheet in zip(rows, sheets, strict=True):
        t = truth.get(str(row.get("id", "")).rsplit(":", 1)[-1])
        if t is None:
            continue
        for k in ACCURACY:
            denom[k] += 1
        want = t["required"]
        got = [c.skill for c in sheet.required]
        owner = {
            c.skill: next((w for w in want if _is(c.skill, w, topics)), None)
            for c in sheet.required
        }
        hits["required_list"] += len(got) == len(want) and all(
            any(_is(g, w, topics) for g in got) for w in want
        )
        hits["covered_exact"] += sheet.found == len(t["covered_skills"])
        for c in sheet.required:
            truly = owner[c.skill] in t["covered_skills"]
            if owner[c.skill] is None:
                continue
            tp += c.found and truly
            fp += c.found and not truly
            fn += truly and not c.found
        years = sheet.years if sheet.years is not None else 0.0
        hits["years_exact"] += abs(years - t["years"]) < 0.05
        hits["min_years"] += sheet.min_years == t["min_years"]
        if sheet.job_languages:
            stated = {(lg.name, lg.level) for lg in sheet.job_languages}
            hits["job_languages"] += stated == {
                (m["name"], m["level"]) for m in t["mandatory_languages"]
            }
        else:
            denom["job_languages"] -= 1
        hits["languages_met"] += (sheet.languages_met() is True) == bool(t["languages_ok"])
        tagged = [qa.topic for qa in sheet.interview if qa.topic_kind == "skill"]
        hits["interview_tagged"] += len(tagged) == t["competent"] + t["vague"] and all(
            any(_is(q, s, topics) or _is(q, s, {s: {s.lower()}}) for q in tagged)
            or any(owner.get(q) == s for q in tagged)
            for s in t["competent_skills"]
        )
    out = {k: round(hits[k] / denom[k], 4) if denom[k] else None for k in ACCURACY}
    out["n"] = max(denom.values())
    out["job_languages_n"] = denom["job_languages"]
    out["skill_precision"] = round(tp / (tp + fp), 4) if tp + fp else None
    out["skill_recall"] = round(tp / (tp + fn), 4) if tp + fn else None
    return out


def evidence_report(cfg) -> dict:
    """Coverage (any data) and accuracy (synthetic corpus) of the evidence sheet on ``eval.split``."""
    e = cfg.eval
    rows = read_split(e.data, e.split, e.max_examples)
    threshold = cfg.inference.evidence_match_threshold
    matcher = default_matcher(threshold)
    t0 = time.perf_counter()
    sheets = sheets_for(rows, matcher)
    seconds = time.perf_counter() - t0
    sources = sorted({str(r.get("source") or "") for r in rows})
    result: dict = {
        "data": e.data,
        "split": e.split,
        "n": len(rows),
        "match_threshold": threshold,
        "seconds_per_record": round(seconds / max(1, len(rows)), 4),
        "coverage": coverage(sheets),
        "coverage_per_source": {
            s: {"n": sum(str(r.get("source") or "") == s for r in rows),
                **coverage([sh for r, sh in zip(rows, sheets, strict=True) if str(r.get("source") or "") == s])}
            for s in sources
        },
        "notes": [],
    }  # fmt: skip
    truth, note = faith.truth_for(cfg, "accuracy")
    if truth is None:
        result["notes"].append(note)
        return result
    result["accuracy"] = accuracy(rows, sheets, truth)
    val = read_split(e.data, "validation", e.max_validation_examples)
    sweep = {}
    for th in e.evidence_sweep:
        acc = accuracy(val, sheets_for(val, default_matcher(th)), truth)
        sweep[str(th)] = {k: acc[k] for k in ("covered_exact", "skill_precision", "skill_recall")}
    result["threshold_sweep_validation"] = sweep
    return result


def evidence_md(r: dict) -> list[str]:
    lines = [
        f"## Evidence sheet: {r['data']} / {r['split']} ({r['n']} records)",
        "",
        f"Skill match threshold (MiniLM cosine) {r['match_threshold']}; "
        f"{r['seconds_per_record'] * 1000:.0f} ms per record.",
        "",
    ]
    if "accuracy" in r:
        a = r["accuracy"]
        lines += ["| field | accuracy vs the generator's truth |", "|---|---|"]
        lines += [f"| {k} | {a[k] if a[k] is not None else '–'} |" for k in ACCURACY]
        lines += [
            f"| skill_precision | {a['skill_precision']} |",
            f"| skill_recall | {a['skill_recall']} |",
            "",
            f"Over {a['n']} records with ground truth (job_languages over the "
            f"{a['job_languages_n']} job ads that state languages).",
            "",
            "Threshold sweep on the validation split (covered-exact / precision / recall):",
            "",
        ]
        lines += [
            f"- {th}: {v['covered_exact']} / {v['skill_precision']} / {v['skill_recall']}"
            for th, v in r["threshold_sweep_validation"].items()
        ]
        lines.append("")
    head = "| source | n | " + " | ".join(COVERAGE) + " |"
    lines += ["Coverage (share of records where the field was found):", "", head,
              "|" + "---|" * (len(COVERAGE) + 2)]  # fmt: skip
    rows = [("all", {"n": r["n"], **r["coverage"]}), *r["coverage_per_source"].items()]
    for name, c in rows:
        lines.append(f"| {name} | {c['n']} | " + " | ".join(f"{c[k]:.3f}" for k in COVERAGE) + " |")
    lines += ["", *[f"- {n}" for n in r.get("notes", [])]]
    return lines


def evidence_plot(r: dict, run_dir: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.6))
    keys = list(COVERAGE)
    ax.barh(keys, [r["coverage"][k] for k in keys], color="#4c72b0", label="coverage")
    if "accuracy" in r:
        acc = [r["accuracy"].get(k) for k in ACCURACY]
        ax.barh(
            [f"acc: {k}" for k in ACCURACY],
            [a or 0 for a in acc],
            color="#55a868",
            label="accuracy",
        )
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    ax.set_title("evidence sheet: coverage and accuracy")
    fig.tight_layout()
    fig.savefig(run_dir / "evidence.png", dpi=110)
    plt.close(fig)
    return ["evidence.png"]
