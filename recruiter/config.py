"""Typed configuration: one pydantic model per stage under a root :class:`RecruiterConfig`.

YAML files hold values only; every key must exist here (``extra="forbid"``), so a typo fails
loudly with the closest valid key instead of silently running with a default. Overrides use
dotted paths (``-o train.lora.r=32``) whose values are parsed as YAML scalars/lists.

Each stage section is added when that stage lands; components never take a config object, only
plain arguments (see the small ``to_*`` builders next to each stage).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ConfigError
from .pii_entities import DEFAULT_ENTITIES
from .storage import atomic_write_text


class Section(BaseModel):
    """Base for every config section: unknown keys and wrong types are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelsConfig(Section):
    llm: str = Field(
        "smollm2-135m-instruct",
        description="Instruct LLM: an embedded name (`recruiter models list`), an HF id or a local folder.",
    )
    encoder: str = Field(
        "all-minilm-l6-v2",
        description="Sentence-transformer for retrieval: embedded name, HF id or local folder.",
    )


class RuntimeConfig(Section):
    device: Literal["auto", "cpu", "cuda"] = "auto"
    num_threads: int = Field(0, ge=0, description="torch CPU threads; 0 = library default.")


class SpamConfig(Section):
    enabled: bool = True
    max_top_token_share: float = Field(
        0.25, gt=0, le=1, description="most frequent token's share of all tokens"
    )
    min_distinct_ratio: float = Field(
        0.12, ge=0, lt=1, description="distinct/total tokens for long texts"
    )
    max_keyword_repeats: int = Field(
        25, gt=1, description="same content word repeated more than this"
    )
    max_urls_per_100_words: float = Field(8.0, gt=0)
    max_non_text_share: float = Field(
        0.35, gt=0, le=1, description="share of characters that are not letters/space/punctuation"
    )
    max_field_chars: int = Field(60_000, gt=0)
    length_outlier_iqr: float = Field(
        6.0, gt=0, description="flag lengths beyond median + k*IQR of the corpus"
    )


class PiiConfig(Section):
    enabled: bool = True
    entities: list[str] = Field(
        default_factory=lambda: list(DEFAULT_ENTITIES),
        description="Entity types to mask (NAME = the record's own name). LOCATION and ORGANIZATION "
        "are available but off: location filters need cities.",
    )
    score_threshold: float = Field(0.4, ge=0, le=1)
    batch_size: int = Field(32, gt=0)
    n_process: int = Field(
        2, ge=1, description="worker processes for masking (forked, like spaCy's nlp.pipe)"
    )


class DedupConfig(Section):
    fields: list[str] = Field(default_factory=lambda: ["resume", "transcript"])
    near: bool = True
    threshold: float = Field(
        0.8, gt=0, le=1, description="verified Jaccard of word 5-gram shingles"
    )
    lsh_threshold: float = Field(
        0.5, gt=0, le=1, description="LSH index threshold (lower, to find candidates)"
    )
    num_perm: int = Field(128, ge=16)
    on_conflict: Literal["majority", "drop", "first"] = "majority"


class SplitConfig(Section):
    # 0 is allowed: `recruiter eval --input FILE` prepares a held-out file whole (0 / 0 / 1)
    train: float = Field(0.70, ge=0, le=1)
    validation: float = Field(0.15, ge=0, le=1)
    test: float = Field(0.15, ge=0, le=1)
    group_by_job: bool = True
    max_group_frac: float = Field(
        0.1,
        gt=0,
        le=1,
        description="relax a job-description group above this share of the smallest split",
    )
    stratify_by_source: bool = True

    @model_validator(mode="after")
    def _sums_to_one(self):
        total = self.train + self.validation + self.test
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"train + validation + test must be 1.0, got {total:.4f}")
        return self


class SynthConfig(Section):
    n_records: int = Field(3000, ge=10)
    seed: int = 0
    label_noise: float = Field(0.03, ge=0, le=0.5)
    dup_rate: float = Field(0.03, ge=0, le=0.5)
    near_dup_rate: float = Field(0.03, ge=0, le=0.5)
    spam_rate: float = Field(0.02, ge=0, le=0.5)
    leak_rate: float = Field(0.05, ge=0, le=0.5)
    wrong_job_rate: float = Field(
        0.0,
        ge=0,
        le=0.5,
        description="share of applicants from an occupation of another family than the job's "
        "(scored by the same rule; almost all rejected); 0 = the shipped adapter's corpus",
    )
    output: str | None = Field(None, description="folder; default runs/synth/<timestamp>")


class PrepareConfig(Section):
    inputs: list[str] = Field(
        default_factory=list, description="files or folders (CSV/XLSX/JSONL/Parquet/HF dataset)"
    )
    preset: Literal["durgesh", "canonical"] = "canonical"
    columns: dict[str, str] = Field(
        default_factory=dict, description="our field -> export column, over the preset"
    )
    output: str | None = Field(None, description="folder; default runs/prepare/<timestamp>")
    overwrite: bool = False
    labels: dict[str, Literal["select", "reject"]] = Field(
        default_factory=dict,
        description="the export's own label values -> select or reject (case-insensitive), "
        "read before the built-in spellings (select/selected/hire/yes/1, "
        "reject/rejected/no hire/not selected/no/0 …)",
    )
    unknown_labels: Literal["error", "drop"] = Field(
        "error",
        description="rows whose label is no known spelling: error (name the values) or drop "
        "them (counted in the report)",
    )
    min_chars: dict[str, int] = Field(
        default_factory=lambda: {"role": 2, "job_description": 50, "resume": 100, "transcript": 100}
    )
    spam: SpamConfig = SpamConfig()
    leak_scrub: bool = True
    pii: PiiConfig = PiiConfig()
    dedup: DedupConfig = DedupConfig()
    split: SplitConfig = SplitConfig()
    synth: SynthConfig = SynthConfig()


class LoraSection(Section):
    r: int = Field(16, ge=1, description="LoRA rank")
    alpha: int = Field(32, ge=1, description="LoRA scaling numerator (scale = alpha / r)")
    dropout: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="LoRA input dropout; 0 skips PEFT's dropout copy of every input (1.6x faster "
        "on CPU, see benchmarks/train_bench.py)",
    )
    target_modules: str | list[str] = Field(
        "all-linear", description="'all-linear' or module names such as [q_proj, v_proj]"
    )


class ExtraData(Section):
    """One more prepared dataset pooled into training (``train.extra_data``)."""

    data: str = Field(description="a `recruiter prepare` output folder")
    weight: float = Field(
        1.0,
        gt=0,
        le=20,
        description="its train split drawn this many times per epoch: 2 = every record twice, "
        "0.5 = a seeded half",
    )
    name: str | None = Field(
        None,
        description="its name in training.json, metrics.json and the card; default the folder's",
    )


class TrainConfig(Section):
    data: str = Field("runs/prepare/synth", description="a `recruiter prepare` output folder")
    output: str | None = Field(None, description="run folder; default runs/train/<timestamp>")
    resume: str | None = Field(
        None, description="a train run folder (its latest checkpoint) or a checkpoint folder"
    )
    extra_data: list[ExtraData] = Field(
        default_factory=list,
        description="more prepared datasets (for example your own hiring export) pooled with "
        "train.data: their train splits weighted, their validation splits (train."
        "max_eval_examples each) beside train.data's in checkpoint selection, their test splits "
        "evaluated after training; each reported per dataset. A plain folder path = weight 1",
    )

    @field_validator("extra_data", mode="before")
    @classmethod
    def _extra_paths(cls, value):
        if value is None:
            return []
        if isinstance(value, str | dict):
            value = [value]
        return [{"data": v} if isinstance(v, str) else v for v in value]

    @field_validator("extra_data")
    @classmethod
    def _extra_names(cls, value: list[ExtraData]) -> list[ExtraData]:
        names = [e.name or Path(e.data).name for e in value]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"two extra datasets are named {dup[0]!r}: give one a `name`")
        return value

    init_adapter: str | None = Field(
        None,
        description="start from this LoRA adapter ('default' = the shipped one, or a folder) "
        "instead of a fresh one: to continue its training or tune it on your own decisions; its "
        "r, alpha and target modules replace train.lora",
    )
    precision: Literal["auto", "fp32", "bf16", "nf4"] = Field(
        "auto",
        description="auto = nf4 QLoRA (bf16 compute) on CUDA; on CPU unquantised weights with bf16 "
        "autocast where bf16 matmuls measure >= 1.5x fp32 (a cached probe), else fp32",
    )
    lora: LoraSection = LoraSection()
    prompt_version: Literal["v1", "v2"] | None = Field(
        None,
        description="prompt the adapter learns to read; null = train.init_adapter's, else the "
        "current (v2: documents + evidence sheet)",
    )
    max_length: int = Field(
        864,
        ge=128,
        description="tokens; the prompt budget is this minus inference.max_new_tokens (704 by "
        "default: the v2 median on the synthetic corpus); longer prompts are fitted (v2: uncited "
        "lines first). Continuing a v1 adapter: 1536, as it was trained",
    )
    reasoning: Literal["recorded", "sheet"] = Field(
        "recorded",
        description="the reasoning the model learns to write: recorded = the past decision's "
        "(output); sheet = the evidence sheet's facts, no verdict, so the status token carries "
        "the decision (prompt v2 only; see recruiter/train/targets.py)",
    )
    calibrate: bool = Field(
        False,
        description="tune the P(select) threshold on the chosen step's validation decisions and "
        "ship it in recruiter.json (the engine decides select when P(select) >= it); needs "
        "train.reasoning=sheet, whose reasoning states no verdict a threshold could contradict",
    )
    epochs: float = Field(2.0, gt=0)
    max_steps: int = Field(-1, description="> 0 stops after this many optimizer steps")
    batch_size: int = Field(
        1,
        ge=1,
        description="per step; 1 on CPU (no padding, and sdpa keeps its causal fast path), "
        "raise on GPU",
    )
    grad_accum: int = Field(16, ge=1)
    learning_rate: float = Field(2e-4, gt=0)
    lr_scheduler: str = "cosine"
    warmup_ratio: float = Field(0.05, ge=0, lt=1)
    weight_decay: float = Field(0.0, ge=0)
    max_grad_norm: float = Field(1.0, gt=0)
    eval_steps: int = Field(0, ge=0, description="validate every N steps; 0 = every epoch")
    select_by: Literal["decisions", "loss"] = Field(
        "decisions",
        description="what chooses the best checkpoint and stops early: decisions = validation "
        "macro-F1 (AUC breaks ties) through the inference engine on the validation subset; "
        "loss = validation loss (mostly reasoning tokens; logged either way)",
    )
    early_stopping_patience: int = Field(
        2, ge=0, description="evaluations without improvement; 0 = off"
    )
    gradient_checkpointing: bool = False
    liger: bool = Field(False, description="Liger kernels (CUDA only)")
    compact_loss: bool = Field(
        True,
        description="run the LM head on completion positions only (TRL scores every position "
        "off-GPU)",
    )
    status_weight: float = Field(
        1.0,
        ge=1.0,
        description="loss weight of the token that commits the status (select/reject) against "
        "1 for every other answer token; 1 = plain completion loss (needs compact_loss)",
    )
    injection_rate: float = Field(
        0.0,
        ge=0,
        le=0.5,
        description="share of training records given an injected instruction (resume or "
        "transcript, several languages and disguises; the target unchanged) so the model learns "
        "that instructions in documents change nothing; never the robustness eval's attack text",
    )
    group_by_length: bool = True
    num_workers: int = Field(0, ge=0, description="dataloader workers")
    logging_steps: int = Field(5, ge=1)
    save_total_limit: int = Field(2, ge=1)
    max_train_examples: int | None = Field(None, ge=1, description="subset, for smoke runs")
    max_eval_examples: int | None = Field(None, ge=1, description="validation subset")
    evaluate_test: bool = Field(
        True, description="decision metrics on the test split after training"
    )
    max_test_examples: int | None = Field(None, ge=1, description="test subset for those metrics")


class InferenceConfig(Section):
    adapter: str | None = Field(
        "default",
        description="'default' = the shipped adapter, a folder, or null for the base model",
    )
    precision: Literal["auto", "fp32", "bf16", "nf4"] = Field(
        "auto",
        description="auto = nf4 on CUDA; on CPU fp32 with batching invariant (the default), "
        "with batching variant bf16 where bf16 matmuls measure >= 1.5x fp32 (a cached probe), "
        "else fp32",
    )
    max_new_tokens: int = Field(160, ge=8)
    retry_max_new_tokens: int = Field(
        320, ge=8, description="budget of the one retry after an invalid answer"
    )
    batch_size: int = Field(8, ge=1)
    batching: Literal["invariant", "variant"] = Field(
        "invariant",
        description="invariant = a candidate's decision is the same alone or in any batch "
        "(float32 on CPU: each prompt prefilled alone, decode steps batched; bf16/nf4: each "
        "candidate decoded alone); variant = batch_size prompts decoded together in any "
        "precision: faster, but a decision may depend on its batch partners",
    )
    prefill: Literal["auto", "rows", "batch"] = Field(
        "auto",
        description="batch = prompts padded into one forward pass; rows = each prompt prefilled "
        "alone (no padding); auto = rows on CPU in fp32 (the same answers, faster), else batch "
        "(in bf16/nf4 the layout moves answers; the shipped eval numbers use batch)",
    )
    attention: Literal["sdpa", "cpu_decode"] = Field(
        "sdpa",
        description="cpu_decode = single-token decode steps as float32 matmuls on CPU "
        "(recruiter/inference/attention.py; measured +4 % with prefill=rows, batch 16)",
    )
    draft_tokens: int | None = Field(
        None,
        ge=0,
        le=16,
        description="speculative decoding: up to this many n-gram-drafted tokens verified per "
        "step (recruiter/inference/speculative.py); 0 = off; null = 3 on CPU in fp32 (the same "
        "answers, faster), else 0",
    )
    constrained: bool = Field(
        True, description="grammar-constrained decoding; false only for ablations"
    )
    evidence_match_threshold: float = Field(
        0.6,
        gt=0,
        le=1,
        description="MiniLM cosine at which a resume skill counts as a required one in the "
        "evidence sheet, when no word, alias or ESCO label matches (chosen on the synthetic "
        "validation split by `recruiter eval evidence`)",
    )
    prompt_budget: int | None = Field(
        None,
        ge=128,
        description="prompt tokens; longer prompts lose the middle of their longest document. "
        "null = the adapter's (train.max_length minus the answer room), as in training",
    )


class RetrievalConfig(Section):
    data: str = Field("runs/prepare/synth", description="prepared folder whose splits are used")
    corpus: str | None = Field(
        None,
        description="corpus folder (jobs/candidates/records.jsonl); default: the prepared "
        "folder's input",
    )
    output: str | None = Field(None, description="run folder; default runs/retrieval/<timestamp>")
    model: str | None = Field(
        "default",
        description="trained retriever for shortlist/screen: 'default' (shipped), a "
        "folder, or null for filters only",
    )
    esco_relations: str | None = Field(
        None, description="official ESCO occupationSkillRelations CSV (else a derived graph)"
    )
    esco_occupations: str | None = Field(
        None, description="official ESCO occupations CSV, for occupation -> ISCO group edges"
    )
    epochs: int = Field(8, ge=1)
    batch_size: int = Field(64, ge=2)
    learning_rate: float = Field(1e-3, gt=0)
    tau: float = Field(0.07, gt=0)
    negatives: int = Field(7, ge=1)
    hard_threshold: float = Field(0.3, ge=0, le=1)
    medium_threshold: float = Field(0.6, ge=0, le=1)
    curriculum_start: list[float] = Field(default_factory=lambda: [0.2, 0.3, 0.5])
    curriculum_end: list[float] = Field(default_factory=lambda: [0.6, 0.3, 0.1])
    in_batch_negatives: bool = True
    bidirectional: bool = True
    mined_round: bool = True
    mined_band: list[float] = Field(default_factory=lambda: [0.03, 0.04])
    mined_epochs: int = Field(3, ge=0)
    phase2_epochs: int = Field(40, ge=1)
    phase2_lr: float = Field(1e-3, gt=0)
    blend_classifier: float = Field(0.6, ge=0, le=1, description="weight of the match probability")
    blend_base: float = Field(0.4, ge=0, le=1, description="weight of S_base")
    required_are_mandatory: bool = False
    commute_km: float = Field(60.0, gt=0)
    profile_chars: int = Field(800, ge=100)
    pool_size: int = Field(100, ge=10, description="ConFit-style evaluation pool")
    bootstrap: int = Field(1000, ge=10)
    index_kind: Literal["auto", "flat", "hnsw"] = "auto"
    hnsw_threshold: int = Field(50_000, ge=1)
    hnsw_m: int = Field(32, ge=4)
    ef_construction: int = Field(200, ge=8)
    ef_search: int = Field(128, ge=1)


class FairnessConfig(Section):
    names: str | None = Field(
        None,
        description="names JSON {group: [names]} or a folder with top_mens/top_womens "
        "JSON; default: the built-in Faker list",
    )
    names_per_record: int = Field(1, ge=1, description="names drawn per group and record")
    records: int = Field(40, ge=1, description="records (from the split) that are swapped")
    age_shift_years: int = Field(20, ge=1)
    min_group_share: float = Field(0.02, ge=0, lt=1)
    impact_threshold: float = Field(0.8, gt=0, le=1)
    shortlist_k: int = Field(10, ge=1, description="retriever shortlist size for membership flips")


class InjectionConfig(Section):
    records: int = Field(40, ge=1, description="clean records tried; attacks go into the rejected")
    attacks: str | None = Field(None, description="BIPIA-style JSON of extra attack instructions")
    per_category: int = Field(1, ge=1, description="instructions taken per category of that file")
    max_attacks: int = Field(5, ge=1, description="of those, how many are used (seeded sample)")
    determinism_runs: int = Field(3, ge=2)
    determinism_records: int = Field(20, ge=1)
    fuzz_files: int = Field(200, ge=1)


class JobSwapConfig(Section):
    pairs: int = Field(30, ge=1, description="selected test candidates shown with a swapped job")
    train_pairs: int = Field(300, ge=1, description="pairs from the train split for baselines")
    max_title_similarity: float = Field(
        0.5, gt=0, le=1, description="MiniLM cosine of two role titles below which they differ"
    )


class InterviewFlipConfig(Section):
    corpus: str = Field(
        "runs/synth/default",
        description="a `recruiter prepare synth` folder (its counterfactual.jsonl and records.jsonl)"
        " whose records the evaluated prepared split was made from",
    )
    pairs: int = Field(100, ge=1, description="pairs of the split's records, in id order")


class BiasAuditConfig(Section):
    applicants: str | None = Field(
        None,
        description="CSV or JSONL, one application a row: id, outcome and demographic columns "
        "(`recruiter prepare synth` writes applicants.jsonl as a worked example)",
    )
    columns: list[str] = Field(
        default_factory=list, description="demographic columns to audit, e.g. [sex, race]"
    )
    id_column: str = "id"
    outcome_column: str = Field("decision", description="the recorded outcome column")
    select_values: list[str] = Field(
        default_factory=lambda: ["select", "selected", "hire", "hired", "yes", "1", "true"],
        description="outcome values that mean selected (case-insensitive)",
    )
    predictions: str | None = Field(
        None, description="the model's decisions (an eval run folder or JSONL with id, status)"
    )


class EvalConfig(Section):
    data: str = Field("runs/prepare/synth", description="a `recruiter prepare` output folder")
    baseline_data: str | None = Field(
        None,
        description="prepared folder whose train split trains the baselines and whose "
        "validation split tunes the threshold; null = eval.data (set it when eval.data is a "
        "held-out file prepared whole: `recruiter eval --input`)",
    )
    split: Literal["train", "validation", "test"] = "test"
    output: str | None = Field(None, description="run folder; default runs/eval/<timestamp>")
    max_examples: int | None = Field(None, ge=1, description="subset of the split")
    tune_threshold: bool = Field(
        True, description="decide the validation split too and tune the P(select) threshold"
    )
    max_validation_examples: int | None = Field(None, ge=1)
    bootstrap: int = Field(1000, ge=10)
    evidence_sweep: list[float] = Field(
        default_factory=lambda: [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8],
        description="match thresholds `eval evidence` tries on the validation split (synthetic data)",
    )
    fairness: FairnessConfig = FairnessConfig()
    injection: InjectionConfig = InjectionConfig()
    job_swap: JobSwapConfig = JobSwapConfig()
    interview_flip: InterviewFlipConfig = InterviewFlipConfig()
    bias_audit: BiasAuditConfig = BiasAuditConfig()


class AuditConfig(Section):
    enabled: bool = True
    url: str | None = Field(
        None, description="SQLAlchemy URL; default sqlite:///$RECRUITER_HOME/audit.sqlite"
    )


class MonitorConfig(Section):
    window: Literal["hour", "day", "week"] = Field("day", description="time window of the report")
    since: str | None = Field(None, description="ISO time: audit rows from then on")
    reference: str | None = Field(
        None,
        description="what 'normal' is: an eval run folder (its predictions*.jsonl) or a JSONL of "
        "decisions (an audit export); null = the log's first monitor.reference_rows decisions",
    )
    reference_rows: int = Field(200, ge=10)
    min_rows: int = Field(50, ge=1, description="smaller windows are listed, not judged")
    psi_alert: float = Field(
        0.2,
        gt=0,
        description="population-stability index of P(select) against the reference, above what "
        "samples of the window's size show without drift",
    )
    select_rate_alert: float = Field(0.15, gt=0, description="absolute change of the select rate")
    flag_rate_alert: float = Field(
        0.10, gt=0, description="absolute change of the share of decisions with a preflight flag"
    )
    error_rate_alert: float = Field(0.05, gt=0, description="share of decisions without a status")
    output: str | None = Field(None, description="report folder; default runs/monitor/<timestamp>")


class LiveConfig(Section):
    inputs: list[str] = Field(
        default_factory=list, description="candidate JSON files, JSONL files, folders or '-'"
    )
    job: str | None = Field(None, description="job JSON filling role/job_description")
    output: str | None = Field(None, description="JSONL file; default stdout")
    max_input_bytes: int = Field(2_000_000, gt=0, description="per input file")


class ScreenConfig(Section):
    job: str | None = Field(None, description="job JSON")
    pool: str | None = Field(None, description="candidates: a JSONL file or a folder of JSON")
    top_k: int = Field(20, ge=1, description="candidates in the ranked report")
    shortlist_k: int = Field(
        100, ge=1, description="candidates the retriever passes to the LLM (after filters)"
    )
    output: str | None = Field(None, description="report folder; default runs/screen/<timestamp>")


class ServeConfig(Section):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    engine: Literal["local", "remote"] = Field(
        "local",
        description="local = this process loads the model; remote = an OpenAI-compatible "
        "server such as vLLM at remote_url",
    )
    remote_url: str | None = Field(None, description="e.g. http://vllm:8000/v1")
    adapter_id: str = Field("recruiter", description="model id the adapter is served under")
    remote_model: str = Field("recruiter", description="model id at the remote server")
    remote_api_key: str | None = None
    max_concurrency: int = Field(2, ge=1, description="requests the model works on at once")
    max_queue: int = Field(16, ge=0, description="requests waiting beyond those; more get 429")
    request_timeout_s: float = Field(300.0, gt=0)
    max_request_bytes: int = Field(1_000_000, gt=0)
    max_tokens_limit: int = Field(1024, ge=1, description="largest max_tokens a request may ask")
    api_keys: list[str] = Field(
        default_factory=list,
        description="Bearer keys clients must send (Authorization: Bearer KEY) on every route but "
        "/healthz; also read from the environment variable serve.api_keys_env (comma-separated) "
        "and serve.api_keys_file (one per line). None = loopback binds only",
    )
    api_keys_env: str = "RECRUITER_API_KEYS"
    api_keys_file: str | None = None
    cors_origins: list[str] = Field(
        default_factory=list, description="browser origins allowed to call the API; none = no CORS"
    )
    docs: bool = Field(False, description="serve /docs and /openapi.json")


class RecruiterConfig(Section):
    seed: int = 42
    models: ModelsConfig = ModelsConfig()
    runtime: RuntimeConfig = RuntimeConfig()
    prepare: PrepareConfig = PrepareConfig()
    retrieval: RetrievalConfig = RetrievalConfig()
    train: TrainConfig = TrainConfig()
    inference: InferenceConfig = InferenceConfig()
    eval: EvalConfig = EvalConfig()
    audit: AuditConfig = AuditConfig()
    monitor: MonitorConfig = MonitorConfig()
    live: LiveConfig = LiveConfig()
    screen: ScreenConfig = ScreenConfig()
    serve: ServeConfig = ServeConfig()


# --------------------------------------------------------------------------------------------
# loading


def load(path: str | Path | None = None, overrides: Sequence[str] = ()) -> RecruiterConfig:
    """Read ``path`` (or start from defaults), apply dotted ``overrides``, validate strictly."""
    source = str(path) if path is not None else "<defaults>"
    data: dict[str, Any] = _read_yaml(Path(path)) if path is not None else {}
    for item in overrides:
        _apply_override(data, item)
    try:
        return RecruiterConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: invalid config\n" + _format_errors(exc)) from None


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(
            f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}"
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: top level must be a mapping of sections, got {type(data).__name__}"
        )
    return data


def _apply_override(data: dict[str, Any], item: str) -> None:
    key, sep, raw = item.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(f"override {item!r} must look like section.key=value (e.g. seed=7)")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    parts = key.split(".")
    model: type[BaseModel] | None = RecruiterConfig
    for i, part in enumerate(parts[:-1]):
        field = model.model_fields.get(part) if model is not None else None
        if field is None:
            break  # unknown or free-form: validation reports it with a suggestion
        model = _model_in(field.annotation)
        if model is None and typing.get_origin(field.annotation) is not dict:
            raise ConfigError(
                f"override {item!r}: {'.'.join(parts[: i + 1])} is a value, not a section"
            )
    node = data
    for i, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(
                f"override {item!r}: {'.'.join(parts[: i + 1])} is a value, not a section"
            )
        node = child
    node[parts[-1]] = value


def _format_errors(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        dotted = _dotted(loc)
        if err["type"] == "extra_forbidden":
            lines.append(f"  unknown key '{dotted}'{_suggest(loc)}")
        else:
            got = err.get("input")
            shown = "" if isinstance(got, dict) else f" (got {got!r})"
            lines.append(f"  {dotted}: {err['msg']}{shown}")
    return "\n".join(lines)


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _section_at(loc: tuple) -> type[BaseModel] | None:
    model: type[BaseModel] | None = RecruiterConfig
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        model = _model_in(field.annotation)
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, tuple):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _suggest(loc: tuple) -> str:
    parent = _section_at(loc[:-1])
    if parent is None:
        return ""
    valid = list(parent.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.5)
    prefix = _dotted(loc[:-1])
    if close:
        return f" (did you mean '{prefix + '.' if prefix else ''}{close[0]}'?)"
    return f" (valid keys{' in ' + prefix if prefix else ''}: {', '.join(valid)})"


# --------------------------------------------------------------------------------------------
# saving


def to_dict(cfg: BaseModel) -> dict[str, Any]:
    return cfg.model_dump(mode="json")


def dump(cfg: BaseModel) -> str:
    return yaml.safe_dump(to_dict(cfg), sort_keys=False, allow_unicode=True)


def config_hash(cfg: BaseModel) -> str:
    """sha256 of the canonical JSON of the resolved config (stable across key order)."""
    canonical = json.dumps(to_dict(cfg), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def save_resolved(cfg: BaseModel, run_dir: str | Path, command: str = "") -> Path:
    """Write ``config.yaml`` into ``run_dir``; line 1 names the command, like every config file."""
    header = f"# {command}\n" if command else "# resolved config\n"
    return atomic_write_text(Path(run_dir) / "config.yaml", header + dump(cfg))
