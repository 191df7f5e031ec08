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

**Tamper evidence.** Every row stores the previous row's hash and its own (sha256 over the row's
canonical JSON and that previous hash): a hash chain, kept per table (decisions, reviews). A
one-row ``audit_head`` table holds each chain's last id and hash, and is updated in the same
transaction as the append, which also serialises concurrent writers (the update takes the write
lock before the last hash is read). :func:`verify` walks the chains and names the first row whose
hash, link or position does not hold: an edited field, a deleted or reordered row, a truncated
tail. A chain proves order and integrity against edits by someone who cannot also rewrite every
later hash; to hold against the database's owner, record ``audit verify``'s head hash elsewhere
from time to time (a ticket, a signed mail).

**Candidate references** are HMAC-SHA256 of the caller's ``candidate_id`` under a secret of the
installation (``RECRUITER_AUDIT_KEY``, else ``$RECRUITER_HOME/audit.key``, created 0600 on first
use), so a leaked log cannot be joined to ids by hashing guesses; :func:`candidate_ref` computes
one to look a candidate up.

**Human review** (EU AI Act Art. 14): :meth:`AuditLog.review` records a reviewer's verdict on a
decision (agree / override, with the final status), chained like the decisions.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ..errors import InputError
from ..storage import atomic_write_text, home, sha256_text

DECISION_KEYS = ("reasoning", "status", "evidence", "error")
GENESIS = "0" * 64  # the "previous hash" of a chain's first row
VERDICTS = ("agree", "override")
# columns that are not hashed: the row's own hash, and the key the database assigns
_UNHASHED = ("id", "row_hash")


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


def audit_key() -> bytes:
    """The installation's secret for candidate references: ``RECRUITER_AUDIT_KEY`` (hex or
    text), else ``$RECRUITER_HOME/audit.key``, created with 32 random bytes (mode 0600)."""
    env = os.environ.get("RECRUITER_AUDIT_KEY")
    if env:
        return env.encode("utf-8")
    path = home() / "audit.key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".audit.key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        try:  # a link never replaces: of two first writers, one key wins and both read it
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip().encode("utf-8")


def candidate_ref(candidate_id: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of a candidate id under the installation's key (what the log stores)."""
    return hmac.new(
        key or audit_key(), str(candidate_id).encode("utf-8"), hashlib.sha256
    ).hexdigest()


def row_hash(row: Mapping) -> str:
    """sha256 of the row's canonical JSON (every stored column but ``id`` and ``row_hash``;
    ``prev_hash`` included, which links it to the row before)."""
    body = {k: v for k, v in row.items() if k not in _UNHASHED}
    return sha256_text(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str))


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
            sa.Column("base_sha256", sa.String(64)),
            sa.Column("adapter_sha256", sa.String(64)),
            sa.Column("prompt_version", sa.String(16), nullable=False),
            sa.Column("engine_json", sa.Text),
            sa.Column("input_sha256", sa.String(64), nullable=False, index=True),
            sa.Column("candidate_ref", sa.String(64), index=True),
            sa.Column("status", sa.String(8)),
            sa.Column("p_select", sa.Float),
            sa.Column("decision_json", sa.Text, nullable=False),
            sa.Column("flags_json", sa.Text, nullable=False),
            sa.Column("latency_ms", sa.Float),
            sa.Column("advisory", sa.Boolean, nullable=False),
            sa.Column("prev_hash", sa.String(64)),
            sa.Column("row_hash", sa.String(64)),
        )
        self.reviews = sa.Table(
            "reviews",
            meta,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("request_id", sa.String(64), nullable=False, index=True),
            sa.Column("created_at", sa.String(32), nullable=False),
            sa.Column("verdict", sa.String(16), nullable=False),
            sa.Column("final_status", sa.String(8), nullable=False),
            sa.Column("reviewer", sa.String(200), nullable=False),
            sa.Column("note", sa.Text),
            sa.Column("prev_hash", sa.String(64)),
            sa.Column("row_hash", sa.String(64)),
        )
        self.head = sa.Table(
            "audit_head",
            meta,
            sa.Column("chain", sa.String(16), primary_key=True),
            sa.Column("last_id", sa.Integer, nullable=False),
            sa.Column("last_hash", sa.String(64), nullable=False),
        )
        meta.create_all(self.engine)
        self._upgrade()

    def _upgrade(self) -> None:
        """Add the columns a log written by an older version lacks (its rows stay unchained and
        ``verify`` counts them as such)."""
        import sqlalchemy as sa

        have = {c["name"] for c in sa.inspect(self.engine).get_columns("decisions")}
        missing = [c for c in self.table.columns if c.name not in have]
        with self.engine.begin() as conn:
            for col in missing:
                kind = col.type.compile(self.engine.dialect)
                conn.exec_driver_sql(f"ALTER TABLE decisions ADD COLUMN {col.name} {kind}")
            for chain in ("decisions", "reviews"):
                if (
                    conn.execute(sa.select(self.head).where(self.head.c.chain == chain)).first()
                    is None
                ):
                    conn.execute(
                        self.head.insert(), {"chain": chain, "last_id": 0, "last_hash": GENESIS}
                    )

    def _append_chained(self, table, rows: list[dict]) -> None:
        """Insert ``rows`` into ``table``, each linked to the one before, in one transaction."""
        import sqlalchemy as sa

        h = self.head
        with self.engine.begin() as conn:
            # a write first: it takes the database's write lock before the head is read, so two
            # writers cannot both link to the same previous row
            conn.execute(sa.update(h).where(h.c.chain == table.name).values(last_id=h.c.last_id))
            prev = conn.execute(
                sa.select(h.c.last_hash).where(h.c.chain == table.name)
            ).scalar_one()
            last_id = 0
            for row in rows:
                row["prev_hash"] = prev
                row["row_hash"] = prev = row_hash(row)
                last_id = conn.execute(table.insert(), row).inserted_primary_key[0]
            conn.execute(
                sa.update(h).where(h.c.chain == table.name).values(last_id=last_id, last_hash=prev)
            )

    def append_many(
        self, candidates: Sequence[Mapping], records: Sequence[Mapping], channel: str = "api"
    ) -> int:
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        key = audit_key()
        rows = []
        for cand, rec in zip(candidates, records, strict=True):
            cid = cand.get("candidate_id")
            engine = rec.get("engine")
            rows.append(
                {
                    "request_id": rec["request_id"],
                    "created_at": now,
                    "channel": channel,
                    "model": rec["model"],
                    "base_sha256": rec.get("base_sha256"),
                    "adapter_sha256": rec.get("adapter_sha256"),
                    "prompt_version": rec["prompt_version"],
                    "engine_json": json.dumps(engine, sort_keys=True) if engine else None,
                    "input_sha256": input_sha256(cand),
                    "candidate_ref": candidate_ref(cid, key) if cid else None,
                    "status": rec.get("status"),
                    "p_select": rec.get("p_select"),
                    "decision_json": json.dumps(_audited(rec), ensure_ascii=False),
                    "flags_json": json.dumps(rec.get("flags", [])),
                    "latency_ms": rec.get("latency_ms"),
                    "advisory": bool(rec.get("advisory", True)),
                }
            )
        if rows:
            self._append_chained(self.table, rows)
        return len(rows)

    def review(
        self,
        request_id: str,
        verdict: str,
        reviewer: str,
        status: str | None = None,
        note: str = "",
    ) -> dict:
        """Record a human reviewer's verdict on a logged decision: ``agree`` keeps its status,
        ``override`` sets ``status`` (select/reject). Returns the stored review row."""
        import sqlalchemy as sa

        if verdict not in VERDICTS:
            raise InputError(f"verdict: use {' or '.join(VERDICTS)}, not {verdict!r}")
        if not str(reviewer).strip():
            raise InputError("reviewer: name who reviewed the decision")
        with self.engine.connect() as conn:
            decided = conn.execute(
                sa.select(self.table.c.status).where(self.table.c.request_id == request_id)
            ).first()
        if decided is None:
            raise InputError(f"request_id {request_id!r}: no such decision in {self.url}")
        if verdict == "agree":
            if status not in (None, decided.status):
                raise InputError(f"status: 'agree' keeps {decided.status!r}; use override")
            status = decided.status
        elif status not in ("select", "reject"):
            raise InputError("status: an override needs the final status, select or reject")
        elif status == decided.status:
            raise InputError(f"status: the decision already is {status!r}; use agree")
        row = {
            "request_id": request_id,
            "created_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "verdict": verdict,
            "final_status": status or "",
            "reviewer": str(reviewer).strip(),
            "note": note or "",
        }
        self._append_chained(self.reviews, [row])
        return row

    def rows(self, limit: int | None = None, since: str | None = None) -> list[dict]:
        """Decision rows in order, each with its latest review (``review``: null when none)."""
        import sqlalchemy as sa

        query = sa.select(self.table).order_by(self.table.c.id)
        if since:
            query = query.where(self.table.c.created_at >= since)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            reviews = {}
            for r in conn.execute(sa.select(self.reviews).order_by(self.reviews.c.id)).mappings():
                reviews[r["request_id"]] = {
                    k: r[k] for k in ("verdict", "final_status", "reviewer", "note", "created_at")
                }
            out = []
            for row in conn.execute(query).mappings():
                d = dict(row)
                d["decision"] = json.loads(d.pop("decision_json"))
                d["flags"] = json.loads(d.pop("flags_json"))
                engine = d.pop("engine_json", None)
                d["engine"] = json.loads(engine) if engine else None
                d["review"] = reviews.get(d["request_id"])
                out.append(d)
        return out

    def count(self) -> int:
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(self.table)).scalar_one()

    def verify(self) -> dict:
        """Walk both chains: ``{"ok", "checked", "unchained", "head", "broken": {table, id,
        reason} | None}``; the first broken row per the order of ids is named."""
        import sqlalchemy as sa

        out: dict = {"ok": True, "checked": 0, "unchained": 0, "head": {}, "broken": None}
        with self.engine.connect() as conn:
            heads = {r.chain: r for r in conn.execute(sa.select(self.head))}
            for table in (self.table, self.reviews):
                prev, last_id = GENESIS, 0
                for row in conn.execute(sa.select(table).order_by(table.c.id)).mappings():
                    row = dict(row)
                    if row["row_hash"] is None and prev == GENESIS:
                        out["unchained"] += 1  # written before the chain existed
                        continue
                    out["checked"] += 1
                    reason = None
                    if row["prev_hash"] != prev:
                        reason = "link broken: a row before it was deleted, inserted or moved"
                    elif row_hash(row) != row["row_hash"]:
                        reason = "hash mismatch: a field of this row was changed"
                    if reason:
                        out.update(
                            ok=False,
                            broken={"table": table.name, "id": row["id"], "reason": reason},
                        )
                        return out
                    prev, last_id = row["row_hash"], row["id"]
                head = heads.get(table.name)
                if head is not None and (head.last_hash != prev or head.last_id != last_id):
                    out.update(
                        ok=False,
                        broken={
                            "table": table.name,
                            "id": head.last_id,
                            "reason": f"the chain ends at row {last_id} but its head names row "
                            f"{head.last_id}: rows at the end were deleted or the head edited",
                        },
                    )
                    return out
                out["head"][table.name] = {"id": last_id, "hash": prev}
        return out


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
