"""Group-aware, label-stratified train/val/test split with a leakage report.

Records that share any of these keys form one group (union-find) and never straddle splits:

- ``candidate``: the same person (``candidate_key`` / ``candidate_keys`` below, computed by
  the caller from name and email BEFORE PII masking, stored in ``record["candidate_key"]``
  as a string or a list of strings);
- ``cluster``: the same near-duplicate cluster (``record["cluster_id"]`` from ``dedup``);
- ``job`` (``group_by_job=True``): the same job description (hash of the normalised text).

``candidate`` and ``cluster`` are hard constraints. ``job`` is soft: one job description can
be shared by hundreds of records (a generic template), and merging them, transitively with
the other keys, can make a group too big for the smaller splits. Such a job key is *relaxed*:
its records are not tied together by it (they still are by the hard keys), and the report
lists it. "Too big" is ``max_group_frac`` (0.1) x the smallest split's target, not the whole
target: a group near a split's size already decides that split's composition on its own. Choice: we would rather have a known, reported JD overlap than test/val sizes far
off target or a test set with no records of the most common job.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from recruiter.prepare.dedup import _UnionFind, normalize_text, tokens

Record = dict[str, Any]
KeyFn = Callable[[Mapping[str, Any]], "str | Iterable[str] | None"]

DEFAULT_RATIOS: dict[str, float] = {"train": 0.70, "val": 0.15, "test": 0.15}
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir"}


def _h(prefix: str, text: str) -> str:
    return prefix + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def extract_email(text: str | None) -> str | None:
    """The first email address in ``text`` (lowercased), or ``None``."""
    if not text or not isinstance(text, str):
        return None
    m = _EMAIL.search(text)
    return m.group(0).lower().rstrip(".") if m else None


def _norm_name(name: str | None) -> str:
    if name is None or (isinstance(name, float) and name != name):
        return ""
    return " ".join(t for t in tokens(name) if t not in _HONORIFICS)


def candidate_key(name: str | None, email: str | None = None) -> str | None:
    """Stable pseudonymous key of a candidate: hash of the email when there is one, else of
    the normalised name (lowercase, punctuation and honorifics dropped); ``None`` if neither.

    Email wins because it identifies a person; names collide ("John Smith"). A collision only
    over-groups (unrelated records kept on the same side), which costs ratio precision, never
    leakage. To tie records by name OR email, store ``candidate_keys(name, email)`` instead.
    """
    if email and email.strip():
        return _h("e:", email.strip().lower())
    norm = _norm_name(name)
    return _h("n:", norm) if norm else None


def candidate_keys(name: str | None, email: str | None = None) -> list[str]:
    """Both keys (name and email) for the record: the most conservative grouping."""
    keys = [candidate_key(name, None), candidate_key(None, email) if email else None]
    return [k for k in keys if k]


def job_key(job_description: str | None) -> str | None:
    """Hash of the normalised job-description text; ``None`` when empty. Exact match only:
    near-identical JDs (same template, other company name) are not tied - run
    ``dedup.deduplicate(..., fields=("job_description",))`` and pass its cluster ids as the
    job field if that matters for your data."""
    norm = normalize_text(job_description)
    return _h("j:", norm) if norm else None


def _as_keys(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value if v is not None and v != ""]


def group_key_fns(
    candidate_field: str = "candidate_key",
    cluster_field: str = "cluster_id",
    job_field: str | None = "job_description",
    exclude_job_keys: Iterable[str] = (),
) -> dict[str, KeyFn]:
    """The key functions the split enforces, for ``leakage_report``. ``job_field=None`` drops
    the job key; ``exclude_job_keys`` are relaxed job keys (reported, not enforced)."""
    excluded = set(exclude_job_keys)

    def job(r: Mapping[str, Any]) -> str | None:
        k = job_key(r.get(job_field))  # type: ignore[arg-type]
        return None if k in excluded else k

    fns: dict[str, KeyFn] = {
        "id": lambda r: str(r.get("id")) if r.get("id") is not None else None,
        "candidate": lambda r: r.get(candidate_field),
        "cluster": lambda r: r.get(cluster_field),
    }
    if job_field is not None:
        fns["job"] = job
    return fns


def leakage_report(
    splits: Mapping[str, Sequence[Mapping[str, Any]]], key_fns: Mapping[str, KeyFn]
) -> dict:
    """For each key type, how many keys occur in more than one split (must be 0).

    ``key_fns`` maps a key-type name to ``record -> key | list of keys | None``. Returns
    ``{"keys": {name: {"n_keys", "n_shared", "examples"}}, "total_shared": int}``.
    """
    out: dict[str, Any] = {}
    for name, fn in key_fns.items():
        where: dict[str, set[str]] = defaultdict(set)
        for split, recs in splits.items():
            for r in recs:
                for k in _as_keys(fn(r)):
                    where[k].add(split)
        shared = sorted((k, sorted(s)) for k, s in where.items() if len(s) > 1)
        out[name] = {"n_keys": len(where), "n_shared": len(shared), "examples": shared[:5]}
    return {"keys": out, "total_shared": sum(v["n_shared"] for v in out.values())}


def _label_targets(
    label_totals: Mapping[str, int], ratios: Mapping[str, float]
) -> dict[str, dict[str, int]]:
    """Per split and label, an integer target; per label the targets sum to its total
    (largest remainder), so filling every deficit places every record exactly."""
    targets: dict[str, dict[str, int]] = {s: {} for s in ratios}
    for label, total in label_totals.items():
        raw = {s: r * total for s, r in ratios.items()}
        base = {s: int(v) for s, v in raw.items()}
        order = sorted(ratios, key=lambda s: (-(raw[s] - base[s]), list(ratios).index(s)))
        for s in order[: total - sum(base.values())]:
            base[s] += 1
        for s in ratios:
            targets[s][label] = base[s]
    return targets


def split_records(
    records: Sequence[Record],
    ratios: Mapping[str, float] | None = None,
    seed: int = 0,
    label_key: str = "label",
    group_by_job: bool = True,
    candidate_field: str = "candidate_key",
    cluster_field: str = "cluster_id",
    job_field: str = "job_description",
    max_group_frac: float = 0.1,
    also_stratify: Sequence[str] = (),
) -> tuple[dict[str, list[Record]], dict[str, Any]]:
    """Split ``records`` by ``ratios`` (default 70/15/15), stratified by label, group-aware.

    Algorithm: union-find over the hard keys, then over job keys (smallest first), relaxing a
    job key when it would create a group larger than ``max_group_frac`` x the smallest
    split's target. Groups are shuffled with ``seed`` and placed largest first; each goes to a
    split drawn with probability proportional to that split's remaining per-label deficit
    among the splits it fits in (if it fits nowhere: the split it overshoots least).

    Trade-off vs a deterministic "largest deficit wins" greedy: that greedy sends every big
    group to train (train's deficit is largest until it is ~full), so val/test end up made
    only of singletons - e.g. no record of a repeated job. Drawing proportionally to deficit
    spreads big groups like a random group split would, and the singletons placed last still
    fill every split to its per-label target exactly when there are enough of them.

    ``max_group_frac`` (default 0.1, i.e. a group may fill at most 10 % of the smallest split):
    job keys chain with candidate keys (on the reference hiring data, first-name-only
    candidates x repeated JDs chain into groups of 200+ records, each a whole source file),
    and a few groups that size decide on their own which source lands in val/test. A lower
    cap relaxes more JD keys (808 of 2,974 records at 0.1); a higher one keeps more JDs
    together at the cost of split composition. ``also_stratify=("source",)`` adds strata
    (label x source) so per-source evaluation has records from every file in every split.

    Returns ``(splits, report)``; ``report["leakage"]`` (enforced keys, relaxed job keys
    excluded) must show ``total_shared == 0``.
    """
    ratios = dict(ratios or DEFAULT_RATIOS)
    if not ratios or any(r < 0 for r in ratios.values()) or abs(sum(ratios.values()) - 1) > 1e-6:
        raise ValueError(f"split ratios must be >= 0 and sum to 1, got {ratios}")
    n = len(records)
    labels = [str(r.get(label_key)) for r in records]
    # Strata: the label, plus e.g. "source" so each source file lands in every split in
    # proportion (per-source evaluation needs it; groups chain within a source).
    strata = [
        "\x1f".join([labels[i], *(str(r.get(f)) for f in also_stratify)])
        for i, r in enumerate(records)
    ]
    targets = _label_targets(Counter(strata), ratios)
    positive = [sum(t.values()) for s, t in targets.items() if ratios[s] > 0]
    max_group = max(1, int(max_group_frac * min(positive))) if n else 1

    # 1. Hard keys.
    uf = _UnionFind(n)
    size = [1] * n

    def union(a: int, b: int) -> None:
        ra, rb = uf.find(a), uf.find(b)
        if ra != rb:
            uf.union(ra, rb)
            size[uf.find(ra)] = size[ra] + size[rb]

    for field in (candidate_field, cluster_field):
        first: dict[str, int] = {}
        for i, r in enumerate(records):
            for k in _as_keys(r.get(field)):
                union(first.setdefault(k, i), i)

    # 2. Job keys, smallest first, so big generic JDs are the ones relaxed.
    job_members: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        k = job_key(r.get(job_field))
        if k:
            job_members[k].append(i)
    relaxed: dict[str, int] = {}
    if group_by_job:
        for k, members in sorted(job_members.items(), key=lambda kv: (len(kv[1]), kv[0])):
            roots = {uf.find(i) for i in members}
            if len(roots) < 2:
                continue
            if sum(size[r] for r in roots) > max_group:
                relaxed[k] = len(members)
                continue
            for i in members[1:]:
                union(members[0], i)

    groups_by_root: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups_by_root[uf.find(i)].append(i)
    groups = list(groups_by_root.values())

    # 3. Assignment.
    rng = random.Random(seed)
    rng.shuffle(groups)
    groups.sort(key=len, reverse=True)  # stable: equal sizes keep the seeded order
    names = list(ratios)
    current = {s: Counter() for s in names}
    assigned: dict[str, list[int]] = {s: [] for s in names}
    for g in groups:
        cg = Counter(strata[i] for i in g)
        deficit = {s: {lab: targets[s][lab] - current[s][lab] for lab in cg} for s in names}
        fits = [
            s for s in names if ratios[s] > 0 and all(c <= deficit[s][lab] for lab, c in cg.items())
        ]
        if fits:
            weights = [sum(c * deficit[s][lab] for lab, c in cg.items()) for s in fits]
            choice = rng.choices(fits, weights=weights)[0]
        else:  # least squared overshoot; ties -> first split in `ratios` order
            cost = {
                s: sum(c * (c - 2 * deficit[s][lab]) for lab, c in cg.items())
                for s in names
                if ratios[s] > 0
            }
            choice = min(cost, key=lambda s: (cost[s], names.index(s)))
        assigned[choice].extend(g)
        current[choice].update(cg)

    splits = {s: [records[i] for i in sorted(idx)] for s, idx in assigned.items()}

    # 4. Report.
    key_fns = group_key_fns(
        candidate_field, cluster_field, job_field if group_by_job else None, relaxed
    )
    sizes = {s: len(v) for s, v in splits.items()}
    label_counts = {s: dict(sorted(Counter(labels[i] for i in assigned[s]).items())) for s in names}
    oversized = sorted((len(g) for g in groups if len(g) > max_group), reverse=True)
    repeated = sorted((len(m) for m in job_members.values() if len(m) > 1), reverse=True)
    report: dict[str, Any] = {
        "n_records": n,
        "seed": seed,
        "ratios": ratios,
        "sizes": sizes,
        "targets": {s: sum(t.values()) for s, t in targets.items()},
        "deviation_pp": {
            s: round(100 * (sizes[s] / n - ratios[s]), 3) if n else 0.0 for s in names
        },
        "label_counts": label_counts,
        "label_fraction": {
            s: {lab: round(c / sizes[s], 4) for lab, c in label_counts[s].items()}
            if sizes[s]
            else {}
            for s in names
        },
        "n_groups": len(groups),
        "largest_groups": [len(g) for g in groups[:10]],
        "max_group_size": max_group,
        # Hard-key groups above max_group cannot be relaxed; they are placed anyway and may
        # push the ratios off target. Non-empty = look at the candidate keys (placeholders?).
        "oversized_groups": oversized,
        "job_repetition": {
            "n_job_keys": len(job_members),
            "n_repeated_keys": len(repeated),
            "n_records_with_repeated_job": sum(repeated),
            "largest": repeated[:10],
        },
        "group_by_job": group_by_job,
        "relaxed_job_keys": {
            "n_keys": len(relaxed),
            "n_records": sum(relaxed.values()),
            "largest": sorted(relaxed.values(), reverse=True)[:10],
            "keys": sorted(relaxed),
        },
        "leakage": leakage_report(splits, key_fns),
    }
    return splits, report
