#!/bin/bash
# Issue 23, the self-edit writer: a 300-step writer stage on each gated "mix" checkpoint (30 % of the sequences show a
# uniformly random JSON self-edit after a task's demonstrations, writer.py; the rest is the mix recipe's tasks; lr 1e-3,
# cosine), then the Table 1 protocol with the model as the writer (table1.py, with the oracle sweep). The stage's
# settings were chosen on seed 3 (by the writer's parse rate; writing from scratch, 15 % of 1 500 steps, delayed the
# phase transition past the end: logs/pretrain-wr1500-s3-stopped.jsonl); seeds 4 and 5 report. Sequential, one thread.
cd "$(dirname "$0")"
export OMP_NUM_THREADS=1
P="nice -n 19 /usr/bin/python3"
for S in ${SEEDS:-3 4 5}; do
  N=mix1500w-s$S
  [ -d .data/$N ] || $P pretrain.py --init .data/mix1500-s$S --out .data/$N --log logs/pretrain-$N.jsonl --seed $S --steps 300 --warmup 30 --lr 1e-3 --eval-every 100 --mix 0.5 --writer 0.3
  [ -f logs/table1-$N.json ] || $P table1.py --model .data/$N --out logs/table1-$N.json --oracle > logs/table1-$N.out 2>&1
done
echo "queue done $(date -u)"
