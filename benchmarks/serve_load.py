"""A loopback load test of `recruiter serve`: N requests at concurrency C, status counts, latency.

    .venv/bin/python benchmarks/serve_load.py                          # 2,000 requests, 16 at a time
    .venv/bin/python benchmarks/serve_load.py --requests 200 --endpoint screen

The server runs in a child process on 127.0.0.1 (a free port) with the configured engine; the
client is asyncio + httpx, bounded in count and time, and stops by itself. ``chat`` requests are
short (a 3-word answer, ``max_tokens`` 4) so that 2,000 of them measure the server — admission,
queueing, 429 under overload, streaming — rather than the model; ``screen`` requests send the
example candidate (one LLM decision each). Printed: status counts, 5xx count (the target is 0),
latency p50/p95/p99, requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def load(
    url: str, body: dict, path: str, n: int, concurrency: int, deadline: float
) -> tuple[Counter, list[float]]:
    import httpx

    codes: Counter = Counter()
    lat: list[float] = []
    sent = 0
    lock = asyncio.Lock()

    async def worker(client):
        nonlocal sent
        while True:
            async with lock:
                if sent >= n or time.monotonic() > deadline:
                    return
                sent += 1
            t0 = time.perf_counter()
            try:
                r = await client.post(url + path, json=body)
                codes[r.status_code] += 1
            except httpx.HTTPError as exc:
                codes[type(exc).__name__] += 1
            lat.append((time.perf_counter() - t0) * 1000)

    async with httpx.AsyncClient(
        timeout=600, limits=httpx.Limits(max_connections=concurrency)
    ) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return codes, lat


def main() -> None:
    import numpy as np

    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--endpoint", choices=("chat", "screen"), default="chat")
    ap.add_argument("--max-seconds", type=float, default=1800)
    ap.add_argument(
        "-o", "--override", action="append", default=[], help="config override for the server"
    )
    args = ap.parse_args()
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [
        sys.executable,
        "-m",
        "recruiter.cli",
        "serve",
        "-c",
        str(REPO / "configs" / "serve.yaml"),
        "--port",
        str(port),
    ]
    for o in args.override:
        cmd += ["-o", o]
    server = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(600):
            try:
                models = httpx.get(url + "/v1/models", timeout=2).json()
                break
            except (httpx.HTTPError, ValueError):
                if server.poll() is not None:
                    sys.exit("server exited: " + server.stderr.read()[-2000:])
                time.sleep(0.5)
        model = models["data"][0]["id"]
        if args.endpoint == "chat":
            path = "/v1/chat/completions"
            body = {
                "model": model,
                "messages": [{"role": "user", "content": "Say hi."}],
                "max_tokens": 4,
                "temperature": 0,
            }
        else:
            path = "/v1/screen"
            body = json.loads((REPO / "examples" / "candidate.json").read_text())
        start = time.perf_counter()
        codes, lat = asyncio.run(
            load(
                url,
                body,
                path,
                args.requests,
                args.concurrency,
                time.monotonic() + args.max_seconds,
            )
        )
        seconds = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    five = sum(v for k, v in codes.items() if isinstance(k, int) and k >= 500)
    print(
        f"\n{args.requests} requests to {path} at concurrency {args.concurrency} on loopback ({model})"
    )
    print("status counts: " + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items(), key=str)))
    print(f"5xx: {five}")
    p = np.percentile(lat, [50, 95, 99])
    print(
        f"latency ms: p50 {p[0]:.0f}, p95 {p[1]:.0f}, p99 {p[2]:.0f}; {len(lat) / seconds:.1f} requests/s over {seconds:.0f} s"
    )


if __name__ == "__main__":
    main()
