"""`recruiter eval interview-flip`: does the decision move when only the interview changes?

The synthetic corpus writes ``counterfactual.jsonl`` beside its records: for a record whose label
is the documented rule's, the same record with interview answers on required skills turned from
concrete to vague (a select) or from vague to concrete (a reject), fewest first, until the rule's
label flips. Only those answers differ; role, job, resume and every other turn are the same. A
model that reads the transcript must move with them.

Pairs are those whose original record is in the prepared split being evaluated (held out from
training), in id order, at most ``eval.interview_flip.pairs``. Both sides are the corpus's raw
records (the engine masks PII the same way for both). Reported, overall and per direction:

* ``status_moved``: the status of the flipped record is the rule's new label and differs from the
  status of the original (the decision moved, the right way);
* ``p_moved``: P(select) moved the right way (down for concrete -> vague, up for the reverse);
* ``both_right``: both statuses are the rule's labels,

beside TF-IDF + LR and the evidence-feature LR fitted on the prepared train split.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..inference.decision import DecisionEngine


def load_pairs(
    corpus: str | Path, split_rows: Sequence[dict], limit: int
) -> list[tuple[dict, dict]]:
    """(original, flipped) raw records for the split's records, in id order, at most ``limit``."""
    corpus = Path(corpus)
    cf_path, rec_path = corpus / "counterfactual.jsonl", corpus / "records.jsonl"
    for p in (cf_path, rec_path):
        if not p.is_file():
            raise InputError(
                f"eval.interview_flip.corpus: {p} is missing (a `recruiter prepare synth` output "
                "written by this version has it)"
            )
    wanted = {str(r.get("id", "")).rsplit(":", 1)[-1] for r in split_rows}
    originals = {}
    with rec_path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["id"] in wanted:
                originals[rec["id"]] = rec
    pairs = []
    with cf_path.open(encoding="utf-8") as fh:
        for line in fh:
            cf = json.loads(line)
            if cf["of"] in originals:
                pairs.append((originals[cf["of"]], cf))
    pairs.sort(key=lambda p: p[0]["id"])
    return pairs[:limit]


def flip_metrics(pairs: Sequence[tuple[dict, dict]], status: list, p: list) -> dict:
    """``status``/``p``: decisions for the originals then the flipped records (2n each)."""
    n = len(pairs)
    out: dict = {"n_pairs": n}
    groups = {"all": range(n)}
    for direction in ("concrete->vague", "vague->concrete"):
        groups[direction] = [i for i, (_, cf) in enumerate(pairs) if cf["direction"] == direction]
    for name, idx in groups.items():
        idx = list(idx)
        if not idx:
            continue
        moved = right = pm = 0
        for i in idx:
            cf = pairs[i][1]
            s0, s1 = status[i], status[n + i]
            right += s0 == cf["original_decision"] and s1 == cf["decision"]
            moved += s1 == cf["decision"] and s0 != s1
            p0, p1 = p[i], p[n + i]
            if p0 is not None and p1 is not None:
                pm += (p1 < p0) if cf["decision"] == "reject" else (p1 > p0)
        out[name] = {
            "n": len(idx),
            "status_moved": moved / len(idx),
            "p_moved": pm / len(idx),
            "both_right": right / len(idx),
        }
    return out


def interview_flip(cfg, engine: DecisionEngine) -> dict:
    """The interview-flip report for ``cfg.eval`` (data, split) and ``cfg.eval.interview_flip``."""
    from ..splits import read_split
    from .baselines import evidence_logreg, tfidf_logreg

    e, c = cfg.eval, cfg.eval.interview_flip
    pairs = load_pairs(c.corpus, read_split(e.data, e.split), c.pairs)
    if not pairs:
        return {"n_pairs": 0, "note": f"no counterfactual pairs in {c.corpus} for this split"}
    rows = [o for o, _ in pairs] + [cf for _, cf in pairs]
    records, seconds = engine.decide_all(rows, channel="eval", label="interview-flip decisions")
    out: dict = {
        "data": e.data,
        "split": e.split,
        "corpus": str(c.corpus),
        "model": flip_metrics(
            pairs, [r.get("status") for r in records], [r.get("p_select") for r in records]
        ),  # fmt: skip
        "seconds": round(seconds, 1),
        "pairs": [
            {
                "id": o["id"],
                "direction": cf["direction"],
                "changed_skills": cf["changed_skills"],
                "status": [records[i].get("status"), records[len(pairs) + i].get("status")],
                "p_select": [records[i].get("p_select"), records[len(pairs) + i].get("p_select")],
            }
            for i, (o, cf) in enumerate(pairs)
        ],
    }
    train = read_split(e.data, "train")
    for name, fit in (("TF-IDF + LR", tfidf_logreg), ("evidence-feature LR", evidence_logreg)):
        pred, prob = fit(train, rows, seed=cfg.seed)
        out[name] = flip_metrics(pairs, list(pred), [float(x) for x in prob])
    return out


def interview_flip_md(r: dict) -> list[str]:
    lines = [f"## Interview flip: {r.get('data')} / {r.get('split')}", ""]
    if not r.get("model"):
        return [*lines, r.get("note", "no pairs"), ""]
    lines += [
        "The same record with interview answers turned concrete <-> vague until the documented "
        "rule's label flips (nothing else changed). Share of pairs whose decision moved the "
        "right way.",
        "",
        "| system | pairs | status moved | P(select) moved | both statuses right |",
        "|---|---|---|---|---|",
    ]
    for name in ("model", "TF-IDF + LR", "evidence-feature LR"):
        if name in r:
            m = r[name]["all"]
            lines.append(
                f"| {name} | {m['n']} | {m['status_moved']:.3f} | {m['p_moved']:.3f} | "
                f"{m['both_right']:.3f} |"
            )
    lines += [
        "",
        "| model, by direction | pairs | status moved | P(select) moved |",
        "|---|---|---|---|",
    ]
    for direction in ("concrete->vague", "vague->concrete"):
        m = r["model"].get(direction)
        if m:
            lines.append(
                f"| {direction} | {m['n']} | {m['status_moved']:.3f} | {m['p_moved']:.3f} |"
            )
    return [*lines, ""]


def interview_flip_plot(r: dict, run_dir) -> list[str]:
    if not r.get("pairs"):
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    for direction, color in (("concrete->vague", "#c44e52"), ("vague->concrete", "#55a868")):
        pts = [x["p_select"] for x in r["pairs"] if x["direction"] == direction]
        pts = [(a, b) for a, b in pts if a is not None and b is not None]
        if pts:
            a, b = np.array(pts).T
            ax.scatter(a, b, s=14, alpha=0.7, color=color, label=direction)
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8)
    ax.set_xlabel("P(select), original interview")
    ax.set_ylabel("P(select), flipped answers")
    ax.set_title("interview flip")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(run_dir / "interview_flip.png", dpi=110)
    plt.close(fig)
    return ["interview_flip.png"]
