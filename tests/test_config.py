from pathlib import Path

import pytest
import yaml

from recruiter import config
from recruiter.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
CONFIGS = sorted((REPO / "configs").glob("*.yaml"))


def test_there_are_configs():
    names = {p.name for p in CONFIGS}
    assert {"default.yaml", "tiny.yaml"} <= names


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_yaml_loads_and_names_its_command_on_line_1(path):
    cfg = config.load(path)
    assert isinstance(cfg, config.RecruiterConfig)
    first = path.read_text().splitlines()[0]
    assert first.startswith("# ") and ("recruiter " in first or "pytest" in first), first


def test_default_yaml_matches_code_defaults():
    # configs/default.yaml documents the defaults; it must never drift from the typed config.
    on_disk = yaml.safe_load((REPO / "configs" / "default.yaml").read_text())
    assert config.load(REPO / "configs" / "default.yaml") == config.RecruiterConfig()
    assert set(on_disk) == set(config.RecruiterConfig.model_fields)


def test_unknown_key_names_the_closest_valid_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("models:\n  lmm: foo\n")
    with pytest.raises(ConfigError) as exc:
        config.load(bad)
    msg = str(exc.value)
    assert "unknown key 'models.lmm'" in msg and "did you mean 'models.llm'" in msg
    assert str(bad) in msg


def test_unknown_top_level_section_is_an_error():
    with pytest.raises(ConfigError, match="unknown key 'modles'.*'models'"):
        config.load(None, ["modles.llm=x"])


def test_wrong_type_is_an_error():
    with pytest.raises(ConfigError, match=r"seed: .*integer.*'abc'"):
        config.load(None, ["seed=abc"])
    with pytest.raises(ConfigError, match=r"runtime\.device"):
        config.load(None, ["runtime.device=tpu"])


def test_dotted_overrides_are_parsed_as_yaml_values():
    cfg = config.load(
        REPO / "configs" / "tiny.yaml", ["seed=123", "runtime.num_threads=1", "models.llm=./x"]
    )
    assert cfg.seed == 123 and cfg.runtime.num_threads == 1 and cfg.models.llm == "./x"


@pytest.mark.parametrize("item", ["seed", "=3", "a..b=1"])
def test_malformed_override(item):
    with pytest.raises(ConfigError, match="override"):
        config.load(None, [item])


def test_override_cannot_descend_into_a_value():
    with pytest.raises(ConfigError, match="is a value, not a section"):
        config.load(None, ["seed.x=1"])


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("models: [unclosed\n")
    with pytest.raises(ConfigError, match=r"not valid YAML \(line"):
        config.load(broken)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("42\n")
    with pytest.raises(ConfigError, match="mapping"):
        config.load(scalar)


def test_resolved_config_round_trips_and_hash_is_stable(tmp_path):
    cfg = config.load(None, ["seed=9"])
    path = config.save_resolved(cfg, tmp_path / "run", command="recruiter config show -o seed=9")
    assert path.read_text().splitlines()[0] == "# recruiter config show -o seed=9"
    assert config.load(path) == cfg
    assert config.config_hash(cfg) == config.config_hash(config.load(path))
    assert config.config_hash(cfg) != config.config_hash(config.RecruiterConfig())


def test_extra_data_takes_paths_or_weighted_entries_and_refuses_clashing_names():
    cfg = config.load(None, ["train.extra_data=[runs/prepare/hiring]"])
    assert cfg.train.extra_data[0].data == "runs/prepare/hiring"
    assert cfg.train.extra_data[0].weight == 1.0
    cfg = config.load(None, ["train.extra_data=[{data: a/team, weight: 0.5, name: ours}]"])
    assert (cfg.train.extra_data[0].weight, cfg.train.extra_data[0].name) == (0.5, "ours")
    with pytest.raises(ConfigError, match="named 'x'"):
        config.load(None, ["train.extra_data=[a/x, b/x]"])
    with pytest.raises(ConfigError, match="did you mean 'train.extra_data\\[0\\].weight'"):
        config.load(None, ["train.extra_data=[{data: a, wieght: 2}]"])
