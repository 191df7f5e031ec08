"""Candidate–job pairs for the retriever, split exactly as `recruiter prepare` split them.

The LLM's prepared splits hold masked text; the retriever needs the structured side (skills,
languages, education, experience, location) that the synthetic corpus writes in
``candidates.jsonl`` and ``jobs.jsonl``, joined through ``records.jsonl`` (record id -> job id,
candidate id). The prepared split files decide which record is in which split, so the
retriever is trained, tuned and tested on the same leak-free partition as the LLM. The labels
are the prepared ones (normalised, de-duplicated).

Every pair gets its ontology features once: the candidate's and the job's skill URIs, their
``ontology_similarity`` (set similarity), ``ot_distance`` (Sinkhorn), the quality tier (A/B/C,
from how many skill strings mapped to URIs) and the sample weight.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import InputError
from .model import sample_weight
from .ontology import Ontology
from .skills import SkillVocabulary, candidate_skills, job_skills, quality_tier

SPLITS = ("train", "validation", "test")


@dataclass
class Pair:
    record_id: str
    candidate: dict
    job: dict
    label: int  # 1 select, 0 reject
    split: str
    meta: dict = field(default_factory=dict)


def _jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise InputError(f"{path}: missing (the retriever needs the corpus's structured files)")
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def corpus_of(prepared: Path) -> Path:
    """The corpus folder a prepared folder was made from (its resolved config's first input)."""
    cfg = prepared / "config.yaml"
    if not cfg.is_file():
        raise InputError(f"{prepared}: no config.yaml; pass retrieval.corpus")
    inputs = (yaml.safe_load(cfg.read_text()) or {}).get("prepare", {}).get("inputs") or []
    if not inputs:
        raise InputError(f"{cfg}: no prepare.inputs; pass retrieval.corpus")
    first = Path(inputs[0])
    return first if first.is_dir() else first.parent


def load_pairs(prepared: str | Path, corpus: str | Path | None = None) -> dict[str, list[Pair]]:
    prepared = Path(prepared)
    if not prepared.is_dir():
        raise InputError(f"{prepared}: not a prepared folder")
    corpus = Path(corpus) if corpus else corpus_of(prepared)
    jobs = {j["job_id"]: j for j in _jsonl(corpus / "jobs.jsonl")}
    cands = {c["candidate_id"]: c for c in _jsonl(corpus / "candidates.jsonl")}
    records = {r["id"]: r for r in _jsonl(corpus / "records.jsonl")}
    out: dict[str, list[Pair]] = {}
    for split in SPLITS:
        pairs = []
        for row in _jsonl(prepared / f"{split}.jsonl"):
            rid = str(row["id"]).rsplit(":", 1)[-1]
            rec = records.get(rid)
            if rec is None or rec.get("job_id") not in jobs or rec.get("candidate_id") not in cands:
                continue  # not a corpus record with structured sides (e.g. another export)
            pairs.append(
                Pair(
                    rid,
                    cands[rec["candidate_id"]],
                    jobs[rec["job_id"]],
                    int(row["label"] == "select"),
                    split,
                )
            )
        out[split] = pairs
    if not out["train"]:
        raise InputError(f"{prepared}: no training pairs joined with the corpus at {corpus}")
    return out


def annotate(pairs: list[Pair], vocab: SkillVocabulary, onto: Ontology) -> None:
    """Skill URIs, ontology similarity, OT distance, tier and sample weight, into ``pair.meta``."""
    cache: dict[str, str | None] = {}

    def uris(strings):
        out = []
        for s in strings:
            if s not in cache:
                cache[s] = vocab.lookup(s).uri
            out.append(cache[s])
        return out

    for p in pairs:
        c_strings = candidate_skills(p.candidate)
        req, _pref = job_skills(p.job)
        c_uris, j_uris = uris(c_strings), uris(req)
        tiers = [quality_tier(c_uris), quality_tier(j_uris)]
        tier = max(tiers, key="ABC".index)  # the weaker side decides
        cu = [u for u in c_uris if u]
        ju = [u for u in j_uris if u]
        sim = onto.set_similarity(cu, ju)
        ot = onto.ot_distance(cu, ju)
        p.meta.update(
            candidate_uris=cu,
            job_uris=ju,
            ontology_similarity=sim,
            ot_distance=ot,
            tier=tier,
            weight=sample_weight(tier, sim, ot),
        )
