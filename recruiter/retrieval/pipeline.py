"""`recruiter retrieval train`: fit the retriever on prepared splits and evaluate it on test.

Steps: pairs from the prepared splits joined with the corpus's structured files (:mod:`.data`);
ontology features per pair; frozen embeddings (cached); phase 1 + mined round + phase 2
(:mod:`.train`); the retriever saved (``towers.pt``, ``classifier.pt``, ``retriever.json``);
then the ranking evaluation on the test split beside BM25, TF-IDF, the frozen encoder and
``S_base`` alone (:mod:`.evaluate`), written as ``metrics.json``, ``report.md`` and
``report.png``. The run folder appears atomically.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..config import RecruiterConfig, save_resolved, to_dict
from ..storage import atomic_dir, atomic_write_json, atomic_write_text, new_run_dir
from . import evaluate as ev
from .data import Pair, annotate, load_pairs
from .encoder import FrozenEncoder
from .ontology import default_ontology
from .retriever import Retriever
from .scores import score
from .skills import SkillVocabulary
from .text import candidate_text, job_text
from .train import Embedded, job_distances, train_classifier, train_towers


def _console():
    from rich.console import Console

    return Console(stderr=True)


def embed(pairs: list[Pair], encoder: FrozenEncoder, profile_chars: int) -> Embedded:
    job_ids = list(dict.fromkeys(p.job["job_id"] for p in pairs))
    jobs = {p.job["job_id"]: p.job for p in pairs}
    cand = encoder.encode([candidate_text(p.candidate, profile_chars) for p in pairs])
    jvec = encoder.encode([job_text(jobs[j], profile_chars) for j in job_ids])
    pos = {j: i for i, j in enumerate(job_ids)}
    return Embedded(pairs, cand, job_ids, jvec, np.array([pos[p.job["job_id"]] for p in pairs]))


def _test_ranking(
    retriever: Retriever, test: list[Pair], r, seed: int, encoder: FrozenEncoder
) -> dict:
    cands = list({p.candidate["candidate_id"]: p.candidate for p in test}.values())
    cidx = {c["candidate_id"]: i for i, c in enumerate(cands)}
    job_list = list({p.job["job_id"]: p.job for p in test}.values())
    rel = np.zeros((len(job_list), len(cands)), dtype=bool)
    jidx = {j["job_id"]: i for i, j in enumerate(job_list)}
    for p in test:
        if p.label == 1:
            rel[jidx[p.job["job_id"]], cidx[p.candidate["candidate_id"]]] = True
    keep = rel.any(axis=1)
    job_list = [j for j, k in zip(job_list, keep, strict=True) if k]
    rel = rel[keep]
    c_texts = [candidate_text(c, r.profile_chars) for c in cands]
    j_texts = [job_text(j, r.profile_chars) for j in job_list]
    cvec, jvec = retriever.candidate_vectors(cands), retriever.job_vectors(job_list)
    trained = jvec @ cvec.T
    frozen = encoder.encode(j_texts) @ encoder.encode(c_texts).T
    prob = np.stack(
        [retriever.match_probability(cvec, np.repeat(v[None], len(cvec), 0)) for v in jvec]
    )
    base = np.array(
        [[score(c, j, retriever.vocab, retriever.onto).base for c in cands] for j in job_list]
    )
    blended = retriever.w_clf * prob + retriever.w_base * base
    systems = {
        "retriever (towers)": ev.matrix_scorer(trained),
        "retriever + phase-2 + S_base": ev.matrix_scorer(blended),
        "frozen encoder cosine": ev.matrix_scorer(frozen),
        "BM25": ev.bm25_scorer(c_texts, j_texts),
        "TF-IDF cosine": ev.tfidf_scorer(c_texts, j_texts),
        "S_base only": ev.matrix_scorer(base),
    }
    return {
        "queries": len(job_list),
        "items": len(cands),
        "relevant_per_query": float(rel.sum(axis=1).mean()),
        "systems": ev.rank_eval(systems, rel, r.pool_size, r.bootstrap, seed),
    }


def _report(metrics: dict) -> str:
    lines = ["# Retrieval evaluation (test split)", ""]
    rk = metrics["ranking"]
    lines.append(
        f"{rk['queries']} job queries over {rk['items']} test candidates "
        f"({rk['relevant_per_query']:.1f} relevant per query on average); means with bootstrap 95 % CIs."
    )
    for setting in ("full_pool", "confit_pool"):
        lines += [
            "",
            f"## {'Full pool' if setting == 'full_pool' else 'ConFit pools (100 items per query)'}",
            "",
        ]
        lines.append("| system | " + " | ".join(ev.METRICS) + " |")
        lines.append("|---|" + "---|" * len(ev.METRICS))
        for name, res in rk["systems"].items():
            cells = [
                f"{res[setting][m]['mean']:.3f} [{res[setting][m]['ci95'][0]:.3f}, {res[setting][m]['ci95'][1]:.3f}]"
                for m in ev.METRICS
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    c = metrics["classifier"]
    lines += [
        "",
        "## Phase-2 match classifier (labelled test pairs)",
        "",
        f"AUC {c['auc']:.3f}, F1 {c['f1']:.3f} at threshold {c['threshold']:.3f} (tuned on validation), n = {c['n']}.",
    ]
    return "\n".join(lines) + "\n"


def _plot(metrics: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = metrics["ranking"]["systems"]
    names = list(systems)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, m in zip(axes, ("ndcg@10", "map"), strict=True):
        means = [systems[n]["full_pool"][m]["mean"] for n in names]
        lo = [means[i] - systems[n]["full_pool"][m]["ci95"][0] for i, n in enumerate(names)]
        hi = [systems[n]["full_pool"][m]["ci95"][1] - means[i] for i, n in enumerate(names)]
        ax.barh(names, means, xerr=[lo, hi], color="#457b9d")
        ax.set_xlabel(f"{m} (full pool, 95 % CI)")
        ax.set_xlim(0, 1)
    axes[0].invert_yaxis()
    fig.suptitle("Retrieval on the synthetic test split")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def evaluate_split(
    retriever: Retriever, test: list[Pair], r, seed: int, encoder: FrozenEncoder
) -> dict:
    """Ranking (beside the baselines) and phase-2 classification on one split's pairs."""
    labels = np.array([p.label for p in test], dtype=float)
    cvec = retriever.candidate_vectors([p.candidate for p in test])
    jvec = retriever.job_vectors([p.job for p in test])
    probs = retriever.match_probability(cvec, jvec)
    return {
        "ranking": _test_ranking(retriever, test, r, seed, encoder),
        "classifier": ev.classification(labels, probs, retriever.threshold),
    }


def evaluate(
    cfg: RecruiterConfig,
    model_dir: str | Path,
    split: str = "test",
    command: str = "recruiter retrieval eval",
) -> Path:
    """`recruiter retrieval eval`: a trained retriever on a prepared dataset's split."""
    r = cfg.retrieval
    out = Path(r.output) if r.output else new_run_dir("retrieval-eval")
    splits = load_pairs(r.data, r.corpus)
    encoder = FrozenEncoder(cfg.models.encoder)
    retriever = Retriever.load(model_dir, encoder=encoder)
    annotate(splits[split], retriever.vocab, retriever.onto)
    metrics = {
        **evaluate_split(retriever, splits[split], r, cfg.seed, encoder),
        "model": str(model_dir),
        "split": split,
    }
    with atomic_dir(out) as tmp:
        save_resolved(cfg, tmp, command)
        atomic_write_json(tmp / "metrics.json", metrics)
        atomic_write_text(tmp / "report.md", _report(metrics))
        _plot(metrics, tmp / "report.png")
    _console().print(_report(metrics), highlight=False, markup=False)
    return out


def run(cfg: RecruiterConfig, command: str = "recruiter retrieval train") -> Path:
    r = cfg.retrieval
    console = _console()
    out = Path(r.output) if r.output else new_run_dir("retrieval")
    t0 = time.perf_counter()
    splits = load_pairs(r.data, r.corpus)
    vocab = SkillVocabulary.default()
    onto = default_ontology(r.esco_relations, r.esco_occupations)
    for split in splits.values():
        annotate(split, vocab, onto)
    encoder = FrozenEncoder(cfg.models.encoder)
    console.print(
        f"[bold]retrieval[/] encoding {sum(map(len, splits.values()))} pairs …", highlight=False
    )
    train, val = (
        embed(splits["train"], encoder, r.profile_chars),
        embed(splits["validation"], encoder, r.profile_chars),
    )

    def job_uris(emb: Embedded) -> list[list[str]]:
        first = {}
        for p in emb.pairs:
            first.setdefault(p.job["job_id"], p.meta["job_uris"])
        return [first[j] for j in emb.job_ids]

    train_dist = job_distances(train.pairs, job_uris(train), onto)
    val_dist = job_distances(val.pairs, job_uris(val), onto)

    def log(msg):
        console.print(msg, highlight=False)

    towers, history = train_towers(train, val, train_dist, val_dist, r, cfg.seed, log)
    clf, threshold, clf_history = train_classifier(towers, train, val, r, cfg.seed, log)
    meta = {
        "encoder": cfg.models.encoder,
        "dim_in": int(train.cand.shape[1]),
        "hidden": 256,
        "dim_out": 128,
        "threshold": threshold,
        "blend_classifier": r.blend_classifier,
        "blend_base": r.blend_base,
        "required_are_mandatory": r.required_are_mandatory,
        "profile_chars": r.profile_chars,
        "esco_relations": r.esco_relations,
        "esco_occupations": r.esco_occupations,
        "ontology": onto.source,
        "pairs": {k: len(v) for k, v in splits.items()},
        "anchors": sum(p.label for p in splits["train"]),
        "seed": cfg.seed,
    }
    retriever = Retriever(towers, clf, meta, encoder, onto)

    metrics = {
        **evaluate_split(retriever, splits["test"], r, cfg.seed, encoder),
        "history": {"towers": history, "classifier": clf_history},
        "tiers": {t: sum(p.meta["tier"] == t for p in splits["train"]) for t in "ABC"},
        "seconds": round(time.perf_counter() - t0, 1),
        "embedding_cache": {"hits": encoder.hits, "misses": encoder.misses},
    }
    with atomic_dir(out, overwrite=False) as tmp:
        save_resolved(cfg, tmp, command)
        retriever.save(tmp / "model")
        atomic_write_json(tmp / "metrics.json", {**metrics, "config": to_dict(cfg.retrieval)})
        atomic_write_text(tmp / "report.md", _report(metrics))
        _plot(metrics, tmp / "report.png")
    console.print(_report(metrics), highlight=False, markup=False)
    return out
