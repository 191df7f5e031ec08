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
* ``GET /healthz`` and ``GET /metrics`` (Prometheus text format).

Access: with API keys (``serve.api_keys``, the ``RECRUITER_API_KEYS`` variable or
``serve.api_keys_file``) every route but ``/healthz`` needs ``Authorization: Bearer KEY`` (401
otherwise); without keys ``recruiter serve`` refuses to bind beyond loopback. Request bodies must
be ``application/json`` (415 otherwise: a form or text/plain POST is what any web page can send
cross-site), CORS is off unless ``serve.cors_origins`` names origins, ``/docs`` is off unless
``serve.docs``; unknown routes and methods answer in the OpenAI error shape and count under one
``other`` metrics label.

Limits: bodies over ``serve.max_request_bytes`` get 413; more than ``max_concurrency +
max_queue`` requests in flight get 429 with ``Retry-After`` at once (:mod:`.worker`); a request running past
``request_timeout_s`` gets 504 and its generation is stopped.

With ``serve.engine=remote`` the decisions of ``/v1/screen`` go to an OpenAI-compatible server
(vLLM, see docker-compose.yml) through :class:`~.remote.RemoteEngine`, and chat requests are
relayed to it unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError
from ..schemas import errors as schema_errors
from ..schemas.inputs import parse_json
from .decision import DecisionEngine
from .worker import ModelWorker, Overloaded

ROUTES = ("/v1/models", "/v1/screen", "/v1/reviews", "/v1/chat/completions")


class APIError(Exception):
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


LOOPBACK = ("127.0.0.1", "::1", "localhost")
OPEN_PATHS = ("/healthz",)  # no key needed: a liveness probe reveals nothing


def api_keys(s) -> list[str]:
    """The keys of ``serve.api_keys``, the ``serve.api_keys_env`` variable (comma-separated)
    and ``serve.api_keys_file`` (one per line; ``#`` comments), empty ones dropped."""
    import os
    from pathlib import Path

    from ..errors import InputError

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
    from ..errors import InputError

    if not keys and host not in LOOPBACK:
        raise InputError(
            f"serve.host={host} listens beyond this machine and no API key is set: set "
            "serve.api_keys, the RECRUITER_API_KEYS variable or serve.api_keys_file, or bind "
            "127.0.0.1"
        )


def _authorised(header: str | None, keys: list[str]) -> bool:
    import hmac

    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return any(hmac.compare_digest(token.strip().encode(), k.encode()) for k in keys)


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[dict] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.get("text", "") for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # unknown OpenAI fields are ignored, like OpenAI does
    model: str
    messages: list[Message] = Field(min_length=1)
    temperature: float = Field(1.0, ge=0, le=2)
    top_p: float = Field(1.0, gt=0, le=1)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    seed: int | None = Field(None, ge=-(2**63), le=2**64 - 1)
    stream: bool = False
    stream_options: dict | None = None
    stop: str | list[str] | None = None
    n: int = Field(1, ge=1)
    logprobs: bool = False
    top_logprobs: int | None = Field(None, ge=0, le=20)
    response_format: dict | None = None


class Metrics:
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


# Request bounds: each is a 400 before the request is queued, so no request can hold the model
# thread with work a client chose to make expensive (1,000 stop strings took 79 s here).
MAX_STOP = 4  # OpenAI's own limit
MAX_STOP_CHARS = 128
MAX_MESSAGES = 256
MAX_SCHEMA_BYTES = 32_768
MAX_SCHEMA_DEPTH = 24


def _depth(obj, limit: int) -> int:
    """Nesting depth of a JSON value, counted iteratively up to ``limit + 1``."""
    stack, deepest = [(obj, 1)], 0
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            return deepest
        if isinstance(node, dict):
            stack += [(v, d + 1) for v in node.values()]
        elif isinstance(node, list):
            stack += [(v, d + 1) for v in node]
    return deepest


def check_bounds(req: ChatRequest) -> list[str] | None:
    """Validate what a request may ask for; returns the stop list (or None)."""
    bad = lambda msg, param: APIError(400, msg, "invalid_request_error", param)  # noqa: E731
    stop = [req.stop] if isinstance(req.stop, str) else req.stop
    if stop is not None:
        if len(stop) > MAX_STOP:
            raise bad(f"stop: at most {MAX_STOP} stop strings, not {len(stop)}", "stop")
        if any(not s or len(s) > MAX_STOP_CHARS for s in stop):
            raise bad(f"stop: each stop string must have 1-{MAX_STOP_CHARS} characters", "stop")
    if len(req.messages) > MAX_MESSAGES:
        raise bad(f"messages: at most {MAX_MESSAGES} messages", "messages")
    if req.response_format is not None:
        size = len(json.dumps(req.response_format))
        if size > MAX_SCHEMA_BYTES:
            raise bad(f"response_format: {size} bytes, over {MAX_SCHEMA_BYTES}", "response_format")
        if _depth(req.response_format, MAX_SCHEMA_DEPTH) > MAX_SCHEMA_DEPTH:
            raise bad(f"response_format: nested deeper than {MAX_SCHEMA_DEPTH}", "response_format")
    return stop


def _schema_of(response_format: dict | None) -> dict | str | None:
    if not response_format or response_format.get("type") in (None, "text"):
        return None
    kind = response_format.get("type")
    if kind == "json_object":
        return "json_object"
    if kind == "json_schema":
        spec = response_format.get("json_schema") or {}
        schema = spec.get("schema")
        if not isinstance(schema, dict):
            raise APIError(
                400,
                "response_format.json_schema.schema must be an object",
                "invalid_request_error",
                "response_format",
            )
        from jsonschema import Draft202012Validator, SchemaError

        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            raise APIError(
                400,
                f"response_format.json_schema.schema is not a valid JSON Schema: {exc.message}",
                "invalid_request_error",
                "response_format",
            ) from None
        return schema
    raise APIError(
        400,
        f"response_format type {kind!r} is not supported",
        "invalid_request_error",
        "response_format",
    )


def create_app(cfg, engine: DecisionEngine | None = None) -> FastAPI:
    """The app for ``cfg``; ``engine`` (an :class:`~.engine.Engine` or RemoteEngine) can be
    passed in (tests share one), otherwise it is loaded from the config.

    Chat completions need the model itself: with a local engine (``engine.local``) they run on
    its model (the adapter switched off for the base model's id); otherwise they are relayed
    to the remote server."""
    s = cfg.serve
    if engine is None:
        if s.engine == "remote":
            from .remote import remote_from_config

            engine = remote_from_config(cfg)
        else:
            from .engine import build_engine

            engine = build_engine(cfg, merge=False)
    audit = None
    if cfg.audit.enabled:
        from .audit import AuditLog

        audit = AuditLog(cfg.audit.url)
    if not isinstance(engine, DecisionEngine):
        raise TypeError(f"{type(engine).__name__} is not a DecisionEngine")
    remote = not engine.local
    metrics = Metrics()

    def decide_batch(candidates: list[dict]) -> list[dict]:
        return engine.decide(candidates, audit=audit, channel="api")

    worker = ModelWorker(decide_batch, engine.batch_size, s.max_concurrency + s.max_queue)
    base_model = engine.describe()["base_model"]
    # a remote server serves its adapter under serve.remote_model; locally, only with one loaded
    adapter_on = remote or engine.adapter_dir is not None
    model_ids = {s.adapter_id: True, base_model: False} if adapter_on else {base_model: False}

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        worker.close()

    keys = api_keys(s)
    docs = {} if s.docs else {"docs_url": None, "redoc_url": None, "openapi_url": None}
    app = FastAPI(title="recruiter", version="1", lifespan=lifespan, **docs)
    app.state.engine, app.state.worker, app.state.metrics = engine, worker, metrics
    if s.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=s.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.exception_handler(APIError)
    async def _api_error(_request, exc: APIError):
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _validation(_request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        param = ".".join(str(x) for x in first.get("loc", ())[1:]) or None
        return APIError(
            400,
            f"{param or 'body'}: {first.get('msg', 'invalid request')}",
            "invalid_request_error",
            param,
        ).response()

    from starlette.exceptions import HTTPException

    @app.exception_handler(HTTPException)
    async def _http(_request, exc: HTTPException):
        kind = "not_found_error" if exc.status_code == 404 else "invalid_request_error"
        return APIError(exc.status_code, str(exc.detail), kind).response()

    @app.exception_handler(Exception)
    async def _internal(_request, exc: Exception):
        return APIError(500, f"internal error: {type(exc).__name__}", "server_error").response()

    @app.middleware("http")
    async def _limits_and_metrics(request: Request, call_next):
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
            metrics.in_flight.inc()
            try:
                response = await call_next(request)
            except Exception:
                # an unhandled error leaves here for the outermost handler (which answers 500 in
                # the error shape): count it as the 500 it becomes
                _count(endpoint, 500, start)
                raise
            finally:
                metrics.in_flight.dec()
        _count(endpoint, response.status_code, start)
        return response

    def _count(endpoint: str, status: int, start: float) -> None:
        if endpoint.startswith("/v1/"):
            known = endpoint if endpoint in ROUTES else "other"  # bounded label values
            metrics.requests.labels(known, str(status)).inc()
            metrics.latency.labels(known).observe(time.perf_counter() - start)

    async def _body(request: Request) -> Any:
        # JSON only: a form or text/plain POST is what a web page can send cross-site unasked
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise APIError(
                415,
                f"Content-Type must be application/json, not {kind or 'missing'}",
                "invalid_request_error",
                code="unsupported_media_type",
            )
        raw = await request.body()
        if len(raw) > s.max_request_bytes:
            raise APIError(
                413,
                f"request body over {s.max_request_bytes:,} bytes",
                "invalid_request_error",
                code="request_too_large",
            )
        try:  # the input policy of every reader (BOM, NaN, duplicate keys, lone surrogates)
            return parse_json(raw.decode("utf-8"), "body")
        except UnicodeDecodeError as exc:
            raise APIError(
                400, f"body is not UTF-8 ({exc.reason})", "invalid_request_error"
            ) from None
        except InputError as exc:
            raise APIError(400, str(exc), "invalid_request_error") from None

    def _submit(kind: str, payload):
        try:
            return worker.submit(kind, payload)
        except Overloaded as exc:
            raise APIError(
                429,
                f"server busy: {exc}; retry later",
                "rate_limit_error",
                code="server_busy",
                headers={"Retry-After": "1"},
            ) from None

    async def _wait(job):
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

    @app.get("/healthz")
    async def healthz():
        return {"status": "ok", **engine.describe(), "in_flight": worker.in_flight}

    @app.get("/metrics")
    async def prometheus():
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return PlainTextResponse(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/models")
    async def list_models():
        now = int(time.time())
        return {
            "object": "list",
            "data": [
                {
                    "id": m,
                    "object": "model",
                    "created": now,
                    "owned_by": "recruiter",
                    "root": base_model,
                    "parent": None if not lora else base_model,
                }
                for m, lora in model_ids.items()
            ],
        }

    @app.post("/v1/screen")
    async def screen(request: Request):
        body = await _body(request)
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
        record = await _wait(_submit("decide", body))
        metrics.decisions.labels(str(record.get("status"))).inc()
        return record

    @app.post("/v1/reviews")
    async def review(request: Request):
        """A human reviewer's verdict on an audited decision: ``{"request_id", "verdict":
        "agree"|"override", "reviewer", "status"?, "note"?}`` (chained into the audit log)."""
        body = await _body(request)
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

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        raw = await _body(request)
        if not isinstance(raw, dict):
            raise APIError(400, "body must be a JSON object", "invalid_request_error")
        try:
            req = ChatRequest.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            param = ".".join(str(x) for x in first["loc"]) or None
            raise APIError(
                400, f"{param}: {first['msg']}", "invalid_request_error", param
            ) from None
        stop = check_bounds(req)  # the same bounds whether this process or vLLM generates
        if remote:
            return await _relay(raw, req.stream)
        if req.model not in model_ids:
            raise APIError(
                404,
                f"model {req.model!r} not found; available: {', '.join(model_ids)}",
                "invalid_request_error",
                "model",
                "model_not_found",
            )
        if req.n != 1:
            raise APIError(400, "only n=1 is supported", "invalid_request_error", "n")
        max_tokens = req.max_completion_tokens or req.max_tokens or 256
        if max_tokens > s.max_tokens_limit:
            raise APIError(
                400,
                f"max_tokens {max_tokens} is over this server's limit of {s.max_tokens_limit}",
                "invalid_request_error",
                "max_tokens",
            )
        schema = _schema_of(req.response_format)
        grammar = None
        if schema is not None:  # compiled before queueing: a schema xgrammar refuses is a 400
            from .constrained import compile_grammar

            try:
                grammar = await asyncio.to_thread(
                    compile_grammar, engine.tokenizer, schema, engine.model.config.vocab_size
                )
            except Exception as exc:  # xgrammar raises RuntimeError/ValueError with its reason
                raise APIError(
                    400,
                    f"response_format: the schema cannot be compiled ({str(exc)[:200]})",
                    "invalid_request_error",
                    "response_format",
                ) from None
        messages = [
            {"role": "system" if m.role == "developer" else m.role, "content": m.text()}
            for m in req.messages
        ]
        use_adapter = model_ids[req.model]
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        streamer = None
        if req.stream:
            from transformers import TextIteratorStreamer

            streamer = TextIteratorStreamer(
                engine.tokenizer,
                skip_prompt=True,
                skip_special_tokens=True,
                timeout=s.request_timeout_s,
            )

        def call(cancel):
            from .generation import generate_chat

            kwargs = dict(
                grammar=grammar,
                max_new_tokens=max_tokens,
                temperature=req.temperature,
                top_p=req.top_p,
                seed=req.seed,
                stop=stop,
                streamer=streamer,
                top_logprobs=(req.top_logprobs or 0) if req.logprobs else None,
                cancel=cancel,
            )
            model = engine.model
            # only an unmerged adapter (the server loads with merge=False) can be switched off;
            # an engine passed in with the adapter merged answers the base id with it
            separate = engine.adapter_dir is not None and not engine.settings.merge
            if use_adapter or not separate:
                return generate_chat(model, engine.tokenizer, messages, **kwargs)
            with model.disable_adapter():
                return generate_chat(model, engine.tokenizer, messages, **kwargs)

        t_start = time.perf_counter()

        def audit_chat(text: str) -> None:
            """A chat completion on the recruiter model is a decision too: audited like one
            (the messages only as a hash; the answer's fields when it is a decision JSON)."""
            if audit is None or not use_adapter:
                return
            ident = engine.describe()
            rec = {
                "request_id": completion_id,
                "model": ident["model"],
                "base_sha256": ident.get("base_sha256"),
                "adapter_sha256": ident["adapter_sha256"],
                "prompt_version": ident["prompt_version"],
                "engine": ident.get("settings"),
                "flags": ["chat:caller-built prompt"],
                "latency_ms": round((time.perf_counter() - t_start) * 1000, 1),
                "advisory": True,
            }
            try:
                answer = json.loads(text)
            except ValueError:
                answer = None
            if isinstance(answer, dict) and answer.get("status") in ("select", "reject"):
                rec.update(reasoning=str(answer.get("reasoning", "")), status=answer["status"])
            else:
                rec["error"] = "the answer is not a decision JSON"
            audit.append_many([{"messages": messages}], [rec], channel="chat")

        job = _submit("call", call)
        base = {
            "id": completion_id,
            "created": created,
            "model": req.model,
            "system_fingerprint": engine.describe()["prompt_version"],
        }
        if not req.stream:
            result = await _wait(job)
            metrics.tokens.inc(result.completion_tokens)
            await asyncio.to_thread(audit_chat, result.text)
            choice = {
                "index": 0,
                "message": {"role": "assistant", "content": result.text},
                "finish_reason": result.finish_reason,
                "logprobs": {"content": result.logprobs} if result.logprobs is not None else None,
            }
            return {
                **base,
                "object": "chat.completion",
                "choices": [choice],
                "usage": _usage(result),
            }
        include_usage = bool((req.stream_options or {}).get("include_usage"))
        return StreamingResponse(
            _sse(job, streamer, base, include_usage, metrics, audit_chat),
            media_type="text/event-stream",
        )

    async def _relay(raw: dict, stream: bool):
        import httpx

        url = s.remote_url.rstrip("/") + "/chat/completions"
        headers = {"Authorization": f"Bearer {s.remote_api_key or 'none'}"}
        client = httpx.AsyncClient(timeout=s.request_timeout_s)
        if not stream:
            async with client:
                r = await client.post(url, json=raw, headers=headers)
            return Response(r.content, status_code=r.status_code, media_type="application/json")
        upstream = await client.send(
            client.build_request("POST", url, json=raw, headers=headers), stream=True
        )

        async def passthrough():
            try:
                async for chunk in upstream.aiter_raw():
                    yield chunk
            finally:
                await upstream.aclose()
                await client.aclose()

        return StreamingResponse(
            passthrough(), status_code=upstream.status_code, media_type="text/event-stream"
        )

    return app


def _usage(result) -> dict:
    return {
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "total_tokens": result.prompt_tokens + result.completion_tokens,
    }


def _sse(job, streamer, base: dict, include_usage: bool, metrics, on_done=None):
    """Server-sent events for one streamed completion (a sync generator: Starlette runs it in a
    thread, which is what the blocking streamer needs); ``on_done(text)`` audits the answer."""

    def event(delta: dict, finish: str | None = None, **extra) -> str:
        chunk = {
            **base,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
            **extra,
        }
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    try:
        yield event({"role": "assistant", "content": ""})
        for piece in streamer:
            if piece:
                yield event({"content": piece})
        result = job.future.result(timeout=60)
        metrics.tokens.inc(result.completion_tokens)
        if on_done is not None:
            on_done(result.text)
        yield event({}, result.finish_reason)
        if include_usage:
            chunk = {
                **base,
                "object": "chat.completion.chunk",
                "choices": [],
                "usage": _usage(result),
            }
            yield f"data: {json.dumps(chunk)}\n\n"
    except Exception as exc:  # noqa: BLE001 - the stream has started: report in-band, then end
        job.cancel.set()
        err = {
            "error": {
                "message": f"generation failed: {type(exc).__name__}",
                "type": "server_error",
                "param": None,
                "code": None,
            }
        }
        yield f"data: {json.dumps(err)}\n\n"
    finally:
        job.cancel.set()  # a client that went away stops the generation
    yield "data: [DONE]\n\n"


def run(cfg) -> None:
    """Serve until interrupted."""
    import uvicorn

    check_bind(cfg.serve.host, api_keys(cfg.serve))
    app = create_app(cfg)
    uvicorn.run(app, host=cfg.serve.host, port=cfg.serve.port, log_level="info")
