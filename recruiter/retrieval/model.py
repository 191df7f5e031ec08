"""The trainable parts of the retriever: projection towers, the weighted InfoNCE, the classifier.

Phase 1 (CACL): a frozen encoder's embedding goes through a projection head per tower
(``Linear(d, 256) -> ReLU -> Dropout(0.3) -> Linear(256, 128)``, L2-normalised). For an anchor
candidate with its matching job and K negative jobs, the loss is

    w * -log( exp(s+ / tau) / (exp(s+ / tau) + sum_k exp(s_k / tau)) ),   tau = 0.07

with the pair's sample weight ``w`` (:func:`sample_weight`). ConFit's switches add the other
anchors' positives as in-batch negatives and the symmetric job -> candidate direction.

Phase 2: with both towers frozen, a classifier reads ``[r; j]`` (256) through 128 -> 64 -> 1
(ReLU, Dropout 0.3) and is trained with BCE whose ``pos_weight`` is the class ratio.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

TIER_BASE = {"A": 1.0, "B": 0.9, "C": 0.75}


def sample_weight(tier: str, ontology_similarity: float, ot_distance: float) -> float:
    """``clamp(base_tier * (1 + 0.3 * (2 * signal - 1)), 0.5, 1.5)``,
    ``signal = mean(ontology_similarity, 1 - ot_distance / 10)``."""
    signal = (ontology_similarity + (1.0 - min(ot_distance, 10.0) / 10.0)) / 2.0
    w = TIER_BASE[tier] * (1.0 + 0.3 * (2.0 * signal - 1.0))
    return float(min(1.5, max(0.5, w)))


class Tower(nn.Module):
    def __init__(self, dim_in: int, hidden: int = 256, dim_out: int = 128, dropout: float = 0.3):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim_in, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, dim_out)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.net(x), dim=-1)


class TwoTower(nn.Module):
    def __init__(self, dim_in: int, hidden: int = 256, dim_out: int = 128, dropout: float = 0.3):
        super().__init__()
        self.candidate = Tower(dim_in, hidden, dim_out, dropout)
        self.job = Tower(dim_in, hidden, dim_out, dropout)


def info_nce(
    anchor: torch.Tensor,
    positive: torch.Tensor,
    negatives: torch.Tensor,
    weights: torch.Tensor,
    tau: float = 0.07,
    in_batch: bool = False,
    neg_mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """Weighted InfoNCE. ``anchor``/``positive``: (B, D); ``negatives``: (B, K, D);
    ``neg_mask`` (B, K) marks real negatives (padding is False). With ``in_batch`` the other rows'
    positives are negatives too (excluding rows that share this row's positive)."""
    pos = (anchor * positive).sum(-1, keepdim=True) / tau  # (B, 1)
    neg = torch.einsum("bd,bkd->bk", anchor, negatives) / tau  # (B, K)
    if neg_mask is not None:
        neg = neg.masked_fill(~neg_mask, float("-inf"))
    logits = [pos, neg]
    if in_batch:
        cross = anchor @ positive.T / tau  # (B, B)
        same = (positive @ positive.T) > 0.9999  # a duplicate positive is not a negative
        logits.append(cross.masked_fill(same, float("-inf")))
    logits = torch.cat(logits, dim=1)
    loss = -F.log_softmax(logits, dim=1)[:, 0]
    return (loss * weights).sum() / weights.sum().clamp(min=1e-8)


class MatchClassifier(nn.Module):
    def __init__(self, dim: int = 128, dropout: float = 0.3):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(2 * dim, 128),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(128, 64),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(64, 1),
        )

    def forward(self, r: torch.Tensor, j: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([r, j], dim=-1)).squeeze(-1)
