"""The model card (``adapter/README.md``): data, configuration, throughput and test metrics.

Rendered from the run's ``training.json`` and ``metrics.json`` only, so the card never states a
number that the run did not record; re-rendered whenever a dataset is evaluated.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..storage import atomic_write_text

_COLS = (
    ("accuracy", "accuracy"),
    ("macro_f1", "macro-F1"),
    ("precision_select", "precision (select)"),
    ("recall_select", "recall (select)"),
    ("f1_select", "F1 (select)"),
    ("auc", "AUC"),
    ("valid_rate", "schema-valid"),
)


def _fmt(v) -> str:
    if v is None:
        return "–"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def _table(rows: dict[str, dict]) -> list[str]:
    lines = ["| system | n | " + " | ".join(h for _, h in _COLS) + " |"]
    lines.append("|---|---|" + "---|" * len(_COLS))
    for name, m in rows.items():
        lines.append(
            f"| {name} | {m['n']} | " + " | ".join(_fmt(m.get(k)) for k, _ in _COLS) + " |"
        )
    return lines


def _dataset_section(name: str, d: dict) -> list[str]:
    lines = [f"### {name} ({d['split']} split)", ""]
    lines.append(
        f"Data `{d['data']}` (manifest sha256 `{d['data_manifest_sha256'][:16]}…`); "
        f"{d.get('decisions_per_second')} decisions/s on {d['engine']['device']} "
        f"({d['engine']['precision']}), {d['seconds']} s in all."
    )
    lines.append("")
    systems = {"this adapter": d["model"], "TF-IDF + LR": d["tfidf_logreg"]}
    if d.get("evidence_logreg"):
        systems["evidence-feature LR"] = d["evidence_logreg"]
    lines += _table({**systems, "majority": d["majority"]})
    per = d.get("per_source", {})
    if len(per.get("model", {})) > 1:
        lines += ["", "Per source file (model / TF-IDF + LR):", ""]
        lines.append(
            "| source | n | accuracy | macro-F1 | AUC | TF-IDF accuracy | TF-IDF macro-F1 |"
        )
        lines.append("|---|---|---|---|---|---|---|")
        for src, m in per["model"].items():
            b = per["tfidf_logreg"][src]
            lines.append(
                f"| {src} | {m['n']} | {_fmt(m['accuracy'])} | {_fmt(m['macro_f1'])} | "
                f"{_fmt(m['auc'])} | {_fmt(b['accuracy'])} | {_fmt(b['macro_f1'])} |"
            )
    if d.get("flags"):
        lines += ["", "Flags raised: " + ", ".join(f"{k} {v}" for k, v in d["flags"].items()) + "."]
    return lines + [""]


def corpus_info(prepared: str | Path) -> str:
    """'synthetic corpus seed S, N records' when the prepared data came from `prepare synth`."""
    import yaml

    try:
        cfg = yaml.safe_load((Path(prepared) / "config.yaml").read_text()) or {}
        first = Path(cfg["prepare"]["inputs"][0])
        corpus = first if first.is_dir() else first.parent
        synth = (yaml.safe_load((corpus / "config.yaml").read_text()) or {})["prepare"]["synth"]
        return f"synthetic corpus (`recruiter prepare synth`) seed {synth['seed']}, {synth['n_records']} records, label noise {synth['label_noise']}"
    except (OSError, KeyError, TypeError, IndexError, ValueError):
        return "prepared data"


def render(training: dict, metrics: dict) -> str:
    t = training
    cfg = t.get("config", {}).get("train", {})
    lora = t.get("lora") or cfg.get("lora", {})
    lines = [
        f"# {t['base_model']} + recruiter LoRA adapter",
        "",
        "A LoRA adapter that makes the instruct model read a role, job description, resume and "
        'interview transcript and answer `{"reasoning": …, "status": "select" | "reject"}`, '
        "reasoning first. Served by `recruiter` (constrained JSON decoding, jsonschema "
        "validation, audit log). **Decisions are advisory and need human review.**",
        "",
        "## Training",
        "",
        f"- Base model: `{t['base_model']}`; prompt `{t['prompt_version']}`, prompt budget "
        f"{t['prompt_budget']} tokens (max length {t['max_length']}).",
        f"- Data: {corpus_info(t['data'])}, prepared into `{t['data']}` (manifest sha256 "
        f"`{t['data_manifest_sha256']}`); "
        f"{t['examples']['train']} train / {t['examples']['validation']} validation examples; "
        f"cut to fit: {t['truncation']['train']['cut']} train examples.",
        *(
            [
                "- Datasets pooled (`train.extra_data`): "
                + "; ".join(
                    f"{name} (`{d['data']}`) {d['rows']} train rows x {d['weight']:g} = "
                    f"{d['examples']} examples, select share {_fmt(d['select_share'])}, "
                    f"{d['validation']} validation"
                    for name, d in t["datasets"].items()
                )
                + "."
            ]
            if len(t.get("datasets") or {}) > 1
            else []
        ),
        "- Reasoning target: "
        + (
            "written from the evidence sheet's facts (no verdict; the status token carries the "
            "decision; recruiter/train/targets.py)."
            if t.get("reasoning_target") == "sheet"
            else "the recorded reasoning of the past decisions."
        ),
        f"- LoRA r={lora.get('r')}, alpha={lora.get('alpha')}, dropout={lora.get('dropout')}, "
        f"targets `{lora.get('target_modules')}`; {t['trainable_parameters']:,} trainable "
        "parameters; assistant-only (completion) loss.",
        *(
            [
                f"- Started from the adapter `{t['init_adapter']}` (sha256 "
                f"`{(t.get('init_adapter_sha256') or '–')[:16]}…`), not from a fresh LoRA; "
                "the LoRA settings are that adapter's."
            ]
            if t.get("init_adapter")
            else []
        ),
        f"- {cfg.get('epochs')} epochs max, lr {cfg.get('learning_rate')} {cfg.get('lr_scheduler')} "
        f"with {cfg.get('warmup_ratio')} warm-up, batch {cfg.get('batch_size')} x "
        f"{cfg.get('grad_accum')} accumulation, seed {t['seed']}; loss weight of the status "
        f"token {cfg.get('status_weight', 1.0)} (1 = plain completion loss)"
        + (
            f"; {t['injected']['records']} training records carried an injected instruction"
            if (t.get("injected") or {}).get("records")
            else ""
        )
        + ".",
        f"- Ran on **{t['device']}** ({t['precision']}): {t['steps']} steps, "
        f"{t.get('tokens_per_second', '–')} tokens/s, peak memory {t.get('peak_memory_mb', '–')} MB, "
        f"{t.get('train_seconds', '–')} s of optimizer steps.",
        f"- {_selection_line(t)} "
        f"(checkpoint `{Path(t['best_checkpoint']).name if t.get('best_checkpoint') else '–'}`); "
        f"packages: " + ", ".join(f"{k} {v}" for k, v in t.get("packages", {}).items()) + ".",
        "",
        "## Test metrics",
        "",
        "Greedy constrained decoding through the inference engine; an answer that is not "
        "schema-valid after one retry counts as wrong. Baselines are trained on the same train "
        "split.",
        "",
    ]
    datasets = metrics.get("datasets", {})
    if not datasets:
        lines += ["Not evaluated yet: `recruiter train evaluate RUN_DIR`.", ""]
    for name, d in datasets.items():
        lines += _dataset_section(name, d)
    lines += [
        "## Limits",
        "",
        "- Trained on a synthetic corpus whose labels follow a documented rule (`rule.txt` of the "
        "corpus); on real hiring data it knows only what that rule rewards.",
        "- A 135M-parameter model: it can misread counts (skills covered, years) that its "
        "reasoning cites. The reasoning is a summary for the reviewer, not a proof.",
        "- Names and contact details are masked before the model reads them; other proxies "
        "(schools, places, employment gaps) are not. See `recruiter eval fairness`.",
        "",
        f"Command: `{t.get('command', 'recruiter train')}`"
        + ("." if t.get("init_adapter") else "; reproduce with `make train`."),
        "",
    ]
    return "\n".join(lines)


def _selection_line(t: dict) -> str:
    """How the checkpoint was chosen, with the validation numbers of every evaluation."""
    history = t.get("selection") or []
    if t.get("selected_by") != "decisions" or not history:
        return f"Chosen by validation loss: {_fmt(t.get('best_eval_loss'))}"
    steps = "; ".join(
        f"step {h['step']}: macro-F1 {_fmt(h['macro_f1'])}, AUC {_fmt(h['auc'])}, select rate "
        f"{_fmt(h['select_rate'])} (true {_fmt(h['true_select_rate'])}), loss {_fmt(h['eval_loss'])}"
        + (
            " ("
            + ", ".join(
                f"{name} {_fmt(b['macro_f1'])}/{_fmt(b['auc'])}"
                for name, b in h["by_dataset"].items()
            )
            + " macro-F1/AUC)"
            if h.get("by_dataset")
            else ""
        )
        for h in history
    )
    cal = t.get("calibration")
    calibrated = (
        f". Status threshold: P(select) >= {cal['threshold']:.3f}, tuned on step {cal['step']}'s "
        f"{cal['n']} validation decisions (macro-F1 {_fmt(cal['macro_f1_greedy'])} greedy -> "
        f"{_fmt(cal['macro_f1_at_threshold'])}; the same records chose the step, so that "
        "validation figure is optimistic: the test split below is the measure)"
        if cal
        else ""
    )
    return (
        f"Chosen by validation decisions ({history[0]['n']} records through the inference "
        f"engine, macro-F1 with AUC as tie-break): {steps}; validation loss of the chosen "
        f"checkpoint {_fmt(t.get('best_eval_loss'))}{calibrated}"
    )


def write_card(run_dir: str | Path) -> Path:
    run_dir = Path(run_dir)
    training = json.loads((run_dir / "training.json").read_text())
    metrics_path = run_dir / "metrics.json"
    metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
    return atomic_write_text(run_dir / "adapter" / "README.md", render(training, metrics))
