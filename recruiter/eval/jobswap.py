"""`recruiter eval job-swap`: does the model read the job? A fit test whose truth is not in doubt.

Historical labels are weak judges of fit (leaky, random, or constant per job). This test needs no
label beyond the data's own: take candidates the data **selected** for their job and show each one
twice, with their own role and job description (a fit: should be selected) and with the role and
job description of a different kind of job that also selected someone (not a fit: should be
rejected). The swapped job is itself a "selecting" job, so the job text alone cannot tell the
pairs apart; only reading the candidate against the job can.

Pairing (deterministic by ``seed``): candidates labelled select are sampled; each gets a swap job
drawn from the selected rows whose role title is from another family: MiniLM cosine of the two
role titles below ``eval.job_swap.max_title_similarity`` and no shared title word (seniority
words aside). Reported, overall and per source file: AUC of P(select) (own = positive), own-job
select rate, swapped-job reject rate, beside TF-IDF + LR and the evidence-feature LR, both trained
on pairs built the same way from the train split (other candidates, other pairs).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

import numpy as np

from ..inference.decision import DecisionEngine
from ..metrics import roc_auc

_SENIORITY = {"senior", "junior", "lead", "staff", "principal", "head", "chief", "associate",
              "intern", "trainee", "i", "ii", "iii", "of", "and", "the", "a", "&", "-"}  # fmt: skip


def _title_words(title: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9+#]+", title.lower()) if w not in _SENIORITY}


def swap_pairs(
    rows: Sequence[dict], n: int, seed: int, max_title_similarity: float = 0.5, embed=None
) -> list[tuple[dict, dict]]:
    """``n`` (own, swapped) pairs from ``rows``' selected candidates (fewer if the data has fewer).

    ``embed(titles) -> unit vectors`` gives title similarity (MiniLM by default); two titles that
    share a word are never "another family" whatever their cosine.
    """
    selected = [r for r in rows if r["label"] == "select"]
    titles = sorted({" ".join(str(r["role"]).split()) for r in selected})
    if len(titles) < 2:
        return []
    if embed is None:
        from ..retrieval.encoder import FrozenEncoder

        embed = FrozenEncoder().encode
    vecs = np.asarray(embed(titles))
    sim = vecs @ vecs.T
    index = {t: i for i, t in enumerate(titles)}
    by_title: dict[str, list[dict]] = {}
    for r in selected:
        by_title.setdefault(" ".join(str(r["role"]).split()), []).append(r)
    rng = random.Random(seed)
    order = list(selected)
    rng.shuffle(order)
    pairs = []
    for own in order:
        t = " ".join(str(own["role"]).split())
        others = [
            u
            for u in titles
            if sim[index[t], index[u]] < max_title_similarity
            and not (_title_words(t) & _title_words(u))
        ]
        if not others:
            continue
        job = rng.choice(by_title[rng.choice(others)])
        swapped = {
            **own,
            "id": f"{own.get('id', '')}#swap",
            "role": job["role"],
            "job_description": job["job_description"],
            "label": "reject",
            "swapped_from": job.get("id"),
        }
        pairs.append((own, swapped))
        if len(pairs) >= n:
            break
    return pairs


def _rates(y: list[int], p: list[float], pred: list[str | None]) -> dict:
    own = [s for s, t in zip(pred, y, strict=True) if t == 1]
    swapped = [s for s, t in zip(pred, y, strict=True) if t == 0]
    return {
        "n_pairs": len(own),
        "auc": roc_auc(np.asarray(y), np.asarray(p, dtype=float)) if len(set(y)) == 2 else None,
        "own_select_rate": sum(s == "select" for s in own) / len(own) if own else None,
        "swapped_reject_rate": sum(s == "reject" for s in swapped) / len(swapped)
        if swapped
        else None,
    }


def _role_similarity(test: list[dict], y: list[int], cfg) -> dict:
    """AUC of one untrained number: the evidence sheet's similarity of the role to its closest
    resume line (no threshold, so no rates)."""
    from ..inference.evidence import build_sheet, default_matcher

    matcher = default_matcher(cfg.inference.evidence_match_threshold)
    sims = [build_sheet(r, matcher, as_of=r.get("as_of")).role_match.similarity for r in test]
    rates = _rates(y, sims, [None] * len(y))
    return {**rates, "own_select_rate": None, "swapped_reject_rate": None}


def job_swap(cfg, engine: DecisionEngine, embed=None) -> dict:
    """The job-swap report for ``cfg.eval`` (data, split) with ``cfg.eval.job_swap`` settings."""
    from ..splits import read_split
    from .baselines import evidence_logreg, tfidf_logreg

    e, js = cfg.eval, cfg.eval.job_swap
    rows = read_split(e.data, e.split)
    pairs = swap_pairs(rows, js.pairs, cfg.seed, js.max_title_similarity, embed)
    if not pairs:
        return {"n_pairs": 0, "note": "no selected candidates from two role families to pair"}
    test = [x for pair in pairs for x in pair]
    train_pairs = swap_pairs(
        read_split(e.data, "train"), js.train_pairs, cfg.seed + 1, js.max_title_similarity, embed
    )
    train = [x for pair in train_pairs for x in pair]
    y = [int(r["label"] == "select") for r in test]
    records, seconds = engine.decide_all(test, channel="eval", label="job-swap decisions")
    p = [r.get("p_select") if r.get("p_select") is not None else 0.5 for r in records]
    out: dict = {
        "data": e.data,
        "split": e.split,
        "max_title_similarity": js.max_title_similarity,
        "model": _rates(y, p, [r.get("status") for r in records]),
        "seconds": round(seconds, 1),
        "pairs": [
            {
                "id": own.get("id"),
                "source": own.get("source"),
                "own_role": own["role"],
                "swapped_role": sw["role"],
                "p_own": p[2 * i],
                "p_swapped": p[2 * i + 1],
                "status_own": records[2 * i].get("status"),
                "status_swapped": records[2 * i + 1].get("status"),
            }
            for i, (own, sw) in enumerate(pairs)
        ],
    }
    if len({r["label"] for r in train}) == 2:
        for name, fit in (("TF-IDF + LR", tfidf_logreg), ("evidence-feature LR", evidence_logreg)):
            pred, prob = fit(train, test, seed=cfg.seed)
            out[name] = _rates(y, prob, pred)
        out["train_pairs"] = len(train_pairs)
        out["role-line similarity"] = _role_similarity(test, y, cfg)
    else:
        out["note"] = "baselines skipped: the train split yields no pairs"
    sources = sorted({str(r.get("source") or "") for r in test})
    out["per_source"] = {}
    for s in sources:
        idx = [i for i, r in enumerate(test) if str(r.get("source") or "") == s]
        out["per_source"][s] = _rates(
            [y[i] for i in idx], [p[i] for i in idx], [records[i].get("status") for i in idx]
        )
    return out


def job_swap_md(r: dict) -> list[str]:
    lines = [f"## Job swap: {r.get('data')} / {r.get('split')}", ""]
    if not r.get("model"):
        return [*lines, r.get("note", "no pairs"), ""]
    lines += [
        "Selected candidates shown with their own job (should select) and with a selecting job "
        f"of another role family (title cosine < {r['max_title_similarity']}; should reject).",
        "",
        "| system | pairs | AUC | own-job select rate | swapped-job reject rate |",
        "|---|---|---|---|---|",
    ]

    def fmt(x):
        return "–" if x is None else f"{x:.3f}"

    for name in ("model", "TF-IDF + LR", "evidence-feature LR", "role-line similarity"):
        if name in r:
            m = r[name]
            lines.append(
                f"| {name} | {m['n_pairs']} | {fmt(m['auc'])} | {fmt(m['own_select_rate'])} | "
                f"{fmt(m['swapped_reject_rate'])} |"
            )
    lines += ["", "| source | pairs | AUC | own select | swapped reject |", "|---|---|---|---|---|"]
    for s, m in r.get("per_source", {}).items():
        lines.append(
            f"| {s} | {m['n_pairs']} | {fmt(m['auc'])} | {fmt(m['own_select_rate'])} | "
            f"{fmt(m['swapped_reject_rate'])} |"
        )
    if r.get("train_pairs") is not None:
        lines += [
            "",
            f"Baselines trained on {r['train_pairs']} pairs from the train split; the role-line "
            "similarity (the evidence sheet's cosine of the role and its closest resume line) is "
            "not trained.",
        ]
    if r.get("note"):
        lines += ["", r["note"]]
    return [*lines, ""]


def job_swap_plot(r: dict, run_dir) -> list[str]:
    if not r.get("pairs"):
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    own = [x["p_own"] for x in r["pairs"]]
    swapped = [x["p_swapped"] for x in r["pairs"]]
    fig, ax = plt.subplots(figsize=(6, 3.4))
    bins = np.linspace(0, 1, 21)
    ax.hist(own, bins=bins, alpha=0.6, label="own job (fit)", color="#55a868")
    ax.hist(swapped, bins=bins, alpha=0.6, label="swapped job (not a fit)", color="#c44e52")
    ax.set_xlabel("P(select)")
    ax.set_ylabel("candidates")
    ax.set_title("job swap: P(select) with the own and a swapped job")
    ax.legend()
    fig.tight_layout()
    fig.savefig(run_dir / "job_swap.png", dpi=110)
    plt.close(fig)
    return ["job_swap.png"]
