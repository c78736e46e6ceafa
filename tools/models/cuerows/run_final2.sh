#!/bin/bash
# Replaces the tail of run_final.sh: waits for the baseline pretraining, then its row-trained TTT sweep and diagnostics,
# a confirmation of the passing recipe on FRESH held-out tasks (task seed 5151, never looked at before), then the
# remaining sweeps. Starts nothing after 22:25 UTC.
cd "$(dirname "$0")"
export OMP_NUM_THREADS=1
P=/usr/bin/python3
while pgrep -f "pretrain.py --out .data/base-s0" > /dev/null; do sleep 15; done
LRX="--seeds 0,1,2 --augs none,flip,perm --lrs 1e-4,1e-1 --epochs 2 --unk-row"
MAIN="--seeds 0,1,2 --augs none,flip,perm --lrs 1e-3,1e-2,3e-2 --epochs 2"
ok() { [ "$(date -u +%H%M)" -lt 2225 ]; }
ok && [ ! -f logs/sweep-base-s0-row.jsonl ] && nice -n 19 $P sweep.py --model .data/base-s0 --out logs/sweep-base-s0-row.jsonl $MAIN --unk-row
ok && [ ! -d .data/base-s0-keep ] && nice -n 19 $P variant.py .data/base-s0 .data/base-s0-keep keep
ok && nice -n 19 $P diag.py .data/base-s0 .data/base-s0-keep --out logs/diag.jsonl
ok && [ ! -f logs/sweep-mix-s2-row-t5151.jsonl ] && nice -n 19 $P sweep.py --model .data/mix-s2 --task-seed 5151 --out logs/sweep-mix-s2-row-t5151.jsonl --seeds 0,1,2 --augs none,flip,perm --lrs 1e-4,1e-3,1e-2,3e-2,1e-1 --epochs 2 --unk-row
ok && [ ! -f logs/sweep-mix-s1-row-lrx.jsonl ] && nice -n 19 $P sweep.py --model .data/mix-s1 --out logs/sweep-mix-s1-row-lrx.jsonl $LRX
ok && [ ! -f logs/sweep-base-s0.jsonl ] && nice -n 19 $P sweep.py --model .data/base-s0 --out logs/sweep-base-s0.jsonl $MAIN
echo "queue done $(date -u)"
