"""`recruiter eval` (decisions), `eval fairness` and `eval robustness` on a prepared split.

Every command runs the real inference engine (``inference.*`` config: the shipped adapter by
default) over held-out records and writes one run folder — ``eval.json`` (every number),
``report.md``, PNG plots, the resolved ``config.yaml`` and ``predictions.jsonl`` — atomically.
The report states data, model, adapter sha256 and config.

Decisions: accuracy, precision/recall/F1 for select, macro-F1, AUC from P(select), Brier and a
reliability diagram, confusion matrix, per source file and per role, JSON validity, evidence
grounding, whether the facts the reasoning cites are true (:mod:`.faithfulness`, on the synthetic
corpus), latency and decisions/s; beside majority class, TF-IDF + logistic regression trained
on the same train split, and the retriever's phase-2 classifier on the records whose structured
sides are known (the synthetic corpus). With ``eval.tune_threshold`` the validation split is
decided too and the P(select) threshold that maximises its macro-F1 is applied to the test
split (row ``model @ threshold``).
"""

from __future__ import annotations

import difflib
import json
import re
import time
from pathlib import Path

import numpy as np

from ..config import RecruiterConfig, save_resolved
from ..inference.decision import DecisionEngine
from ..inference.evidence import DEFAULT_MATCH_THRESHOLD
from ..metrics import by_group, decision_metrics, tune_threshold, with_ci
from ..splits import read_split
from ..storage import atomic_dir, atomic_write_json, atomic_write_text, new_run_dir
from . import fairness as fair
from . import faithfulness as faith
from . import robustness as rob
from . import swaps
from .baselines import evidence_logreg, majority, tfidf_logreg
from .report import reliability, render


def _engine(cfg) -> DecisionEngine:
    from ..inference.engine import build_engine

    return build_engine(cfg)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"^\^", "", str(text), flags=re.M).lower().split())


def evidence_grounding(records: list[dict], rows: list[dict]) -> dict:
    """Share of evidence quotes found in their source field: exactly, or fuzzily (>= 0.85)."""
    quotes = grounded = 0
    for rec, row in zip(records, rows, strict=True):
        for ev in rec.get("evidence") or []:
            quotes += 1
            source, quote = _norm(row.get(ev.get("source"), "")), _norm(ev.get("quote", ""))
            if quote and quote in source:
                grounded += 1
            elif quote:
                m = difflib.SequenceMatcher(None, source, quote, autojunk=False)
                block = max(m.get_matching_blocks(), key=lambda b: b.size)
                if block.size / len(quote) >= 0.85:
                    grounded += 1
    if not quotes:
        return {
            "quotes": 0,
            "grounded": 0,
            "rate": None,
            "note": "the model produced no evidence quotes (the shipped adapter is trained to answer reasoning and status only)",
        }
    return {"quotes": quotes, "grounded": grounded, "rate": grounded / quotes}


def score_split(
    engine,
    test_rows: list[dict],
    train_rows: list[dict],
    seed: int = 0,
    match_threshold: float = DEFAULT_MATCH_THRESHOLD,
    n_boot: int = 1000,
) -> dict:
    """Engine decisions on ``test_rows`` scored beside TF-IDF + LR, the evidence-feature LR and
    majority (all fitted on ``train_rows``), overall and per source file, each overall row with
    bootstrap 95 % intervals (``ci95``: accuracy, macro-F1, AUC; ``n_boot`` resamples).
    ``_records`` holds the decisions."""
    records, seconds = engine.decide_all(test_rows, channel="eval", label="test decisions")
    y = [r["label"] for r in test_rows]
    sources = [str(r.get("source") or "") for r in test_rows]
    pred = [rec.get("status") for rec in records]
    p_sel = [rec.get("p_select") for rec in records]
    tf_pred, tf_p = tfidf_logreg(train_rows, test_rows, seed=seed)
    ev_pred, ev_p = evidence_logreg(train_rows, test_rows, seed=seed, threshold=match_threshold)
    mj_pred, mj_p = majority(train_rows, test_rows)
    ci = lambda m, yp, pp: with_ci(m, y, yp, pp, n_boot, seed)  # noqa: E731
    return {
        "model": ci(decision_metrics(y, pred, p_sel), pred, p_sel),
        "tfidf_logreg": ci(decision_metrics(y, tf_pred, tf_p), tf_pred, tf_p),
        "evidence_logreg": ci(decision_metrics(y, ev_pred, ev_p), ev_pred, ev_p),
        "majority": ci(decision_metrics(y, mj_pred, mj_p), mj_pred, mj_p),
        "per_source": {
            "model": by_group(sources, y, pred, p_sel),
            "tfidf_logreg": by_group(sources, y, tf_pred, tf_p),
        },
        "decisions_per_second": round(len(test_rows) / seconds, 3) if seconds else None,
        "seconds": round(seconds, 1),
        "flags": flag_counts(records),
        "tfidf_curve": [float(x) for x in tf_p],
        "_records": records,
    }


def flag_counts(records: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rec in records:
        for f in rec.get("flags", []):
            key = f.split(":", 1)[-1] if f.startswith(("resume:", "transcript:", "role:")) else f
            key = "truncated" if key.startswith("truncated") else key
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def _retriever_baseline(cfg, rows: list[dict]) -> tuple[dict | None, str | None]:
    """Phase-2 match probabilities for the rows joined with a structured corpus, if possible."""
    from ..errors import RecruiterError
    from ..retrieval.data import load_pairs
    from ..retrieval.retriever import load_retriever

    retriever = load_retriever(cfg.retrieval.model)
    if retriever is None:
        return None, "retriever baseline skipped: no trained retriever"
    try:
        pairs = load_pairs(cfg.eval.data, cfg.retrieval.corpus)
    except (RecruiterError, OSError, KeyError) as exc:
        return None, f"retriever baseline skipped: {str(exc).splitlines()[0][:160]}"
    by_id = {p.record_id: p for split in pairs.values() for p in split}
    joined = [(i, by_id.get(str(r.get("id", "")).rsplit(":", 1)[-1])) for i, r in enumerate(rows)]
    joined = [(i, p) for i, p in joined if p is not None]
    if not joined:
        return None, "retriever baseline skipped: no record joins the structured corpus"
    cv = retriever.candidate_vectors([p.candidate for _, p in joined])
    jv = retriever.job_vectors([p.job for _, p in joined])
    prob = retriever.match_probability(cv, jv)
    y = [rows[i]["label"] for i, _ in joined]
    pred = ["select" if p >= retriever.threshold else "reject" for p in prob]
    return decision_metrics(y, pred, [float(p) for p in prob]), None


def _faithfulness(cfg, records: list[dict], rows: list[dict]) -> tuple[dict | None, str | None]:
    """Cited facts against the generator's ground truth, when the data is a synthetic corpus."""
    truth, note = faith.truth_for(cfg)
    return (faith.faithfulness(records, rows, truth), None) if truth else (None, note)


def decisions(
    cfg: RecruiterConfig, engine: DecisionEngine | None = None
) -> tuple[dict, list[dict], list[dict]]:
    e = cfg.eval
    rows = read_split(e.data, e.split, e.max_examples)
    train_rows = read_split(e.baseline_data or e.data, "train")
    engine = engine or _engine(cfg)
    core = score_split(
        engine, rows, train_rows, seed=cfg.seed,
        match_threshold=cfg.inference.evidence_match_threshold, n_boot=e.bootstrap,
    )  # fmt: skip
    records = core.pop("_records")
    y = [r["label"] for r in rows]
    pred = [rec.get("status") for rec in records]
    p = [rec.get("p_select") for rec in records]
    systems = {"model": core["model"]}
    threshold = None
    notes = []
    if e.tune_threshold:
        val = read_split(e.baseline_data or e.data, "validation", e.max_validation_examples)
        val_records, _ = engine.decide_all(val, channel="eval", label="validation decisions")
        threshold = tune_threshold(
            [r["label"] for r in val], [v.get("p_select") for v in val_records]
        )
        at = [None if x is None else ("select" if x >= threshold else "reject") for x in p]
        systems["model @ threshold"] = with_ci(
            decision_metrics(y, at, p), y, at, p, e.bootstrap, cfg.seed
        )
    systems["TF-IDF + LR"] = core["tfidf_logreg"]
    systems["evidence-feature LR"] = core["evidence_logreg"]
    systems["majority"] = core["majority"]
    ret, note = _retriever_baseline(cfg, rows)
    if ret is not None:
        systems["retriever phase-2"] = ret
        if ret["n"] < len(rows):
            notes.append(
                f"retriever phase-2 is scored on the {ret['n']} records with structured sides"
            )
    elif note:
        notes.append(note)
    faithful, note = _faithfulness(cfg, records, rows)
    if note:
        notes.append(note)
    lat = [rec["latency_ms"] for rec in records if rec.get("latency_ms") is not None]
    ys = [int(v == "select") for v in y]
    scores = [x if x is not None else 0.5 for x in p]
    result = {
        "data": e.data,
        "split": e.split,
        "n": len(rows),
        "systems": systems,
        "threshold": threshold,
        "per_source": core["per_source"]["model"],
        "per_source_tfidf": core["per_source"]["tfidf_logreg"],
        "per_role": by_group([str(r.get("role") or "") for r in rows], y, pred, p),
        "evidence": evidence_grounding(records, rows),
        "faithfulness": faithful,
        "flags": core["flags"],
        "latency_ms": {
            "p50": float(np.percentile(lat, 50)) if lat else None,
            "p95": float(np.percentile(lat, 95)) if lat else None,
        },
        "decisions_per_second": core["decisions_per_second"],
        "reliability": reliability(ys, scores) if any(x is not None for x in p) else [],
        "curves": {
            "model": {"y": ys, "p": scores},
            "TF-IDF + LR": {"y": ys, "p": core["tfidf_curve"]},
        },
        "notes": notes,
    }
    return result, rows, records


def fairness(cfg: RecruiterConfig, engine: DecisionEngine | None = None) -> dict:
    """Name, gender and age swaps on the same records; flip rates; LL144 impact ratios."""
    e, f = cfg.eval, cfg.eval.fairness
    rows = read_split(e.data, e.split, f.records)
    engine = engine or _engine(cfg)
    groups = swaps.load_names(f.names, seed=cfg.seed)
    base, _ = engine.decide_all(rows, channel="eval", label="fairness: originals")
    status = [b.get("status") for b in base]
    flips, changed = {}, {}
    rng = np.random.default_rng(cfg.seed)
    # names: every record under every group's name (as deployed: the engine masks own names)
    variants, meta = [], []
    for group, names in groups.items():
        for ri, r in enumerate(rows):
            for _ in range(f.names_per_record):
                name = names[int(rng.integers(len(names)))]
                variants.append(swaps.swap_name(r, name))
                meta.append((group, ri))
    named, _ = engine.decide_all(variants, channel="eval", label="fairness: name swaps")
    named_status = [d.get("status") for d in named]
    sel = [s == "select" for s in named_status]
    impact = {
        "as deployed (names masked)": fair.impact_ratios(
            [g for g, _ in meta],
            sel,
            [r for _, r in meta],
            f.min_group_share,
            f.impact_threshold,
            e.bootstrap,
            cfg.seed,
        )
    }
    # the model without the name mask: what it would do if names reached it
    first_group = next(iter(groups))
    raw, _ = engine.decide_all(
        variants, channel="eval", label="fairness: name swaps, masking off", mask_pii=False
    )
    raw_sel = [d.get("status") == "select" for d in raw]
    impact["masking off"] = fair.impact_ratios(
        [g for g, _ in meta],
        raw_sel,
        [r for _, r in meta],
        f.min_group_share,
        f.impact_threshold,
        e.bootstrap,
        cfg.seed,
    )
    for label, stats in (
        ("name (as deployed)", named_status),
        ("name (masking off)", [d.get("status") for d in raw]),
    ):
        # flip: a record whose decision under some group differs from its decision under the first
        ref = {ri: s for (g, ri), s in zip(meta, stats, strict=True) if g == first_group}
        before, after = [], []
        for (g, ri), s in zip(meta, stats, strict=True):
            if g != first_group:
                before.append(ref[ri])
                after.append(s)
        flips[f"{label} vs {first_group}"] = fair.flip_stats(before, after)
    for label, fn in (
        ("gender", swaps.swap_gender),
        (
            f"age (graduation {f.age_shift_years} y earlier)",
            lambda r: swaps.shift_age(r, f.age_shift_years),
        ),
    ):
        swapped = [fn(r) for r in rows]
        changed[label] = sum(swaps.changed(a, b) for a, b in zip(rows, swapped, strict=True))
        out, _ = engine.decide_all(swapped, channel="eval", label=f"fairness: {label}")
        flips[label] = fair.flip_stats(status, [d.get("status") for d in out])
    notes = [
        "Names are masked by the preflight before the model reads them, so name swaps 'as deployed' "
        "test that the mask holds; 'masking off' shows what the model itself does with names.",
        "Impact ratios are counterfactual: every record is decided under every group's name, so groups "
        "are equal in size and differ only in the name.",
    ]
    ret = _retriever_membership(cfg, rows)
    if ret is not None:
        flips.update(ret["flips"])
        notes.append(ret["note"])
    return {
        "data": e.data,
        "records": len(rows),
        "groups": list(groups),
        "names_source": f.names or "built-in Faker list (8 locales x 2 sexes)",
        "flips": flips,
        "impact_ratios": impact,
        "changed": changed,
        "notes": notes,
    }


def _retriever_membership(cfg, rows: list[dict]) -> dict | None:
    """Shortlist membership flips of the retriever under the same swaps (structured corpus only)."""
    from ..retrieval.data import load_pairs
    from ..retrieval.retriever import load_retriever

    retriever = load_retriever(cfg.retrieval.model)
    if retriever is None:
        return None
    try:
        pairs = load_pairs(cfg.eval.data, cfg.retrieval.corpus)
    except Exception:  # noqa: BLE001 - not a corpus with structured sides: nothing to measure
        return None
    test = pairs.get(cfg.eval.split, [])
    if not test:
        return None
    cands = list({p.candidate["candidate_id"]: p.candidate for p in test}.values())
    jobs = list({p.job["job_id"]: p.job for p in test}.values())[:20]
    k = cfg.eval.fairness.shortlist_k
    groups = swaps.load_names(cfg.eval.fairness.names, seed=cfg.seed)
    name = next(iter(groups.values()))[0]

    def members(pool):
        out = []
        for j in jobs:
            ids = {r["candidate_id"] for r in retriever.shortlist(j, pool, k=k)["ranked"]}
            out += [c["candidate_id"] in ids for c in pool]
        return out

    base = members(cands)
    results = {}
    for label, fn in (
        ("retriever: name", lambda c: swaps.swap_name(c, name)),
        ("retriever: gender", swaps.swap_gender),
        ("retriever: age", lambda c: swaps.shift_age(c, cfg.eval.fairness.age_shift_years)),
    ):
        after = members([fn(c) for c in cands])
        as_status = lambda xs: ["select" if x else "reject" for x in xs]  # noqa: E731
        results[label] = fair.flip_stats(as_status(base), as_status(after))
    return {
        "flips": results,
        "note": f"Retriever rows: top-{k} shortlist membership of {len(cands)} test candidates for {len(jobs)} test jobs; "
        "the retriever reads structured fields (skills, experience, languages), so text-only swaps reach it only "
        "through candidates without experience entries.",
    }


def robustness(
    cfg: RecruiterConfig, engine: DecisionEngine | None = None, scratch: Path | None = None
) -> dict:
    e, inj = cfg.eval, cfg.eval.injection
    rows = read_split(e.data, e.split, inj.records)
    engine = engine or _engine(cfg)
    clean, _ = engine.decide_all(rows, channel="eval", label="robustness: clean")
    bipia = rob.load_bipia(inj.attacks, inj.per_category, cfg.seed, inj.max_attacks)
    result = {
        "injection": rob.injection_suite(engine, rows, clean, bipia),
        "determinism": rob.determinism(
            engine, rows[: inj.determinism_records], inj.determinism_runs
        ),
    }
    import tempfile

    base = {k: rows[0][k] for k in ("role", "job_description", "resume", "transcript")}
    with tempfile.TemporaryDirectory() as tmp:
        result["fuzz"] = rob.fuzz_inputs(base, Path(scratch or tmp), inj.fuzz_files, cfg.seed)
    return result


def run(
    cfg: RecruiterConfig,
    what: tuple[str, ...] = ("decisions",),
    command: str = "recruiter eval",
    engine: DecisionEngine | None = None,
) -> Path:
    """Run the requested parts (``decisions``, ``evidence``, ``bias_audit``, ``job_swap``,
    ``interview_flip``, ``fairness``, ``robustness``) into one folder."""
    out = Path(cfg.eval.output) if cfg.eval.output else new_run_dir("eval")
    if out.exists():  # checked before the work, not when the results are written
        from ..errors import InputError

        raise InputError(f"eval.output={out} already exists; remove it or choose another folder")
    t0 = time.perf_counter()
    needs_model = any(p not in ("evidence", "bias_audit") for p in what)
    engine = engine or (_engine(cfg) if needs_model else None)
    result: dict = {"engine": engine.describe() if engine else None, "parts": list(what)}
    if "evidence" in what:
        from .evidence import evidence_report

        result["evidence"] = evidence_report(cfg)
    predictions = []
    if "decisions" in what:
        result["decisions"], rows, records = decisions(cfg, engine)
        predictions = [
            {"id": r.get("id"), "source": r.get("source"), "label": r["label"], **rec}
            for r, rec in zip(rows, records, strict=True)
        ]
    if "bias_audit" in what:
        from .bias_audit import bias_audit

        result["bias_audit"] = bias_audit(cfg)
    if "job_swap" in what:
        from .jobswap import job_swap

        result["job_swap"] = job_swap(cfg, engine)
    if "interview_flip" in what:
        from .counterfactual import interview_flip

        result["interview_flip"] = interview_flip(cfg, engine)
    if "fairness" in what:
        result["fairness"] = fairness(cfg, engine)
    if "robustness" in what:
        result["robustness"] = robustness(cfg, engine)
    result["seconds"] = round(time.perf_counter() - t0, 1)
    with atomic_dir(out) as tmp:
        save_resolved(cfg, tmp, command)
        atomic_write_json(tmp / "eval.json", result)
        if predictions:
            atomic_write_text(
                tmp / "predictions.jsonl",
                "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions),
            )
        render(tmp)
    return out
