"""`recruiter retrieval index` and `recruiter retrieval shortlist`: the retriever on a candidate pool.

A pool is candidate JSON (a JSONL file or a folder of JSON/JSONL files, read with the same
limits as ``run_live.py``) or a persisted index folder: ``index.json`` + the FAISS index of the
candidate tower's vectors + ``candidates.jsonl`` (the candidates, with the ids the index holds).
An index is searched first and filtered after (fast for big pools: the hard filters run on the
nearest candidates only, widening the search when too many are excluded); a plain pool is
filtered first and searched after (exact). Both return the same score breakdowns.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..config import RecruiterConfig
from ..errors import InputError
from ..schemas import load_and_validate, validate
from ..schemas.inputs import collect
from ..storage import atomic_dir, atomic_write_text
from .index import VectorIndex
from .retriever import Retriever, load_retriever


def _require_retriever(cfg: RecruiterConfig) -> Retriever:
    retriever = load_retriever(cfg.retrieval.model)
    if retriever is None:
        raise InputError("no trained retriever: train one or pass -o retrieval.model=FOLDER")
    return retriever


def _candidates(pool: Path, max_bytes: int) -> list[dict]:
    return [v for _, v in collect([str(pool)], max_bytes) if isinstance(v, dict)]


def _write_index(
    cfg, items: list[dict], ids: list[str], vectors, output: Path, key: str, what: str
) -> str:
    """Persist ``vectors`` under ``ids`` with the items beside them (``<what>.jsonl``), atomically."""
    r = cfg.retrieval
    index = VectorIndex(
        128, r.index_kind, r.hnsw_threshold, r.hnsw_m, r.ef_construction, r.ef_search
    )
    index.add(ids, vectors)
    with atomic_dir(output) as tmp:
        index.save(tmp)
        text = "".join(
            json.dumps({**it, key: i}, ensure_ascii=False) + "\n"
            for it, i in zip(items, ids, strict=True)
        )
        atomic_write_text(tmp / f"{what}.jsonl", text)
    return f"{len(ids)} {what} ({'HNSW' if index.is_hnsw else 'exact'}) -> {output}"


def _ids(items: list[dict], key: str, prefix: str, source: Path, what: str) -> list[str]:
    ids = [str(it.get(key) or f"{prefix}-{i + 1:04d}") for i, it in enumerate(items)]
    if len(set(ids)) != len(ids):
        raise InputError(f"{source}: {what} ids repeat")
    return ids


def index_pool(cfg: RecruiterConfig, pool: Path, output: Path) -> str:
    """Encode ``pool`` with the candidate tower into an index folder at ``output`` (atomically)."""
    cands = _candidates(pool, cfg.live.max_input_bytes)
    ids = _ids(cands, "candidate_id", "pool", pool, "candidate")
    vectors = _require_retriever(cfg).candidate_vectors(cands)
    return _write_index(cfg, cands, ids, vectors, output, "candidate_id", "candidates")


def index_jobs(cfg: RecruiterConfig, jobs: Path, output: Path) -> str:
    """Encode ``jobs`` (JSON/JSONL file or folder) with the job tower into an index folder at
    ``output`` (atomically): the candidate -> jobs direction of ``shortlist --candidate``."""
    found = [
        validate(v, "job", where) for where, v in collect([str(jobs)], cfg.live.max_input_bytes)
    ]
    ids = _ids(found, "job_id", "job", jobs, "job")
    vectors = _require_retriever(cfg).job_vectors(found)
    return _write_index(cfg, found, ids, vectors, output, "job_id", "jobs")


def shortlist(
    cfg: RecruiterConfig,
    job: Path | None = None,
    pool: Path | None = None,
    candidate: Path | None = None,
    jobs: Path | None = None,
    top_k: int = 20,
) -> dict:
    """Candidates for ``job`` from ``pool`` (JSON or index folder), or jobs for ``candidate``."""
    if not ((job and pool) or (candidate and jobs)):
        raise InputError("give --job with --pool, or --candidate with --jobs")
    retriever = _require_retriever(cfg)
    km, max_bytes = cfg.retrieval.commute_km, cfg.live.max_input_bytes
    if job and pool:
        j = load_and_validate(job, "job")
        if (pool / "index.json").is_file():
            index = VectorIndex.load(pool)
            lines = (pool / "candidates.jsonl").read_text(encoding="utf-8").splitlines()
            store = {c["candidate_id"]: c for c in map(json.loads, lines)}
            return retriever.shortlist_index(j, index, store, k=top_k, commute_km=km)
        return retriever.shortlist(j, _candidates(pool, max_bytes), k=top_k, commute_km=km)
    c = load_and_validate(candidate, "candidate")
    if (jobs / "index.json").is_file():
        index = VectorIndex.load(jobs)
        lines = (jobs / "jobs.jsonl").read_text(encoding="utf-8").splitlines()
        store = {j["job_id"]: j for j in map(json.loads, lines)}
        return retriever.jobs_for_index(c, index, store, k=top_k, commute_km=km)
    js = [validate(v, "job", where) for where, v in collect([str(jobs)], max_bytes)]
    return {"ranked": retriever.jobs_for(c, js, k=top_k, commute_km=km)}
