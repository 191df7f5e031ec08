"""A trained retriever, loaded: shortlist candidates for a job (and jobs for a candidate).

``shortlist`` = hard filters (every exclusion with its reason) -> nearest neighbours of the job
among the passing candidates in the towers' space (FAISS; exact or HNSW by pool size) ->
re-score of those ``k`` with the phase-2 match probability blended with the interpretable
``S_base`` (weights in the saved config) -> ranked, each with its score breakdown, strengths
and weaknesses. ``jobs_for`` does the same in the other direction (filters applied per job).

A folder holds ``towers.pt``, ``classifier.pt`` and ``retriever.json`` (encoder, dimensions,
threshold, blend weights, training summary).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import torch

from ..errors import InputError
from ..storage import atomic_write_bytes, atomic_write_json
from .encoder import FrozenEncoder
from .filters import apply_filters
from .index import VectorIndex
from .model import MatchClassifier, TwoTower
from .ontology import Ontology, default_ontology
from .scores import score
from .skills import SkillVocabulary
from .text import candidate_text, job_text


def shipped_retriever_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "assets" / "retriever"


def load_retriever(name: str | None) -> Retriever | None:
    """The retriever ``retrieval.model`` names: 'default' = the shipped one (None if not shipped),
    a folder path, or empty/None = no retriever (callers then skip the shortlist step)."""
    if not name:
        return None
    folder = shipped_retriever_dir() if name == "default" else Path(name)
    if name == "default" and not (folder / "retriever.json").is_file():
        return None
    return Retriever.load(folder)


def _bytes(obj) -> bytes:
    import io

    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


class Retriever:
    def __init__(
        self,
        towers: TwoTower,
        classifier: MatchClassifier,
        meta: dict,
        encoder: FrozenEncoder | None = None,
        onto: Ontology | None = None,
    ):
        self.towers, self.classifier, self.meta = towers.eval(), classifier.eval(), meta
        self.encoder = encoder or FrozenEncoder(meta["encoder"])
        self.vocab = SkillVocabulary.default()
        self.onto = onto or default_ontology(
            meta.get("esco_relations"), meta.get("esco_occupations")
        )
        self.threshold = float(meta["threshold"])
        self.w_clf = float(meta["blend_classifier"])
        self.w_base = float(meta["blend_base"])

    # ---------------------------------------------------------------------------- persistence

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(folder / "towers.pt", _bytes(self.towers.state_dict()))
        atomic_write_bytes(folder / "classifier.pt", _bytes(self.classifier.state_dict()))
        atomic_write_json(folder / "retriever.json", self.meta)
        return folder

    @classmethod
    def load(
        cls, folder: str | Path, encoder: FrozenEncoder | None = None, onto: Ontology | None = None
    ) -> Retriever:
        folder = Path(folder)
        if not (folder / "retriever.json").is_file():
            raise InputError(f"{folder}: not a trained retriever (no retriever.json)")
        meta = json.loads((folder / "retriever.json").read_text())
        towers = TwoTower(meta["dim_in"], meta["hidden"], meta["dim_out"])
        towers.load_state_dict(torch.load(folder / "towers.pt", weights_only=True))
        clf = MatchClassifier(meta["dim_out"])
        clf.load_state_dict(torch.load(folder / "classifier.pt", weights_only=True))
        return cls(towers, clf, meta, encoder, onto)

    # ---------------------------------------------------------------------------- vectors

    @torch.no_grad()
    def candidate_vectors(self, candidates: Sequence[Mapping]) -> np.ndarray:
        e = self.encoder.encode(
            [candidate_text(c, self.meta.get("profile_chars", 800)) for c in candidates]
        )
        return self.towers.candidate(torch.from_numpy(e)).numpy()

    @torch.no_grad()
    def job_vectors(self, jobs: Sequence[Mapping]) -> np.ndarray:
        e = self.encoder.encode([job_text(j, self.meta.get("profile_chars", 800)) for j in jobs])
        return self.towers.job(torch.from_numpy(e)).numpy()

    @torch.no_grad()
    def match_probability(self, cvecs: np.ndarray, jvecs: np.ndarray) -> np.ndarray:
        return torch.sigmoid(
            self.classifier(torch.from_numpy(cvecs), torch.from_numpy(jvecs))
        ).numpy()

    # ---------------------------------------------------------------------------- ranking

    def rescore(
        self,
        job: Mapping,
        candidates: Sequence[Mapping],
        cvecs: np.ndarray,
        jvec: np.ndarray,
        today: date | None = None,
    ) -> list[dict]:
        probs = (
            self.match_probability(cvecs, np.repeat(jvec[None, :], len(cvecs), axis=0))
            if len(cvecs)
            else []
        )
        out = []
        for c, v, p in zip(candidates, cvecs, probs, strict=True):
            b = score(
                c, job, self.vocab, self.onto, self.meta.get("required_are_mandatory", False), today
            )
            out.append(
                {
                    "candidate_id": c.get("candidate_id"),
                    "score": round(self.w_clf * float(p) + self.w_base * b.base, 6),
                    "cosine": round(float(v @ jvec), 6),
                    "match_probability": round(float(p), 6),
                    "predicted_match": bool(p >= self.threshold),
                    **b.as_dict(),
                }
            )
        out.sort(key=lambda r: -r["score"])
        return out

    def shortlist(
        self,
        job: Mapping,
        candidates: Sequence[Mapping],
        k: int = 100,
        commute_km: float = 60.0,
        today: date | None = None,
    ) -> dict:
        """Filters -> ANN top-k -> re-score; returns ranked results and the excluded with reasons."""
        excluded, passed = [], []
        for c in candidates:
            res = apply_filters(c, job, commute_km)
            (passed if res.passed else excluded).append((c, res))
        ranked: list[dict] = []
        if passed:
            pool = [c for c, _ in passed]
            cvecs = self.candidate_vectors(pool)
            jvec = self.job_vectors([job])[0]
            index = VectorIndex(cvecs.shape[1])
            index.add([str(i) for i in range(len(pool))], cvecs)
            (hits,), _ = index.search(jvec, k)
            top = [int(h) for h in hits]
            ranked = self.rescore(job, [pool[i] for i in top], cvecs[top], jvec, today)
            notes = {id(c): r.unverified for c, r in passed}
            by_id = {pool[i].get("candidate_id"): notes[id(pool[i])] for i in top}
            for r in ranked:
                r["unverified"] = by_id.get(r["candidate_id"], [])
        return {
            "ranked": ranked,
            "excluded": [
                {"candidate_id": c.get("candidate_id"), **r.as_dict()} for c, r in excluded
            ],
            "pool": len(candidates),
            "passed_filters": len(passed),
        }

    def shortlist_index(
        self,
        job: Mapping,
        index: VectorIndex,
        store: Mapping[str, Mapping],
        k: int = 20,
        oversample: int = 10,
        commute_km: float = 60.0,
        today: date | None = None,
    ) -> dict:
        """Shortlist from a persisted pool of any size: ANN search for ``k * oversample``
        neighbours, hard filters on those, re-score of the first ``k`` that pass.

        At pool sizes where filtering everyone first is too slow (a million candidates), the
        filters run on the nearest neighbours only; when too few of them pass, the search
        widens (x4, up to the whole index) until ``k`` pass or the pool is exhausted. Vectors
        come from the index (no re-encoding); ``store`` maps an id to its candidate dict.
        """
        jvec = self.job_vectors([job])[0]
        want = k * oversample
        while True:
            (ids,), _ = index.search(jvec, min(want, len(index)))
            passed, excluded = [], []
            for cid in ids:
                res = apply_filters(store[cid], job, commute_km)
                if res.passed:
                    passed.append(cid)
                else:
                    excluded.append({"candidate_id": cid, **res.as_dict()})
            if len(passed) >= k or want >= len(index):
                break
            want *= 4
        top = passed[:k]
        ranked = (
            self.rescore(job, [store[c] for c in top], index.vectors(top), jvec, today)
            if top
            else []
        )
        return {"ranked": ranked, "excluded": excluded, "searched": len(ids), "pool": len(index)}

    def jobs_for_index(
        self,
        candidate: Mapping,
        index: VectorIndex,
        store: Mapping[str, Mapping],
        k: int = 20,
        oversample: int = 10,
        commute_km: float = 60.0,
    ) -> dict:
        """Jobs for one candidate from a persisted job index (``retrieval index --jobs``): ANN
        search for ``k * oversample`` jobs, the hard filters on those, widened x4 until ``k``
        pass; re-scored like :meth:`jobs_for`. ``store`` maps a job id to its job dict."""
        cvec = self.candidate_vectors([candidate])[0]
        want = k * oversample
        while True:
            (ids,), _ = index.search(cvec, min(want, len(index)))
            passed, excluded = [], []
            for jid in ids:
                res = apply_filters(candidate, store[jid], commute_km)
                if res.passed:
                    passed.append(jid)
                else:
                    excluded.append({"job_id": jid, **res.as_dict()})
            if len(passed) >= k or want >= len(index):
                break
            want *= 4
        top = passed[:k]
        jvecs = index.vectors(top)
        out = []
        for jid, jvec in zip(top, jvecs, strict=True):
            (row,) = self.rescore(store[jid], [candidate], cvec[None, :], jvec)
            out.append({"job_id": jid, "title": store[jid].get("title"), **row})
        out.sort(key=lambda r: -r["score"])
        return {"ranked": out, "excluded": excluded, "searched": len(ids), "pool": len(index)}

    def jobs_for(
        self, candidate: Mapping, jobs: Sequence[Mapping], k: int = 20, commute_km: float = 60.0
    ) -> list[dict]:
        """Jobs ranked for one candidate (filters per job), same scoring as :meth:`shortlist`."""
        passing = [j for j in jobs if apply_filters(candidate, j, commute_km).passed]
        if not passing:
            return []
        cvec = self.candidate_vectors([candidate])[0]
        jvecs = self.job_vectors(passing)
        order = np.argsort(-(jvecs @ cvec))[:k]
        out = []
        for i in order:
            (row,) = self.rescore(passing[i], [candidate], cvec[None, :], jvecs[i])
            out.append(
                {"job_id": passing[i].get("job_id"), "title": passing[i].get("title"), **row}
            )
        out.sort(key=lambda r: -r["score"])
        return out
