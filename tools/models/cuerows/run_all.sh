#!/bin/bash
# Sequential queue (one PyTorch job at a time, nice 19, one thread): pretrain, then sweep, per seed.
cd "$(dirname "$0")"
export OMP_NUM_THREADS=1
P=/usr/bin/python3
RECIPE=${RECIPE:-mix}; MIX=${MIX:-0.5}; STEPS=${STEPS:-1000}
for S in ${SEEDS:-0 1 2}; do
  N=$RECIPE-s$S
  [ -f .data/$N/model.safetensors ] || nice -n 19 $P pretrain.py --out .data/$N --log logs/pretrain-$N.jsonl --seed $S --steps $STEPS --eval-every 250 --mix $MIX
  [ -f logs/sweep-$N.jsonl ] || nice -n 19 $P sweep.py --model .data/$N --out logs/sweep-$N.jsonl $SWEEP_ARGS
done
