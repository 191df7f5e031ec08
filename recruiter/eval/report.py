"""Rendering an eval run: ``report.md`` for a hiring lead and PNG plots, from ``eval.json`` only.

``recruiter eval report RUN_DIR`` re-renders a finished run (e.g. after changing this file);
nothing here recomputes a number.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ..storage import atomic_write_text


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _f(v, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def roc_points(y: list[int], s: list[float]) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=bool)
    s = np.asarray(s, dtype=float)
    order = np.argsort(-s, kind="stable")
    y = y[order]
    tps = np.concatenate([[0], np.cumsum(y)])
    fps = np.concatenate([[0], np.cumsum(~y)])
    return fps / max(fps[-1], 1), tps / max(tps[-1], 1)


def reliability(y: list[int], s: list[float], bins: int = 10) -> list[dict]:
    y = np.asarray(y, dtype=float)
    s = np.asarray(s, dtype=float)
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        m = (s >= lo) & ((s < hi) | (b == bins - 1))
        if m.any():
            out.append(
                {
                    "bin": [lo, hi],
                    "n": int(m.sum()),
                    "mean_p": float(s[m].mean()),
                    "observed": float(y[m].mean()),
                }
            )
    return out


def _decision_plots(d: dict, out: Path) -> list[str]:
    plt = _plt()
    files = []
    curves = d.get("curves", {})
    if curves:
        fig, ax = plt.subplots(figsize=(4.5, 4.5))
        for name, c in curves.items():
            if c.get("p") and len(set(c["y"])) > 1:
                fx, fy = roc_points(c["y"], c["p"])
                ax.plot(fx, fy, label=f"{name} (AUC {_f(d['systems'][name].get('auc'))})")
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
        ax.set_title("ROC (select = positive)")
        ax.legend(fontsize=7, loc="lower right")
        fig.tight_layout()
        fig.savefig(out / "roc.png", dpi=120)
        plt.close(fig)
        files.append("roc.png")
    rel = d.get("reliability") or []
    if rel:
        fig, ax = plt.subplots(figsize=(4.5, 4.5))
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
        ax.plot([r["mean_p"] for r in rel], [r["observed"] for r in rel], marker="o")
        for r in rel:
            ax.annotate(str(r["n"]), (r["mean_p"], r["observed"]), fontsize=6)
        ax.set_xlabel("mean P(select) in bin")
        ax.set_ylabel("observed select rate")
        ax.set_title(f"Reliability (Brier {_f(d['systems']['model'].get('brier'))})")
        fig.tight_layout()
        fig.savefig(out / "reliability.png", dpi=120)
        plt.close(fig)
        files.append("reliability.png")
    conf = d["systems"]["model"]["confusion"]
    fig, ax = plt.subplots(figsize=(4, 3.6))
    grid = np.array([[conf["tp"], conf["fn"]], [conf["fp"], conf["tn"]]])
    ax.imshow(grid, cmap="Blues")
    for (i, j), v in np.ndenumerate(grid):
        ax.text(j, i, str(v), ha="center", va="center")
    ax.set_xticks([0, 1], ["select", "reject"])
    ax.set_yticks([0, 1], ["select", "reject"])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"Confusion (invalid: {conf['invalid']})")
    fig.tight_layout()
    fig.savefig(out / "confusion.png", dpi=120)
    plt.close(fig)
    files.append("confusion.png")
    return files


def _fairness_plots(f: dict, out: Path) -> list[str]:
    plt = _plt()
    files = []
    for setting, table in f.get("impact_ratios", {}).items():
        kept = {g: r for g, r in table.items() if not r["excluded"]}
        if not kept:
            continue
        fig, ax = plt.subplots(figsize=(7, max(2.5, 0.32 * len(kept) + 1)))
        names = list(kept)
        vals = [kept[g]["impact_ratio"] for g in names]
        err = [
            [max(0.0, v - kept[g]["ci95"][0]) for g, v in zip(names, vals, strict=True)],
            [max(0.0, kept[g]["ci95"][1] - v) for g, v in zip(names, vals, strict=True)],
        ]
        ax.barh(
            names,
            vals,
            xerr=err,
            color=["#e76f51" if kept[g]["flagged"] else "#2a9d8f" for g in names],
        )
        ax.axvline(0.8, color="black", lw=0.8, ls="--")
        ax.set_xlim(0, 1.1)
        ax.set_xlabel("impact ratio (selection rate / highest group), 95 % CI; dashed: 0.80")
        ax.set_title(f"LL144 impact ratios by name group ({setting})")
        fig.tight_layout()
        name = f"impact_ratios_{setting}.png"
        fig.savefig(out / name, dpi=120)
        plt.close(fig)
        files.append(name)
    flips = f.get("flips", {})
    if flips:
        fig, ax = plt.subplots(figsize=(7, max(2.5, 0.35 * len(flips) + 1)))
        names = list(flips)
        vals = [flips[n]["flip_rate"] for n in names]
        err = [
            [max(0.0, v - flips[n]["ci95"][0]) for n, v in zip(names, vals, strict=True)],
            [max(0.0, flips[n]["ci95"][1] - v) for n, v in zip(names, vals, strict=True)],
        ]
        ax.barh(names, vals, xerr=err, color="#457b9d")
        ax.axvline(0.02, color="black", lw=0.8, ls="--")
        ax.set_xlabel("decision flip rate, 95 % CI; dashed: 2 % target")
        ax.set_title("Counterfactual flips")
        fig.tight_layout()
        fig.savefig(out / "flip_rates.png", dpi=120)
        plt.close(fig)
        files.append("flip_rates.png")
    return files


def _robustness_plots(r: dict, out: Path) -> list[str]:
    plt = _plt()
    inj = r.get("injection", {}).get("results", {})
    kinds = [k for k in inj if "@" not in k and k != "all"]
    if not kinds:
        return []
    fig, ax = plt.subplots(figsize=(7, 3.2))
    vals = [inj[k]["flip_rate"] for k in kinds]
    err = [
        # a Wilson bound can sit a rounding error past the rate (0 flips): matplotlib refuses
        # a negative error bar, so clip
        [max(0.0, v - inj[k]["ci95"][0]) for k, v in zip(kinds, vals, strict=True)],
        [max(0.0, inj[k]["ci95"][1] - v) for k, v in zip(kinds, vals, strict=True)],
    ]
    ax.bar(kinds, vals, yerr=err, color="#e9c46a")
    ax.axhline(0.02, color="black", lw=0.8, ls="--")
    ax.set_ylabel("reject -> select rate (95 % CI)")
    ax.set_title("Prompt injection in resumes")
    fig.tight_layout()
    fig.savefig(out / "injection.png", dpi=120)
    plt.close(fig)
    return ["injection.png"]


def _decision_md(d: dict) -> list[str]:
    cols = (
        "n",
        "accuracy",
        "precision_select",
        "recall_select",
        "f1_select",
        "macro_f1",
        "auc",
        "brier",
        "valid_rate",
    )
    lines = [f"## Decisions on `{d['data']}` ({d['split']})", ""]
    lines.append(
        f"{d['n']} records; {_f(d.get('decisions_per_second'))} decisions/s; latency p50 {_f(d['latency_ms']['p50'], 0)} ms, p95 {_f(d['latency_ms']['p95'], 0)} ms (batch wall time per decision's batch)."
    )
    if d.get("threshold") is not None:
        lines.append(
            f"P(select) threshold tuned on validation: {_f(d['threshold'])} (row `model @ threshold`)."
        )
    lines += ["", "| system | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for name, m in d["systems"].items():
        ci = m.get("ci95") or {}
        cells = [
            _f(m.get(c)) + (f" [{_f(ci[c][0])}, {_f(ci[c][1])}]" if ci.get(c) else "") for c in cols
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if any(m.get("ci95") for m in d["systems"].values()):
        lines += [
            "",
            "[a, b]: bootstrap 95 % interval over the records (eval.bootstrap resamples).",
        ]
    per, base = d.get("per_source") or {}, d.get("per_source_tfidf") or {}
    if len(per) > 1 and base:
        # Every model number beside the bag-of-words baseline on the same records: on data whose
        # labels leak through tone, a high score says nothing about judging fit.
        lines += [
            "",
            "By source (model | TF-IDF + LR trained on the same train split):",
            "",
            "| source | n | accuracy | macro-F1 | AUC | select rate | TF-IDF accuracy | TF-IDF macro-F1 | TF-IDF AUC |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for k, m in per.items():
            b = base.get(k, {})
            lines.append(
                f"| {k} | {m['n']} | {_f(m['accuracy'])} | {_f(m['macro_f1'])} | {_f(m.get('auc'))} "
                f"| {_f(m['select_rate'])} | {_f(b.get('accuracy'))} | {_f(b.get('macro_f1'))} "
                f"| {_f(b.get('auc'))} |"
            )
    for group in ("per_role",) if base else ("per_source", "per_role"):
        per = d.get(group) or {}
        if len(per) > 1:
            lines += [
                "",
                f"By {group.split('_')[1]}:",
                "",
                "| value | n | accuracy | macro-F1 | select rate |",
                "|---|---|---|---|---|",
            ]
            for k, m in per.items():
                lines.append(
                    f"| {k} | {m['n']} | {_f(m['accuracy'])} | {_f(m['macro_f1'])} | {_f(m['select_rate'])} |"
                )
    ev = d.get("evidence") or {}
    if ev.get("quotes"):
        grounding = f"{ev['grounded']}/{ev['quotes']} quotes found in the inputs ({_f(ev['rate'])})"
    else:
        grounding = ev.get("note", "no evidence quotes")
    lines += ["", f"Evidence grounding: {grounding}."]
    fa = d.get("faithfulness")
    if fa and fa.get("parsed"):
        lines += [
            "",
            f"Reasoning against the synthetic corpus' ground truth ({fa['parsed']} of {fa['n']} "
            "reasonings state the skills count and years): skills count right "
            f"{_f(fa['skills_count'])}, years exact {_f(fa['years_exact'])} (within half a year "
            f"{_f(fa['years_within_half'])}), concrete-answer count right "
            f"{_f(fa['interview_competent'])} (and vague count {_f(fa['interview_both'])}), "
            f"language shortfall right {_f(fa['languages'])}, red flag right {_f(fa['red_flag'])}; "
            f"status follows the rule on its own cited facts {_f(fa['status_follows_own_facts'])}, "
            f"on the true facts {_f(fa['status_follows_true_facts'])}.",
        ]
    if d.get("notes"):
        lines += [""] + [f"- {n}" for n in d["notes"]]
    return lines + [""]


def _fairness_md(f: dict) -> list[str]:
    lines = [
        "## Fairness (counterfactual swaps)",
        "",
        f"{f['records']} records from `{f['data']}`; name groups: {len(f['groups'])} ({f['names_source']}).",
        "",
    ]
    lines += [
        "| swap | pairs | flips | flip rate [95 % CI] | select→reject | reject→select | McNemar p |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in f["flips"].items():
        lines.append(
            f"| {name} | {s['n']} | {s['flips']} | {_f(s['flip_rate'])} [{_f(s['ci95'][0])}, {_f(s['ci95'][1])}] | {s['select_to_reject']} | {s['reject_to_select']} | {_f(s['mcnemar_p'])} |"
        )
    for setting, table in f.get("impact_ratios", {}).items():
        lines += [
            "",
            f"LL144 table ({setting}):",
            "",
            "| group | n | selection rate | impact ratio [95 % CI] | flagged (< 0.80) |",
            "|---|---|---|---|---|",
        ]
        for g, r in table.items():
            if r["excluded"]:
                lines.append(
                    f"| {g} | {r['n']} | {_f(r['selection_rate'])} | excluded (< 2 % of rows) | – |"
                )
            else:
                lines.append(
                    f"| {g} | {r['n']} | {_f(r['selection_rate'])} | {_f(r['impact_ratio'])} [{_f(r['ci95'][0])}, {_f(r['ci95'][1])}] | {'yes' if r['flagged'] else 'no'} |"
                )
    if f.get("changed"):
        lines += [
            "",
            "Records actually changed by each swap: "
            + ", ".join(f"{k} {v}" for k, v in f["changed"].items())
            + ".",
        ]
    if f.get("notes"):
        lines += [""] + [f"- {n}" for n in f["notes"]]
    return lines + [""]


def _robustness_md(r: dict) -> list[str]:
    inj = r["injection"]
    lines = [
        "## Robustness",
        "",
        f"Injection: {inj['clean_rejected']} of {inj['clean_records']} clean records were rejected and received attacks ({', '.join(inj['attack_kinds'])}) at {', '.join(inj['positions'])}.",
        "",
    ]
    lines += [
        "| attack | n | reject→select [95 % CI] | schema-valid | flagged by preflight |",
        "|---|---|---|---|---|",
    ]
    for k, s in inj["results"].items():
        if "@" in k:
            continue
        lines.append(
            f"| {k} | {s['n']} | {_f(s['flip_rate'])} [{_f(s['ci95'][0])}, {_f(s['ci95'][1])}] | {_f(s['valid_rate'])} | {_f(s['flagged_rate'])} |"
        )
    od = inj["over_defence"]
    lines.append("")
    lines.append(
        f"Over-defence: {od['clean_flagged']} clean records flagged ({_f(od['clean_flag_rate'])})."
    )
    det = r["determinism"]
    lines.append(
        f"Determinism: {det['identical_outputs']}/{det['records']} records gave identical outputs in {det['runs']} runs; select rates {', '.join(_f(x) for x in det['select_rates'])}."
    )
    fz = r["fuzz"]
    lines.append(
        f"Malformed input: {fz['files']} fuzzed candidate files -> {fz['clean_errors']} clean errors, {fz['valid']} valid, {fz['tracebacks']} tracebacks."
    )
    return lines + [""]


def settings_md(settings: dict) -> str:
    """``name value (reason)`` for each recorded engine setting, the reason where it has one
    (older runs recorded one ``layout_reason`` for prefill and drafts, and ``threshold_reason``)."""
    reasons = {k.removesuffix("_reason"): v for k, v in settings.items() if k.endswith("_reason")}
    legacy = {"prefill": "layout", "draft_tokens": "layout", "decision_threshold": "threshold"}
    parts = []
    for key, value in settings.items():
        if key.endswith("_reason"):
            continue
        why = reasons.get(key) or reasons.get(legacy.get(key, ""))
        parts.append(f"{key.replace('_', ' ')} {value}" + (f" ({why})" if why else ""))
    return "; ".join(parts)


def render(run_dir: str | Path) -> Path:
    run_dir = Path(run_dir)
    result = json.loads((run_dir / "eval.json").read_text())
    lines = ["# Recruiter evaluation", ""]
    eng = result.get("engine") or {}
    if eng:
        lines.append(
            f"Model `{eng.get('model')}`, adapter sha256 `{eng.get('adapter_sha256')}`, prompt {eng.get('prompt_version')}, {eng.get('precision')} on {eng.get('device')}. Config: `config.yaml` beside this report. Decisions are advisory."
        )
        st = eng.get("settings") or {}
        if st:
            lines.append("Engine settings as resolved: " + settings_md(st) + ".")
    else:
        lines.append("No model was run for this report. Config: `config.yaml` beside it.")
    lines.append("")
    images = []
    if "decisions" in result:
        lines += _decision_md(result["decisions"])
        images += _decision_plots(result["decisions"], run_dir)
    if "evidence" in result:
        from .evidence import evidence_md, evidence_plot

        lines += evidence_md(result["evidence"])
        images += evidence_plot(result["evidence"], run_dir)
    if "bias_audit" in result:
        from .bias_audit import bias_audit_md, bias_audit_plot

        lines += bias_audit_md(result["bias_audit"])
        images += bias_audit_plot(result["bias_audit"], run_dir)
    if "job_swap" in result:
        from .jobswap import job_swap_md, job_swap_plot

        lines += job_swap_md(result["job_swap"])
        images += job_swap_plot(result["job_swap"], run_dir)
    if "interview_flip" in result:
        from .counterfactual import interview_flip_md, interview_flip_plot

        lines += interview_flip_md(result["interview_flip"])
        images += interview_flip_plot(result["interview_flip"], run_dir)
    if "fairness" in result:
        lines += _fairness_md(result["fairness"])
        images += _fairness_plots(result["fairness"], run_dir)
    if "robustness" in result:
        lines += _robustness_md(result["robustness"])
        images += _robustness_plots(result["robustness"], run_dir)
    lines += [f"![{i}]({i})" for i in images]
    return atomic_write_text(run_dir / "report.md", "\n".join(lines) + "\n")
