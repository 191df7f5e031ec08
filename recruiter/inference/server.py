"""`recruiter serve`: an OpenAI-compatible HTTP server for the recruiter model (FastAPI).

Endpoints

* ``GET /v1/models``: the adapter id (``serve.adapter_id``, default ``recruiter``) and the base
  model id; the base is served with the adapter switched off.
* ``POST /v1/chat/completions``: non-streaming and SSE streaming (``data: {chunk}`` lines ending
  with ``data: [DONE]``; exactly one chunk carries a ``finish_reason``), ``response_format``
  ``json_schema`` / ``json_object`` enforced by the same xgrammar mask as the decision engine,
  ``temperature`` / ``top_p`` / ``seed`` / ``max_tokens`` / ``stop`` / ``logprobs`` +
  ``top_logprobs``, ``usage`` counts; errors in OpenAI's ``{"error": {message, type, param,
  code}}`` shape.
* ``POST /v1/screen``: a candidate JSON (``candidate.schema.json``) in, the audited decision
  record out.
* ``POST /v1/reviews``: a human reviewer's verdict on an audited decision, chained into the
  audit log (409 while ``audit.enabled`` is off).
* ``GET /healthz`` and ``GET /metrics`` (Prometheus text format).

Access: with API keys (``serve.api_keys``, the ``RECRUITER_API_KEYS`` variable or
``serve.api_keys_file``) every route but ``/healthz`` needs ``Authorization: Bearer KEY`` (401
otherwise); without keys ``recruiter serve`` refuses to bind beyond loopback. Request bodies must
be ``application/json`` (415 otherwise: a form or text/plain POST is what any web page can send
cross-site), CORS is off unless ``serve.cors_origins`` names origins, ``/docs`` is off unless
``serve.docs``; unknown routes and methods answer in the OpenAI error shape and count under one
``other`` metrics label.

Limits: bodies over ``serve.max_request_bytes`` get 413; more than ``max_concurrency +
max_queue`` requests in flight get 429 with ``Retry-After`` at once (:mod:`.worker`); a request
running past ``request_timeout_s`` gets 504 and its generation is stopped.

With ``serve.engine=remote`` the decisions of ``/v1/screen`` go to an OpenAI-compatible server
(vLLM, see docker-compose.yml) through :class:`~.remote.RemoteEngine`, and chat requests are
relayed to it unchanged.

Layout: this module assembles the app (:func:`create_app`) and holds what applies to every
route: the access checks, the limits-and-metrics middleware and the error handlers. The routes
are routers of their own, :mod:`.service_api` (``/v1/screen``, ``/v1/reviews``,
``/v1/models``, ``/healthz``, ``/metrics``) and :mod:`.chat_api` (``/v1/chat/completions``), and
reach the app's engine, queue, audit log and metrics through its :class:`~.api.ServerState`
(:mod:`.api`).
"""

from __future__ import annotations

import contextlib
import hmac
import os
import time
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from ..errors import InputError
from .api import APIError, Metrics, ServerState
from .chat_api import ChatRequest, Message, check_bounds
from .chat_api import router as chat_router
from .decision import DecisionEngine
from .service_api import router as service_router
from .worker import ModelWorker

__all__ = [
    "LOOPBACK",
    "OPEN_PATHS",
    "ROUTES",
    "APIError",
    "ChatRequest",
    "Message",
    "Metrics",
    "api_keys",
    "check_bind",
    "check_bounds",
    "create_app",
    "run",
]

ROUTES = ("/v1/models", "/v1/screen", "/v1/reviews", "/v1/chat/completions")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
OPEN_PATHS = ("/healthz",)  # no key needed: a liveness probe reveals nothing


def api_keys(s) -> list[str]:
    """The keys of ``serve.api_keys``, the ``serve.api_keys_env`` variable (comma-separated)
    and ``serve.api_keys_file`` (one per line; ``#`` comments), empty ones dropped."""
    keys = list(s.api_keys)
    keys += os.environ.get(s.api_keys_env, "").split(",")
    if s.api_keys_file:
        path = Path(s.api_keys_file)
        if not path.is_file():
            raise InputError(f"serve.api_keys_file: {path} does not exist")
        keys += [ln.split("#", 1)[0] for ln in path.read_text(encoding="utf-8").splitlines()]
    return [k.strip() for k in keys if k.strip()]


def check_bind(host: str, keys: list[str]) -> None:
    """Refuse to listen beyond this machine without API keys."""
    if not keys and host not in LOOPBACK:
        raise InputError(
            f"serve.host={host} listens beyond this machine and no API key is set: set "
            "serve.api_keys, the RECRUITER_API_KEYS variable or serve.api_keys_file, or bind "
            "127.0.0.1"
        )


def _authorised(header: str | None, keys: list[str]) -> bool:
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return any(hmac.compare_digest(token.strip().encode(), k.encode()) for k in keys)


def create_app(cfg, engine: DecisionEngine | None = None) -> FastAPI:
    """The app for ``cfg``; ``engine`` (an :class:`~.engine.Engine` or RemoteEngine) can be
    passed in (tests share one), otherwise it is loaded from the config.

    Chat completions need the model itself: with a local engine (``engine.local``) they run on
    its model (the adapter switched off for the base model's id); otherwise they are relayed
    to the remote server."""
    s = cfg.serve
    if engine is None:
        engine = _load_engine(cfg)
    audit = None
    if cfg.audit.enabled:
        from .audit import AuditLog

        audit = AuditLog(cfg.audit.url)
    if not isinstance(engine, DecisionEngine):
        raise TypeError(f"{type(engine).__name__} is not a DecisionEngine")

    def decide_batch(candidates: list[dict]) -> list[dict]:
        # engine.decide looked up per batch, not bound here (a test swaps it on a live app)
        return engine.decide(candidates, audit=audit, channel="api")

    remote = not engine.local
    base_model = engine.describe()["base_model"]
    # a remote server serves its adapter under serve.remote_model; locally, only with one loaded
    adapter_on = remote or engine.adapter_dir is not None
    state = ServerState(
        settings=s,
        engine=engine,
        worker=ModelWorker(decide_batch, engine.batch_size, s.max_concurrency + s.max_queue),
        metrics=Metrics(),
        audit=audit,
        base_model=base_model,
        model_ids={s.adapter_id: True, base_model: False} if adapter_on else {base_model: False},
        remote=remote,
        keys=api_keys(s),
    )
    docs = {} if s.docs else {"docs_url": None, "redoc_url": None, "openapi_url": None}
    app = FastAPI(title="recruiter", version="1", lifespan=_lifespan, **docs)
    app.state.server = state
    # the engine, worker and metrics also on their own, as before the split (tests watch
    # app.state.worker.in_flight)
    app.state.engine, app.state.worker, app.state.metrics = engine, state.worker, state.metrics
    if s.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=s.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_exception_handler(APIError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _internal)
    # added after CORS, so it is the outer one: it sees (and counts) every request first
    app.middleware("http")(_limits_and_metrics)
    app.include_router(service_router)
    app.include_router(chat_router)
    return app


def _load_engine(cfg) -> DecisionEngine:
    if cfg.serve.engine == "remote":
        from .remote import remote_from_config

        return remote_from_config(cfg)
    from .engine import build_engine

    return build_engine(cfg, merge=False)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI):
    yield
    app.state.server.worker.close()


async def _api_error(_request, exc: APIError):
    return exc.response()


async def _validation(_request, exc: RequestValidationError):
    first = exc.errors()[0] if exc.errors() else {}
    param = ".".join(str(x) for x in first.get("loc", ())[1:]) or None
    return APIError(
        400,
        f"{param or 'body'}: {first.get('msg', 'invalid request')}",
        "invalid_request_error",
        param,
    ).response()


async def _http(_request, exc: HTTPException):
    kind = "not_found_error" if exc.status_code == 404 else "invalid_request_error"
    return APIError(exc.status_code, str(exc.detail), kind).response()


async def _internal(_request, exc: Exception):
    return APIError(500, f"internal error: {type(exc).__name__}", "server_error").response()


async def _limits_and_metrics(request: Request, call_next):
    """Auth (401), the Content-Length limit (413) and the request metrics, before any route."""
    st: ServerState = request.app.state.server
    s, keys = st.settings, st.keys
    start = time.perf_counter()
    endpoint = request.url.path
    size = request.headers.get("content-length")
    if (
        keys
        and endpoint not in OPEN_PATHS
        and request.method != "OPTIONS"
        and not _authorised(request.headers.get("authorization"), keys)
    ):
        response = APIError(
            401,
            "missing or wrong API key (send Authorization: Bearer KEY)",
            "invalid_request_error",
            code="invalid_api_key",
            headers={"WWW-Authenticate": "Bearer"},
        ).response()
    elif size and size.isdigit() and int(size) > s.max_request_bytes:
        response = APIError(
            413,
            f"request body over {s.max_request_bytes:,} bytes",
            "invalid_request_error",
            code="request_too_large",
        ).response()
    else:
        st.metrics.in_flight.inc()
        try:
            response = await call_next(request)
        except Exception:
            # an unhandled error leaves here for the outermost handler (which answers 500 in
            # the error shape): count it as the 500 it becomes
            _count(st.metrics, endpoint, 500, start)
            raise
        finally:
            st.metrics.in_flight.dec()
    _count(st.metrics, endpoint, response.status_code, start)
    return response


def _count(metrics: Metrics, endpoint: str, status: int, start: float) -> None:
    if endpoint.startswith("/v1/"):
        known = endpoint if endpoint in ROUTES else "other"  # bounded label values
        metrics.requests.labels(known, str(status)).inc()
        metrics.latency.labels(known).observe(time.perf_counter() - start)


def run(cfg) -> None:
    """Serve until interrupted."""
    import uvicorn

    check_bind(cfg.serve.host, api_keys(cfg.serve))
    app = create_app(cfg)
    uvicorn.run(app, host=cfg.serve.host, port=cfg.serve.port, log_level="info")
