"""What the model learns to write: the recorded reasoning, or one written from the evidence sheet.

``train.reasoning`` chooses:

* ``recorded``: the reasoning of the export's past decision (``output``), as the team wrote it.
  In the synthetic corpus it opens with a verdict ("Not a fit.", "Recommend hiring.") before any
  fact, so the decision is taken at the first reasoning token and the status only copies it; its
  skill counts are the generator's, which the sheet disagrees with on about a quarter of records.
* ``sheet``: the facts the evidence sheet shows, in the words the faithfulness check reads
  ("Covers 2/4 required skills (missing …); 4 years vs 2 required; …"), no verdict. The reasoning
  then agrees with the sheet by construction, carries no label, and the status token is where the
  decision is made (which ``train.status_weight`` trains). What the sheet cannot show (paraphrased
  skills it missed, how concrete the answers were) is left to the model's status.

Prompt v2 only (v1 prompts have no sheet).
"""

from __future__ import annotations

from ..inference.evidence import Sheet, short_skill
from ..retrieval.textparse import level_rank


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def sheet_reasoning(sheet: Sheet, max_items: int = 3) -> str:
    """The sheet's facts as 2-4 short clauses (skills, years, languages, interview topics)."""
    n, found = len(sheet.required), sheet.found
    missing = [short_skill(c.skill) for c in sheet.required if not c.found]
    if n:
        skills = f"Covers {found}/{n} required skills"
        if missing:
            more = f" and {len(missing) - max_items} more" if len(missing) > max_items else ""
            skills += f" (missing {_join(missing[:max_items])}{more})"
    else:
        skills = "The job description lists no required skills"
    parts = [skills]
    need = sheet.min_years
    if sheet.years is None:
        parts.append(
            "no dated roles in the resume" + (f", {need:g} years required" if need else "")
        )
    elif need is not None:
        parts.append(f"{sheet.years:g} years vs {need:g} required")
    else:
        parts.append(f"{sheet.years:g} years in dated roles")
    if sheet.job_languages:
        have = {lg.name: lg.level for lg in sheet.languages}
        for lg in sheet.job_languages:
            got = have.get(lg.name)
            if got is None:
                parts.append(f"{lg.name} not stated ({lg.level or 'required'})")
            elif lg.level and level_rank(got) < level_rank(lg.level):
                parts.append(f"{lg.name} {got} below the required {lg.level}")
            else:
                parts.append(f"{lg.name} {got or ''} meets the requirement".replace("  ", " "))
    topics = []
    for qa in sheet.interview:
        if qa.topic_kind == "skill" and qa.answer_text and short_skill(qa.topic) not in topics:
            topics.append(short_skill(qa.topic))
    if topics:
        parts.append(f"interview answers on {_join(topics[:max_items])}")
    else:
        parts.append("no interview answer on a required skill")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]
