"""Shared fixtures: everything offline, every output under tmp dirs, SmolLM2 converted once."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def session_home(tmp_path_factory) -> Path:
    """One RECRUITER_HOME per test session, so caches (the converted LLM) are built once."""
    return tmp_path_factory.mktemp("recruiter_home")


@pytest.fixture(scope="session", autouse=True)
def _session_isolated(session_home):
    """Module- and session-scoped fixtures are built before function-scoped ones, so the
    session-wide caches root and offline switches are set here, for everything, first."""
    mp = pytest.MonkeyPatch()
    mp.setenv("RECRUITER_HOME", str(session_home))
    mp.setenv("RECRUITER_RUNS", str(session_home / "runs"))
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        mp.setenv(var, "1")
    mp.setenv("TOKENIZERS_PARALLELISM", "false")
    yield
    mp.undo()


@pytest.fixture(autouse=True)
def _offline_and_isolated(monkeypatch, session_home, tmp_path):
    monkeypatch.setenv("RECRUITER_HOME", str(session_home))
    monkeypatch.setenv("RECRUITER_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def smollm2_dir(session_home) -> Path:
    """The embedded SmolLM2 as a plain HF folder, converted once per test run."""
    mp = pytest.MonkeyPatch()
    mp.setenv("RECRUITER_HOME", str(session_home))
    try:
        from recruiter.models import resolve_llm

        return resolve_llm("smollm2-135m-instruct")
    finally:
        mp.undo()


@pytest.fixture(scope="session")
def tiny_cfg():
    from recruiter import config

    return config.load(REPO / "configs" / "tiny.yaml")


@pytest.fixture
def shared_data():
    """``shared_data("hiring", "x.csv")``: a path in ../shared/data, or skip when it is absent."""

    def find(*parts: str) -> Path:
        path = SHARED_DATA.joinpath(*parts)
        if not path.exists():
            pytest.skip(f"reference data not available: {path}")
        return path

    return find


@pytest.fixture(scope="session")
def prepared_synth(tmp_path_factory, tiny_cfg) -> Path:
    """A tiny prepared synthetic dataset (60 records, PII masking off for speed), built once."""
    from recruiter import config
    from recruiter.prepare import run, synth

    root = tmp_path_factory.mktemp("prepared_synth")
    cfg = config.load(
        REPO / "configs" / "tiny.yaml",
        [
            "prepare.synth.n_records=60",
            f"prepare.synth.output={root / 'synth'}",
            f"prepare.inputs=[{root / 'synth' / 'records.jsonl'}]",
            f"prepare.output={root / 'prepared'}",
            "prepare.pii.enabled=false",
        ],
    )
    mp = pytest.MonkeyPatch()
    mp.setenv("RECRUITER_RUNS", str(root / "runs"))
    try:
        synth.run(cfg)
        return run(cfg)
    finally:
        mp.undo()


# Planted personal data with no `name` field to find the own name by: what serving must mask
# the way prepare masked the training data (recruiter.pii), skills and places kept.
CANARY = {
    "role": "Data Engineer",
    "job_description": "Data Engineer at Acme. Questions: Priya Raman, priya.raman@acme.com.",
    "resume": "Jonathan Whitfield\n12 Baker Street, London NW1 6XE\n"
    "+44 20 7946 0958 | j.whitfield@example.co.uk | linkedin.com/in/jwhitfield\n"
    "Date of birth: 04/07/1988\n\nSkills: Python, SQL, Docker, Airflow\n"
    "5 years building pipelines at Monzo.",
    "transcript": "Interviewer: Hello Jonathan, thanks for joining.\n"
    "Jonathan Whitfield: Thanks. I built a Kafka pipeline that cut latency by 40%.",
}
CANARIES = (
    "Jonathan",
    "Whitfield",
    "Priya",
    "Raman",
    "Baker Street",
    "7946",
    "@example.co.uk",
    "@acme.com",
    "jwhitfield",
    "1988",
)


@pytest.fixture(scope="session")
def pii_canary() -> tuple[dict, tuple[str, ...]]:
    """(candidate fields with planted personal data and no ``name``, the strings that must not
    reach the model, the audit log or the runs)."""
    return CANARY, CANARIES
