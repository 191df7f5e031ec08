"""Is a resume's skill string the job's required skill? Matching short skill strings.

Job ads and resumes name the same skill differently: "SEO" and "search engine optimisation",
"employment law" and ESCO's "labour legislation", "debugging" and "debug software". The
:class:`SkillMatcher` tries, in order, the same words, a known abbreviation or tool family, ESCO's
alternative labels (from the packaged ESCO skills text), shared word stems, and MiniLM cosine
above a threshold (``inference.evidence_match_threshold``, swept by `recruiter eval evidence`),
then assigns each resume item to at most one requirement.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .skills import SUPPLEMENT

DEFAULT_MATCH_THRESHOLD = 0.6  # inference.evidence_match_threshold; `eval evidence` sweeps it
_STOP = {"the", "of", "and", "in", "with", "a", "an", "for", "to", "on", "or", "&"}
# Common abbreviations and tool families that neither ESCO's labels nor a sentence encoder tie to
# their long forms; general knowledge, listed once here.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "seo": ("search engine optimisation", "search engine optimization"),
    "sem": ("search engine marketing",),
    "crm": ("customer relationship management",),
    "erp": ("enterprise resource planning",),
    "cad": ("computer-aided design", "computer aided design"),
    "fea": ("finite element analysis",),
    "hr": ("human resources", "human resource management"),
    "ui": ("user interface",),
    "ux": ("user experience",),
    "qa": ("quality assurance",),
    "ml": ("machine learning",),
    "ai": ("artificial intelligence",),
    "nlp": ("natural language processing",),
    "ci/cd": ("continuous integration", "continuous delivery", "continuous deployment"),
    "excel": ("spreadsheets", "spreadsheet software", "microsoft excel"),
    "kpi": ("key performance indicators",),
    "gdpr": ("general data protection regulation",),
}


class Embedder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


# The string helpers below are pure and called for every (requirement, resume item) pair of every
# candidate, so each result is cached per process.
@functools.lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    text = re.sub(r"^(?:the|a|an)\s+", "", " ".join(str(text).lower().split()))
    return text.strip(" .:;,-*")


@functools.lru_cache(maxsize=65536)
def bare(text: str) -> str:
    """:func:`normalize` without a parenthesised qualifier ("Java (computer programming)")."""
    return re.sub(r"\s*\([^)]*\)", "", normalize(text)).strip()


_SUFFIX = re.compile(r"(?:ations?|ments?|ings?|ions?|ers?|ies|es|s|ed|al|ity)$")


def stem(word: str) -> str:
    """A light stem: common English suffixes off, then at most 5 letters ("loading" -> "load")."""
    base = _SUFFIX.sub("", word)
    return (base if len(base) >= 3 else word)[:5]


@functools.lru_cache(maxsize=65536)
def stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in re.findall(r"[a-z0-9+#/]+", text.lower()) if w not in _STOP)


@functools.lru_cache(maxsize=65536)
def skill_forms(text: str) -> frozenset[str]:
    """A skill string and its spelled-out forms (abbreviations, supplement aliases, qualifier)."""
    n = normalize(text)
    out = {n, bare(text)}
    for short, longs in ABBREVIATIONS.items():
        if n == short or n in longs:
            out |= {short, *longs}
    for key, aliases in SUPPLEMENT.items():
        if n == key or n in aliases:
            out |= {key, *aliases}
    return frozenset(f for f in out if f)


class SkillMatcher:
    """Is a resume skill string the job's required skill? Tried in order, first hit wins:

    1. ``exact``: the same words once normalised (case, articles, a parenthesised qualifier);
    2. ``alias``: the same abbreviation or tool family (:data:`ABBREVIATIONS`, the retrieval
       vocabulary's supplement aliases);
    3. ``esco``: one string is an ESCO label or alternative label of the other's ESCO entry
       ("employment law" is an alternative label of "labour legislation");
    4. ``stem``: every content word of one (5-letter stems) is in the other, both >= 2 words or
       one of them a single word of >= 6 letters ("debugging" / "debug software");
    5. ``embedding``: MiniLM cosine >= ``threshold``.

    Each required skill takes its best resume item, each resume item serves one skill (greedy by
    score), so a near miss ("digital marketing" for "brand marketing") does not count when the
    exact item is there for another requirement.
    """

    def __init__(
        self, embedder: Embedder | None = None, threshold: float = DEFAULT_MATCH_THRESHOLD
    ):
        self.embedder = embedder
        self.threshold = threshold
        self._esco: dict[str, set[str] | None] = {}

    def esco_labels(self, text: str) -> set[str] | None:
        key = normalize(text)
        if key not in self._esco:
            self._esco[key] = _esco_label_set(key)
        return self._esco[key]

    def lexical(self, a: str, b: str) -> tuple[str, float] | None:
        if bare(a) == bare(b):  # equal once normalised implies equal bare forms
            return "exact", 1.0
        fa, fb = skill_forms(a), skill_forms(b)
        if fa & fb:
            return "alias", 0.99
        la, lb = self.esco_labels(a), self.esco_labels(b)
        if (la and fb & la) or (lb and fa & lb):
            return "esco", 0.98
        sa, sb = stems(a), stems(b)
        if sa and sb and (sa <= sb or sb <= sa):
            short = min((a, b), key=lambda s: len(stems(s)))
            if min(len(sa), len(sb)) >= 2 or len(normalize(short)) >= 6:
                return "stem", 0.97
        return None

    def match(
        self, required: Sequence[str], have: Sequence[str]
    ) -> list[tuple[int, str, float] | None]:
        """For each required skill: ``(index into have, how, score)`` or ``None``."""
        if not required or not have:
            return [None] * len(required)
        scores = np.zeros((len(required), len(have)))
        hows = np.full((len(required), len(have)), "", dtype=object)
        for i, r in enumerate(required):
            for j, h in enumerate(have):
                hit = self.lexical(r, h)
                if hit:
                    hows[i, j], scores[i, j] = hit[0], hit[1]
        if self.embedder is not None:
            vecs = self.embedder.encode([*required, *have])
            cos = vecs[: len(required)] @ vecs[len(required) :].T
            emb = (cos >= self.threshold) & (scores == 0)
            scores = np.where(emb, np.minimum(cos, 0.96), scores)
            hows = np.where(emb, "embedding", hows)
        out: list[tuple[int, str, float] | None] = [None] * len(required)
        used: set[int] = set()
        for flat in np.argsort(-scores, axis=None, kind="stable"):
            i, j = divmod(int(flat), len(have))
            if scores[i, j] <= 0:
                break
            if out[i] is None and j not in used:
                out[i] = (j, str(hows[i, j]), float(scores[i, j]))
                used.add(j)
        return out


def _esco_label_set(key: str) -> set[str] | None:
    """The label phrases of the ESCO skill that :meth:`SkillVocabulary.lookup` finds for ``key``
    as a prefix (its preferred label; among several, the most similar one).

    The packaged text is "<preferred> <alt 1> <alt 2> … <Description sentence>" without
    delimiters, so the label run is cut where the description starts (the first capitalised word
    followed by a lower-case one) and its phrases are taken as every contiguous span of 2-5 words,
    plus single words that share a stem with the preferred label ("troubleshooting").
    """
    from .skills import SkillVocabulary

    if not key:
        return None
    vocab = SkillVocabulary.default()
    prefixed = [
        i
        for i in vocab._first_word.get(key.split(" ", 1)[0], [])
        if vocab.lower[i] == key or vocab.lower[i].startswith(key + " ")
    ]
    if not prefixed:
        return None  # no ESCO entry starts with this string
    if len(prefixed) > 1:  # the vocabulary ranks them (a small TF-IDF over these rows only)
        hit = vocab.lookup(key)
        prefixed = [i for i in prefixed if vocab.uris[i] == hit.uri][:1] or prefixed[:1]
    out: set[str] = set()
    for i in prefixed:
        words = vocab.texts[i].split()
        end = len(words)
        for k in range(len(key.split()), len(words) - 1):
            if words[k][:1].isupper() and words[k + 1][:1].islower():
                end = k
                break
        run = [w.lower().strip(",.;") for w in words[:end]]
        own = stems(key)
        out |= {" ".join(run[j : j + n]) for n in range(2, 6) for j in range(len(run) - n + 1)}
        out |= {w for w in run if len(w) >= 6 and stem(w) in own}
    return out or None


def default_matcher(threshold: float = DEFAULT_MATCH_THRESHOLD, embed: bool = True) -> SkillMatcher:
    """A matcher with the embedded MiniLM encoder (cached embeddings) unless ``embed=False``."""
    if not embed:
        return SkillMatcher(None, threshold)
    from .encoder import FrozenEncoder

    return SkillMatcher(FrozenEncoder(), threshold)
