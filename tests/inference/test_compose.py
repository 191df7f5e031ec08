"""docker-compose.yml validates with the docker compose client (skips where there is none)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def _compose() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_file_is_valid():
    cmd = _compose()
    if cmd is None:
        pytest.skip("no docker compose client installed")
    result = subprocess.run(
        [*cmd, "-f", str(REPO / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr


def test_vllm_service_serves_the_adapter_with_structured_outputs():
    spec = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    vllm = spec["services"]["vllm"]
    args = " ".join(vllm["command"])
    assert vllm["image"].startswith("vllm/vllm-openai:")
    assert "--enable-lora" in args and "recruiter=/adapters/smollm2-135m-recruiter" in args
    assert "--structured-outputs-config.backend=xgrammar" in args
    assert vllm["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    assert "healthcheck" in vllm
    api = yaml.safe_load((REPO / "configs" / "serve_vllm.yaml").read_text())
    assert api["serve"]["engine"] == "remote" and api["serve"]["remote_url"].startswith(
        "http://vllm:"
    )


def test_only_the_api_is_published_on_loopback_and_both_servers_need_keys():
    spec = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    vllm, api = spec["services"]["vllm"], spec["services"]["api"]
    assert "ports" not in vllm and any(
        a.startswith("--api-key=${VLLM_API_KEY") for a in vllm["command"]
    )
    assert api["ports"] == ["${RECRUITER_BIND:-127.0.0.1}:8000:8000"]
    assert api["environment"]["RECRUITER_API_KEYS"].startswith("${RECRUITER_API_KEYS:?")
    assert any(a.startswith("serve.remote_api_key=${VLLM_API_KEY") for a in api["command"])


def test_image_runs_as_a_user_and_its_build_context_leaves_out_venvs_and_runs():
    dockerfile = (REPO / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in dockerfile if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    ignored = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".venv-*", "runs"} <= ignored
