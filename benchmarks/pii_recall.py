"""PII masking recall / precision per entity type on Presidio's labelled sentences.

Data: ``../shared/data/pii/presidio_generated_small.json`` (microsoft/presidio-research,
``tests/data/generated_small.json``: 100 sentences with ``spans`` of ``entity_type``,
``start_position``, ``end_position``). It is reference data, not part of the product: when the
folder is absent the script says so and exits 0.

Scoring (character coverage):

* recall: a gold span counts as found when masked characters of the mapped type cover >= 50% of
  its non-blank characters ("any-type" recall: covered by any placeholder);
* precision: a masked span counts as correct when >= 50% of its characters lie inside gold spans
  of the mapped type.

Gold types are mapped to ours (PHONE_NUMBER -> PHONE, EMAIL_ADDRESS -> EMAIL, ADDRESS /
STREET_ADDRESS -> ADDRESS, DOMAIN_NAME -> URL, PERSON -> PERSON or NAME). Types we do not mask
(LOCATION, ORGANIZATION, DATE_TIME, TITLE, CREDIT_CARD, ...) are listed as "not masked by design"
with how much of them gets masked anyway. The sentences carry no "record name", so NAME is never
used here; the data's addresses are largely non-US, multi-line and include bare building numbers
and ZIP codes, which the street-level ADDRESS recogniser deliberately does not mask.

Usage::

    HF_HUB_OFFLINE=1 python benchmarks/pii_recall.py [--data PATH] [--no-gate] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "pii" / "presidio_generated_small.json"

GOLD_TO_OURS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "EMAIL_ADDRESS": "EMAIL",
    "EMAIL": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "PHONE": "PHONE",
    "ADDRESS": "ADDRESS",
    "STREET_ADDRESS": "ADDRESS",
    "DOMAIN_NAME": "URL",
    "URL": "URL",
    "DATE_OF_BIRTH": "DATE_OF_BIRTH",
    "AGE": "AGE",
}
# our placeholder types that answer for a gold type
OURS_EQUIV = {"PERSON": {"PERSON", "NAME"}}


def _covered(chars: set[int], text: str, a: int, b: int) -> float:
    idx = [i for i in range(a, b) if not text[i].isspace()]
    return sum(i in chars for i in idx) / len(idx) if idx else 1.0


def evaluate(samples: list[dict], masker) -> dict:
    """Per-type recall/precision counts for ``samples`` masked by ``masker``."""
    texts = [s["full_text"] for s in samples]
    t0 = time.perf_counter()
    results = masker.mask_texts(texts)
    seconds = time.perf_counter() - t0

    found, total, any_found = Counter(), Counter(), Counter()
    unmapped_total, unmapped_masked = Counter(), Counter()
    tp, pred = Counter(), Counter()
    misses: dict[str, list[str]] = defaultdict(list)
    false_pos: dict[str, list[str]] = defaultdict(list)
    for sample, res in zip(samples, results, strict=True):
        text = sample["full_text"]
        by_type: dict[str, set[int]] = defaultdict(set)
        masked: set[int] = set()
        for a, b, typ in res.spans:
            rng = range(a, b)
            by_type["PERSON" if typ == "NAME" else typ].update(rng)
            masked.update(rng)
        gold_by_type: dict[str, set[int]] = defaultdict(set)
        for span in sample["spans"]:
            gtype, a, b = span["entity_type"], span["start_position"], span["end_position"]
            ours = GOLD_TO_OURS.get(gtype)
            if ours is None:
                unmapped_total[gtype] += 1
                unmapped_masked[gtype] += _covered(masked, text, a, b) >= 0.5
                continue
            gold_by_type[ours].update(range(a, b))
            total[ours] += 1
            hit = _covered(by_type[ours], text, a, b) >= 0.5
            found[ours] += hit
            any_found[ours] += _covered(masked, text, a, b) >= 0.5
            if not hit:
                misses[ours].append(text[a:b])
        for a, b, typ in res.spans:
            typ = "PERSON" if typ == "NAME" else typ
            pred[typ] += 1
            ok = _covered(gold_by_type[typ], text, a, b) >= 0.5
            tp[typ] += ok
            if not ok:
                false_pos[typ].append(text[a:b])
    rows = {}
    for typ in sorted(set(total) | set(pred)):
        rows[typ] = {
            "gold": total[typ],
            "found": found[typ],
            "recall": found[typ] / total[typ] if total[typ] else None,
            "any_type_recall": any_found[typ] / total[typ] if total[typ] else None,
            "predicted": pred[typ],
            "correct": tp[typ],
            "precision": tp[typ] / pred[typ] if pred[typ] else None,
            "missed_examples": misses[typ][:8],
            "false_positive_examples": false_pos[typ][:8],
        }
    unmapped = {
        t: {"gold": unmapped_total[t], "masked_anyway": unmapped_masked[t]}
        for t in sorted(unmapped_total)
    }
    return {
        "n_sentences": len(samples),
        "seconds": seconds,
        "per_type": rows,
        "not_masked_by_design": unmapped,
    }


def _fmt(x) -> str:
    return "-" if x is None else f"{x:.2f}"


def print_report(report: dict, title: str) -> None:
    header = ("type", "gold", "recall", "any-type recall", "predicted", "precision")
    rows = [
        (
            t,
            str(r["gold"]),
            _fmt(r["recall"]),
            _fmt(r["any_type_recall"]),
            str(r["predicted"]),
            _fmt(r["precision"]),
        )
        for t, r in report["per_type"].items()
    ]
    extra = [
        (t, str(r["gold"]), f"{r['masked_anyway']}/{r['gold']} masked anyway")
        for t, r in report["not_masked_by_design"].items()
    ]
    try:
        from rich.console import Console
        from rich.table import Table

        console = Console()
        table = Table(title=title)
        for h in header:
            table.add_column(h, justify="left" if h == "type" else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        if extra:
            t2 = Table(title="gold types not masked by design")
            for h in ("type", "gold", "note"):
                t2.add_column(h)
            for row in extra:
                t2.add_row(*row)
            console.print(t2)
    except ImportError:  # pragma: no cover - rich is a dependency
        print(title)
        print(" | ".join(header))
        for row in rows:
            print(" | ".join(row))
        print("not masked by design:", ", ".join(f"{t} ({n}, {note})" for t, n, note in extra))
    for t, r in report["per_type"].items():
        if r["missed_examples"]:
            print(f"missed {t}: {r['missed_examples']}")
        if r["false_positive_examples"]:
            print(f"false positive {t}: {r['false_positive_examples']}")
    print(f"{report['n_sentences']} sentences masked in {report['seconds']:.2f}s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="presidio-research generated_small.json"
    )
    ap.add_argument(
        "--no-gate", action="store_true", help="run spaCy NER on the whole text (slower)"
    )
    ap.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = ap.parse_args(argv)
    if not args.data.exists():
        print(
            f"PII reference data not found at {args.data}; nothing to benchmark "
            "(it lives in ../shared/data, which a fresh clone does not have)."
        )
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(REPO))
    from recruiter.pii import PiiMasker

    samples = json.loads(args.data.read_text(encoding="utf-8"))
    masker = PiiMasker(ner_gate=not args.no_gate)
    report = evaluate(samples, masker)
    print_report(
        report, f"PII masking on {args.data.name} ({'full NER' if args.no_gate else 'gated NER'})"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
