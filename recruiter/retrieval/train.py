"""Training the retriever: phase 1 (contrastive towers), optional mined round, phase 2 (classifier).

Inputs are frozen-encoder embeddings (cached, see :mod:`.encoder`); only the towers and the
classifier train, so an epoch over ~1,000 anchors takes well under a second on a CPU and the
whole thing is seeded and reproducible.

Phase 1 anchors are the matching (``select``) training pairs; each gets up to ``negatives`` jobs
from the pool of the training set's unique jobs (never its own job) by ontology-distance bucket
and curriculum (:mod:`.negatives`). Validation loss (anchors of the validation split, negatives
drawn once with a fixed seed) picks the best epoch. Adam, gradient clipping at 1.0.

Phase 2 trains :class:`~.model.MatchClassifier` on the frozen towers' outputs for the labelled
pairs (select = 1, reject = 0) plus, per matching pair, one random other job as an extra
negative (a shortlist must also rank away candidates for other jobs); ``pos_weight`` is the
negative/positive ratio, and the decision threshold is tuned for F1 on validation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import torch

from ..metrics import roc_auc
from .data import Pair
from .model import MatchClassifier, TwoTower, info_nce
from .negatives import bucket_of, curriculum, draw, mined_band
from .ontology import Ontology


@dataclass
class Embedded:
    """Frozen embeddings of a split: candidates per pair, and the split's unique jobs."""

    pairs: list[Pair]
    cand: np.ndarray  # (n_pairs, d)
    job_ids: list[str]
    jobs: np.ndarray  # (n_jobs, d)
    job_of_pair: np.ndarray  # (n_pairs,) index into jobs


def job_distances(pairs: list[Pair], job_uris: list[list[str]], onto: Ontology) -> np.ndarray:
    """``1 - set_similarity`` of every pair's candidate to every job, NaN without URIs."""
    out = np.full((len(pairs), len(job_uris)), np.nan)
    for i, p in enumerate(pairs):
        cu = p.meta["candidate_uris"]
        if not cu:
            continue
        for k, ju in enumerate(job_uris):
            if ju:
                out[i, k] = 1.0 - onto.set_similarity(cu, ju)
    return out


def _buckets(dist_row: np.ndarray, own: int, hard: float, medium: float) -> dict[str, list[int]]:
    b: dict[str, list[int]] = {"hard": [], "medium": [], "easy": [], "random": []}
    for k, d in enumerate(dist_row):
        if k != own:
            b[bucket_of(None if np.isnan(d) else float(d), hard, medium)].append(k)
    return b


def train_towers(
    train: Embedded,
    val: Embedded,
    train_dist: np.ndarray,
    val_dist: np.ndarray,
    t,
    seed: int,
    log=print,
):
    """Phase 1 (and the mined round when ``t.mined_round``); returns (model, history)."""
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = TwoTower(train.cand.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=t.learning_rate)
    anchors = [i for i, p in enumerate(train.pairs) if p.label == 1]
    val_anchors = [i for i, p in enumerate(val.pairs) if p.label == 1]
    xc, xj = torch.from_numpy(train.cand), torch.from_numpy(train.jobs)
    weights = torch.tensor([p.meta["weight"] for p in train.pairs], dtype=torch.float32)
    buckets = [
        _buckets(train_dist[i], int(train.job_of_pair[i]), t.hard_threshold, t.medium_threshold)
        for i in range(len(train.pairs))
    ]
    vrng = random.Random(seed + 1)
    vshares = curriculum(t.epochs - 1, t.epochs, tuple(t.curriculum_start), tuple(t.curriculum_end))
    val_negs = {
        i: draw(
            _buckets(val_dist[i], int(val.job_of_pair[i]), t.hard_threshold, t.medium_threshold),
            t.negatives,
            vshares,
            vrng,
        )
        for i in val_anchors
    }

    def batch_loss(
        emb: Embedded, rows: list[int], negs: dict[int, list[int]], w: torch.Tensor, training: bool
    ):
        c = torch.from_numpy(emb.cand[rows]) if emb is not train else xc[rows]
        jobs = torch.from_numpy(emb.jobs) if emb is not train else xj
        a = model.candidate(c)
        pos_idx = torch.as_tensor(emb.job_of_pair[rows])
        jv = model.job(jobs)
        pos = jv[pos_idx]
        k = max(1, max(len(negs[r]) for r in rows))
        idx = torch.zeros((len(rows), k), dtype=torch.long)
        mask = torch.zeros((len(rows), k), dtype=torch.bool)
        for b, r in enumerate(rows):
            n = negs[r]
            idx[b, : len(n)] = torch.as_tensor(n, dtype=torch.long)
            mask[b, : len(n)] = True
        loss = info_nce(a, pos, jv[idx], w, t.tau, t.in_batch_negatives, mask)
        if t.bidirectional:  # job -> candidate: the other anchors in the batch are its negatives
            same = (pos_idx[:, None] == pos_idx[None, :]) & ~torch.eye(len(rows), dtype=torch.bool)
            logits = (pos @ a.T / t.tau).masked_fill(same, float("-inf"))
            rev = -torch.log_softmax(logits, dim=1).diagonal()
            loss = (loss + (rev * w).sum() / w.sum().clamp(min=1e-8)) / 2
        return loss

    def evaluate() -> float:
        model.eval()
        with torch.no_grad():
            total, n = 0.0, 0
            for s in range(0, len(val_anchors), 256):
                rows = val_anchors[s : s + 256]
                w = torch.tensor([val.pairs[r].meta["weight"] for r in rows], dtype=torch.float32)
                total += float(batch_loss(val, rows, val_negs, w, False)) * len(rows)
                n += len(rows)
        model.train()
        return total / max(n, 1)

    history, best, best_state = [], float("inf"), None
    rounds = [("phase1", t.epochs)] + (
        [("mined", t.mined_epochs)] if t.mined_round and t.mined_epochs else []
    )
    for stage, epochs in rounds:
        mined: dict[int, list[int]] = {}
        if stage == "mined":
            model.eval()
            with torch.no_grad():
                scores = (model.candidate(xc[anchors]) @ model.job(xj).T).numpy()
            model.train()
            for row, i in enumerate(anchors):
                mined[i] = mined_band(
                    scores[row],
                    {int(train.job_of_pair[i])},
                    tuple(t.mined_band),
                    t.negatives // 2 + 1,
                    rng,
                )
        for epoch in range(epochs):
            shares = curriculum(
                epoch if stage == "phase1" else t.epochs - 1,
                t.epochs,
                tuple(t.curriculum_start),
                tuple(t.curriculum_end),
            )
            negs = {}
            for i in anchors:
                extra = mined.get(i, [])
                negs[i] = extra + draw(buckets[i], t.negatives - len(extra), shares, rng)
            order = anchors[:]
            rng.shuffle(order)
            model.train()
            total = 0.0
            for s in range(0, len(order), t.batch_size):
                rows = order[s : s + t.batch_size]
                loss = batch_loss(train, rows, negs, weights[rows], True)
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                total += float(loss.detach()) * len(rows)
            val_loss = evaluate()
            history.append(
                {
                    "stage": stage,
                    "epoch": epoch,
                    "train_loss": total / len(order),
                    "val_loss": val_loss,
                    "shares": shares,
                }
            )
            log(
                f"retrieval {stage} epoch {epoch}: train {total / len(order):.4f} val {val_loss:.4f}"
            )
            if val_loss < best:
                best = val_loss
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return model, history


def _pair_vectors(model: TwoTower, emb: Embedded, rng: random.Random, extra_negatives: bool):
    with torch.no_grad():
        r = model.candidate(torch.from_numpy(emb.cand))
        j = model.job(torch.from_numpy(emb.jobs))
    rows, cols, y = [], [], []
    for i, p in enumerate(emb.pairs):
        rows.append(i)
        cols.append(int(emb.job_of_pair[i]))
        y.append(float(p.label))
        if extra_negatives and p.label == 1 and len(emb.jobs) > 1:
            other = rng.randrange(len(emb.jobs) - 1)
            other += other >= int(emb.job_of_pair[i])
            rows.append(i)
            cols.append(other)
            y.append(0.0)
    return r[rows], j[cols], torch.tensor(y)


def train_classifier(model: TwoTower, train: Embedded, val: Embedded, t, seed: int, log=print):
    """Phase 2; returns (classifier, threshold, history)."""
    torch.manual_seed(seed)
    rng = random.Random(seed)
    clf = MatchClassifier(model.candidate.net[-1].out_features)
    xr, xjv, y = _pair_vectors(model, train, rng, True)
    vr, vj, vy = _pair_vectors(model, val, random.Random(seed + 1), True)
    pos = float(y.sum())
    pos_weight = torch.tensor((len(y) - pos) / max(pos, 1.0))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    opt = torch.optim.Adam(clf.parameters(), lr=t.phase2_lr)
    best, best_state, history = float("inf"), None, []
    for epoch in range(t.phase2_epochs):
        clf.train()
        perm = torch.randperm(len(y))
        for s in range(0, len(y), t.batch_size):
            idx = perm[s : s + t.batch_size]
            loss = loss_fn(clf(xr[idx], xjv[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        clf.eval()
        with torch.no_grad():
            val_loss = float(loss_fn(clf(vr, vj), vy))
        history.append({"epoch": epoch, "val_loss": val_loss})
        if val_loss < best:
            best, best_state = val_loss, {k: v.clone() for k, v in clf.state_dict().items()}
    clf.load_state_dict(best_state)
    clf.eval()
    with torch.no_grad():
        p = torch.sigmoid(clf(vr, vj)).numpy()
    threshold = best_f1_threshold(vy.numpy(), p)
    log(
        f"retrieval phase2: best val loss {best:.4f}, threshold {threshold:.3f}, val AUC {roc_auc(vy.numpy() > 0.5, p):.3f}"
    )
    return clf, threshold, history


def best_f1_threshold(y: np.ndarray, p: np.ndarray) -> float:
    best_t, best_f1 = 0.5, -1.0
    for th in np.unique(np.concatenate([p, [0.5]])):
        pred = p >= th
        tp = float((pred & (y > 0.5)).sum())
        fp = float((pred & (y <= 0.5)).sum())
        fn = float((~pred & (y > 0.5)).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1:
            best_t, best_f1 = float(th), f1
    return best_t
