"""The model worker's queueing contract, with a fake decide function (no model)."""

from __future__ import annotations

import threading

import pytest

from recruiter.inference.worker import ModelWorker, Overloaded


def _fake(calls: list, gate: threading.Event | None = None, entered=None):
    def decide_batch(items: list) -> list:
        if entered is not None:
            entered.set()
        if gate is not None:
            gate.wait(10)
        calls.append(list(items))
        if any(i == "bad" for i in items):
            raise ValueError("bad item")
        return [f"decided {i}" for i in items]

    return decide_batch


def test_queued_decisions_are_batched_and_a_bad_item_fails_alone():
    calls: list = []
    gate, entered = threading.Event(), threading.Event()
    worker = ModelWorker(_fake(calls, gate, entered), batch_size=8, max_in_flight=10)
    try:
        first = worker.submit("decide", "a")  # the worker takes it and waits at the gate
        assert entered.wait(10)
        jobs = [worker.submit("decide", x) for x in ("b", "bad", "c")]
        gate.set()
        assert first.future.result(10) == "decided a"
        assert jobs[0].future.result(10) == "decided b"
        assert jobs[2].future.result(10) == "decided c"
        with pytest.raises(ValueError, match="bad item"):
            jobs[1].future.result(10)
    finally:
        worker.close()
    # the three queued together were tried as one batch, then each alone
    assert calls[1] == ["b", "bad", "c"] and calls[2:] == [["b"], ["bad"], ["c"]]
    assert worker.in_flight == 0


def test_more_than_the_admitted_requests_are_refused_at_once():
    gate = threading.Event()
    worker = ModelWorker(_fake([], gate), batch_size=2, max_in_flight=2)
    try:
        jobs = [worker.submit("decide", "a"), worker.submit("decide", "b")]
        with pytest.raises(Overloaded, match="2 requests in flight"):
            worker.submit("decide", "c")
        gate.set()
        assert [j.future.result(10) for j in jobs] == ["decided a", "decided b"]
    finally:
        worker.close()
