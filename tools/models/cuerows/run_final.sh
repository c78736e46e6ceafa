#!/bin/bash
# Last queue (replaces run_next/run_last tails): waits for the running sweep, then the rest of the lab's lr range
# (1e-4, 1e-1) for the row-trained TTT, the baseline (plain tags) seed 0 with row-trained and LoRA-only TTT, its
# diagnostics. Starts nothing after 22:25 UTC.
cd "$(dirname "$0")"
export OMP_NUM_THREADS=1
P=/usr/bin/python3
while pgrep -f "sweep.py --model .data/mix-s2 " > /dev/null; do sleep 15; done
LRX="--seeds 0,1,2 --augs none,flip,perm --lrs 1e-4,1e-1 --epochs 2 --unk-row"
MAIN="--seeds 0,1,2 --augs none,flip,perm --lrs 1e-3,1e-2,3e-2 --epochs 2"
ok() { [ "$(date -u +%H%M)" -lt 2225 ]; }
for N in mix-s0 mix-s2; do
  ok && [ ! -f logs/sweep-$N-row-lrx.jsonl ] && nice -n 19 $P sweep.py --model .data/$N --out logs/sweep-$N-row-lrx.jsonl $LRX
done
ok && [ ! -f .data/base-s0/model.safetensors ] && nice -n 19 $P pretrain.py --out .data/base-s0 --log logs/pretrain-base-s0.jsonl --seed 0 --steps 1000 --eval-every 250 --mix 0
ok && [ ! -f logs/sweep-base-s0-row.jsonl ] && nice -n 19 $P sweep.py --model .data/base-s0 --out logs/sweep-base-s0-row.jsonl $MAIN --unk-row
ok && [ ! -d .data/base-s0-keep ] && nice -n 19 $P variant.py .data/base-s0 .data/base-s0-keep keep
ok && nice -n 19 $P diag.py .data/base-s0 .data/base-s0-keep --out logs/diag.jsonl
ok && [ ! -f logs/sweep-mix-s1-row-lrx.jsonl ] && nice -n 19 $P sweep.py --model .data/mix-s1 --out logs/sweep-mix-s1-row-lrx.jsonl $LRX
ok && [ ! -f logs/sweep-base-s0.jsonl ] && nice -n 19 $P sweep.py --model .data/base-s0 --out logs/sweep-base-s0.jsonl $MAIN
echo "queue done $(date -u)"
