"""`recruiter screen --job job.json --pool DIR|JSONL`: screen a candidate pool for one job.

Pipeline: hard filters (:mod:`recruiter.retrieval.filters`, every exclusion with its reason) ->
shortlist -> LLM decision for each shortlisted candidate (batched, audited) -> ranked report.

Every candidate is screened against *this* job: its title and description replace whatever
``role``/``job_description`` a pool file carries. The shortlist is the trained retriever's
top ``screen.shortlist_k`` of the candidates that pass the filters (two-tower nearest neighbours,
re-scored with its match classifier and the interpretable ``S_*`` scores, which the report
shows); with ``retrieval.model=null`` it is every passing candidate, capped in pool order.
Ranking: selected candidates first, then by P(select) (ties by pool order), so the top of the
report is where a reviewer starts; rejected and failed candidates stay in the report.

Outputs (one folder, atomically): ``report.json`` (everything), ``report.md`` (the table a hiring
lead reads), ``report.png`` (P(select) of the ranked shortlist) and the resolved config.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..config import RecruiterConfig, save_resolved
from ..errors import InputError
from ..retrieval.filters import apply_filters
from ..retrieval.retriever import load_retriever
from ..schemas import load_and_validate
from ..schemas.inputs import collect
from ..storage import atomic_dir, atomic_write_json, atomic_write_text, new_run_dir
from .live import validate_items
from .prompt import job_fields


def load_pool(pool: str, job: dict, max_bytes: int) -> list[dict]:
    found = collect([pool], max_bytes)
    fields = job_fields(job)
    overridden = []
    for where, value in found:
        if isinstance(value, dict):
            overridden.append((where, {**value, **fields}))
        else:
            overridden.append((where, value))
    items = validate_items(overridden, None)
    if not items:
        raise InputError(f"{pool}: no candidates")
    out = []
    for i, item in enumerate(items):
        cand = item.candidate
        cand.setdefault("candidate_id", f"pool-{i + 1:04d}")
        out.append(cand)
    ids = [c["candidate_id"] for c in out]
    if len(set(ids)) != len(ids):
        dup = next(x for x in ids if ids.count(x) > 1)
        raise InputError(f"{pool}: candidate_id {dup!r} appears more than once")
    return out


def rank(records: list[dict]) -> list[dict]:
    """Selected first, then by P(select), then by the retriever's score, then pool order."""
    order = {"select": 0, "reject": 1, None: 2}
    indexed = list(enumerate(records))
    indexed.sort(
        key=lambda x: (
            order[x[1].get("status")],
            -(x[1].get("p_select") or 0.0),
            -((x[1].get("retrieval") or {}).get("score") or 0.0),
            x[0],
        )
    )
    return [r for _, r in indexed]


def _markdown(report: dict) -> str:
    job = report["job"]
    c = report["counts"]
    lines = [
        f"# Screening: {job['title']}",
        "",
        f"Pool {c['pool']} · excluded by hard filters {c['excluded']} · shortlisted "
        f"{c['shortlisted']} · select {c['select']} · reject {c['reject']} · no decision "
        f"{c['failed']}. Model `{report['engine']['model']}` (prompt "
        f"{report['engine']['prompt_version']}).",
        "",
        "**Advisory only: every decision below needs a human review.**",
        "",
        f"## Top {len(report['ranked'])}",
        "",
        "| rank | candidate | status | P(select) | retrieval score | flags | reasoning |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(report["ranked"], 1):
        reasoning = (r.get("reasoning") or r.get("error") or "").replace("|", "/")
        flags = ", ".join(r.get("flags", [])) or "–"
        p = "–" if r.get("p_select") is None else f"{r['p_select']:.3f}"
        ret = r.get("retrieval")
        rs = (
            "–"
            if not ret
            else f"{ret['score']:.3f} (edu {ret['S_edu']:.2f}, exp {ret['S_exp']:.2f}, lang {ret['S_lang']:.2f}, skill {ret['S_skill']:.2f})"
        )
        lines.append(
            f"| {i} | {r.get('candidate_id')} | {r.get('status') or 'none'} | {p} | {rs} | {flags} | {reasoning} |"
        )
    if report["excluded"]:
        lines += ["", "## Excluded by hard filters", "", "| candidate | reasons |", "|---|---|"]
        for e in report["excluded"]:
            lines.append(f"| {e['candidate_id']} | {'; '.join(e['reasons'])} |")
    notes = [(e["candidate_id"], e["unverified"]) for e in report["filters"] if e["unverified"]]
    if notes:
        lines += ["", "## Not verifiable from the profile (check by hand)", ""]
        lines += [f"- {cid}: {'; '.join(u)}" for cid, u in notes]
    return "\n".join(lines) + "\n"


def _plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ranked = [r for r in report["ranked"] if r.get("p_select") is not None]
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.3 * len(ranked) + 1)))
    names = [str(r.get("candidate_id")) for r in ranked][::-1]
    values = [r["p_select"] for r in ranked][::-1]
    colors = ["#2a9d8f" if r.get("status") == "select" else "#e76f51" for r in ranked][::-1]
    ax.barh(names, values, color=colors)
    ax.axvline(0.5, color="grey", lw=0.8, ls="--")
    ax.set_xlim(0, 1)
    ax.set_xlabel("P(select)  (green: select, red: reject)")
    ax.set_title(f"Shortlist for {report['job']['title']} (advisory)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(cfg: RecruiterConfig, command: str = "recruiter screen") -> Path:
    """Screen ``cfg.screen.pool`` for ``cfg.screen.job``; return the report folder."""
    from .audit import AuditLog
    from .engine import build_engine

    s = cfg.screen
    if not s.job or not s.pool:
        raise InputError("screen needs --job job.json and --pool DIR|JSONL")
    job = load_and_validate(s.job, "job")
    pool = load_pool(s.pool, job, cfg.live.max_input_bytes)
    out = Path(s.output) if s.output else new_run_dir("screen")
    if out.exists():
        raise InputError(f"{out} already exists")

    filters = []
    passed = []
    for cand in pool:
        res = apply_filters(cand, job, cfg.retrieval.commute_km)
        filters.append({"candidate_id": cand["candidate_id"], **res.as_dict()})
        if res.passed:
            passed.append(cand)
    retriever = load_retriever(cfg.retrieval.model)
    retrieval_by_id: dict = {}
    if retriever is not None and passed:
        result = retriever.shortlist(
            job, passed, k=s.shortlist_k, commute_km=cfg.retrieval.commute_km
        )
        retrieval_by_id = {r["candidate_id"]: r for r in result["ranked"]}
        by_cid = {c["candidate_id"]: c for c in passed}
        shortlist = [by_cid[r["candidate_id"]] for r in result["ranked"]]
    else:
        shortlist = passed[: s.shortlist_k]

    engine = build_engine(cfg)
    audit = AuditLog(cfg.audit.url) if cfg.audit.enabled else None
    records, seconds = engine.decide_all(shortlist, audit=audit, channel="batch", label="screening")
    by_id = {f["candidate_id"]: f for f in filters}
    for rec in records:
        rec["filters"] = by_id[rec["candidate_id"]]
        if rec["candidate_id"] in retrieval_by_id:
            rec["retrieval"] = retrieval_by_id[rec["candidate_id"]]
    ranked = rank(records)
    report = {
        "job": {k: job.get(k) for k in ("job_id", "title", "presence", "location", "min_years")},
        "engine": engine.describe(),
        "counts": {
            "pool": len(pool),
            "excluded": len(pool) - len(passed),
            "passed_filters": len(passed),
            "shortlisted": len(shortlist),
            "cut_by_shortlist_k": len(passed) - len(shortlist),
            "select": sum(r.get("status") == "select" for r in records),
            "reject": sum(r.get("status") == "reject" for r in records),
            "failed": sum(r.get("status") is None for r in records),
        },
        "seconds": round(seconds, 1),
        "ranked": ranked[: s.top_k],
        "all_decisions": ranked,
        "excluded": [f for f in filters if not f["passed"]],
        "filters": filters,
        "advisory": True,
    }
    with atomic_dir(out) as tmp:
        save_resolved(cfg, tmp, command)
        atomic_write_json(tmp / "report.json", report)
        atomic_write_text(tmp / "report.md", _markdown(report))
        _plot(report, tmp / "report.png")
    return out


def summary(report_dir: Path) -> str:
    report = json.loads((report_dir / "report.json").read_text())
    return _markdown(report)
