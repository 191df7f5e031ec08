"""Baselines every model number is reported beside: majority class, TF-IDF + logistic regression
and the evidence-feature logistic regression.

The TF-IDF baseline reads the same four fields the LLM reads (role, job description, resume,
transcript), each prefixed with its field name so "python" in the JD and in the resume are
different features, and is trained on the same train split. Its regularisation strength is
chosen by 5-fold cross-validation on that split only. On data whose label leaks through tone it
scores near 1.0 and on coin-flip data near 0.5: both are the point of a baseline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

FIELDS = ("role", "job_description", "resume", "transcript")


def _text(row: dict) -> str:
    parts = []
    for f in FIELDS:
        words = str(row.get(f) or "").split()
        parts.append(" ".join(f"{f[:2]}_{w}" for w in words))
        parts.append(" ".join(words))
    return "\n".join(parts)


def majority(train: Sequence[dict], test: Sequence[dict]) -> tuple[list[str], list[float]]:
    label, count = Counter(r["label"] for r in train).most_common(1)[0]
    p = count / len(train) if label == "select" else 1 - count / len(train)
    return [label] * len(test), [p] * len(test)


def tfidf_logreg(
    train: Sequence[dict], test: Sequence[dict], seed: int = 0
) -> tuple[list[str], list[float]]:
    """Predictions and P(select) on ``test`` from a model fitted on ``train``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.pipeline import make_pipeline

    y = [r["label"] == "select" for r in train]
    if len(set(y)) < 2:
        return majority(train, test)
    folds = max(2, min(5, Counter(y).most_common()[-1][1]))
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=200_000, sublinear_tf=True),
        LogisticRegressionCV(Cs=8, cv=folds, max_iter=2000, random_state=seed),
    )
    model.fit([_text(r) for r in train], y)
    proba = model.predict_proba([_text(r) for r in test])[:, 1]
    return ["select" if p >= 0.5 else "reject" for p in proba], [float(p) for p in proba]


def evidence_logreg(
    train: Sequence[dict], test: Sequence[dict], seed: int = 0, threshold: float | None = None
) -> tuple[list[str], list[float]]:
    """Logistic regression on the evidence sheet's numbers only (:meth:`Sheet.features`).

    A model that only repeats the sheet (skills found, years against the minimum, languages met,
    how long the answers to the tagged questions are) cannot pass for good beside it. Features
    are standardised; C by cross-validation on the train split.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ..inference.evidence import DEFAULT_MATCH_THRESHOLD, build_sheet, default_matcher

    y = [r["label"] == "select" for r in train]
    if len(set(y)) < 2:
        return majority(train, test)
    matcher = default_matcher(DEFAULT_MATCH_THRESHOLD if threshold is None else threshold)

    def features(rows):
        feats = [build_sheet(r, matcher, as_of=r.get("as_of")).features() for r in rows]
        keys = sorted(feats[0]) if feats else []
        return np.array([[f[k] for k in keys] for f in feats], dtype=float)

    folds = max(2, min(5, Counter(y).most_common()[-1][1]))
    model = make_pipeline(
        StandardScaler(), LogisticRegressionCV(Cs=8, cv=folds, max_iter=2000, random_state=seed)
    )
    model.fit(features(train), y)
    proba = model.predict_proba(features(test))[:, 1]
    return ["select" if p >= 0.5 else "reject" for p in proba], [float(p) for p in proba]
