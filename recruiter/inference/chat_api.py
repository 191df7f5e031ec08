"""The OpenAI chat completions route, ``POST /v1/chat/completions``.

A chat request is validated here whoever generates it: :class:`ChatRequest` for the fields and
:func:`check_bounds` for what a client could make expensive (stop strings, message count,
schema size and depth), each a 400 before anything is queued. Then:

* with a local engine (``engine.local``) it runs on the app's model thread, the adapter switched
  off for the base model's id (the ids are those ``/v1/models`` lists, in :mod:`.service_api`);
  ``response_format`` ``json_schema`` / ``json_object`` is compiled to the same xgrammar mask as
  the decision engine's before queueing (a schema xgrammar refuses is a 400, not a failed
  generation); a completion on the recruiter model is audited like a decision; a streamed one
  is sent as server-sent events (:func:`_sse`);
* with a remote engine the body is relayed unchanged to ``serve.remote_url`` (vLLM) and its
  answer, streamed or not, passed back as it comes.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
import uuid
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from .api import APIError, ServerState, read_json, state_of

router = APIRouter()


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
    stream: StrictBool = False  # "yes" is an error, as at OpenAI, not a stream
    stream_options: dict | None = None
    stop: str | list[str] | None = None
    n: int = Field(1, ge=1)
    logprobs: StrictBool = False
    top_logprobs: int | None = Field(None, ge=0, le=20)
    response_format: dict | None = None


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


@router.post("/v1/chat/completions")
async def chat(request: Request):
    st = state_of(request)
    raw = await read_json(request)
    if not isinstance(raw, dict):
        raise APIError(400, "body must be a JSON object", "invalid_request_error")
    try:
        req = ChatRequest.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(x) for x in first["loc"]) or None
        raise APIError(400, f"{param}: {first['msg']}", "invalid_request_error", param) from None
    stop = check_bounds(req)  # the same bounds whether this process or vLLM generates
    if st.remote:
        return await _relay(st, raw, req.stream)
    if req.model not in st.model_ids:
        raise APIError(
            404,
            f"model {req.model!r} not found; available: {', '.join(st.model_ids)}",
            "invalid_request_error",
            "model",
            "model_not_found",
        )
    if req.n != 1:
        raise APIError(400, "only n=1 is supported", "invalid_request_error", "n")
    max_tokens = req.max_completion_tokens or req.max_tokens or 256
    limit = st.settings.max_tokens_limit
    if max_tokens > limit:
        raise APIError(
            400,
            f"max_tokens {max_tokens} is over this server's limit of {limit}",
            "invalid_request_error",
            "max_tokens",
        )
    grammar = await _grammar(st, _schema_of(req.response_format))
    return await _complete(st, req, stop, max_tokens, grammar)


async def _grammar(st: ServerState, schema: dict | str | None):
    """The compiled grammar for ``schema`` (None without one); compiled before queueing, so a
    schema xgrammar refuses is a 400 and costs the model thread nothing."""
    if schema is None:
        return None
    from .constrained import compile_grammar

    engine = st.engine
    try:
        return await asyncio.to_thread(
            compile_grammar, engine.tokenizer, schema, engine.model.config.vocab_size
        )
    except Exception as exc:  # xgrammar raises RuntimeError/ValueError with its reason
        raise APIError(
            400,
            f"response_format: the schema cannot be compiled ({str(exc)[:200]})",
            "invalid_request_error",
            "response_format",
        ) from None


async def _complete(st: ServerState, req: ChatRequest, stop, max_tokens: int, grammar):
    """Generate on the local model: queued as one job, answered whole or as SSE."""
    engine, s = st.engine, st.settings
    messages = [
        {"role": "system" if m.role == "developer" else m.role, "content": m.text()}
        for m in req.messages
    ]
    use_adapter = st.model_ids[req.model]
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
    options = dict(
        grammar=grammar,
        max_new_tokens=max_tokens,
        temperature=req.temperature,
        top_p=req.top_p,
        seed=req.seed,
        stop=stop,
        streamer=streamer,
        top_logprobs=(req.top_logprobs or 0) if req.logprobs else None,
    )
    call = functools.partial(_generate, engine, messages, use_adapter, options)
    audit = functools.partial(
        _audit_chat, st, completion_id, messages, use_adapter, time.perf_counter()
    )
    job = st.submit("call", call)
    base = {
        "id": completion_id,
        "created": created,
        "model": req.model,
        "system_fingerprint": engine.describe()["prompt_version"],
    }
    if not req.stream:
        result = await st.wait(job)
        st.metrics.tokens.inc(result.completion_tokens)
        await asyncio.to_thread(audit, result.text)
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
        _sse(job, streamer, base, include_usage, st.metrics, audit),
        media_type="text/event-stream",
    )


def _generate(engine, messages: list[dict], use_adapter: bool, options: dict, cancel):
    """The job the model thread runs (``cancel`` is the job's event, set when the caller gives
    up or the stream's client goes away)."""
    from .generation import generate_chat

    model = engine.model
    # only an unmerged adapter (the server loads with merge=False) can be switched off;
    # an engine passed in with the adapter merged answers the base id with it
    separate = engine.adapter_dir is not None and not engine.settings.merge
    if use_adapter or not separate:
        return generate_chat(model, engine.tokenizer, messages, **options, cancel=cancel)
    with model.disable_adapter():
        return generate_chat(model, engine.tokenizer, messages, **options, cancel=cancel)


def _audit_chat(
    st: ServerState,
    completion_id: str,
    messages: list[dict],
    use_adapter: bool,
    t_start: float,
    text: str,
) -> None:
    """A chat completion on the recruiter model is a decision too: audited like one
    (the messages only as a hash; the answer's fields when it is a decision JSON)."""
    if st.audit is None or not use_adapter:
        return
    ident = st.engine.describe()
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
    st.audit.append_many([{"messages": messages}], [rec], channel="chat")


async def _relay(st: ServerState, raw: dict, stream: bool):
    """Pass the request body to the remote server and its answer back unchanged (a stream as
    its raw bytes, so its SSE framing and errors reach the client as sent)."""
    import httpx

    s = st.settings
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
