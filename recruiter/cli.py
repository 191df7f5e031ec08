"""The `recruiter` command. Each command only parses its arguments and calls library code.

User errors (:class:`~recruiter.errors.RecruiterError`) print one clear message and exit with the
error's code (2 for bad input or config, 3 for model failures). Unexpected exceptions never show
a traceback: it is written to ``$RECRUITER_HOME/logs`` and the user gets its path, exit code 1.
"""

from __future__ import annotations

import functools
import os
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

from . import __version__
from . import config as config_mod
from .errors import RecruiterError
from .storage import atomic_write_text, home

app = typer.Typer(
    name="recruiter",
    help="Self-hosted AI recruiter: prepare data, retrieve, fine-tune, screen and audit. "
    "Decisions are advisory and logged for human review.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Show or check configuration files.", no_args_is_help=True)
models_app = typer.Typer(help="Embedded and cached models.", no_args_is_help=True)
prepare_app = typer.Typer(
    help="Raw hiring exports -> clean, PII-masked, de-duplicated, leak-free 70/15/15 splits. "
    "`recruiter prepare synth` writes the embedded synthetic corpus."
)
app.add_typer(config_app, name="config")
app.add_typer(models_app, name="models")
train_app = typer.Typer(
    help="LoRA / QLoRA fine-tuning on prepared splits (`recruiter train`), then `evaluate` "
    "and `merge`."
)
app.add_typer(prepare_app, name="prepare")
app.add_typer(train_app, name="train")
eval_app = typer.Typer(
    help="How good, fair and robust the recruiter is: `recruiter eval` (decisions), `eval "
    "fairness`, `eval robustness`, `eval report RUN_DIR`."
)
app.add_typer(eval_app, name="eval")
retrieval_app = typer.Typer(
    help="The two-tower retriever: train, index a pool, shortlist.", no_args_is_help=True
)
app.add_typer(retrieval_app, name="retrieval")
audit_app = typer.Typer(help="The decision audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

out = Console(soft_wrap=True)  # printed paths and JSON are read by programs: never wrapped
err = Console(stderr=True, soft_wrap=True)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="YAML config; defaults when omitted.")
]
OverrideOpt = Annotated[
    list[str] | None,
    typer.Option("--override", "-o", help="Dotted override, repeatable: -o train.lora.r=32"),
]


def handles_errors(func):
    """Turn library errors into a message + exit code, and hide tracebacks from the user."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except RecruiterError as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug: keep the traceback for us, a short line for the user
            log = home() / "logs" / f"crash-{datetime.now(UTC):%Y%m%d-%H%M%S}-{os.getpid()}.log"
            try:
                atomic_write_text(log, traceback.format_exc())
                where = f" (traceback in {log})"
            except OSError:
                where = ""
            err.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {exc}{where}", highlight=False
            )
            raise typer.Exit(1) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        out.print(f"recruiter {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Self-hosted AI recruiter."""


# ------------------------------------------------------------------------------------ config


@config_app.command("show")
@handles_errors
def config_show(
    file: Annotated[Path | None, typer.Argument(help="YAML config (same as --config).")] = None,
    config: ConfigOpt = None,
    override: OverrideOpt = None,
) -> None:
    """Print the resolved config (file + overrides + defaults) as YAML."""
    if file and config and file != config:
        raise config_mod.ConfigError("give the config file once: as an argument or with --config")
    cfg = config_mod.load(file or config, override or [])
    out.print(config_mod.dump(cfg), end="", highlight=False, markup=False)


@config_app.command("check")
@handles_errors
def config_check(
    files: Annotated[list[Path], typer.Argument(help="YAML files to validate.")],
) -> None:
    """Validate config files; exit 2 if any is invalid."""
    _check_each(files, config_mod.load)


def _check_each(files: list[Path], check) -> None:
    """ok/fail per file; exit 2 if any failed."""
    failed = 0
    for path in files:
        try:
            check(path)
            out.print(f"[green]ok[/]   {path}")
        except RecruiterError as exc:
            failed += 1
            err.print(f"[red]fail[/] {exc}", highlight=False)
    if failed:
        raise typer.Exit(2)


# ------------------------------------------------------------------------------------ models


@models_app.command("list")
@handles_errors
def models_list() -> None:
    """Embedded models and whether they are ready offline."""
    from .models import list_models

    table = Table("kind", "state", "description")
    table.columns.insert(0, Column("name", no_wrap=True))
    for row in list_models():
        table.add_row(row["name"], row["kind"], row["state"], row["description"])
    out.print(table)


@models_app.command("pull")
@handles_errors
def models_pull(
    name: Annotated[str, typer.Argument(help="Embedded name or Hugging Face id.")],
) -> None:
    """Make a model available offline (converts embedded ones; downloads HF ids where online)."""
    from .models import pull

    with err.status(f"preparing {name} …"):
        path = pull(name)
    out.print(str(path))


# ------------------------------------------------------------------------------------ prepare


def _command_line() -> str:
    import shlex
    import sys

    return "recruiter " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _load(
    config: Path | None, override: list[str] | None, options: dict | None = None
) -> config_mod.RecruiterConfig:
    """The config file + ``-o`` overrides + the command's own options (dotted key -> value;
    None = not given), the options last so that they win."""
    import json

    given = [
        f"{k}={json.dumps(str(v) if isinstance(v, Path) else v)}"
        for k, v in (options or {}).items()
        if v is not None
    ]
    return config_mod.load(config, [*(override or []), *given])


@prepare_app.callback(invoke_without_command=True)
@handles_errors
def prepare_cmd(
    ctx: typer.Context,
    config: ConfigOpt = None,
    override: OverrideOpt = None,
    inputs: Annotated[
        list[Path] | None,
        typer.Option(
            "--input", "-i", help="Input file or folder (repeatable); sets prepare.inputs."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Output folder; sets prepare.output.")
    ] = None,
) -> None:
    """Run every prepare stage on prepare.inputs and write the splits + manifest."""
    if ctx.invoked_subcommand:
        return
    paths = [str(p) for p in inputs] if inputs else None
    cfg = _load(config, override, {"prepare.inputs": paths, "prepare.output": output})
    from .prepare import run

    out.print(str(run(cfg, command=_command_line())))


@prepare_app.command("synth")
@handles_errors
def prepare_synth(
    config: ConfigOpt = None,
    override: OverrideOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Output folder; sets prepare.synth.output.")
    ] = None,
) -> None:
    """Write the deterministic synthetic corpus (records, jobs, candidates as JSONL)."""
    cfg = _load(config, override, {"prepare.synth.output": output})
    from .prepare.synth import run

    out.print(str(run(cfg, command=_command_line())))


# ------------------------------------------------------------------------------------ train


@train_app.callback(invoke_without_command=True)
@handles_errors
def train_cmd(
    ctx: typer.Context,
    config: ConfigOpt = None,
    override: OverrideOpt = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Prepared folder; sets train.data.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Run folder; sets train.output.")
    ] = None,
) -> None:
    """Fine-tune a LoRA adapter; writes adapter/, training.json, metrics.json, the model card."""
    if ctx.invoked_subcommand:
        return
    cfg = _load(config, override, {"train.data": data, "train.output": output})
    from .train import run

    run_dir = run(cfg, command=_command_line())
    if cfg.train.evaluate_test:
        from .eval.trained import evaluate_trained

        evaluate_trained(run_dir, cfg)
    out.print(str(run_dir))


@train_app.command("evaluate")
@handles_errors
def train_evaluate(
    run_dir: Annotated[Path, typer.Argument(help="A train run folder (or an adapter folder).")],
    config: ConfigOpt = None,
    override: OverrideOpt = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Prepared folder; default: the training data.")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Dataset name in metrics.json and the card.")
    ] = None,
) -> None:
    """Test-split decision metrics of an adapter beside TF-IDF and majority baselines."""
    from .eval.trained import evaluate_run
    from .metrics import headline

    cfg = _load(config, override)
    result = evaluate_run(run_dir, cfg, data=str(data) if data else None, name=name)
    table = Table("system", *headline(result["model"]).keys())
    for label, key in (
        ("model", "model"),
        ("TF-IDF + LR", "tfidf_logreg"),
        ("majority", "majority"),
    ):
        table.add_row(label, *(str(v) for v in headline(result[key]).values()))
    out.print(table)


@train_app.command("merge")
@handles_errors
def train_merge(
    adapter: Annotated[Path, typer.Argument(help="Adapter folder (a run's adapter/).")],
    output: Annotated[Path, typer.Option("--output", help="Folder for the merged model.")],
    dtype: Annotated[str, typer.Option("--dtype", help="bf16 | fp32")] = "bf16",
    overwrite: Annotated[bool, typer.Option("--overwrite")] = False,
) -> None:
    """Merge an adapter into its base model and save one plain HF folder."""
    from .train.merge import merge

    out.print(str(merge(adapter, output, dtype=dtype, overwrite=overwrite)))


# ------------------------------------------------------------------------------------ live


@app.command("live")
@handles_errors
def live_cmd(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(help="Candidate JSON/JSONL files, folders, or - for stdin."),
    ] = None,
    config: ConfigOpt = None,
    override: OverrideOpt = None,
    job: Annotated[
        Path | None, typer.Option("--job", help="Job JSON filling role/job_description.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write JSONL here instead of stdout.")
    ] = None,
) -> None:
    """Decide candidates now (what run_live.py runs). Exit 0 ok, 2 bad input, 3 model failure."""
    options = {"live.inputs": list(inputs or []), "live.job": job, "live.output": output}
    cfg = _load(config, override, options)
    from .inference.live import run

    raise typer.Exit(run(cfg))


# ------------------------------------------------------------------------------------ retrieval


@retrieval_app.command("train")
@handles_errors
def retrieval_train(
    config: ConfigOpt = None,
    override: OverrideOpt = None,
    data: Annotated[Path | None, typer.Option("--data", help="Prepared folder.")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="Run folder.")] = None,
) -> None:
    """Train phase 1 + 2 on prepared splits, evaluate on test beside BM25/TF-IDF/frozen encoder."""
    cfg = _load(config, override, {"retrieval.data": data, "retrieval.output": output})
    from .retrieval import run

    out.print(str(run(cfg, command=_command_line())))


@retrieval_app.command("eval")
@handles_errors
def retrieval_eval(
    model: Annotated[
        Path | None, typer.Argument(help="Retriever folder (a run's model/); default: shipped.")
    ] = None,
    config: ConfigOpt = None,
    override: OverrideOpt = None,
    data: Annotated[Path | None, typer.Option("--data", help="Prepared folder.")] = None,
    split: Annotated[str, typer.Option("--split")] = "test",
    output: Annotated[Path | None, typer.Option("--output", help="Report folder.")] = None,
) -> None:
    """Ranking metrics (with CIs, beside BM25/TF-IDF/frozen encoder) of a trained retriever."""
    from .retrieval.pipeline import evaluate
    from .retrieval.retriever import shipped_retriever_dir

    cfg = _load(config, override, {"retrieval.data": data, "retrieval.output": output})
    out.print(str(evaluate(cfg, model or shipped_retriever_dir(), split, command=_command_line())))


@retrieval_app.command("index")
@handles_errors
def retrieval_index(
    output: Annotated[Path, typer.Option("--output", help="Index folder to create.")],
    pool: Annotated[
        Path | None, typer.Option("--pool", help="Candidates: JSONL file or folder.")
    ] = None,
    jobs: Annotated[
        Path | None, typer.Option("--jobs", help="Jobs (JSONL/folder): a candidate -> jobs index.")
    ] = None,
    config: ConfigOpt = None,
    override: OverrideOpt = None,
) -> None:
    """Encode a candidate pool (or, with --jobs, job ads) with the retriever's tower into a
    persisted FAISS index; `shortlist --pool INDEX` / `shortlist --candidate C --jobs INDEX`."""
    from .errors import InputError
    from .retrieval.pool import index_jobs, index_pool

    if (pool is None) == (jobs is None):
        raise InputError("give one of --pool (candidates) or --jobs (job ads)")
    cfg = _load(config, override)
    out.print(index_pool(cfg, pool, output) if pool else index_jobs(cfg, jobs, output))


@retrieval_app.command("shortlist")
@handles_errors
def retrieval_shortlist(
    config: ConfigOpt = None,
    override: OverrideOpt = None,
    job: Annotated[
        Path | None, typer.Option("--job", help="Job JSON: rank candidates for it.")
    ] = None,
    pool: Annotated[
        Path | None, typer.Option("--pool", help="Candidates (JSONL/folder) or an index folder.")
    ] = None,
    candidate: Annotated[
        Path | None, typer.Option("--candidate", help="Candidate JSON: rank jobs for it.")
    ] = None,
    jobs: Annotated[
        Path | None,
        typer.Option("--jobs", help="Jobs (JSONL/folder) or a job index, with --candidate."),
    ] = None,
    top_k: Annotated[int, typer.Option("--top-k")] = 20,
) -> None:
    """Filter -> nearest neighbours -> re-score, with score breakdowns (JSON on stdout)."""
    import json

    from .retrieval.pool import shortlist

    result = shortlist(_load(config, override), job, pool, candidate, jobs, top_k)
    out.print(json.dumps(result, indent=2, ensure_ascii=False), markup=False, highlight=False)


# ------------------------------------------------------------------------------------ eval


def _eval(ctx_parts, config, override, data, split, output, inputs=None):
    options = {"eval.data": data, "eval.split": split or None, "eval.output": output}
    cfg = _load(config, override, options)
    from .eval import run

    if inputs:
        cfg = _prepare_whole(cfg, inputs)

    folder = run(cfg, ctx_parts, command=_command_line())
    out.print((folder / "report.md").read_text(), markup=False, highlight=False)
    out.print(str(folder))


def _prepare_whole(cfg, inputs: list[Path]):
    """``eval --input``: prepare the files whole (no train/validation split) into a folder
    beside the eval run and evaluate every record; the baselines train on eval.baseline_data
    (default: the eval.data given, e.g. the synthetic corpus)."""
    from .config import SplitConfig
    from .errors import InputError
    from .prepare import run as prepare_run
    from .storage import new_run_dir

    if cfg.eval.data == cfg.eval.baseline_data:
        raise InputError("eval.baseline_data must differ from the prepared input")
    whole = new_run_dir("prepare", "eval-input")
    p = cfg.prepare.model_copy(
        update={
            "inputs": [str(i) for i in inputs],
            "output": str(whole),
            "split": SplitConfig(train=0.0, validation=0.0, test=1.0),
        }
    )
    folder = prepare_run(cfg.model_copy(update={"prepare": p}), command=_command_line())
    e = cfg.eval.model_copy(
        update={
            "baseline_data": cfg.eval.baseline_data or cfg.eval.data,
            "data": str(folder),
            "split": "test",
        }
    )
    err.print(f"prepared {', '.join(map(str, inputs))} whole -> {folder}", highlight=False)
    return cfg.model_copy(update={"eval": e})


DataOpt = Annotated[Path | None, typer.Option("--data", help="Prepared folder; sets eval.data.")]
SplitOpt = Annotated[str | None, typer.Option("--split", help="train | validation | test")]
OutOpt = Annotated[Path | None, typer.Option("--output", help="Run folder; sets eval.output.")]


@eval_app.callback(invoke_without_command=True)
@handles_errors
def eval_cmd(
    ctx: typer.Context,
    config: ConfigOpt = None,
    override: OverrideOpt = None,
    data: DataOpt = None,
    split: SplitOpt = None,
    output: OutOpt = None,
    all_parts: Annotated[
        bool, typer.Option("--all", help="Decisions, fairness and robustness.")
    ] = False,
    inputs: Annotated[
        list[Path] | None,
        typer.Option(
            "--input",
            "-i",
            help="Raw export(s) to prepare whole and evaluate record by record (presets and "
            "column overrides as `recruiter prepare`); baselines train on --data's train split.",
        ),
    ] = None,
) -> None:
    """Decision quality on a prepared split beside majority, TF-IDF and retriever baselines."""
    if ctx.invoked_subcommand:
        return
    parts = ("decisions", "fairness", "robustness") if all_parts else ("decisions",)
    _eval(parts, config, override, data, split, output, inputs)


def _eval_part(name: str, parts: tuple[str, ...], summary: str) -> None:
    """Register `recruiter eval NAME` for ``parts``: one definition of the shared options."""

    @handles_errors
    def command(
        config: ConfigOpt = None,
        override: OverrideOpt = None,
        data: DataOpt = None,
        split: SplitOpt = None,
        output: OutOpt = None,
    ) -> None:
        _eval(parts, config, override, data, split, output)

    command.__doc__ = summary
    command.__name__ = f"eval_{name.replace('-', '_')}"
    eval_app.command(name)(command)


for _name, _parts, _summary in (
    ("fairness", ("fairness",), "Counterfactual name/gender/age swaps: flip rates, McNemar, LL144 impact ratios."),
    ("robustness", ("robustness",), "Prompt injection in resumes, determinism, fuzzed inputs."),
    ("evidence", ("evidence",), "Evidence sheet: coverage per field on any data, accuracy on the synthetic corpus."),
    ("bias-audit", ("bias_audit",), "LL144-style selection rates and impact ratios per category and intersection, historical beside the model."),
    ("job-swap", ("job_swap",), "Selected candidates with their own and a swapped job: does the model read the job?"),
    ("interview-flip", ("interview_flip",), "Synthetic records with interview answers flipped concrete/vague: does the decision move?"),
):  # fmt: skip
    _eval_part(_name, _parts, _summary)


@eval_app.command("report")
@handles_errors
def eval_report(run_dir: Annotated[Path, typer.Argument(help="An eval run folder.")]) -> None:
    """Re-render report.md and the plots of an eval run from its eval.json."""
    from .errors import InputError
    from .eval.report import render

    if not (run_dir / "eval.json").is_file():
        raise InputError(f"{run_dir}: no eval.json")
    out.print(str(render(run_dir)))


# ------------------------------------------------------------------------------------ screen


@app.command("screen")
@handles_errors
def screen_cmd(
    config: ConfigOpt = None,
    override: OverrideOpt = None,
    job: Annotated[Path | None, typer.Option("--job", help="Job JSON.")] = None,
    pool: Annotated[
        Path | None, typer.Option("--pool", help="Candidates: JSONL file or folder of JSON.")
    ] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", help="Rows in the report.")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="Report folder.")] = None,
) -> None:
    """Hard filters -> shortlist -> LLM decisions -> ranked report (JSON, Markdown, PNG)."""
    options = {
        "screen.job": job,
        "screen.pool": pool,
        "screen.top_k": top_k,
        "screen.output": output,
    }
    cfg = _load(config, override, options)
    from .inference.screen import run, summary

    folder = run(cfg, command=_command_line())
    out.print(summary(folder), markup=False, highlight=False)
    out.print(str(folder))


# ------------------------------------------------------------------------------------ serve


@app.command("serve")
@handles_errors
def serve_cmd(
    config: ConfigOpt = None,
    override: OverrideOpt = None,
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
) -> None:
    """OpenAI-compatible HTTP server: /v1/models, /v1/chat/completions, /v1/screen, /metrics."""
    cfg = _load(config, override, {"serve.host": host, "serve.port": port})
    from .inference.server import run

    run(cfg)


# ------------------------------------------------------------------------------------ audit


@audit_app.command("export")
@handles_errors
def audit_export(
    output: Annotated[Path, typer.Argument(help="File to write (.jsonl or .csv).")],
    config: ConfigOpt = None,
    override: OverrideOpt = None,
    since: Annotated[str | None, typer.Option("--since", help="ISO time, e.g. 2026-12-01")] = None,
    limit: Annotated[int | None, typer.Option("--limit")] = None,
) -> None:
    """Export audit rows (no raw text or PII is stored in them)."""
    from .inference.audit import AuditLog, export

    rows = AuditLog(_load(config, override).audit.url).rows(limit=limit, since=since)
    export(rows, output)
    out.print(f"{len(rows)} rows -> {output}")


@audit_app.command("verify")
@handles_errors
def audit_verify(config: ConfigOpt = None, override: OverrideOpt = None) -> None:
    """Check the log's hash chains; exit 4 naming the first row that was changed, deleted or
    moved. Prints the head hashes: keep them elsewhere to hold the log's owner to it."""
    import json as _json

    from .inference.audit import AuditLog

    result = AuditLog(_load(config, override).audit.url).verify()
    out.print(_json.dumps(result, indent=2), markup=False, highlight=False)
    if not result["ok"]:
        b = result["broken"]
        err.print(f"[red]audit log broken[/] at {b['table']} row {b['id']}: {b['reason']}")
        raise typer.Exit(4)


@audit_app.command("review")
@handles_errors
def audit_review(
    request_id: Annotated[str, typer.Argument(help="The decision's request_id.")],
    verdict: Annotated[str, typer.Option("--verdict", help="agree | override")],
    by: Annotated[str, typer.Option("--by", help="Who reviewed it.")],
    status: Annotated[
        str | None, typer.Option("--status", help="The final status (override: required).")
    ] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    config: ConfigOpt = None,
    override: OverrideOpt = None,
) -> None:
    """Record a human reviewer's verdict on a logged decision (chained into the log)."""
    from .inference.audit import AuditLog

    row = AuditLog(_load(config, override).audit.url).review(request_id, verdict, by, status, note)
    out.print(
        f"review of {request_id}: {row['verdict']} -> {row['final_status']} by {row['reviewer']}"
    )


@app.command("monitor")
@handles_errors
def monitor_cmd(config: ConfigOpt = None, override: OverrideOpt = None) -> None:
    """Drift and outcome monitoring over the audit log, per time window, against a reference
    (an eval run, or the log's first decisions); exit 5 when a threshold is crossed."""
    from .eval.monitor import alerts_of, run

    cfg = _load(config, override)
    run_dir, code = run(cfg)
    import json as _json

    result = _json.loads((run_dir / "report.json").read_text())
    for line in alerts_of(result):
        err.print(f"[yellow]alert[/] {line}", highlight=False)
    out.print(str(run_dir / "report.md"), markup=False, highlight=False)
    if code:
        raise typer.Exit(code)


# ------------------------------------------------------------------------------------ validate


@app.command("validate")
@handles_errors
def validate_cmd(
    files: Annotated[list[Path], typer.Argument(help="JSON files to check.")],
    schema: Annotated[
        str, typer.Option("--schema", "-s", help="candidate | job | decision")
    ] = "candidate",
) -> None:
    """Check JSON files against a schema; every problem is printed with its JSON path."""
    from .errors import InputError
    from .schemas import SCHEMA_NAMES, load_and_validate

    if schema not in SCHEMA_NAMES:
        raise InputError(f"--schema must be one of {', '.join(SCHEMA_NAMES)}, not {schema!r}")
    _check_each(files, lambda path: load_and_validate(path, schema))


if __name__ == "__main__":  # pragma: no cover
    app()
