"""Cheap keyword pre-checks that the regex recognisers run behind (see :mod:`.recognizers`).

A pattern's ``need`` is a list of lower-case substrings (:class:`_NeedSubstrings`) or a
:class:`NeedWords` set of whitespace tokens; the regex runs only if one of them occurs. The
lower-cased text and its word set are cached while the recognisers of one analysis look at the
same string.
"""

from __future__ import annotations

import re as _sre
from collections.abc import Iterable

_LOWER_CACHE: tuple[str | None, str | None] = (None, None)


def _lower(text: str) -> str:
    """``text.lower()``, reused while the recognisers of one analysis see the same string."""
    global _LOWER_CACHE
    cached = _LOWER_CACHE
    if cached[0] is text:
        return cached[1]
    low = text.lower()
    _LOWER_CACHE = (text, low)
    return low


_WORDS_CACHE: tuple[str | None, frozenset[str]] = (None, frozenset())
_PUNCT = ".,;:!?()[]{}\"'*|/"


def _words(text: str) -> frozenset[str]:
    """Lower-case whitespace tokens of ``text`` (with and without surrounding punctuation)."""
    global _WORDS_CACHE
    cached = _WORDS_CACHE
    if cached[0] is text:
        return cached[1]
    raw = _lower(text).replace("/", " ").split()
    words = frozenset(raw).union(t.strip(_PUNCT) for t in raw)
    _WORDS_CACHE = (text, words)
    return words


class NeedWords:
    """Pre-check: one of these lower-case words must occur as a whitespace token."""

    def __init__(self, words: Iterable[str]):
        self.words = frozenset(words)

    def ok(self, text: str) -> bool:
        return not self.words.isdisjoint(_words(text))


class _NeedSubstrings:
    """Pre-check: one of these lower-case substrings must occur."""

    def __init__(self, subs: Iterable[str]):
        self.rx = _sre.compile(
            "|".join(_sre.escape(n) for n in sorted(set(subs), key=len, reverse=True))
        )

    def ok(self, text: str) -> bool:
        return self.rx.search(_lower(text)) is not None


def expand_alt(alt: str) -> list[str]:
    """First words a simple regex alternative can start with ("muslims?" -> muslim, muslims)."""
    word = alt.split()[0]
    if "[" in word or "(" in word:
        return [word.split("[")[0].split("(")[0]]
    if word.endswith("?"):
        return [word[:-2], word[:-1]]
    return [word]


def need_rx(need):
    """``need``: None, a list of substrings, or a ``NeedWords``."""
    if not need:
        return None
    return need if isinstance(need, NeedWords) else _NeedSubstrings(need)
