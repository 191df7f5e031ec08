"""Rule-based junk detection: every flag names its rule and field, every threshold is an argument.

Rules (reason strings are ``"<rule>:<field>"``; a record is junk when any rule fires):

* ``too_long`` — a field longer than ``max_field_chars`` (a paste of a whole portfolio, a log).
* ``top_token`` — the most frequent token is more than ``max_top_token_share`` of all tokens
  (texts of ``min_tokens`` tokens or more; short texts are dominated by one word naturally).
* ``low_distinct`` — distinct/total tokens below ``min_distinct_ratio`` in some window of
  ``distinct_window`` tokens (the whole text when shorter). A window, not the whole text, because
  the plain ratio falls with length (Heaps' law) and would flag long but honest texts.
* ``keyword_stuffing`` — one content word (stop words excluded) repeated more than
  ``max_keyword_repeats`` times *and* more than ``max_keyword_share`` of the content words, or
  the same token more than ``max_consecutive_repeats`` times in a row ("Java, Java, Java, ...").
  The count alone is not enough: "data" occurs 73 times in an honest Data Engineer interview.
* ``keyword_run`` — more than ``max_keyword_run`` words in a row without sentence punctuation or
  a line break and with at most ``keyword_run_stop_share`` stop words: a pasted keyword list
  ("docker Terraform AWS CI/CD kubernetes ..."). Honest prose has 20-45 % stop words; an ASR
  transcript without punctuation is long but not stop-word free, so it passes.
* ``long_list`` — a comma-separated run of more than ``max_list_items`` short items.
* ``url_density`` — more than ``max_urls_per_100_words`` URLs per 100 words, once there are at
  least ``min_urls`` (one LinkedIn address in a 20-word JD is not spam).
* ``non_text`` — more than ``max_non_text_share`` of the characters are neither letters,
  whitespace nor common punctuation (digits count as non-text: tables of numbers, binary dumps).
* ``symbols`` — more than ``max_symbol_share`` of the visible characters are neither letters
  nor digits (random keyboard/character soup; real text: at most 0.10, code included).
* ``junk_string`` — a whitespace-free run of ``max_junk_token_chars`` or more characters from the
  base64/hex alphabet that is not a URL, e-mail or path (tokens, hashes, base64 blobs).
* ``gibberish`` — more than ``max_gibberish_share`` of the words (4+ characters, when there are
  ``min_tokens`` of them) look random: 5+ consonants in a row (``y`` counts as a vowel), or
  letters and digits interleaved twice ("x8f2k9"). Some real words match ("strengths"), hence a
  share and not a count.

``length_outliers`` flags records whose field is longer than median + k*IQR of their source
file (only long ones: short ones are the clean stage's ``min_chars`` business).

Measured on the public hiring export (2,974 records, after ``clean``): no rule flags a record at
the default thresholds; the closest real values are a top-token share of 0.12 (for 30+ tokens),
a windowed distinct ratio of 0.36, a content-word share of 0.15, 3 repeats in a row, 19 list
items, 3.1 URLs per 100 words, a non-text share of 0.05, a symbol share of 0.10, a keyword
run of 21 words and 0.05 gibberish words; ``length_outliers`` flags none either. On the
synthetic corpus (``prepare.synth``) every stuffing, URL and random-character spam row is caught
and no honest row is; its "word salad" rows (fluent random English) pass: that needs a language
model, not a rule. The clean stage's repair of letter-by-letter words ("g, a, m, i, n, g")
matters: 104 public records hold such spans. Thresholds are deliberately loose: a false drop
loses a real candidate, a missed junk record is one bad training example among thousands.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["SpamThresholds", "spam_reasons", "field_reasons", "length_outliers", "tokens"]


@dataclass(frozen=True)
class SpamThresholds:
    """Rule thresholds; the first seven mirror ``prepare.spam`` in the config."""

    max_top_token_share: float = 0.25
    min_distinct_ratio: float = 0.12
    max_keyword_repeats: int = 25
    max_urls_per_100_words: float = 8.0
    max_non_text_share: float = 0.35
    max_field_chars: int = 60_000
    length_outlier_iqr: float = 6.0
    # not in the config (yet): defaults measured on the public export, see the module docstring
    min_tokens: int = 30
    distinct_window: int = 200
    max_keyword_share: float = 0.25
    max_consecutive_repeats: int = 5
    max_list_items: int = 60
    min_urls: int = 3
    max_junk_token_chars: int = 32
    max_gibberish_share: float = 0.30
    max_symbol_share: float = 0.25
    max_keyword_run: int = 30
    keyword_run_stop_share: float = 0.15


_TOKEN = re.compile(r"[^\W_]+(?:['’.+#-][^\W_]+)*\+*#?")
_URL = re.compile(
    r"(?i)\b(?:https?://|ftp://|www\.)[^\s<>\"')\]]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|ai|dev|co|in|uk|de|info|biz|xyz|ly|me|app|site|online|ru|cn|tk|top)\b(?:/[^\s<>\"')\]]*)?"
)
_URLISH = re.compile(
    r"(?i)^[(\[<\"'`]*(?:https?://|ftp://|www\.|mailto:|[\w.+-]+@[\w-]+\.|[\w-]+(?:\.[\w-]+)+/)"
)
# Random-looking words, counted on the whole lower-cased text (one regex scan, no per-word
# calls): a run of five consonants, or letters and digits interleaved twice ("x8f2k9").
_RANDOM_WORD = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}|[a-z]\d+[a-z]+\d")
_SYMBOL = re.compile(r"[^\w\s]|_")
_RUN_BREAK = re.compile(r"[.,;:!?()\[\]\n\"]+")
# Non-text: digits, and anything that is neither a word character, whitespace nor punctuation.
_NON_TEXT = re.compile(r"\d|[^\w\s.,;:!?'\"()\[\]{}\-–—/&%$@#*+=<>|`~^…’‘“”\\]")
_STOP = frozenset(
    """a an the and or of to in on for with at by from as is are was were be been being i you he
    she it we they me him her us them my your his its our their this that these those have has had
    do does did not no nor but if so than then there here what which who whom how why when where
    can could would should will shall may might must also just about into over under up down out
    very more most some any all each other such only own same too s t don't i'm i've it's that's
    we'll we're you're i'd let's well yes yeah okay ok um uh like really great thank thanks""".split()
)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (keeps ``c++``, ``c#``, ``node.js``, ``don't`` whole)."""
    return [t.lower() for t in _TOKEN.findall(text)]


def _min_window_distinct(toks: Sequence[str], window: int) -> float:
    """Lowest distinct/total ratio over windows of ``window`` tokens, stepping half a window."""
    if len(toks) <= window:
        return len(set(toks)) / len(toks)
    starts = list(range(0, len(toks) - window + 1, max(window // 2, 1)))
    if starts[-1] != len(toks) - window:
        starts.append(len(toks) - window)
    return min(len(set(toks[i : i + window])) for i in starts) / window


def _longest_run(toks: Sequence[str]) -> int:
    """Most identical tokens in a row."""
    if not toks:
        return 0
    same = bytes(x == y for x, y in zip(toks, toks[1:], strict=False))
    return max(map(len, same.split(b"\x00")), default=0) + 1


def _has_keyword_run(text: str, max_words: int, max_stop_share: float) -> bool:
    """A stretch of more than ``max_words`` words without sentence punctuation or a line break
    whose stop-word share is at most ``max_stop_share``: a pasted keyword list."""
    for stretch in _RUN_BREAK.split(text):
        if stretch.count(" ") < max_words:  # cheap pre-check: too few words
            continue
        words = stretch.lower().split()
        if len(words) > max_words and sum(w in _STOP for w in words) <= max_stop_share * len(words):
            return True
    return False


def _random_word(word: str) -> bool:
    return bool(_RANDOM_WORD.search(word))


def _longest_list(text: str, min_items: int) -> int:
    """Most consecutive short (<= 40 chars) comma-separated items on one line."""
    best = 0
    for line in text.split("\n"):
        if line.count(",") + 1 < min_items:
            continue
        run = 0
        for item in line.split(","):
            run = run + 1 if 0 < len(item.strip()) <= 40 else 0
            best = max(best, run)
    return best


def _has_junk_string(text: str, min_chars: int) -> bool:
    """A run of ``min_chars``+ base64/hex characters that looks random (letters and digits
    interleaved, case flipping more than CamelCase does, consonant clusters) or is twice that
    long; URLs, e-mails and paths are skipped,
    and ``-``, ``_``, ``/`` and ``.`` break runs, so slugs like ``data-warehouse-modernization``
    and ``predicting_customer_churn`` are not junk."""
    for chunk in text.split():
        if len(chunk) < min_chars or _URLISH.match(chunk):
            continue
        for run in re.findall(rf"[A-Za-z0-9+=]{{{min_chars},}}", chunk):
            kinds = ["d" if ch.isdigit() else "u" if ch.isupper() else "l" for ch in run]
            digit_switches = sum(
                (x == "d") != (y == "d") for x, y in zip(kinds, kinds[1:], strict=False)
            )
            case_switches = sum(
                x != y and "d" not in (x, y) for x, y in zip(kinds, kinds[1:], strict=False)
            )
            if (
                len(run) >= 2 * min_chars
                or digit_switches >= 4
                or case_switches >= 0.35 * len(run)
                or _random_word(run.lower())
            ):
                return True
    return False


def field_reasons(text: str, th: SpamThresholds = SpamThresholds()) -> list[str]:
    """Names of the rules that ``text`` breaks (without the field suffix); empty when clean."""
    if not text:
        return []
    reasons: list[str] = []
    if len(text) > th.max_field_chars:
        reasons.append("too_long")
    toks = tokens(text)
    n = len(toks)
    counts = Counter(toks)
    if n >= th.min_tokens:
        if counts.most_common(1)[0][1] / n > th.max_top_token_share:
            reasons.append("top_token")
        if _min_window_distinct(toks, th.distinct_window) < th.min_distinct_ratio:
            reasons.append("low_distinct")
    content = {t: c for t, c in counts.items() if t not in _STOP and len(t) > 1 and not t.isdigit()}
    stuffed = _longest_run(toks) > th.max_consecutive_repeats
    if content and not stuffed:
        count = max(content.values())
        stuffed = (
            count > th.max_keyword_repeats and count / sum(content.values()) > th.max_keyword_share
        )
    if stuffed:
        reasons.append("keyword_stuffing")
    if n > th.max_keyword_run and _has_keyword_run(
        text, th.max_keyword_run, th.keyword_run_stop_share
    ):
        reasons.append("keyword_run")
    if _longest_list(text, th.max_list_items) > th.max_list_items:
        reasons.append("long_list")
    urls = sum(
        1 for c in text.split() if "." in c and ("@" not in c or "://" in c) and _URL.search(c)
    )
    if urls >= th.min_urls and 100 * urls / max(n, 1) > th.max_urls_per_100_words:
        reasons.append("url_density")
    if len(text) >= 50 and len(_NON_TEXT.findall(text)) / len(text) > th.max_non_text_share:
        reasons.append("non_text")
    if len(text) >= 50:
        visible = len(text) - sum(map(text.count, " \n\t"))
        symbols = len(_SYMBOL.findall(text))
        if visible and symbols / visible > th.max_symbol_share:
            reasons.append("symbols")
    if _has_junk_string(text, th.max_junk_token_chars):
        reasons.append("junk_string")
    words = sum(c for t, c in counts.items() if len(t) >= 4 and not t.isdigit())
    plain = text.lower().replace("https://", " ").replace("http://", " ")  # "https" is 5 consonants
    if words >= th.min_tokens and len(_RANDOM_WORD.findall(plain)) / words > th.max_gibberish_share:
        reasons.append("gibberish")
    return reasons


def spam_reasons(
    record: Mapping, fields: Iterable[str], thresholds: SpamThresholds = SpamThresholds()
) -> list[str]:
    """``["<rule>:<field>", ...]`` for every rule broken by any of ``fields``; ``[]`` = clean.

    Missing or non-string fields are skipped (the clean stage has already enforced presence).
    """
    out: list[str] = []
    for name in fields:
        value = record.get(name)
        if isinstance(value, str):
            out.extend(f"{rule}:{name}" for rule in field_reasons(value, thresholds))
    return out


def length_outliers(
    records: Sequence[Mapping],
    field: str,
    k: float = 6.0,
    by: str | None = "source",
    min_records: int = 20,
    min_ratio: float = 4.0,
) -> set:
    """ids of records whose ``field`` is longer than median + k*IQR of their group *and* longer
    than ``min_ratio`` times the group's median.

    Groups are the values of ``by`` (the source file by default; ``None`` = one corpus): a merged
    corpus is multi-modal (one export has 100-character one-line JDs, another 4,000-character
    ones), and a single median + k*IQR would flag a whole source. Groups with fewer than
    ``min_records`` records give no meaningful distribution and are never flagged. The IQR is
    floored at 10 % of the median so that near-identical lengths (a template-generated export)
    do not flag every record slightly above the median; ``min_ratio`` keeps sub-populations
    inside one file (the combined export merges three generators: 95- and 300-character JDs)
    from being flagged: this rule is for pastes and dumps, not for a long but honest resume.
    """
    groups: dict[object, list[tuple[object, int]]] = {}
    for rec in records:
        key = rec.get(by) if by else None
        groups.setdefault(key, []).append((rec.get("id"), len(rec.get(field) or "")))
    flagged: set = set()
    for members in groups.values():
        if len(members) < min_records:
            continue
        lengths = [n for _, n in members]
        q1, median, q3 = statistics.quantiles(lengths, n=4, method="inclusive")
        limit = max(median + k * max(q3 - q1, 0.1 * median, 1.0), min_ratio * median)
        flagged.update(rid for rid, n in members if n > limit)
    return flagged
