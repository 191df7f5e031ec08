"""The audit log: one row per decision, from every channel (CLI, batch, server, eval).

Rows hold what an auditor needs to reproduce and account for a decision — request id, time,
channel, model id, adapter sha256, prompt version, the sha256 of the exact input, the decision
JSON, p_select, flags, latency — and nothing that identifies the candidate in clear: no resume
or transcript text, no name, and the caller's ``candidate_id`` only as a sha256 (look a
candidate up by hashing their id). The decision's reasoning is stored: it is written from
masked text, so names and contact details are already placeholders.

Storage is SQLAlchemy, so the default SQLite file (``$RECRUITER_HOME/audit.sqlite``; not a
cache, back it up) can be swapped for Postgres with ``-o audit.url=postgresql://…``. Appends are
one transaction per batch; SQLite runs in WAL mode so the server and a CLI can write at once.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ..errors import InputError
from ..storage import atomic_write_text, home, sha256_text

DECISION_KEYS = ("reasoning", "status", "evidence", "error")


def _audited(rec: Mapping) -> dict:
    """The decision fields the log keeps: evidence items without their verbatim quotes."""
    out = {k: rec[k] for k in DECISION_KEYS if rec.get(k) is not None}
    if "evidence" in out:
        out["evidence"] = [
            {k: v for k, v in item.items() if k != "quote"} for item in out["evidence"]
        ]
    return out


def default_url() -> str:
    return f"sqlite:///{home() / 'audit.sqlite'}"


def input_sha256(candidate: Mapping) -> str:
    """sha256 of the candidate's canonical JSON (sorted keys): the same input, the same hash."""
    return sha256_text(json.dumps(candidate, sort_keys=True, ensure_ascii=False, default=str))


class AuditLog:
    def __init__(self, url: str | None = None):
        import sqlalchemy as sa

        self.url = url or default_url()
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(self.url, future=True)
        if self.engine.dialect.name == "sqlite":

            @sa.event.listens_for(self.engine, "connect")
            def _wal(
                conn, _record
            ):  # concurrent writers (server + CLI) without "database is locked"
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA busy_timeout=10000")

        meta = sa.MetaData()
        self.table = sa.Table(
            "decisions",
            meta,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("request_id", sa.String(64), nullable=False, index=True),
            sa.Column("created_at", sa.String(32), nullable=False, index=True),
            sa.Column("channel", sa.String(16), nullable=False),
            sa.Column("model", sa.String(200), nullable=False),
            sa.Column("adapter_sha256", sa.String(64)),
            sa.Column("prompt_version", sa.String(16), nullable=False),
            sa.Column("input_sha256", sa.String(64), nullable=False, index=True),
            sa.Column("candidate_ref", sa.String(64), index=True),
            sa.Column("status", sa.String(8)),
            sa.Column("p_select", sa.Float),
            sa.Column("decision_json", sa.Text, nullable=False),
            sa.Column("flags_json", sa.Text, nullable=False),
            sa.Column("latency_ms", sa.Float),
            sa.Column("advisory", sa.Boolean, nullable=False),
        )
        meta.create_all(self.engine)

    def append_many(
        self, candidates: Sequence[Mapping], records: Sequence[Mapping], channel: str = "api"
    ) -> int:
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        rows = []
        for cand, rec in zip(candidates, records, strict=True):
            cid = cand.get("candidate_id")
            rows.append(
                {
                    "request_id": rec["request_id"],
                    "created_at": now,
                    "channel": channel,
                    "model": rec["model"],
                    "adapter_sha256": rec.get("adapter_sha256"),
                    "prompt_version": rec["prompt_version"],
                    "input_sha256": input_sha256(cand),
                    "candidate_ref": sha256_text(str(cid)) if cid else None,
                    "status": rec.get("status"),
                    "p_select": rec.get("p_select"),
                    "decision_json": json.dumps(
                        _audited(rec),
                        ensure_ascii=False,
                    ),
                    "flags_json": json.dumps(rec.get("flags", [])),
                    "latency_ms": rec.get("latency_ms"),
                    "advisory": bool(rec.get("advisory", True)),
                }
            )
        if rows:
            with self.engine.begin() as conn:
                conn.execute(self.table.insert(), rows)
        return len(rows)

    def rows(self, limit: int | None = None, since: str | None = None) -> list[dict]:
        import sqlalchemy as sa

        query = sa.select(self.table).order_by(self.table.c.id)
        if since:
            query = query.where(self.table.c.created_at >= since)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            out = []
            for row in conn.execute(query).mappings():
                d = dict(row)
                d["decision"] = json.loads(d.pop("decision_json"))
                d["flags"] = json.loads(d.pop("flags_json"))
                out.append(d)
        return out

    def count(self) -> int:
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(self.table)).scalar_one()


def export(rows: Iterable[dict], path: str | Path, fmt: str | None = None) -> Path:
    """Write audit rows as JSONL or CSV (nested fields as JSON text), atomically; the format
    comes from the file name's suffix unless ``fmt`` is given."""
    fmt = fmt or Path(path).suffix.lstrip(".")
    if fmt not in ("jsonl", "csv"):
        raise InputError(f"{path}: use a .jsonl or .csv file name")
    rows = list(rows)
    if fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    else:
        buf = io.StringIO()
        fields = list(rows[0]) if rows else ["request_id"]
        writer = csv.DictWriter(buf, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in r.items()}
            )
        text = buf.getvalue()
    return atomic_write_text(path, text)
