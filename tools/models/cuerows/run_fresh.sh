#!/bin/bash
# Issue 23, session 8: fresh pretraining seeds for reporting (nobody chose settings on them): the mix recipe
# (1 500 steps, the 32-token vocabulary of that time) and the 300-step writer stage, as run_seeds.sh and run_writer.sh made
# seeds 3-5. One thread.
# usage: ./run_fresh.sh SEED
cd "$(dirname "$0")"
export OMP_NUM_THREADS=1
P="nice -n 19 /usr/bin/python3"
S=$1
[ -d .data/mix1500-s$S ] || $P pretrain.py --out .data/mix1500-s$S --log logs/pretrain-mix1500-s$S.jsonl --seed $S --steps 1500 --eval-every 250 --mix 0.5 --vocab 32
[ -d .data/mix1500w-s$S ] || $P pretrain.py --init .data/mix1500-s$S --out .data/mix1500w-s$S --log logs/pretrain-mix1500w-s$S.jsonl --seed $S --steps 300 --warmup 30 --lr 1e-3 --eval-every 100 --mix 0.5 --writer 0.3
echo "seed $S done $(date -u)"
