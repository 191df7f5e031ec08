"""Choosing among overlapping detections: one non-overlapping span per piece of text.

:func:`resolve_spans` keeps longer spans first, then the higher :data:`PRIORITY` entity, then the
higher score, trims partial overlaps and skips placeholders already in the text. The masker runs
it per field, and again after a value found once is matched wherever it recurs in the record.
"""

from __future__ import annotations

from .patterns import PLACEHOLDER_RX

# tie-break when two detections cover exactly the same characters
PRIORITY = {
    "NAME": 5,
    "EMAIL": 4,
    "URL": 4,
    "PHONE": 4,
    "DATE_OF_BIRTH": 3,
    "AGE": 3,
    "PERSON": 2,
    "ADDRESS": 1,
}


def resolve_spans(
    cands: list[tuple[int, int, str, float]], text: str
) -> list[tuple[int, int, str, float]]:
    """Non-overlapping spans: longer first, then entity priority, then score; skip placeholders.

    A span that only partly overlaps a chosen one keeps its non-overlapping part (a phone number
    whose last group a street pattern also claimed stays masked as a phone).
    """
    if not cands:
        return []
    taken: list[tuple[int, int]] = (
        [m.span() for m in PLACEHOLDER_RX.finditer(text)] if "[" in text else []
    )
    chosen: list[tuple[int, int, str, float]] = []
    queue = sorted(cands, key=lambda c: (-(c[1] - c[0]), -PRIORITY.get(c[2], 0), -c[3], c[0]))
    for a, b, typ, score in queue:
        # a same-type span sticking out of a chosen one extends it ("Dr. [Robert Johnson]")
        merged = False
        for i, (ca, cb, ctyp, cscore) in enumerate(chosen):
            if ctyp == typ and a < cb and ca < b and (a < ca or b > cb):
                na, nb = min(a, ca), max(b, cb)
                if not any(na < tb and ta < nb for ta, tb in taken if (ta, tb) != (ca, cb)):
                    chosen[i] = (na, nb, typ, max(score, cscore))
                    taken[taken.index((ca, cb))] = (na, nb)
                    merged = True
                break
        if merged:
            continue
        for ta, tb in taken:
            if a < tb and ta < b:
                if ta <= a and b <= tb:  # inside a chosen span
                    a = b
                    break
                if a < ta:  # keep the left part
                    b = ta
                else:  # keep the right part
                    a = tb
        seg = text[a:b]
        strip_l = len(seg) - len(seg.lstrip(" \t,;|"))
        a, b = a + strip_l, a + len(seg.rstrip(" \t,;|"))
        if (
            b - a < 2
            or not any(ch.isalnum() for ch in text[a:b])
            or any(a < tb and ta < b for ta, tb in taken)
        ):
            continue
        taken.append((a, b))
        chosen.append((a, b, typ, score))
    chosen.sort()
    return chosen
