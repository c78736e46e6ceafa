#!/bin/bash
# Issue 23, next step 1 (seed robustness): the "mix" recipe with a longer schedule (1 500 steps, so the late phase
# transition of seed 1 has room to settle) on FRESH pretraining seeds 3, 4, 5 — fixed before any of them was run —
# then the full 15-configuration "+ row" sweep on the gate's tasks (4242) and the gate; seed 1 at 1 500 steps last,
# to test the phase-transition explanation of its failure. Sequential, one thread.
cd "$(dirname "$0")"
export OMP_NUM_THREADS=1
P="nice -n 19 /usr/bin/python3"
GRID="--seeds 0,1,2 --augs none,flip,perm --lrs 1e-4,1e-3,1e-2,3e-2,1e-1 --epochs 2 --unk-row"
for S in 3 4 5 1; do
  N=mix1500-s$S
  [ -d .data/$N ] || $P pretrain.py --out .data/$N --log logs/pretrain-$N.jsonl --seed $S --steps 1500 --eval-every 250 --mix 0.5
  [ -f logs/sweep-$N-row.jsonl ] || $P sweep.py --model .data/$N --out logs/sweep-$N-row.jsonl $GRID
  /usr/bin/python3 gate.py logs/sweep-$N-row.jsonl --out logs/gate.jsonl
done
echo "queue done $(date -u)"
