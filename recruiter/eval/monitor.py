"""Post-deployment monitoring over the audit log: is the model still seeing and deciding what it was
measured on?

Per time window (``monitor.window``): volume, select rate, mean P(select) and its histogram, the
share of decisions with a preflight flag, the share without a status (model failures), and the
evidence sheet's coverage (share of decisions whose sheet found a required skill, dated years,
an interview answer on a requirement). Each window with at least ``monitor.min_rows`` decisions is
compared with a reference — an eval run's predictions, an audit export, or the log's own first
``monitor.reference_rows`` decisions — by the population-stability index of P(select) (10 equal
bins; PSI < 0.1 is usually read as stable, > 0.2 as a shift; the alert discounts the PSI that
samples of the window's size show without any drift, :func:`psi_noise`) and by absolute changes
of the rates.
A crossed threshold is an alert; ``recruiter monitor`` exits 5 when there is one, so a scheduler
can page someone. Labels are not known at decision time, so this watches inputs and outputs, not
accuracy: the human reviews (``recruiter audit review``) are the outcome signal, and their
override rate is reported per window too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from ..errors import InputError

BINS = np.linspace(0.0, 1.0, 11)
DRIFT_EXIT = 5


def psi(reference: Sequence[float], current: Sequence[float], smooth: float = 0.5) -> float:
    """Population-stability index of two samples of probabilities over :data:`BINS`; every bin
    count gets ``smooth`` added (Jeffreys), so an empty bin does not blow the index up."""
    if not len(reference) or not len(current):
        return float("nan")
    k = len(BINS) - 1
    e = np.histogram(np.clip(reference, 0, 1), BINS)[0] + smooth
    a = np.histogram(np.clip(current, 0, 1), BINS)[0] + smooth
    e, a = e / (len(reference) + k * smooth), a / (len(current) + k * smooth)
    both = (a > 0) & (e > 0)  # without smoothing, bins empty in both samples add nothing
    return float(np.sum((a[both] - e[both]) * np.log(a[both] / e[both])))


def psi_noise(n_reference: int, n_current: int) -> float:
    """The PSI two samples of these sizes from one distribution stay below ~99 % of the time:
    PSI is a symmetrised KL divergence, ~ chi-square with k-1 degrees of freedom times
    (1/n + 1/N), so mean + 3 sd = (k-1 + 3 sqrt(2(k-1))) (1/n + 1/N) (a simulation of 60
    decisions against 300 puts the 99.5th percentile at 0.45, this at 0.43). Alerts judge the
    PSI above this: a 60-decision window reads up to ~0.4 with no drift at all."""
    dof = len(BINS) - 2
    return (dof + 3 * (2 * dof) ** 0.5) * (1 / max(1, n_reference) + 1 / max(1, n_current))


def window_start(stamp: str, window: str) -> str:
    t = datetime.fromisoformat(stamp)
    if window == "hour":
        t = t.replace(minute=0, second=0, microsecond=0)
    else:
        t = t.replace(hour=0, minute=0, second=0, microsecond=0)
        if window == "week":
            t -= timedelta(days=t.weekday())
    return t.isoformat(timespec="minutes")


def _coverage(decision: Mapping) -> dict[str, bool]:
    items = decision.get("evidence") or []
    return {
        "skill_found": any(
            i.get("kind") == "required_skill" and i.get("status") == "found" for i in items
        ),
        "years_found": any(i.get("kind") == "years" and i.get("value") is not None for i in items),
        "interview_found": any(i.get("kind") == "interview" for i in items),
    }


def summarize(rows: Sequence[Mapping]) -> dict:
    """The watched quantities of a set of decisions (audit rows or prediction records)."""
    n = len(rows)
    p = [float(r["p_select"]) for r in rows if r.get("p_select") is not None]
    status = [r.get("status") for r in rows]
    decisions = [r.get("decision") or r for r in rows]
    cov = [_coverage(d) for d in decisions]
    reviewed = [r["review"] for r in rows if r.get("review")]
    out = {
        "n": n,
        "select_rate": sum(s == "select" for s in status) / n if n else None,
        "error_rate": sum(s not in ("select", "reject") for s in status) / n if n else None,
        "flag_rate": sum(bool(r.get("flags")) for r in rows) / n if n else None,
        "p_select_mean": float(np.mean(p)) if p else None,
        "p_select_hist": (np.histogram(np.clip(p, 0, 1), BINS)[0].tolist() if p else []),
        "reviewed": len(reviewed),
        "override_rate": (
            sum(v["verdict"] == "override" for v in reviewed) / len(reviewed) if reviewed else None
        ),
    }
    for k in ("skill_found", "years_found", "interview_found"):
        out[k] = sum(c[k] for c in cov) / n if n else None
    return out


def load_reference(path: str | Path) -> list[dict]:
    """Decisions with p_select/status/flags: an eval run folder's ``predictions*.jsonl`` or a JSONL."""
    path = Path(path)
    files = sorted(path.glob("predictions*.jsonl")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise InputError(
            f"monitor.reference: {path} is neither a JSONL file nor an eval run folder"
        )
    rows = []
    for f in files:
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{f}:{i}: not JSON ({exc.msg})") from None
    if not rows:
        raise InputError(f"monitor.reference: {path} holds no decisions")
    return rows


def monitor(rows: Sequence[Mapping], reference: Sequence[Mapping], m) -> dict:
    """Windows of ``rows`` judged against ``reference`` with the thresholds of ``m``
    (:class:`recruiter.config.MonitorConfig`)."""
    ref = summarize(reference)
    ref_p = [float(r["p_select"]) for r in reference if r.get("p_select") is not None]
    groups: dict[str, list[Mapping]] = {}
    for r in rows:
        groups.setdefault(window_start(r["created_at"], m.window), []).append(r)
    windows = []
    for start in sorted(groups):
        w = summarize(groups[start])
        p = [float(r["p_select"]) for r in groups[start] if r.get("p_select") is not None]
        w["start"] = start
        w["psi"] = round(psi(ref_p, p), 4) if ref_p and p else None
        w["psi_noise"] = round(psi_noise(len(ref_p), len(p)), 4) if ref_p and p else None
        alerts = []
        if w["n"] >= m.min_rows:
            if w["psi"] is not None and w["psi"] - w["psi_noise"] > m.psi_alert:
                alerts.append(
                    f"P(select) PSI {w['psi']:.3f} > {m.psi_alert} + {w['psi_noise']:.3f} (noise)"
                )
            for key, limit in (
                ("select_rate", m.select_rate_alert),
                ("flag_rate", m.flag_rate_alert),
            ):
                if ref[key] is not None and abs(w[key] - ref[key]) > limit:
                    alerts.append(f"{key} {w[key]:.3f} vs {ref[key]:.3f} (limit ±{limit})")
            if w["error_rate"] > m.error_rate_alert:
                alerts.append(f"error_rate {w['error_rate']:.3f} > {m.error_rate_alert}")
        w["judged"] = w["n"] >= m.min_rows
        w["alerts"] = alerts
        windows.append(w)
    return {
        "window": m.window,
        "reference": ref,
        "windows": windows,
        "alerts": sum(len(w["alerts"]) for w in windows),
        "thresholds": {
            k: getattr(m, k)
            for k in (
                "psi_alert",
                "select_rate_alert",
                "flag_rate_alert",
                "error_rate_alert",
                "min_rows",
            )
        },
    }


def monitor_md(r: dict, source: str) -> list[str]:
    ref = r["reference"]
    out = [
        "# Recruiter monitoring",
        "",
        f"Audit log `{source}`, {r['window']} windows; reference: {r['reference_source']} "
        f"({ref['n']} decisions, select rate {_f(ref['select_rate'])}, flag rate "
        f"{_f(ref['flag_rate'])}). Thresholds: {r['thresholds']}.",
        "",
        f"**{r['alerts']} alert(s).**" if r["alerts"] else "No alerts.",
        "",
        "| window | n | select | P mean | PSI | flagged | no status | skill found | years found "
        "| interview found | overrides | alerts |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for w in r["windows"]:
        out.append(
            f"| {w['start']} | {w['n']}{'' if w['judged'] else ' (not judged)'} | "
            f"{_f(w['select_rate'])} | {_f(w['p_select_mean'])} | {_f(w['psi'])} | "
            f"{_f(w['flag_rate'])} | {_f(w['error_rate'])} | {_f(w['skill_found'])} | "
            f"{_f(w['years_found'])} | {_f(w['interview_found'])} | "
            f"{_f(w['override_rate'])} ({w['reviewed']}) | {'; '.join(w['alerts']) or '–'} |"
        )
    return [*out, "", "![monitor.png](monitor.png)"]


def _f(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def monitor_plot(r: dict, run_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ws = r["windows"]
    x = np.arange(len(ws))
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
    a1.bar(x, [w["n"] for w in ws], color="#bbb", label="decisions")
    a1b = a1.twinx()
    a1b.plot(x, [w["select_rate"] for w in ws], "o-", color="#1f77b4", label="select rate")
    a1b.axhline(r["reference"]["select_rate"] or 0, ls="--", color="#1f77b4", lw=0.8)
    a1.set_ylabel("decisions")
    a1b.set_ylabel("select rate")
    a2.plot(x, [np.nan if w["psi"] is None else w["psi"] for w in ws], "o-", color="#d62728")
    a2.axhline(r["thresholds"]["psi_alert"], ls="--", color="#d62728", lw=0.8)
    a2.set_ylabel("PSI of P(select)")
    a2.set_xticks(x, [w["start"][:16] for w in ws], rotation=30, ha="right", fontsize=7)
    fig.suptitle("Decisions per window against the reference")
    fig.tight_layout()
    fig.savefig(run_dir / "monitor.png", dpi=110)
    plt.close(fig)


def run(cfg, command: str = "recruiter monitor") -> tuple[Path, int]:
    """Report over the audit log into a run folder; returns it and the exit code (0, or
    :data:`DRIFT_EXIT` when a window crossed a threshold)."""
    from ..config import save_resolved
    from ..inference.audit import AuditLog
    from ..storage import atomic_write_json, atomic_write_text, new_run_dir

    m = cfg.monitor
    log = AuditLog(cfg.audit.url)
    rows = log.rows(since=m.since)
    if m.reference:
        reference, source = load_reference(m.reference), m.reference
        current = rows
    else:
        if len(rows) <= m.reference_rows:
            raise InputError(
                f"monitor: the audit log holds {len(rows)} decisions; with no monitor.reference the "
                f"first {m.reference_rows} are the reference, so more are needed (or set "
                "monitor.reference to an eval run)"
            )
        reference, current = rows[: m.reference_rows], rows[m.reference_rows :]
        source = f"the log's first {m.reference_rows} decisions"
    result = monitor(current, reference, m)
    result["reference_source"] = source
    run_dir = Path(m.output) if m.output else new_run_dir("monitor")
    run_dir.mkdir(parents=True, exist_ok=True)
    save_resolved(cfg, run_dir, command)
    atomic_write_json(run_dir / "report.json", result)
    monitor_plot(result, run_dir)
    atomic_write_text(run_dir / "report.md", "\n".join(monitor_md(result, log.url)) + "\n")
    return run_dir, DRIFT_EXIT if result["alerts"] else 0


def alerts_of(result: Mapping) -> Iterable[str]:
    for w in result["windows"]:
        for a in w["alerts"]:
            yield f"{w['start']}: {a}"
