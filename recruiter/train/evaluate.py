"""Decision metrics of a trained adapter on a prepared test split, beside its baselines.

The adapter is run through the real inference engine (preflight, fitting, constrained greedy
decoding, jsonschema validation, retry) so the numbers are those a user gets. The TF-IDF +
logistic-regression and majority baselines are trained on the same prepared data's train split.
Results go to ``metrics.json`` in the run folder under ``datasets.<name>`` (several prepared
datasets can be evaluated into one run: the synthetic test split at the end of training, the
prepared public hiring data afterwards with ``recruiter train evaluate RUN --data … --name …``),
predictions to ``predictions-<name>.jsonl``, and the model card is re-rendered each time.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..config import RecruiterConfig
from ..errors import InputError
from ..eval.baselines import majority, tfidf_logreg
from ..eval.metrics import by_group, decision_metrics
from ..storage import atomic_write_json, atomic_write_text
from . import data as data_mod


def evaluate_rows(engine, train_rows: list[dict], test_rows: list[dict], seed: int = 0) -> dict:
    """Model and baseline metrics (overall and per source file) on ``test_rows``."""
    records, seconds = engine.decide_all(test_rows, channel="eval", label="test decisions")
    y = [r["label"] for r in test_rows]
    sources = [str(r.get("source") or "") for r in test_rows]
    pred = [rec.get("status") for rec in records]
    p_sel = [rec.get("p_select") for rec in records]
    tf_pred, tf_p = tfidf_logreg(train_rows, test_rows, seed=seed)
    mj_pred, mj_p = majority(train_rows, test_rows)
    return {
        "model": decision_metrics(y, pred, p_sel),
        "tfidf_logreg": decision_metrics(y, tf_pred, tf_p),
        "majority": decision_metrics(y, mj_pred, mj_p),
        "per_source": {
            "model": by_group(sources, y, pred, p_sel),
            "tfidf_logreg": by_group(sources, y, tf_pred, tf_p),
        },
        "decisions_per_second": round(len(test_rows) / seconds, 3) if seconds else None,
        "seconds": round(seconds, 1),
        "flags": _flag_counts(records),
        "_records": records,
    }


def _flag_counts(records: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rec in records:
        for f in rec.get("flags", []):
            key = f.split(":", 1)[-1] if f.startswith(("resume:", "transcript:", "role:")) else f
            key = "truncated" if key.startswith("truncated") else key
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def evaluate_run(
    run_dir: str | Path,
    cfg: RecruiterConfig,
    data: str | None = None,
    name: str | None = None,
    split: str = "test",
) -> dict:
    """Evaluate ``run_dir/adapter`` on ``data`` (default: the data it was trained on)."""
    from ..inference.engine import Engine

    run_dir = Path(run_dir)
    adapter = run_dir / "adapter" if (run_dir / "adapter").is_dir() else run_dir
    meta_path = adapter / "recruiter.json"
    if not meta_path.is_file():
        raise InputError(f"{run_dir}: no trained adapter (adapter/recruiter.json) to evaluate")
    meta = json.loads(meta_path.read_text())
    data = data or meta["data"]
    name = name or (
        "synthetic" if Path(data).resolve() == Path(meta["data"]).resolve() else Path(data).name
    )
    limit = cfg.train.max_test_examples
    test_rows = data_mod.read_split(data, split, limit)
    train_rows = data_mod.read_split(data, "train")

    i = cfg.inference
    engine = Engine(
        llm=meta.get("base_model", cfg.models.llm),
        adapter=str(adapter),
        precision=i.precision,
        device=cfg.runtime.device,
        max_new_tokens=i.max_new_tokens,
        retry_max_new_tokens=i.retry_max_new_tokens,
        batch_size=i.batch_size,
        prompt_budget=i.prompt_budget,
    )
    result = evaluate_rows(engine, train_rows, test_rows, seed=cfg.seed)
    records = result.pop("_records")
    result.update(
        data=str(data),
        split=split,
        data_manifest_sha256=data_mod.manifest_sha256(data),
        engine=engine.describe(),
        max_new_tokens=i.max_new_tokens,
    )
    lines = [
        json.dumps({"id": r.get("id"), "source": r.get("source"), "label": r["label"], **rec})
        for r, rec in zip(test_rows, records, strict=True)
    ]
    atomic_write_text(run_dir / f"predictions-{name}.jsonl", "\n".join(lines) + "\n")

    metrics_path = run_dir / "metrics.json"
    metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
    metrics.setdefault("datasets", {})[name] = result
    atomic_write_json(metrics_path, metrics)

    from .card import write_card

    write_card(run_dir)
    return result
