"""The recruiter service's routes beside chat: ``POST /v1/screen`` (a candidate in, the audited
decision out), ``POST /v1/reviews`` (a human reviewer's verdict on a decision), ``GET
/v1/models`` (the ids served) and the probes ``GET /healthz`` and ``GET /metrics`` (Prometheus
text format). Chat completions are in :mod:`.chat_api`.

Screening requests go through the app's model queue (:class:`~.worker.ModelWorker`), where the
ones waiting together are decided in one batch; reviews only write the audit log, so they run
in a thread beside it and never wait behind a generation.
"""

from __future__ import annotations

import asyncio
import re
import time

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from ..errors import InputError
from ..schemas import errors as schema_errors
from .api import APIError, read_json, state_of

router = APIRouter()


@router.get("/healthz")
async def healthz(request: Request):
    st = state_of(request)
    return {"status": "ok", **st.engine.describe(), "in_flight": st.worker.in_flight}


@router.get("/metrics")
async def prometheus(request: Request):
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    registry = state_of(request).metrics.registry
    return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/models")
async def list_models(request: Request):
    st = state_of(request)
    now = int(time.time())
    return {
        "object": "list",
        "data": [
            {
                "id": m,
                "object": "model",
                "created": now,
                "owned_by": "recruiter",
                "root": st.base_model,
                "parent": None if not lora else st.base_model,
            }
            for m, lora in st.model_ids.items()
        ],
    }


@router.post("/v1/screen")
async def screen(request: Request):
    st = state_of(request)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise APIError(400, "body must be a candidate JSON object", "invalid_request_error")
    problems = schema_errors(body, "candidate")
    if problems:
        raise APIError(
            400,
            "not a valid candidate: " + "; ".join(problems[:10]),
            "invalid_request_error",
            problems[0].split(":")[0],
            "invalid_candidate",
        )
    record = await st.wait(st.submit("decide", body))
    st.metrics.decisions.labels(str(record.get("status"))).inc()
    return record


@router.post("/v1/reviews")
async def review(request: Request):
    """A human reviewer's verdict on an audited decision: ``{"request_id", "verdict":
    "agree"|"override", "reviewer", "status"?, "note"?}`` (chained into the audit log)."""
    audit = state_of(request).audit
    body = await read_json(request)
    if not isinstance(body, dict):
        raise APIError(400, "body must be a JSON object", "invalid_request_error")
    if audit is None:
        raise APIError(409, "the audit log is off (audit.enabled)", "invalid_request_error")
    fields = {k: body.get(k) for k in ("request_id", "verdict", "reviewer", "status", "note")}
    for k in ("request_id", "verdict", "reviewer"):
        if not isinstance(fields[k], str):
            raise APIError(400, f"{k}: a string is required", "invalid_request_error", k)
    try:
        row = await asyncio.to_thread(
            audit.review,
            fields["request_id"],
            fields["verdict"],
            fields["reviewer"],
            fields["status"] if isinstance(fields["status"], str) else None,
            fields["note"] if isinstance(fields["note"], str) else "",
        )
    except InputError as exc:
        param = re.match(r"\w+", str(exc))
        code = 404 if "no such decision" in str(exc) else 400
        raise APIError(
            code, str(exc), "invalid_request_error", param.group(0) if param else None
        ) from None
    return {"object": "review", **row}
