"""The OpenAI-compatible server on loopback, driven by the official `openai` client and httpx.

One real engine (SmolLM2 on CPU, no adapter) is loaded for the module; servers run in a thread
with uvicorn on a free 127.0.0.1 port.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from recruiter import config

REPO_EXAMPLE = __import__("pathlib").Path(__file__).resolve().parents[2] / "examples"
SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string", "maxLength": 40}},
    "required": ["answer"],
    "additionalProperties": False,
}
HELLO = [{"role": "user", "content": "Say hello in three words."}]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, app):
        import uvicorn

        self.port = _free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _cfg(tiny_cfg, **serve):
    return tiny_cfg.model_copy(
        update={"serve": config.ServeConfig(**{**tiny_cfg.serve.model_dump(), **serve})}
    )


@pytest.fixture(scope="module")
def engine(smollm2_dir, tiny_cfg):
    from recruiter.inference.engine import build_engine

    return build_engine(tiny_cfg, merge=False)


@pytest.fixture(scope="module")
def served(engine, tiny_cfg):
    from recruiter.inference.server import create_app

    srv = Served(create_app(_cfg(tiny_cfg), engine=engine))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(served):
    from openai import OpenAI

    return OpenAI(base_url=served.url + "/v1", api_key="test", max_retries=0)


def test_models_lists_the_served_model(client, engine):
    ids = [m.id for m in client.models.list().data]
    assert engine.llm in ids


def test_chat_greedy_has_usage_and_one_finish_reason(client, engine):
    r = client.chat.completions.create(
        model=engine.llm, messages=HELLO, temperature=0, max_tokens=12
    )
    choice = r.choices[0]
    assert choice.message.role == "assistant" and choice.message.content
    assert choice.finish_reason in ("stop", "length")
    assert r.usage.completion_tokens <= 12 and r.usage.prompt_tokens > 5
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_streaming_deltas_join_to_the_non_streamed_text(client, engine, served):
    kwargs = dict(model=engine.llm, messages=HELLO, temperature=0, max_tokens=16)
    whole = client.chat.completions.create(**kwargs).choices[0].message.content
    chunks = list(client.chat.completions.create(stream=True, **kwargs))
    joined = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert joined == whole
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert len(finishes) == 1
    with httpx.stream(
        "POST", served.url + "/v1/chat/completions", json={**kwargs, "stream": True}, timeout=120
    ) as r:
        lines = [line for line in r.iter_lines() if line]
    assert lines[-1] == "data: [DONE]" and all(line.startswith("data: ") for line in lines)


def test_response_format_json_schema_is_enforced(client, engine):
    r = client.chat.completions.create(
        model=engine.llm,
        messages=[{"role": "user", "content": "Answer in JSON: what colour is the sky?"}],
        temperature=0,
        max_tokens=40,
        response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": SCHEMA}},
    )
    if r.choices[0].finish_reason == "stop":
        obj = json.loads(r.choices[0].message.content)
        assert set(obj) == {"answer"} and len(obj["answer"]) <= 40
    else:  # cut by max_tokens: still a prefix of the grammar
        assert r.choices[0].message.content.startswith('{"answer": "')


def test_seeded_sampling_is_reproducible(client, engine):
    kwargs = dict(model=engine.llm, messages=HELLO, temperature=0.9, max_tokens=10, seed=123)
    a = client.chat.completions.create(**kwargs).choices[0].message.content
    b = client.chat.completions.create(**kwargs).choices[0].message.content
    assert a == b


def test_errors_have_openai_shape(client, served):
    import openai

    with pytest.raises(openai.NotFoundError) as err:
        client.chat.completions.create(model="nope", messages=HELLO, max_tokens=4)
    assert err.value.body["code"] == "model_not_found" and err.value.body["param"] == "model"
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(model="nope", messages=[], max_tokens=4)
    assert err.value.body["type"] == "invalid_request_error"
    r = httpx.post(
        served.url + "/v1/chat/completions",
        content=b"{not json",
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 400 and set(r.json()["error"]) == {"message", "type", "param", "code"}
    big = httpx.post(served.url + "/v1/chat/completions", content=b"x" * 1_100_000, timeout=30)
    assert big.status_code == 413 and big.json()["error"]["code"] == "request_too_large"


def test_screen_endpoint_validates_decides_and_audits(served, tiny_cfg):
    from recruiter.inference.audit import AuditLog

    before = AuditLog(tiny_cfg.audit.url).count()
    bad = httpx.post(served.url + "/v1/screen", json={"role": "x"}, timeout=30)
    assert bad.status_code == 400 and "$" in bad.json()["error"]["message"]
    cand = json.loads((REPO_EXAMPLE / "candidate.json").read_text())
    r = httpx.post(served.url + "/v1/screen", json=cand, timeout=300)
    assert r.status_code == 200
    rec = r.json()
    assert rec["advisory"] is True and rec["candidate_id"] == cand["candidate_id"]
    assert rec["status"] in ("select", "reject", None)
    rows = AuditLog(tiny_cfg.audit.url).rows()
    assert len(rows) == before + 1 and rows[-1]["request_id"] == rec["request_id"]
    dumped = json.dumps(rows[-1])
    assert cand["name"] not in dumped and "FreightHub" not in dumped  # no raw text or PII
    # the row names the base weights and the settings that decided, and is chained
    assert rows[-1]["base_sha256"] and rows[-1]["engine"]["precision"] == rec["engine"]["precision"]
    assert AuditLog(tiny_cfg.audit.url).verify()["ok"]
    # a reviewer's verdict is recorded against it; a wrong request id is a 404
    status = rec["status"] or "reject"
    flip = "select" if status == "reject" else "reject"
    review = {"request_id": rec["request_id"], "verdict": "override", "status": flip,
              "reviewer": "J. Doe", "note": "checked the licence"}  # fmt: skip
    r = httpx.post(served.url + "/v1/reviews", json=review, timeout=30)
    assert r.status_code == 200 and r.json()["final_status"] == flip, r.text
    assert AuditLog(tiny_cfg.audit.url).rows()[-1]["review"]["reviewer"] == "J. Doe"
    r = httpx.post(served.url + "/v1/reviews", json={**review, "request_id": "nope"}, timeout=30)
    assert r.status_code == 404 and r.json()["error"]["param"] == "request_id"
    r = httpx.post(served.url + "/v1/reviews", json={**review, "verdict": 3}, timeout=30)
    assert r.status_code == 400 and r.json()["error"]["param"] == "verdict"
    metrics = httpx.get(served.url + "/metrics", timeout=30).text
    assert "recruiter_requests_total" in metrics and "recruiter_decisions_total" in metrics
    assert httpx.get(served.url + "/healthz", timeout=30).json()["status"] == "ok"


def test_overload_gets_429_not_5xx(engine, tiny_cfg):
    from recruiter.inference.server import create_app

    srv = Served(create_app(_cfg(tiny_cfg, max_concurrency=1, max_queue=0), engine=engine))
    try:
        body = {"model": engine.llm, "messages": HELLO, "max_tokens": 24, "temperature": 0}

        retry_after = []

        def post(_):
            r = httpx.post(srv.url + "/v1/chat/completions", json=body, timeout=120)
            if r.status_code == 429:
                retry_after.append(r.headers.get("retry-after"))
            return r.status_code

        with ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(post, range(4)))
    finally:
        srv.stop()
    assert 429 in codes and 200 in codes and not any(c >= 500 for c in codes)
    assert all(h == "1" for h in retry_after), retry_after


def test_keys_json_only_openai_shaped_errors_and_bounded_metrics(engine, tiny_cfg, monkeypatch):
    from fastapi.testclient import TestClient

    from recruiter.errors import InputError
    from recruiter.inference.server import api_keys, check_bind, create_app

    # the engine says how its run-time settings were resolved, and why (precision: auto)
    st = engine.describe()["settings"]
    exact = st["precision"] == "fp32"
    assert (st["prefill"], st["draft_tokens"]) == (("rows", 3) if exact else ("batch", 0))
    for name in ("prefill", "draft_tokens"):
        assert ("float32" if exact else st["precision"]) in st[f"{name}_reason"]
    for name in ("device", "attention", "batch_size", "prompt_budget", "decision_threshold"):
        assert st[f"{name}_reason"], name
    assert st["batching"] == "invariant" and st["batching_reason"]
    assert "batching invariant on CPU" in st["precision_reason"]
    monkeypatch.setenv("RECRUITER_API_KEYS", "k-env, ")
    cfg = _cfg(tiny_cfg, api_keys=["k-config"])
    assert api_keys(cfg.serve) == ["k-config", "k-env"]
    app = create_app(cfg, engine=engine)
    with TestClient(app) as c:
        assert c.get("/healthz").status_code == 200  # the liveness probe needs no key
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "k-env"}):
            r = c.get("/v1/models", headers=headers)
            assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
            assert r.headers["www-authenticate"] == "Bearer"
        assert c.get("/metrics").status_code == 401
        ok = {"Authorization": "Bearer k-env"}
        assert c.get("/v1/models", headers=ok).status_code == 200
        # a form or text/plain POST (what any web page can send cross-site) is refused
        r = c.post("/v1/screen", content=b"{}", headers={**ok, "content-type": "text/plain"})
        assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"
        # unknown routes and methods answer in OpenAI's error shape; /docs is off by default
        for r in (c.get("/v1/nope", headers=ok), c.get("/docs", headers=ok)):
            assert r.status_code == 404 and set(r.json()["error"]) == {
                "message",
                "type",
                "param",
                "code",
            }
        assert c.get("/v1/screen", headers=ok).status_code == 405
        for k in range(5):
            c.get(f"/v1/random-{k}", headers=ok)
        text = c.get("/metrics", headers=ok).text
        assert 'endpoint="other"' in text and "random-" not in text
    check_bind("127.0.0.1", [])
    check_bind("0.0.0.0", ["k"])
    with pytest.raises(InputError, match="no API key"):
        check_bind("0.0.0.0", [])


def test_remote_engine_speaks_to_our_server(served, engine, tiny_cfg):
    from recruiter.inference.remote import RemoteEngine

    remote = RemoteEngine(
        served.url + "/v1",
        model=engine.llm,
        llm=tiny_cfg.models.llm,
        max_new_tokens=48,
        retry_max_new_tokens=64,
    )
    cand = json.loads((REPO_EXAMPLE / "candidate.json").read_text())
    from recruiter.inference.decision import DecisionEngine

    assert isinstance(remote, DecisionEngine) and isinstance(engine, DecisionEngine)
    assert engine.local and not remote.local
    (rec,) = remote.decide([cand])
    assert rec["advisory"] is True and rec["model"] == f"remote:{engine.llm}"
    assert (
        rec["engine"]["batching"] == "remote"
        and "cannot promise" in rec["engine"]["batching_reason"]
    )
    assert rec["engine"]["pii_masker"].startswith("regex")  # built without prepare's masker
    assert rec["status"] in ("select", "reject", None)
    if rec["status"] is None:
        assert "retried" in rec["flags"] and rec["error"]


def test_p_select_from_logprobs():
    from recruiter.inference.remote import p_select_from_logprobs

    content = [
        {"token": '{"reasoning": "ok", "status": "', "logprob": -0.1, "top_logprobs": []},
        {
            "token": "select",
            "logprob": -0.2,
            "top_logprobs": [
                {"token": "select", "logprob": -0.2},
                {"token": "re", "logprob": -1.8},
            ],
        },
        {"token": '"}', "logprob": 0.0, "top_logprobs": []},
    ]
    p = p_select_from_logprobs(content)
    assert p == pytest.approx(1 / (1 + __import__("math").exp(-1.8 + 0.2)))
    assert p_select_from_logprobs(content[:1]) is None
    # "reject" missing from the top-k: bounded by the least likely alternative returned, not 1.0
    alone = [
        content[0],
        {
            **content[1],
            "top_logprobs": [{"token": "select", "logprob": -0.2}, {"token": "x", "logprob": -6.0}],
        },
    ]
    bound = p_select_from_logprobs(alone)
    assert bound == pytest.approx(1 / (1 + __import__("math").exp(-6.0 + 0.2))) and bound < 1.0


def test_request_timeout_is_504_and_the_server_recovers(engine, tiny_cfg):
    from recruiter.inference.server import create_app

    srv = Served(create_app(_cfg(tiny_cfg, request_timeout_s=0.05), engine=engine))
    try:
        body = {"model": engine.llm, "messages": HELLO, "max_tokens": 64, "temperature": 0}
        r = httpx.post(srv.url + "/v1/chat/completions", json=body, timeout=120)
        assert r.status_code == 504 and r.json()["error"]["code"] == "timeout"
        for _ in range(100):  # the cancelled generation stops and leaves the worker
            if srv.server.config.app.state.worker.in_flight == 0:
                break
            time.sleep(0.1)
        assert httpx.get(srv.url + "/healthz", timeout=30).status_code == 200
    finally:
        srv.stop()


def test_hostile_chat_requests_are_refused_before_the_queue(served, engine):
    """Each is a 4xx in the OpenAI error shape, fast, and the server answers normally after."""
    import time as _time

    base = {"model": engine.llm, "messages": HELLO, "max_tokens": 4}
    schema = lambda s: {"type": "json_schema", "json_schema": {"name": "x", "schema": s}}  # noqa: E731
    deep: dict = {"type": "string"}
    for _ in range(200):
        deep = {"type": "array", "items": deep}
    cases = [
        ({"stop": [f"s{i}" for i in range(1000)]}, "stop"),
        ({"stop": ["x" * 500]}, "stop"),
        ({"stop": [""]}, "stop"),
        ({"seed": 10**30}, "seed"),
        ({"messages": HELLO * 300}, "messages"),
        ({"response_format": schema({"type": "nonsense"})}, "response_format"),
        ({"response_format": schema({"$ref": "#/definitions/missing"})}, "response_format"),
        ({"response_format": schema(deep)}, "response_format"),
        ({"response_format": schema({"enum": ["x" * 40_000]})}, "response_format"),
        ({"response_format": {"type": "xml"}}, "response_format"),
        ({"max_tokens": 10**6}, "max_tokens"),
        ({"n": 3}, "n"),
        ({"temperature": -1}, "temperature"),
        ({"top_logprobs": 99}, "top_logprobs"),
    ]
    for extra, param in cases:
        t0 = _time.perf_counter()
        r = httpx.post(served.url + "/v1/chat/completions", json={**base, **extra}, timeout=60)
        took = _time.perf_counter() - t0
        assert 400 <= r.status_code < 500, (param, r.status_code, r.text[:200])
        err = r.json()["error"]
        assert set(err) == {"message", "type", "param", "code"} and param in (err["param"] or ""), (
            err
        )
        assert took < 5, (param, took)
    # the input policy of every reader: each a 400 naming the problem, never a 500
    headers = {"content-type": "application/json"}
    for body, message in (
        (b'{"candidate_id": "a\\ud800", "role": "x"}', "lone UTF-16 surrogate"),
        (b'{"role": "a", "role": "b"}', "appears twice"),
        (b'{"role": NaN}', "NaN"),
        (b"\xff\xfe", "not UTF-8"),
    ):
        r = httpx.post(served.url + "/v1/screen", content=body, headers=headers, timeout=30)
        assert r.status_code == 400 and message in r.json()["error"]["message"], r.text
    cand = json.loads((REPO_EXAMPLE / "candidate.json").read_text())
    r = httpx.post(served.url + "/v1/screen", json={**cand, "role": "\u200b\u200d"}, timeout=30)
    assert r.status_code == 400 and "invisible" in r.json()["error"]["message"]
    ok = httpx.post(served.url + "/v1/chat/completions", json=base, timeout=120)
    assert ok.status_code == 200


def test_chat_on_the_recruiter_model_is_audited_and_the_base_model_is_not(tiny_cfg, tmp_path):
    from fastapi.testclient import TestClient

    from recruiter.inference.audit import AuditLog
    from recruiter.inference.engine import build_engine
    from recruiter.inference.server import create_app

    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    cfg = _cfg(tiny_cfg).model_copy(
        update={
            "audit": config.AuditConfig(url=url),
            "inference": tiny_cfg.inference.model_copy(update={"adapter": "default"}),
        }
    )
    engine = build_engine(cfg, merge=False)  # the shipped adapter, switchable off for the base
    log = AuditLog(url)
    body = {"model": cfg.serve.adapter_id, "messages": HELLO, "max_tokens": 8}
    with TestClient(create_app(cfg, engine=engine)) as c:
        r = c.post("/v1/chat/completions", json=body)
        assert r.status_code == 200, r.text
        rows = log.rows()
        assert len(rows) == 1 and rows[0]["channel"] == "chat"
        assert rows[0]["request_id"] == r.json()["id"] and "three words" not in json.dumps(rows[0])
        r = c.post("/v1/chat/completions", json={**body, "model": engine.llm})
        assert r.status_code == 200 and log.count() == 1
    assert log.verify()["ok"]


def test_an_internal_error_is_a_500_in_the_error_shape_and_counted(engine, tiny_cfg, monkeypatch):
    from fastapi.testclient import TestClient

    from recruiter.inference.server import create_app

    app = create_app(_cfg(tiny_cfg), engine=engine)

    def boom(*_a, **_k):
        raise RuntimeError("simulated")

    with TestClient(app, raise_server_exceptions=False) as c:
        monkeypatch.setattr(engine, "decide", boom)
        cand = json.loads((REPO_EXAMPLE / "candidate.json").read_text())
        r = c.post("/v1/screen", json=cand)
        assert r.status_code == 500 and r.json()["error"]["type"] == "server_error"
        metrics = c.get("/metrics").text
    assert 'recruiter_requests_total{endpoint="/v1/screen",status="500"} 1.0' in metrics


def _hostile_cases(model: str) -> list[tuple[str, str, dict]]:
    """(method, path, httpx keyword arguments): requests no client should send."""
    ok = {"model": model, "messages": HELLO, "max_tokens": 4}
    js = {"content-type": "application/json"}
    cand = json.loads((REPO_EXAMPLE / "candidate.json").read_text())
    nested = "[" * 100_000 + "]" * 100_000
    chat = "/v1/chat/completions"
    cases: list[tuple[str, str, dict]] = [
        ("POST", chat, {"content": json.dumps(ok), "headers": {"content-type": "text/plain"}}),
        ("POST", chat, {"data": {"model": model}}),  # a form: what a web page can send cross-site
        ("POST", chat, {"content": json.dumps(ok)}),  # no content type
        ("POST", chat, {"content": b"", "headers": js}),
        ("POST", chat, {"content": b"x" * 1_100_000, "headers": js}),
        ("POST", chat, {"content": nested, "headers": js}),
        ("POST", chat, {"content": '{"model": "' + model + '", "messages": [}', "headers": js}),
        ("POST", chat, {"content": b"\xef\xbb\xbf\xef\xbb\xbf{}", "headers": js}),
        ("POST", chat, {"json": [ok]}),
        ("POST", chat, {"json": "hello"}),
        ("POST", chat, {"json": None}),
        ("POST", chat, {"json": {"model": model}}),
        ("POST", chat, {"json": {**ok, "messages": []}}),
        ("POST", chat, {"json": {**ok, "messages": "hi"}}),
        ("POST", chat, {"json": {**ok, "messages": [{"role": "hacker", "content": "x"}]}}),
        ("POST", chat, {"json": {**ok, "messages": [{"role": "user", "content": 42}]}}),
        ("POST", chat, {"json": {**ok, "messages": [{"role": "user", "content": {"a": 1}}]}}),
        ("POST", chat, {"json": {**ok, "messages": [{"content": "x"}]}}),
        ("POST", chat, {"json": {**ok, "model": "gpt-17-ultra"}}),
        ("POST", chat, {"json": {**ok, "model": 7}}),
        ("POST", chat, {"json": {**ok, "max_tokens": 0}}),
        ("POST", chat, {"json": {**ok, "max_tokens": -5}}),
        ("POST", chat, {"json": {**ok, "max_tokens": "ten"}}),
        ("POST", chat, {"json": {**ok, "temperature": 100}}),
        ("POST", chat, {"json": {**ok, "temperature": "hot"}}),
        ("POST", chat, {"json": {**ok, "top_p": 2}}),
        ("POST", chat, {"json": {**ok, "n": 0}}),
        ("POST", chat, {"json": {**ok, "stream": "yes"}}),
        ("POST", chat, {"json": {**ok, "stop": 5}}),
        ("POST", chat, {"json": {**ok, "stop": [1, 2]}}),
        ("POST", chat, {"json": {**ok, "stop": ["a"] * 50}}),
        ("POST", chat, {"json": {**ok, "seed": "x"}}),
        ("POST", chat, {"json": {**ok, "seed": -(10**30)}}),
        ("POST", chat, {"json": {**ok, "logprobs": "x"}}),
        ("POST", chat, {"json": {**ok, "response_format": {"type": "json_schema"}}}),
        (
            "POST",
            chat,
            {
                "json": {
                    **ok,
                    "response_format": {
                        "type": "json_schema",
                        "json_schema": {"name": "x", "schema": 5},
                    },
                }
            },
        ),  # noqa: E501
        ("POST", chat, {"json": {**ok, "response_format": "json"}}),
        (
            "POST",
            chat,
            {"content": '{"model": "' + model + '", "model": "x", "messages": []}', "headers": js},
        ),  # noqa: E501
        ("POST", chat, {"content": '{"temperature": NaN}', "headers": js}),
        (
            "POST",
            chat,
            {"content": '{"messages": [{"role": "user", "content": "\\udc00"}]}', "headers": js},
        ),  # noqa: E501
        ("POST", chat, {"content": b"\x80\x81\x82", "headers": js}),
        ("GET", chat, {}),
        ("PUT", "/v1/screen", {"json": cand}),
        ("DELETE", "/v1/models", {}),
        ("GET", "/v1/nothing-here", {}),
        ("GET", "/v1/../../etc/passwd", {}),
        ("POST", "/v1/screen", {"json": [cand]}),
        ("POST", "/v1/screen", {"json": {k: v for k, v in cand.items() if k != "role"}}),
        ("POST", "/v1/screen", {"json": {**cand, "resume": 12345}}),
        ("POST", "/v1/screen", {"json": {**cand, "resume": "x" * 1_100_000}}),
        ("POST", "/v1/screen", {"json": {**cand, "role": ""}}),
        ("POST", "/v1/screen", {"json": {**cand, "skills": "python"}}),
        (
            "POST",
            "/v1/screen",
            {"content": json.dumps(cand), "headers": {"content-type": "text/html"}},
        ),  # noqa: E501
        (
            "POST",
            "/v1/reviews",
            {"json": {"request_id": "no-such", "verdict": "agree", "reviewer": "a"}},
        ),  # noqa: E501
        ("POST", "/v1/reviews", {"json": {"request_id": "x", "verdict": "maybe", "reviewer": "a"}}),
        ("POST", "/v1/reviews", {"json": {"verdict": "agree"}}),
        ("POST", "/v1/reviews", {"json": ["agree"]}),
    ]
    return cases


def test_sixty_more_hostile_requests_get_a_4xx_in_the_error_shape_and_never_a_5xx(served, engine):
    """With the cases of test_hostile_chat_requests_are_refused_before_the_queue: >= 60 in all.
    Each is refused with a 4xx in the OpenAI error shape within seconds; none reaches a 5xx or
    hangs, and the server answers a normal request after them."""
    import time as _time

    cases = _hostile_cases(engine.llm)
    assert len(cases) >= 55
    seen, wrong = [], []
    with httpx.Client(base_url=served.url, timeout=60) as http:
        for method, path, kwargs in cases:
            t0 = _time.perf_counter()
            r = http.request(method, path, **kwargs)
            took = _time.perf_counter() - t0
            seen.append(r.status_code)
            shaped = 400 <= r.status_code < 500 and set(r.json().get("error", {})) >= {
                "message",
                "type",
                "param",
                "code",
            }
            if not shaped or took > 15:
                wrong.append((method, path, str(kwargs)[:100], r.status_code, round(took, 1)))
        ok = http.post(
            "/v1/chat/completions",
            json={"model": engine.llm, "messages": HELLO, "max_tokens": 4},
        )
    assert wrong == []
    assert ok.status_code == 200
    assert {400, 404, 405, 413, 415} <= set(seen)
