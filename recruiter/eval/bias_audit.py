"""Bias audit in the shape NYC Local Law 144 asks for: selection rates and impact ratios per
category of each audited column and per intersection of the columns, on real applicants'
outcomes, beside the model's decisions on the same applicants.

Input (``eval.bias_audit``): an applicant table (CSV or JSONL, one row per application) with an
id, the outcome and the demographic columns, as an HR system exports them; optionally the
model's decisions on those applications (an eval run folder's ``predictions.jsonl`` or any JSONL
with ``id`` and ``status``), joined by id (``records.jsonl:rec-1`` and ``rec-1`` match). For each
column and for the intersection of all of them: per category n, share, selection rate, impact
ratio (rate / the highest rate) with a bootstrap 95 % interval, flagged under
``eval.fairness.impact_threshold`` (the four-fifths rule), and categories under
``eval.fairness.min_group_share`` of the rows reported but excluded from the ratios (LL144's 2 %
rule). The historical outcomes and the model's decisions are audited side by side, so a team sees
whether the model narrows or widens a gap the past decisions had.

Worked example: ``recruiter prepare synth`` writes ``applicants.jsonl`` (nationality, native
language, recorded decision; see :func:`recruiter.prepare.synth.applicants`):
``recruiter eval bias-audit -o eval.bias_audit.applicants=runs/synth/default/applicants.jsonl``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..errors import InputError
from .fairness import impact_ratios

SELECT_VALUES = ("select", "selected", "hire", "hired", "yes", "1", "true", "pass", "advance")


def read_table(path: str | Path) -> list[dict]:
    """Rows of a CSV or JSONL file (by suffix), every value as read."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"eval.bias_audit.applicants: {path} does not exist")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".csv":
        return list(csv.DictReader(io.StringIO(text)))
    rows = []
    for i, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{i}: not JSON ({exc.msg})") from None
    return rows


def _key(value) -> str:
    return str(value).rsplit(":", 1)[-1]


def load_decisions(path: str | Path) -> dict[str, str | None]:
    """id -> the model's status, from an eval run folder or a JSONL file."""
    path = Path(path)
    file = path / "predictions.jsonl" if path.is_dir() else path
    rows = read_table(file)
    if rows and "status" not in rows[0]:
        raise InputError(f"{file}: no 'status' field (expected the model's decisions)")
    return {_key(r.get("id")): r.get("status") for r in rows}


def audit_columns(
    rows: Sequence[Mapping],
    selected: Sequence[bool],
    columns: Sequence[str],
    min_share: float,
    threshold: float,
    n_boot: int,
    seed: int,
) -> dict:
    """Per column and for the intersection of ``columns``: :func:`impact_ratios` tables."""
    out = {}
    for col in columns:
        groups = [str(r.get(col) or "unknown") for r in rows]
        out[col] = impact_ratios(groups, selected, None, min_share, threshold, n_boot, seed)
    if len(columns) > 1:
        groups = [" × ".join(str(r.get(c) or "unknown") for c in columns) for r in rows]
        out[" × ".join(columns)] = impact_ratios(
            groups, selected, None, min_share, threshold, n_boot, seed
        )
    return out


def bias_audit(cfg) -> dict:
    b, f = cfg.eval.bias_audit, cfg.eval.fairness
    if not b.applicants:
        raise InputError("eval.bias_audit.applicants: give the applicant table (CSV or JSONL)")
    if not b.columns:
        raise InputError("eval.bias_audit.columns: name the demographic columns to audit")
    rows = read_table(b.applicants)
    if not rows:
        raise InputError(f"{b.applicants}: no rows")
    for col in (b.id_column, b.outcome_column, *b.columns):
        if col not in rows[0]:
            raise InputError(
                f"{b.applicants}: no column {col!r} (columns: {', '.join(map(str, rows[0]))})"
            )
    select = {v.lower() for v in b.select_values}
    outcome = [str(r[b.outcome_column]).strip().lower() in select for r in rows]
    result: dict = {
        "applicants": str(b.applicants),
        "n": len(rows),
        "columns": list(b.columns),
        "min_share": f.min_group_share,
        "impact_threshold": f.impact_threshold,
        "historical": {
            "selection_rate": float(np.mean(outcome)),
            "tables": audit_columns(
                rows, outcome, b.columns, f.min_group_share, f.impact_threshold,
                cfg.eval.bootstrap, cfg.seed,
            ),
        },
    }  # fmt: skip
    if b.predictions:
        decided = load_decisions(b.predictions)
        both = [(r, decided[_key(r[b.id_column])]) for r in rows if _key(r[b.id_column]) in decided]
        if not both:
            raise InputError(f"{b.predictions}: no decision shares an id with {b.applicants}")
        sub = [r for r, _ in both]
        model = [s == "select" for _, s in both]
        hist = [str(r[b.outcome_column]).strip().lower() in select for r in sub]
        result["model"] = {
            "predictions": str(b.predictions),
            "n": len(both),
            "selection_rate": float(np.mean(model)),
            "tables": audit_columns(
                sub, model, b.columns, f.min_group_share, f.impact_threshold,
                cfg.eval.bootstrap, cfg.seed,
            ),
            # the historical outcomes of the same applicants, for a like-for-like comparison
            "historical_same_rows": audit_columns(
                sub, hist, b.columns, f.min_group_share, f.impact_threshold,
                cfg.eval.bootstrap, cfg.seed,
            ),
        }  # fmt: skip
    return result


def _row(name: str, r: Mapping) -> str:
    if r["excluded"]:
        return f"| {name} | {r['n']} | {r['share']:.3f} | {r['selection_rate']:.3f} | excluded (< min share) | |"
    lo, hi = r["ci95"]
    flag = "**below**" if r["flagged"] else ""
    return (
        f"| {name} | {r['n']} | {r['share']:.3f} | {r['selection_rate']:.3f} | "
        f"{r['impact_ratio']:.3f} [{lo:.2f}, {hi:.2f}] | {flag} |"
    )


def bias_audit_md(r: dict) -> list[str]:
    out = [
        "## Bias audit (LL144-style impact ratios)",
        "",
        f"Applicants `{r['applicants']}` ({r['n']} rows); columns {', '.join(r['columns'])} and "
        f"their intersection. Impact ratio = the category's selection rate / the highest "
        f"category's, bootstrap 95 % CI; flagged below {r['impact_threshold']}; categories under "
        f"{r['min_share']:.0%} of rows are listed and excluded.",
        "",
    ]
    parts = [("Historical outcomes", r["historical"])]
    if "model" in r:
        m = r["model"]
        parts.append((f"Model decisions (`{m['predictions']}`, {m['n']} applicants)", m))
        parts.append(
            ("Historical outcomes of those same applicants", {"tables": m["historical_same_rows"]})
        )
    for title, block in parts:
        rate = (
            f" — overall selection rate {block['selection_rate']:.3f}"
            if "selection_rate" in block
            else ""
        )
        out += [f"### {title}{rate}", ""]
        for col, table in block["tables"].items():
            out += [
                f"**{col}**",
                "",
                "| category | n | share | selection rate | impact ratio [95 % CI] | |",
                "|---|---|---|---|---|---|",
            ]
            out += [_row(name, row) for name, row in table.items()]
            out.append("")
    return out


def bias_audit_plot(r: dict, run_dir: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = r["columns"]
    fig, axes = plt.subplots(len(cols), 1, figsize=(8, 2.6 * len(cols)), squeeze=False)
    for ax, col in zip(axes[:, 0], cols, strict=True):
        series = [("historical", r["historical"]["tables"][col], "#7f7f7f")]
        if "model" in r:
            series.append(("model", r["model"]["tables"][col], "#1f77b4"))
        names = [n for n, row in series[0][1].items() if not row["excluded"]]
        x = np.arange(len(names))
        width = 0.8 / len(series)
        for k, (label, table, color) in enumerate(series):
            vals = [table.get(n, {}).get("impact_ratio", np.nan) for n in names]
            ax.bar(x + k * width, vals, width, label=label, color=color)
        ax.axhline(r["impact_threshold"], ls="--", color="#d62728", lw=0.8)
        ax.set_xticks(x + width * (len(series) - 1) / 2, names, rotation=30, ha="right", fontsize=7)
        ax.set_ylabel("impact ratio")
        ax.set_title(col, fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(run_dir / "bias_audit.png", dpi=110)
    plt.close(fig)
    return ["bias_audit.png"]
