"""Ranking evaluation of the retriever beside BM25, TF-IDF and the frozen encoder, with CIs.

Queries are the test split's jobs that have at least one selected test candidate; the items are
the test split's candidates, and a candidate is relevant to a job when their pair is labelled
``select``. Two settings:

* **full pool**: each query ranks every test candidate;
* **ConFit pools**: each query ranks its relevant candidates padded with random other test
  candidates to ``pool_size`` (100) items, the protocol of ConFit's evaluation.

Metrics per query — average precision (MAP), reciprocal rank (MRR), nDCG@10, Recall@10 and
Recall@100 — are averaged over queries with a bootstrap 95 % interval (resampling queries). The
phase-2 classifier is scored on the labelled test pairs (select vs reject for the same job): AUC
and F1 at the threshold tuned on validation.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

import numpy as np

from ..metrics import roc_auc

METRICS = ("map", "mrr", "ndcg@10", "recall@10", "recall@100")


def average_precision(rels: Sequence[bool], n_relevant: int | None = None) -> float:
    n_relevant = sum(rels) if n_relevant is None else n_relevant
    if not n_relevant:
        return 0.0
    hits, total = 0, 0.0
    for k, r in enumerate(rels, 1):
        if r:
            hits += 1
            total += hits / k
    return total / n_relevant


def reciprocal_rank(rels: Sequence[bool]) -> float:
    return next((1.0 / k for k, r in enumerate(rels, 1) if r), 0.0)


def ndcg_at(rels: Sequence[bool], k: int, n_relevant: int | None = None) -> float:
    n_relevant = sum(rels) if n_relevant is None else n_relevant
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(rels[:k]) if r)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, n_relevant)))
    return dcg / ideal if ideal else 0.0


def recall_at(rels: Sequence[bool], k: int, n_relevant: int | None = None) -> float:
    n_relevant = sum(rels) if n_relevant is None else n_relevant
    return sum(rels[:k]) / n_relevant if n_relevant else 0.0


def query_metrics(scores: np.ndarray, relevant: np.ndarray) -> dict[str, float]:
    order = np.argsort(-scores, kind="stable")
    rels = relevant[order].tolist()
    n = int(relevant.sum())
    return {
        "map": average_precision(rels, n),
        "mrr": reciprocal_rank(rels),
        "ndcg@10": ndcg_at(rels, 10, n),
        "recall@10": recall_at(rels, 10, n),
        "recall@100": recall_at(rels, 100, n),
    }


def bootstrap_ci(values: Sequence[float], n: int = 1000, seed: int = 0) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = rng.choice(values, size=(n, len(values)), replace=True).mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def summarise(per_query: list[dict[str, float]], n_boot: int, seed: int) -> dict:
    out = {"queries": len(per_query)}
    for m in METRICS:
        vals = [q[m] for q in per_query]
        lo, hi = bootstrap_ci(vals, n_boot, seed)
        out[m] = {"mean": float(np.mean(vals)) if vals else float("nan"), "ci95": [lo, hi]}
    return out


def rank_eval(
    systems: dict[str, Callable[[int, list[int]], np.ndarray]],
    relevance: np.ndarray,
    pool_size: int = 100,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict:
    """``systems[name](query, items) -> scores``; ``relevance`` is (n_queries, n_items) bool."""
    rng = random.Random(seed)
    n_items = relevance.shape[1]
    pools = []
    for q in range(relevance.shape[0]):
        rel = [i for i in range(n_items) if relevance[q, i]]
        others = [i for i in range(n_items) if not relevance[q, i]]
        pools.append(rel + rng.sample(others, min(len(others), max(0, pool_size - len(rel)))))
    everything = list(range(n_items))
    out = {}
    for name, fn in systems.items():
        full, confit = [], []
        for q in range(relevance.shape[0]):
            s = np.asarray(fn(q, everything), dtype=float)
            full.append(query_metrics(s, relevance[q]))
            pool = pools[q]
            confit.append(query_metrics(s[pool], relevance[q, pool]))
        out[name] = {
            "full_pool": summarise(full, n_boot, seed),
            "confit_pool": summarise(confit, n_boot, seed),
        }
    return out


def classification(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    pred = p >= threshold
    tp = float((pred & (y > 0.5)).sum())
    fp = float((pred & (y <= 0.5)).sum())
    fn = float((~pred & (y > 0.5)).sum())
    return {
        "n": int(len(y)),
        "auc": roc_auc(y > 0.5, p),
        "f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        "threshold": threshold,
    }


def bm25_scorer(item_texts: list[str], query_texts: list[str]):
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(item_texts, stopwords="en", show_progress=False), show_progress=False
    )
    cache = {}

    def fn(q: int, items: list[int]) -> np.ndarray:
        if q not in cache:
            tokens = bm25s.tokenize([query_texts[q]], stopwords="en", show_progress=False)
            docs, scores = retriever.retrieve(tokens, k=len(item_texts), show_progress=False)
            full = np.zeros(len(item_texts))
            full[docs[0]] = scores[0]
            cache[q] = full
        return cache[q][items]

    return fn


def tfidf_scorer(item_texts: list[str], query_texts: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(item_texts + query_texts)
    items = vec.transform(item_texts)
    queries = vec.transform(query_texts)
    sims = (queries @ items.T).toarray()
    return lambda q, idx: sims[q, idx]


def matrix_scorer(sims: np.ndarray):
    return lambda q, idx: sims[q, idx]
