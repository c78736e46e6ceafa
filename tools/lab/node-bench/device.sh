#!/bin/sh
# The benchmark on the lent GPU machine, in one call (tools/lab/node-bench/README.md): unpacks Node and Dawn from .gpu/
# (made here by pack.sh) into /tmp/seal-gpu, puts the Vulkan loader beside them when the machine has none (never
# over the system's), points the loader at the NVIDIA driver, and runs three benchmarks, each under its own
# timeout so one failure leaves the others: the Llama-3.2-1B-shaped model in bf16 (first: the reason for the call),
# the tiny model's GEMM and model rows, the shaped model in q4, and SEAL's inner loops one at a time and side by side
# on each track's embedded model (inner_workloads.json). Writes to $1 (default $OUT): device.log and
# bench-1b-bf16.json, bench-tiny.json, bench-1b-q4.json, bench-inner.json. Exit 0 even when a run failed: the log
# says which. SEAL_SHAPE_CUTS / SEAL_TINY_ARGS / SEAL_INNER_ARGS (empty on the device) shrink the runs for a
# rehearsal on SwiftShader.
set -u
OUT=${1:-${OUT:?usage: device.sh OUTDIR}}
mkdir -p "$OUT"
LOG=$OUT/device.log
G=/tmp/seal-gpu
rm -rf $G
mkdir -p $G/node_modules/webgpu/dist/linux-x64 $G/vk
gzip -dc .gpu/node.gz > $G/node && chmod +x $G/node
gzip -dc .gpu/dawn.node.gz > $G/node_modules/webgpu/dist/linux-x64/dawn.node
cp .gpu/bench.mjs $G/ && cp .gpu/node_modules/webgpu/index.js .gpu/node_modules/webgpu/package.json $G/node_modules/webgpu/
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
  dpkg -x .gpu/libvulkan1_*.deb $G/vk
  export LD_LIBRARY_PATH="$G/vk/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
NV=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f $NV ]; then
  export VK_DRIVER_FILES=$NV VK_ICD_FILENAMES=$NV
  [ "$(id -u)" = 0 ] && ldconfig # the driver's libraries, mounted in, into the cache
fi
{
  echo "== $(date -u +%FT%TZ) $(uname -m) node $($G/node --version)"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 || echo "no nvidia-smi"
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-} LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
} > "$LOG"
run() { # name seconds args...
  name=$1; limit=$2; shift 2
  t0=$(date +%s)
  echo "== $name: node bench.mjs $*" >> "$LOG"
  timeout "$limit" $G/node $G/bench.mjs "$@" --out "$OUT/$name.json" >> "$LOG" 2>&1
  echo "== $name: exit $? after $(( $(date +%s) - t0 )) s" >> "$LOG"
}
# shellcheck disable=SC2086 # the cut lists are meant to split into flags
run bench-1b-bf16 210 --model none --sizes none --shape llama-3.2-1b --quant bf16 ${SEAL_SHAPE_CUTS:-}
# shellcheck disable=SC2086
run bench-tiny 90 ${SEAL_TINY_ARGS:---sizes 256,1024,2048}
# shellcheck disable=SC2086
run bench-1b-q4 150 --model none --sizes none --shape llama-3.2-1b --quant q4 ${SEAL_SHAPE_CUTS:-}
# shellcheck disable=SC2086
run bench-inner 120 --model none --sizes none --sections inner --inner-workloads tools/lab/node-bench/inner_workloads.json ${SEAL_INNER_ARGS:-}
cat "$LOG"
