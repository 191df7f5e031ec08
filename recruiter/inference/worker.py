"""One thread owns the model; requests queue for it with a bound, and screening requests batch.

Why a single worker thread: a 2-core CPU gains nothing from two generations at once (they
split the same cores and both get slower), and one owner keeps the model's state (PEFT adapter
switch, RNG seeding) free of races. Concurrency is still bounded and fair:

* :meth:`ModelWorker.submit` admits at most ``max_concurrency + max_queue`` jobs in flight and
  raises :class:`Overloaded` beyond that, which the server turns into HTTP 429 at once rather
  than letting latency grow without bound;
* decision jobs (``/v1/screen``) waiting together are decided in one batch of up to
  ``batch_size`` (continuous micro-batching: the worker takes whatever is queued when it is
  free), which is where the engine's throughput comes from; when a batch fails, each of its
  jobs is decided again alone, so a bad item fails with its own error and only it;
* every job carries a cancel event; a job whose caller gave up (timeout) is skipped if it has not
  started and stopped at the next token if it has.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field


class Overloaded(Exception):
    """More requests in flight than the server admits."""


@dataclass
class Job:
    kind: str  # "decide" (batchable) or "call" (runs fn alone)
    payload: object
    future: Future = field(default_factory=Future)
    cancel: threading.Event = field(default_factory=threading.Event)


class ModelWorker:
    def __init__(
        self,
        decide_batch: Callable[[list], list],
        batch_size: int = 8,
        max_in_flight: int = 18,
    ):
        self.decide_batch = decide_batch
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self.queue: queue.Queue[Job | None] = queue.Queue()
        self._in_flight = 0
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, name="model-worker", daemon=True)
        self.thread.start()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def submit(self, kind: str, payload) -> Job:
        with self._lock:
            if self._in_flight >= self.max_in_flight:
                raise Overloaded(
                    f"{self._in_flight} requests in flight (limit {self.max_in_flight})"
                )
            self._in_flight += 1
        job = Job(kind, payload)
        job.future.add_done_callback(self._done)
        self.queue.put(job)
        return job

    def _done(self, _future) -> None:
        with self._lock:
            self._in_flight -= 1

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=5)

    def _take_batch(self, first: Job) -> list[Job]:
        batch = [first]
        deferred = []
        while len(batch) < self.batch_size:
            try:
                job = self.queue.get_nowait()
            except queue.Empty:
                break
            if job is None or job.kind != "decide":
                deferred.append(job)
                break
            batch.append(job)
        for job in deferred:  # keep order for the next loop turn
            self.queue.put(job)
        return batch

    def _loop(self) -> None:
        while True:
            job = self.queue.get()
            if job is None:
                return
            if job.cancel.is_set():
                job.future.cancel()  # never started, so this always succeeds
                continue
            if job.kind == "call":
                self._run(job, lambda j=job: j.payload(j.cancel))
                continue
            batch = []
            for j in self._take_batch(job):
                if j.cancel.is_set():
                    j.future.cancel()
                else:
                    batch.append(j)
            if not batch:
                continue
            try:
                results = self.decide_batch([j.payload for j in batch])
            except Exception as exc:  # noqa: BLE001 - one bad item must not fail its partners
                if len(batch) == 1:
                    self._fail(batch[0], exc)
                    continue
                # decide each alone: the bad one fails with its own error, the others get the
                # decision they would have had in the batch (the engine is batch-invariant)
                for j in batch:
                    self._run(j, lambda j=j: self.decide_batch([j.payload])[0])
                continue
            except BaseException as exc:  # noqa: BLE001 - not an item's fault: every waiter learns it
                for j in batch:
                    self._fail(j, exc)
                continue
            for j, res in zip(batch, results, strict=True):
                if not j.future.done():
                    j.future.set_result(res)

    @staticmethod
    def _fail(job: Job, exc: BaseException) -> None:
        if not job.future.done():
            job.future.set_exception(exc)

    @staticmethod
    def _run(job: Job, fn) -> None:
        try:
            result = fn()
        except BaseException as exc:  # noqa: BLE001
            if not job.future.done():
                job.future.set_exception(exc)
            return
        if not job.future.done():
            job.future.set_result(result)
