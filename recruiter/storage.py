"""Where outputs live and how they are written.

Two roots, both overridable by environment so that tests redirect everything to a tmp dir:

* ``RECRUITER_HOME`` (default ``~/.cache/recruiter``): caches that are expensive to rebuild and
  safe to share between runs: converted model folders, embedding caches.
* ``RECRUITER_RUNS`` (default ``./runs``): results, one directory per run, each holding the
  resolved config it ran with.

Every file is written atomically (temp file in the same directory, then ``os.replace``) and
directories are built under a temporary name and renamed into place, so that a killed process
never leaves a half-written output that a later run would trust.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp/mkdtemp create private (0600/0700) entries; outputs get the usual umask-based modes.
_FILE_MODE = 0o666 & ~_umask()
_DIR_MODE = 0o777 & ~_umask()


def home() -> Path:
    return Path(os.environ.get("RECRUITER_HOME") or Path.home() / ".cache" / "recruiter")


def runs_root() -> Path:
    return Path(os.environ.get("RECRUITER_RUNS") or "runs")


def new_run_dir(stage: str, name: str | None = None) -> Path:
    """A fresh, not yet existing path ``runs/<stage>/<timestamp>[-name]`` (the caller creates it)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    base = runs_root() / stage / (f"{stamp}-{name}" if name else stamp)
    path, i = base, 1
    while path.exists():
        path, i = base.with_name(f"{base.name}-{i}"), i + 1
    return path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, obj: Any) -> Path:
    return atomic_write_text(
        path, json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    )


@contextlib.contextmanager
def atomic_dir(final: str | os.PathLike, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary sibling directory; on success rename it to ``final``.

    On any exception the temporary directory is removed and ``final`` is untouched. With
    ``overwrite`` an existing ``final`` is replaced only after the new one is complete.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists() and not overwrite:
        raise FileExistsError(f"{final} already exists")
    _remove_stale_partials(final)
    tmp = Path(
        tempfile.mkdtemp(
            dir=final.parent, prefix=f".{final.name}.{os.getpid()}.", suffix=".partial"
        )
    )
    os.chmod(tmp, _DIR_MODE)
    try:
        yield tmp
        if final.exists():
            old = final.with_name(f".{final.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _remove_stale_partials(final: Path) -> None:
    """Delete ``.<name>.<pid>.*.partial`` siblings left by a killed process (never a live one's)."""
    for old in final.parent.glob(f".{final.name}.*.partial"):
        pid = old.name[len(final.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def package_versions(names) -> dict[str, str]:
    """Installed versions of ``names`` (distribution names), for manifests and model cards."""
    import importlib.metadata

    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
