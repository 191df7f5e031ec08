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
from ..splits import TRAINED_ON, dataset_name, manifest_sha256, read_split
from ..storage import atomic_write_json, atomic_write_text
from .pipeline import score_split


def evaluate_run(
    run_dir: str | Path,
    cfg: RecruiterConfig,
    data: str | None = None,
    name: str | None = None,
    split: str = "test",
) -> dict:
    """Evaluate ``run_dir/adapter`` on ``data`` (default: the data it was trained on)."""
    from ..inference.engine import build_engine

    run_dir = Path(run_dir)
    adapter = run_dir / "adapter" if (run_dir / "adapter").is_dir() else run_dir
    meta_path = adapter / "recruiter.json"
    if not meta_path.is_file():
        raise InputError(f"{run_dir}: no trained adapter (adapter/recruiter.json) to evaluate")
    meta = json.loads(meta_path.read_text())
    data = data or meta["data"]
    name = name or dataset_name(data, meta["data"])
    limit = cfg.train.max_test_examples
    test_rows = read_split(data, split, limit)
    train_rows = read_split(data, "train")

    engine = build_engine(cfg, llm=meta.get("base_model", cfg.models.llm), adapter=str(adapter))
    result = score_split(engine, test_rows, train_rows, seed=cfg.seed)
    records = result.pop("_records")
    result.pop("tfidf_curve")
    result.update(
        data=str(data),
        split=split,
        data_manifest_sha256=manifest_sha256(data),
        engine=engine.describe(),
        max_new_tokens=cfg.inference.max_new_tokens,
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

    from ..train.card import write_card

    write_card(run_dir)
    return result


def evaluate_trained(run_dir: str | Path, cfg: RecruiterConfig) -> dict[str, dict]:
    """The test splits of every dataset a run trained on: ``train.data`` and each
    ``train.extra_data`` (under its name), each beside baselines trained on its own train split."""
    results = {TRAINED_ON: evaluate_run(run_dir, cfg)}
    for e in cfg.train.extra_data:
        name = e.name or dataset_name(e.data)
        results[name] = evaluate_run(run_dir, cfg, data=e.data, name=name)
    return results
