"""What every route of the HTTP server shares: the OpenAI error shape, the app's state, JSON
bodies and the queue to the model thread.

The routes live in :mod:`.service_api` and :mod:`.chat_api` as FastAPI routers and
:func:`~.server.create_app` assembles them. Each app carries one :class:`ServerState` on
``app.state.server`` and a route reaches it with :func:`state_of`: no module-level state, so
two apps in one process (the tests run several on one engine) keep their own limits, queue
and metrics.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import JSONResponse

from ..errors import InputError
from ..schemas.inputs import parse_json
from .decision import DecisionEngine
from .worker import Job, ModelWorker, Overloaded

if TYPE_CHECKING:
    from ..config import ServeConfig
    from .audit import AuditLog


class APIError(Exception):
    """An error answered in OpenAI's ``{"error": {message, type, param, code}}`` shape."""

    def __init__(
        self,
        status: int,
        message: str,
        type_: str,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = (
            status,
            message,
            type_,
            param,
            code,
        )
        self.headers = headers

    def response(self) -> JSONResponse:
        body = {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }
        return JSONResponse(body, status_code=self.status, headers=self.headers)


class Metrics:
    """The Prometheus series of one app, in a registry of its own (not the global one: each
    app counts only its own requests)."""

    def __init__(self):
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        self.requests = Counter(
            "recruiter_requests_total",
            "HTTP requests",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "recruiter_request_seconds",
            "request latency",
            ["endpoint"],
            registry=self.registry,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
        )
        self.decisions = Counter(
            "recruiter_decisions_total", "decisions by status", ["status"], registry=self.registry
        )
        self.tokens = Counter(
            "recruiter_completion_tokens_total", "generated tokens", registry=self.registry
        )
        self.in_flight = Gauge(
            "recruiter_in_flight", "requests admitted and not finished", registry=self.registry
        )


@dataclass
class ServerState:
    """One app's settings and the objects its routes work with.

    ``model_ids`` maps each id ``/v1/models`` lists to whether the adapter is on for it;
    ``remote`` is true when the engine is a remote server's client, so chat requests are relayed
    to it rather than generated here; ``keys`` are the accepted API keys (none: no auth)."""

    settings: ServeConfig
    engine: DecisionEngine
    worker: ModelWorker
    metrics: Metrics
    audit: AuditLog | None
    base_model: str
    model_ids: dict[str, bool]
    remote: bool
    keys: list[str]

    def submit(self, kind: str, payload) -> Job:
        """Queue a job for the model thread; a full queue is a 429 at once, not a longer wait."""
        try:
            return self.worker.submit(kind, payload)
        except Overloaded as exc:
            raise APIError(
                429,
                f"server busy: {exc}; retry later",
                "rate_limit_error",
                code="server_busy",
                headers={"Retry-After": "1"},
            ) from None

    async def wait(self, job: Job):
        """The job's result, or a 504 after ``request_timeout_s`` that also stops the job (it is
        skipped if still queued, stopped at the next token if generating)."""
        s = self.settings
        try:
            return await asyncio.wait_for(asyncio.wrap_future(job.future), s.request_timeout_s)
        except TimeoutError:
            job.cancel.set()
            raise APIError(
                504,
                f"request took longer than {s.request_timeout_s:g} s",
                "timeout_error",
                code="timeout",
            ) from None


def state_of(request: Request) -> ServerState:
    """The :class:`ServerState` of the app serving ``request``."""
    return request.app.state.server


async def read_json(request: Request) -> Any:
    """The request's JSON body, read under the input policy of every reader (BOM, NaN,
    duplicate keys, lone surrogates); 415 unless ``application/json``, 413 over
    ``serve.max_request_bytes``, 400 when it does not parse."""
    limit = state_of(request).settings.max_request_bytes
    # JSON only: a form or text/plain POST is what a web page can send cross-site unasked
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise APIError(
            415,
            f"Content-Type must be application/json, not {kind or 'missing'}",
            "invalid_request_error",
            code="unsupported_media_type",
        )
    # the middleware refuses a large Content-Length before the body is read; this catches a
    # chunked body, which has none
    raw = await request.body()
    if len(raw) > limit:
        raise APIError(
            413,
            f"request body over {limit:,} bytes",
            "invalid_request_error",
            code="request_too_large",
        )
    try:
        return parse_json(raw.decode("utf-8"), "body")
    except UnicodeDecodeError as exc:
        raise APIError(400, f"body is not UTF-8 ({exc.reason})", "invalid_request_error") from None
    except InputError as exc:
        raise APIError(400, str(exc), "invalid_request_error") from None
