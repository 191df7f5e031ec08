"""Exact and near-duplicate removal for hiring records.

Two passes over the candidate-identifying text (``resume`` + ``transcript`` by default):

1. **exact** - sha256 of the normalised text (NFKC, lowercase, punctuation stripped,
   whitespace collapsed), so re-exports that differ only in case, spacing or markdown are
   caught for free.
2. **near** - word 5-gram shingles, MinHash (128 permutations, fixed seed) and a
   ``MinHashLSH`` index. The index is built at a *lower* threshold (``lsh_threshold``, 0.5)
   than the one we decide on (``threshold``, 0.8) and every candidate pair is then verified
   with the exact Jaccard of the two shingle sets. Trade-off: an LSH tuned at 0.8 keeps its
   false positives low by letting a fair share of true pairs at 0.80-0.85 through
   undetected (its S-curve is only ~50 % at the threshold); at 0.5 the true pairs are caught
   with near certainty, and the extra false candidates cost a cheap set intersection each.

Linked records are merged with union-find; one record per cluster is kept (the first by
input order, see ``on_conflict`` for clusters whose labels disagree). Components take plain
arguments and return a report the ``prepare`` stage prints.
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from datasketch import MinHash, MinHashLSH

from recruiter.errors import InputError

Record = dict[str, Any]

DEFAULT_FIELDS: tuple[str, ...] = ("resume", "transcript")
NUM_PERM = 128
SHINGLE = 5
_WORD = re.compile(r"\w+")
_WORD_ASCII = re.compile(r"\w+", re.ASCII)
_U64 = np.uint64
_MASK64 = (1 << 64) - 1


def tokens(text: Any) -> list[str]:
    """NFKC, lowercase, split on anything that is not a word character. ``None``/NaN -> []."""
    if text is None or (isinstance(text, float) and text != text):
        return []
    text = str(text).lower()
    if text.isascii():  # same result as the Unicode pattern on ASCII text, ~2x faster
        return _WORD_ASCII.findall(text)
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def normalize_text(text: Any) -> str:
    """Lowercase, NFKC, punctuation stripped, whitespace collapsed: ``" ".join(tokens(text))``."""
    return " ".join(tokens(text))


def _field_tokens(record: Mapping[str, Any], fields: Sequence[str]) -> list[list[str]]:
    return [tokens(record.get(f)) for f in fields]


def _hash_of_tokens(parts: Sequence[Sequence[str]]) -> str | None:
    if not any(parts):
        return None
    return hashlib.sha256("\x1f".join(" ".join(p) for p in parts).encode("utf-8")).hexdigest()


def exact_hash(record: Mapping[str, Any], fields: Sequence[str] = DEFAULT_FIELDS) -> str | None:
    """sha256 of the normalised fields (joined with a unit separator); ``None`` if all empty."""
    return _hash_of_tokens(_field_tokens(record, fields))


class _TokenHasher:
    """token -> stable 64-bit hash, memoised per dedup run (a corpus has ~1e5 distinct words).

    blake2b, not hash(): Python's str hash is salted per process and would make the MinHash
    signatures (hence the clusters) change from run to run."""

    def __init__(self) -> None:
        self.cache: dict[str, int] = {}

    def __call__(self, toks: Sequence[str]) -> np.ndarray:
        cache = self.cache
        try:
            vals = list(map(cache.__getitem__, toks))
        except KeyError:
            for t in toks:
                if t not in cache:
                    cache[t] = int.from_bytes(
                        hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little"
                    )
            vals = list(map(cache.__getitem__, toks))
        return np.array(vals, dtype=_U64)


def shingle_hashes(
    parts: Sequence[Sequence[str]], k: int = SHINGLE, hasher: _TokenHasher | None = None
) -> np.ndarray:
    """Sorted unique 64-bit hashes of the word ``k``-grams of each field's tokens.

    Each field is shingled on its own (salted by its position), so a 5-gram never spans the
    end of the resume and the start of the transcript. A field shorter than ``k`` words
    contributes one shingle (the whole field). Hashing the k-gram as a polynomial of token
    hashes in numpy, instead of hashing each k-gram string, is what keeps 3,000 x 10 kB
    records within a few seconds.
    """
    hasher = hasher or _TokenHasher()
    out: list[np.ndarray] = []
    for pos, toks in enumerate(parts):
        if not toks:
            continue
        th = hasher(toks) ^ _U64((0x9E3779B97F4A7C15 * (pos + 1)) & _MASK64)
        kk = min(k, len(toks))
        n = len(toks) - kk + 1
        acc = np.zeros(n, dtype=_U64)
        with np.errstate(over="ignore"):
            for j in range(kk):  # acc = sum_j th[i+j] * P^(kk-1-j)  (mod 2^64)
                acc = acc * _U64(1099511628211) + th[j : j + n]
        out.append(acc)
    if not out:
        return np.empty(0, dtype=_U64)
    return np.unique(np.concatenate(out))


def shingles(
    record: Mapping[str, Any], fields: Sequence[str] = DEFAULT_FIELDS, k: int = SHINGLE
) -> np.ndarray:
    """Shingle-hash set of one record (see ``shingle_hashes``)."""
    return shingle_hashes(_field_tokens(record, fields), k)


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> np.ndarray:
    return MinHash(num_perm=num_perm, seed=seed).permutations


def _fmix32(h: np.ndarray) -> np.ndarray:
    # MurmurHash3 finalizer: the same pre-mix datasketch's "affine32" scheme applies.
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def minhash(sh: np.ndarray, num_perm: int = NUM_PERM, seed: int = 1) -> MinHash:
    """Seeded MinHash (datasketch "affine32" scheme) of a shingle-hash array.

    Equal to ``MinHash(num_perm, seed, hashfunc=identity).update_batch(folded)``; computed
    here as one vectorised matrix op because update_batch's per-element Python loop and the
    per-sketch permutation setup were 60 % of the runtime. A test pins the equality.
    """
    perms = _permutations(num_perm, seed)
    folded = ((sh ^ (sh >> _U64(32))) & _U64(0xFFFFFFFF)).astype(np.uint32)
    with np.errstate(over="ignore"):
        # (num_perm, n) layout + in-place add: ~7x faster than the broadcast (n, num_perm) form.
        phv = np.multiply.outer(perms[0], _fmix32(folded))
        phv += perms[1][:, None]
    return MinHash(hashvalues=phv.min(axis=1), permutations=perms, scheme="affine32")


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard of two sorted unique hash arrays."""
    if not len(a) and not len(b):
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


@lru_cache(maxsize=32)
def _lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    # MinHashLSH's optimiser runs a ~0.3 s grid search; cache it across calls.
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:  # the smaller index becomes the root: roots are the first by input order
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class DedupResult:
    """``records``: kept records (copies, with ``cluster_id`` and ``dup_cluster`` added).
    ``cluster_of``: input id -> cluster id, for every input record (dropped ones included).
    ``report``: counts and examples for the stage to print."""

    records: list[Record]
    cluster_of: dict[str, str]
    report: dict[str, Any] = field(default_factory=dict)


def near_duplicate_pairs(
    sigs: Sequence[np.ndarray],
    threshold: float = 0.8,
    lsh_threshold: float | None = 0.5,
    num_perm: int = NUM_PERM,
    seed: int = 1,
) -> tuple[list[tuple[int, int, float]], int]:
    """Pairs ``(i, j, jaccard)`` with exact shingle Jaccard >= ``threshold``, and the number of
    LSH candidate pairs examined. ``lsh_threshold=None`` indexes at ``threshold`` itself
    (kept for the test that shows why we do not)."""
    b, r = _lsh_params(lsh_threshold if lsh_threshold is not None else threshold, num_perm)
    lsh = MinHashLSH(num_perm=num_perm, params=(b, r))
    mhs: dict[int, MinHash] = {}
    for i, sh in enumerate(sigs):
        if len(sh):
            mhs[i] = minhash(sh, num_perm, seed)
            lsh.insert(i, mhs[i], check_duplication=False)
    pairs: list[tuple[int, int, float]] = []
    n_candidates = 0
    for i, m in mhs.items():
        for j in lsh.query(m):
            if j <= i:
                continue
            n_candidates += 1
            # Cheap size filter: J(A, B) <= min/max, so skip pairs that cannot reach threshold.
            la, lb = len(sigs[i]), len(sigs[j])
            if min(la, lb) < threshold * max(la, lb):
                continue
            jac = jaccard(sigs[i], sigs[j])
            if jac >= threshold:
                pairs.append((i, j, jac))
    pairs.sort()
    return pairs, n_candidates


def deduplicate(
    records: Sequence[Record],
    fields: Sequence[str] = DEFAULT_FIELDS,
    threshold: float = 0.8,
    lsh_threshold: float | None = 0.5,
    near: bool = True,
    label_key: str = "label",
    on_conflict: Literal["majority", "drop", "first"] = "majority",
    num_perm: int = NUM_PERM,
    seed: int = 1,
    n_examples: int = 5,
    max_named: int = 200,
) -> DedupResult:
    """Remove exact and near duplicates; keep one record per cluster. The report names the
    clusters (members, labels, which one was kept): every label conflict first, then the
    largest, ``max_named`` in all.

    ``on_conflict`` decides clusters whose members carry different labels (the same
    application text judged both ``select`` and ``reject``):

    - ``"majority"`` (default): keep the first record carrying the majority label; on a tie,
      drop the whole cluster. Rationale: identical evidence with opposite outcomes is label
      noise; a majority of several copies is our best estimate of the label, while a 1-1 tie
      carries no signal at all and keeping either side would teach (and score) a coin flip.
    - ``"drop"``: drop every conflicting cluster (strictest; loses the most data).
    - ``"first"``: keep the first record whatever its label (what plain dedup would do).

    Records whose fields are all empty are kept untouched and never clustered: an empty
    resume is not evidence that two applications are the same.
    """
    t0 = time.perf_counter()
    ids = [str(r.get("id")) for r in records]
    dupe_ids = [k for k, c in Counter(ids).items() if c > 1]
    if dupe_ids:
        raise InputError(f"record ids must be unique before dedup; repeated: {dupe_ids[:5]}")
    n = len(records)
    uf = _UnionFind(n)

    # Pass 1: exact.
    first_by_hash: dict[str, int] = {}
    n_empty = 0
    parts = [_field_tokens(rec, fields) for rec in records]
    for i in range(n):
        h = _hash_of_tokens(parts[i])
        if h is None:
            n_empty += 1
        elif h in first_by_hash:
            uf.union(first_by_hash[h], i)
        else:
            first_by_hash[h] = i
    exact_roots = {uf.find(i) for i in range(n)}
    t_exact = time.perf_counter()

    # Pass 2: near, over one representative per exact group only.
    pairs: list[tuple[int, int, float]] = []
    n_candidates = 0
    if near and first_by_hash:
        reps = sorted(first_by_hash.values())
        hasher = _TokenHasher()
        sigs = [shingle_hashes(parts[i], hasher=hasher) for i in reps]
        local, n_candidates = near_duplicate_pairs(sigs, threshold, lsh_threshold, num_perm, seed)
        pairs = [(reps[a], reps[b], jac) for a, b, jac in local]
        for a, b, _ in pairs:
            uf.union(a, b)
    t_near = time.perf_counter()

    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        clusters[uf.find(i)].append(i)  # members in input order; root == members[0]

    kept: list[Record] = []
    cluster_of: dict[str, str] = {}
    n_conflicts = n_conflict_dropped = n_conflict_records = 0
    keep_idx: dict[int, int] = {}
    named: list[dict] = []  # every multi-record cluster, named, for the report
    for root, members in clusters.items():
        cid = ids[members[0]]
        for i in members:
            cluster_of[ids[i]] = cid
        keep = members[0]
        labels = Counter(records[i].get(label_key) for i in members)
        entry = None
        if len(members) > 1:
            entry = {
                "cluster": cid,
                "size": len(members),
                "members": [ids[i] for i in members[:20]],
                "labels": {str(k): v for k, v in sorted(labels.items(), key=lambda kv: str(kv[0]))},
                "conflict": len(labels) > 1,
                "kept": None,
            }
            named.append(entry)
        if len(labels) > 1:
            n_conflicts += 1
            top = labels.most_common()
            if on_conflict == "drop" or (on_conflict == "majority" and top[0][1] == top[1][1]):
                n_conflict_dropped += 1
                n_conflict_records += len(members)
                continue
            if on_conflict == "majority":
                keep = next(i for i in members if records[i].get(label_key) == top[0][0])
        if entry is not None:
            entry["kept"] = ids[keep]
        keep_idx[keep] = root
    for i in sorted(keep_idx):
        rec = dict(records[i])
        members = clusters[keep_idx[i]]
        rec["cluster_id"] = cluster_of[ids[i]]
        rec["dup_cluster"] = [ids[j] for j in members if j != i]
        kept.append(rec)

    multi = sorted((len(m) for m in clusters.values() if len(m) > 1), reverse=True)
    # Accounting: n_input - n_kept == n_exact_dups + n_near_dups + n_conflict_clusters_dropped.
    n_exact = n - len(exact_roots)  # copies of an earlier record's normalised text
    n_near = len(exact_roots) - len(clusters)  # further records merged only by near pairs
    examples = sorted(pairs, key=lambda p: p[2])[:n_examples]  # lowest Jaccard = most telling
    report = {
        "n_input": n,
        "n_kept": len(kept),
        "n_empty": n_empty,
        "n_exact_dups": n_exact,
        "n_near_dups": n_near,
        "n_clusters": len(multi),
        "largest_clusters": multi[:10],
        "n_lsh_candidate_pairs": n_candidates,
        "n_near_pairs": len(pairs),
        "example_pairs": [
            {"a": ids[a], "b": ids[b], "jaccard": round(j, 4)} for a, b, j in examples
        ],
        # the clusters themselves: every label conflict, then the largest others (capped)
        "clusters": sorted(named, key=lambda c: (not c["conflict"], -c["size"], c["cluster"]))[
            :max_named
        ],
        "n_label_conflict_clusters": n_conflicts,
        "n_conflict_clusters_dropped": n_conflict_dropped,
        "n_records_in_dropped_clusters": n_conflict_records,
        "on_conflict": on_conflict,
        "params": {
            "fields": list(fields),
            "threshold": threshold,
            "lsh_threshold": lsh_threshold,
            "num_perm": num_perm,
            "shingle": SHINGLE,
        },
        "seconds": {
            "tokenize_exact": round(t_exact - t0, 3),
            "near": round(t_near - t_exact, 3),
            "total": round(time.perf_counter() - t0, 3),
        },
    }
    return DedupResult(kept, cluster_of, report)


def cluster_members(cluster_of: Mapping[str, str]) -> dict[str, list[str]]:
    """Invert ``DedupResult.cluster_of``: cluster id -> member ids (input order)."""
    out: dict[str, list[str]] = defaultdict(list)
    for rid, cid in cluster_of.items():
        out[cid].append(rid)
    return dict(out)


def iter_texts(records: Iterable[Record], fields: Sequence[str] = DEFAULT_FIELDS) -> Iterable[str]:
    """The normalised text dedup compares, per record (for debugging a surprising cluster)."""
    for r in records:
        yield "\x1f".join(normalize_text(r.get(f)) for f in fields)
