"""Is the label's signal still in the text the model reads? TF-IDF + LR on full text vs the prompt.

    .venv/bin/python benchmarks/prompt_signal.py runs/prepare/hiring          # budget 480
    .venv/bin/python benchmarks/prompt_signal.py runs/prepare/synth 1376

Fits the project's TF-IDF + LR baseline (``recruiter.eval.baselines.tfidf_logreg``) on the train
split and scores the test split twice: on each record's full text (role, job description,
resume, transcript), and on exactly what a v2 prompt of the given budget keeps (the user message
after the preflight and :func:`recruiter.inference.truncate.fit_prompt`, evidence sheet
included). If the second is as good as the first, the cut is not what keeps a model from the
label. Prints macro-F1, AUC and select rate for both.
"""

from __future__ import annotations

import sys

import recruiter  # noqa: F401


def main() -> None:
    from transformers import AutoTokenizer

    from recruiter.eval.baselines import tfidf_logreg
    from recruiter.inference.decision import prepare_candidate
    from recruiter.inference.evidence import default_matcher
    from recruiter.metrics import decision_metrics
    from recruiter.models import resolve_llm
    from recruiter.splits import read_split

    data = sys.argv[1]
    budget = int(sys.argv[2]) if len(sys.argv) > 2 else 480
    tok = AutoTokenizer.from_pretrained(resolve_llm("smollm2-135m-instruct"))
    matcher = default_matcher(0.6)

    def seen(r: dict) -> str:
        msgs, *_ = prepare_candidate(tok, r, budget, False, True, "v2", matcher)
        return "\n".join(m["content"] for m in msgs if m["role"] == "user")

    def full(r: dict) -> str:
        return "\n".join(
            str(r.get(k) or "") for k in ("role", "job_description", "resume", "transcript")
        )

    train, test = read_split(data, "train"), read_split(data, "test")
    for name, text in (("full text", full), (f"v2 prompt, budget {budget}", seen)):
        tr = [{"label": r["label"], "resume": text(r)} for r in train]
        te = [{"label": r["label"], "resume": text(r)} for r in test]
        pred, p = tfidf_logreg(tr, te)
        m = decision_metrics([r["label"] for r in te], pred, p)
        print(
            f"{data} {name}: macro-F1 {m['macro_f1']:.3f} AUC {m['auc']:.3f} "
            f"select {m['select_rate']:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
