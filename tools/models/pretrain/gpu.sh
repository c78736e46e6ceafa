#!/usr/bin/env bash
# Pretraining on a CUDA machine (one GPU, PyTorch ≥ 2), the same train.py as on the CPU: model variants train side
# by side (a model this small leaves the GPU mostly idle), then each is evaluated by parallel processes: ICL and
# self-edit sampling in one, the TTT sweep (train.py SWEEP) split into shards in the others.
#
#   OUT=/tmp/out bash tools/models/pretrain/gpu.sh
#
# Needs tools/models/pretrain/.data/{corpus.json,corpus.tokens.u16,corpus.mask.u8,eval.json} (or their .gz copies) from
# export.ts. Writes OUT/<variant>.tar.gz: the model files (Hugging Face layout), train-log.jsonl, eval-*.json, *.out
# (first right after training, so a run cut short by a time limit still returns its models).
# VARIANTS: name:hidden:ffn:layers[:init model.safetensors[:lr]], space-separated; TRAIN_MINUTES per variant;
# SWEEP_SECONDS for the evaluation.
set -u
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/pretrain-out}
WORK=${WORK:-/tmp/pretrain-work}
VARIANTS=${VARIANTS:-"b:96:256:6 a:96:256:3"}
TRAIN_MINUTES=${TRAIN_MINUTES:-4.5}
SWEEP_SECONDS=${SWEEP_SECONDS:-180}
SHARDS=${SHARDS:-5}
export PYTHONUNBUFFERED=1 PRETRAIN_BATCH_TOKENS=${PRETRAIN_BATCH_TOKENS:-32768}
mkdir -p "$OUT" "$WORK"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name(0))'

variant_env() { # name:hidden:ffn:layers[:init[:lr]] → environment for train.py
  IFS=: read -r name hidden ffn layers init lr <<<"$1"
  echo "PRETRAIN_HIDDEN=$hidden PRETRAIN_FFN=$ffn PRETRAIN_LAYERS=$layers PRETRAIN_OUT=$WORK/$name" \
    ${init:+PRETRAIN_INIT=$init} ${lr:+PRETRAIN_LR=$lr}
}
start=$(date +%s)
for v in $VARIANTS; do
  name=${v%%:*}; mkdir -p "$WORK/$name"
  env $(variant_env "$v") PRETRAIN_MINUTES="$TRAIN_MINUTES" PRETRAIN_LOG="$WORK/$name/train-log.jsonl" PRETRAIN_EVAL=none \
    PRETRAIN_RESULTS=/dev/null timeout $(( ${TRAIN_MINUTES%.*} * 60 + 150 )) python3 tools/models/pretrain/train.py >"$WORK/$name/train.out" 2>&1 &
done
wait
echo "trained in $(( $(date +%s) - start )) s"; tail -n 2 "$WORK"/*/train.out
pack() { for v in $VARIANTS; do tar -czf "$OUT/${v%%:*}.tar.gz" -C "$WORK" "${v%%:*}"; done; }
pack

deadline=$(( $(date +%s) + SWEEP_SECONDS ))
for v in $VARIANTS; do
  name=${v%%:*}
  common="$(variant_env "$v") PRETRAIN_EVAL_ONLY=1 PRETRAIN_DEADLINE=$deadline"
  env $common PRETRAIN_EVAL=icl,selfedit PRETRAIN_RESULTS="$WORK/$name/eval-icl.json" \
    timeout $(( SWEEP_SECONDS + 60 )) python3 tools/models/pretrain/train.py >"$WORK/$name/eval-icl.out" 2>&1 &
  for ((i = 0; i < SHARDS; i++)); do
    env $common PRETRAIN_EVAL=ttt PRETRAIN_TTT_SWEEP=1 PRETRAIN_SHARD="$i/$SHARDS" PRETRAIN_RESULTS="$WORK/$name/eval-ttt-$i.json" \
      timeout $(( SWEEP_SECONDS + 60 )) python3 tools/models/pretrain/train.py >"$WORK/$name/eval-ttt-$i.out" 2>&1 &
  done
done
wait
echo "evaluated; total $(( $(date +%s) - start )) s"
for v in $VARIANTS; do tail -n 3 "$WORK/${v%%:*}/eval-icl.out"; done
pack
ls -la "$OUT"
