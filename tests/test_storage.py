import json
import os

import pytest

from recruiter import storage


def test_atomic_write_replaces_whole_file(tmp_path):
    path = tmp_path / "a" / "b.json"
    storage.atomic_write_json(path, {"x": 1})
    storage.atomic_write_json(path, {"x": 2})
    assert json.loads(path.read_text()) == {"x": 2}
    assert [p.name for p in path.parent.iterdir()] == ["b.json"]  # no temp files left
    assert oct(path.stat().st_mode & 0o777) != oct(0o600)


def test_atomic_dir_leaves_nothing_on_failure(tmp_path):
    final = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with storage.atomic_dir(final) as tmp:
            (tmp / "half.txt").write_text("partial")
            raise RuntimeError("killed")
    assert not final.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_dir_overwrite_only_after_success(tmp_path):
    final = tmp_path / "out"
    with storage.atomic_dir(final) as tmp:
        (tmp / "v").write_text("1")
    with pytest.raises(FileExistsError):
        with storage.atomic_dir(final):
            pass
    with pytest.raises(RuntimeError):
        with storage.atomic_dir(final, overwrite=True) as tmp:
            (tmp / "v").write_text("2")
            raise RuntimeError
    assert (final / "v").read_text() == "1"
    with storage.atomic_dir(final, overwrite=True) as tmp:
        (tmp / "v").write_text("2")
    assert (final / "v").read_text() == "2"
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_roots_follow_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RECRUITER_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("RECRUITER_RUNS", str(tmp_path / "r"))
    assert storage.home() == tmp_path / "h"
    run = storage.new_run_dir("prepare", "demo")
    assert run.parent == tmp_path / "r" / "prepare" and run.name.endswith("-demo")
    assert (
        storage.sha256_text("abc")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_partial_dir_of_a_killed_run_is_removed_by_the_next(tmp_path):
    import subprocess
    import sys

    final = tmp_path / "out"
    # a child creates its partial dir and is killed before it can clean up
    code = (
        "import os, sys, time; from recruiter.storage import atomic_dir\n"
        f"with atomic_dir({str(final)!r}) as tmp:\n"
        "    (tmp / 'half').write_text('x'); print('ready', flush=True); time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    child.kill()
    child.wait()
    leftovers = list(tmp_path.glob(".out.*.partial"))
    assert len(leftovers) == 1 and not final.exists()  # nothing at the final path
    with storage.atomic_dir(final) as tmp:
        (tmp / "done").write_text("ok")
    assert (final / "done").read_text() == "ok"
    assert list(tmp_path.glob(".out.*.partial")) == []  # the rerun completed and swept up
