"""`recruiter prepare`: raw exports -> clean, PII-masked, de-duplicated, leak-free splits.

Stages, in order, each recording what it dropped or changed and why:

1. read + label normalisation (:mod:`.io`)
2. clean (:mod:`.clean`)            3. spam / junk (:mod:`.spam`)
4. label-leak scrub (:mod:`.leak`)  5. PII masking (:mod:`.pii`)
6. de-duplication (:mod:`.dedup`)   7. group-aware split (:mod:`.split`)
8. format + write (:mod:`.format`)

Candidate identity keys (name, e-mail) are hashed *before* masking, so that the split can keep
one person's records on one side even though their names are gone from the text. PII masking runs
before de-duplication on purpose: two copies of a resume that differ only in the masked contact
details become exact duplicates.

Nothing is written until every stage has succeeded; the output folder then appears atomically.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from ..config import PrepareConfig, RecruiterConfig, config_hash, save_resolved
from ..errors import ConfigError, InputError
from ..storage import atomic_dir, atomic_write_json, atomic_write_text, new_run_dir, sha256_file
from . import io

TEXT_FIELDS = ("role", "job_description", "resume", "transcript", "reason")
SPLIT_NAMES = {"train": "train", "val": "validation", "test": "test"}


def _progress():
    from rich.console import Console

    return Console(stderr=True)


def run(cfg: RecruiterConfig, command: str = "recruiter prepare") -> Path:
    """Run every stage on ``cfg.prepare.inputs``; return the output folder."""
    p = cfg.prepare
    out = Path(p.output) if p.output else new_run_dir("prepare")
    if out.exists() and not p.overwrite:
        raise InputError(f"{out} already exists; pass -o prepare.overwrite=true to replace it")
    console = _progress()
    stages: dict[str, dict] = {}
    timings: dict[str, float] = {}

    def stage(name: str):
        console.print(f"[bold]prepare[/] {name} …", highlight=False)
        timings[name] = time.perf_counter()

    def done(name: str, n: int):
        timings[name] = round(time.perf_counter() - timings[name], 3)
        stages[name]["records_out"] = n

    stage("read")
    paths = io.expand_inputs(p.inputs)
    records, read_report = io.read_records(paths, p.preset, p.columns, p.labels)
    if read_report.bad_labels and p.unknown_labels == "error":
        values = ", ".join(f"{v!r} ({n} rows)" for v, n in read_report.bad_labels.most_common(8))
        raise InputError(
            f"label column: values that are not a known select/reject spelling: {values}. Map "
            'them with prepare.labels in the config (prepare: labels: {"Not Progressed": reject}) '
            "or drop those rows with -o prepare.unknown_labels=drop"
        )
    stages["read"] = read_report.as_dict()
    done("read", len(records))
    if not records:
        raise InputError("no records with a usable label in: " + ", ".join(map(str, paths)))

    records = _clean(records, p, stages, stage, done)
    records = _spam(records, p, stages, stage, done)
    records = _leak(records, p, stages, stage, done)
    records = _identity_keys(records)
    records = _mask(records, p, stages, stage, done)
    records, cluster_report = _dedup(records, p, stages, stage, done)
    splits, split_report = _split(records, p, cfg.seed, stages, stage, done)

    stage("write")
    from .format import write_manifest, write_splits

    with atomic_dir(out, overwrite=p.overwrite) as tmp:
        save_resolved(cfg, tmp, command)
        split_stats = write_splits(splits, tmp)
        stages["write"] = {"splits": {k: v["rows"] for k, v in split_stats.items()}}
        done("write", sum(v["rows"] for v in split_stats.values()))
        # Timings live in their own file: every other output is byte-identical across reruns.
        dedup_report = {k: v for k, v in cluster_report.items() if k != "seconds"}
        atomic_write_json(
            tmp / "report.json", {"stages": stages, "dedup": dedup_report, "split": split_report}
        )
        atomic_write_text(tmp / "report.md", _markdown(stages, split_report, dedup_report))
        _plot(stages, tmp / "report.png")
        write_manifest(
            tmp,
            stages=stages,
            split_stats=split_stats,
            config_hash=config_hash(cfg),
            inputs={str(path.name): sha256_file(path) for path in paths if path.is_file()},
            leakage=split_report.get("leakage", {}),
        )
    timings["records_per_s_end_to_end"] = round(
        stages["read"]["records_out"] / max(sum(timings.values()), 1e-9), 2
    )
    atomic_write_json(
        out / "timings.json", {"seconds": timings, "dedup_seconds": cluster_report.get("seconds")}
    )
    console.print(
        f"[green]prepared[/] {sum(len(v) for v in splits.values())} records -> {out}",
        highlight=False,
    )
    return out


# ------------------------------------------------------------------------------------ stages


def _clean(records, p: PrepareConfig, stages, stage, done):
    from .clean import clean_record, reads_as_verdict, repair_swapped_columns
    from .leak import looks_like_evaluation

    stage("clean")
    kept, dropped, swapped = [], Counter(), 0
    for rec in records:
        rec, was_swapped = repair_swapped_columns(rec)
        swapped += was_swapped
        new, reason = clean_record(rec, TEXT_FIELDS, p.min_chars)
        if new is not None and looks_like_evaluation(new["resume"]):
            # interview feedback exported as the "resume": it restates the decision, so the
            # record teaches the label, not the candidate
            new, reason = None, "resume_is_evaluation_report"
        elif new is not None and reads_as_verdict(new["job_description"]):
            new, reason = None, "job_description_is_verdict"  # the JD column holds the outcome
        if new is None:
            dropped[reason] += 1
        else:
            kept.append(new)
    stages["clean"] = {
        "dropped": dict(sorted(dropped.items())),
        "jd_reason_columns_swapped_back": swapped,
    }
    done("clean", len(kept))
    return kept


def _spam(records, p: PrepareConfig, stages, stage, done):
    from .spam import SpamThresholds, length_outliers, spam_reasons

    stage("spam")
    if not p.spam.enabled:
        stages["spam"] = {"enabled": False}
        done("spam", len(records))
        return records
    th = SpamThresholds(**p.spam.model_dump(exclude={"enabled"}))
    fields = ("job_description", "resume", "transcript")
    outliers: dict[str, set] = {
        f: length_outliers(records, f, p.spam.length_outlier_iqr) for f in ("resume", "transcript")
    }
    kept, reasons = [], Counter()
    for rec in records:
        why = spam_reasons(rec, fields, th)
        why += [f"length_outlier:{f}" for f, ids in outliers.items() if rec["id"] in ids]
        if why:
            reasons.update(set(why))
            reasons["records_dropped"] += 1
        else:
            kept.append(rec)
    stages["spam"] = {"reasons": dict(sorted(reasons.items()))}
    done("spam", len(kept))
    return kept


def _leak(records, p: PrepareConfig, stages, stage, done):
    from .leak import scrub_record

    stage("leak-scrub")
    if not p.leak_scrub:
        stages["leak-scrub"] = {"enabled": False}
        done("leak-scrub", len(records))
        return records
    total, touched, out = Counter(), 0, []
    for rec in records:
        new, counts = scrub_record(rec, ("job_description", "resume", "transcript"))
        total.update(counts)
        touched += bool(sum(counts.values()))
        out.append(new)
    stages["leak-scrub"] = {
        "sentences_removed": dict(sorted(total.items())),
        "records_touched": touched,
    }
    done("leak-scrub", len(out))
    return out


def _identity_keys(records):
    from .split import candidate_keys, extract_email

    for rec in records:
        email = extract_email(rec.get("resume")) or extract_email(rec.get("transcript"))
        rec["candidate_key"] = candidate_keys(rec.get("name") or None, email)
    return records


def _mask(records, p: PrepareConfig, stages, stage, done):
    stage("pii")
    if not p.pii.enabled:
        stages["pii"] = {"enabled": False}
        done("pii", len(records))
        return records
    from ..pii import PiiMasker

    try:
        masker = PiiMasker(
            entities=p.pii.entities,
            score_threshold=p.pii.score_threshold,
            batch_size=p.pii.batch_size,
            n_process=p.pii.n_process,
        )
    except ValueError as exc:  # unknown entity type: a config problem, reported as such
        raise ConfigError(f"prepare.pii.entities: {exc}") from None
    # Masking is the slow stage (~70 records/s): chunks give a progress bar. Records are masked
    # independently (placeholders are consistent within a record), so chunking changes nothing.
    from rich.progress import Progress

    masked, counts, chunk = [], Counter(), 250
    with Progress(console=_progress(), transient=True) as bar:
        task = bar.add_task("masking PII", total=len(records))
        for i in range(0, len(records), chunk):
            part, part_counts = masker.mask_records(
                records[i : i + chunk],
                fields=("job_description", "resume", "transcript"),
                name_key="name",
            )
            masked.extend(part)
            counts.update(part_counts)
            bar.advance(task, len(part))
    for rec in masked:
        rec["name"] = ""  # the raw name has done its job (masking, identity key); it is not kept
    stages["pii"] = {"entities_masked": dict(sorted(counts.items()))}
    done("pii", len(masked))
    return masked


def _dedup(records, p: PrepareConfig, stages, stage, done):
    from .dedup import deduplicate

    stage("dedup")
    d = p.dedup
    result = deduplicate(
        records,
        fields=tuple(d.fields),
        threshold=d.threshold,
        lsh_threshold=d.lsh_threshold,
        near=d.near,
        on_conflict=d.on_conflict,
        num_perm=d.num_perm,
    )
    rep = result.report
    stages["dedup"] = {k: rep[k] for k in rep if k.startswith("n_")}
    done("dedup", len(result.records))
    return result.records, rep


def _split(records, p: PrepareConfig, seed: int, stages, stage, done):
    from .split import split_records

    stage("split")
    s = p.split
    parts, report = split_records(
        records,
        ratios={"train": s.train, "val": s.validation, "test": s.test},
        seed=seed,
        group_by_job=s.group_by_job,
        max_group_frac=s.max_group_frac,
        also_stratify=("source",) if s.stratify_by_source else (),
    )
    leaked = report["leakage"]["total_shared"]
    if leaked:
        raise RuntimeError(f"split leaked {leaked} group keys across splits: {report['leakage']}")
    splits = {SPLIT_NAMES[k]: v for k, v in parts.items()}
    stages["split"] = {"sizes": {k: len(v) for k, v in splits.items()}, "shared_groups": leaked}
    done("split", sum(len(v) for v in splits.values()))
    return splits, report


# ------------------------------------------------------------------------------------ report


def _markdown(stages: dict, split_report: dict, dedup: dict | None = None) -> str:
    lines = ["# prepare report", "", "| stage | records out | details |", "|---|---:|---|"]
    for name, info in stages.items():
        details = {k: v for k, v in info.items() if k not in ("records_out", "seconds")}
        lines.append(f"| {name} | {info.get('records_out', '')} | `{details}` |")
    lines += [
        "",
        f"Leakage across splits (shared group keys): **{split_report['leakage']['total_shared']}**",
        "",
    ]
    clusters = (dedup or {}).get("clusters") or []
    if clusters:
        params = dedup.get("params", {})
        lines += [
            f"## Duplicate clusters (near-duplicate Jaccard >= {params.get('threshold')}, "
            "`prepare.dedup.threshold`; label conflicts first; all in report.json)",
            "",
            "| cluster | size | labels | kept | members (first 5) |",
            "|---|---:|---|---|---|",
        ]
        for c in clusters[:30]:
            labels = ", ".join(f"{k}: {v}" for k, v in c["labels"].items())
            flag = " **conflict**" if c["conflict"] else ""
            lines.append(
                f"| {c['cluster']} | {c['size']} | {labels}{flag} | {c['kept'] or 'dropped'} | "
                f"{', '.join(c['members'][:5])} |"
            )
        lines.append("")
    return "\n".join(lines)


def _plot(stages: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in stages if "records_out" in stages[n]]
    counts = [stages[n]["records_out"] for n in names]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.bar(names, counts, color="#4472c4")
    for i, c in enumerate(counts):
        ax.text(i, c, str(c), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("records")
    ax.set_title("records after each prepare stage")
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=110, metadata={"Software": None})
    plt.close(fig)
    tmp.replace(path)
