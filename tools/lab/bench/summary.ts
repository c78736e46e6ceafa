// The readable summary `npm run bench` prints without --json (both runners).
import type { BenchReport, KernelProfile } from '../../../src/bench/types.ts';

const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toPrecision(3)} %`);

/** Kernel time against wall time per decode step, and the kernels that take most of it. */
function profileLines(p: KernelProfile | null, indent: string): string[] {
  if (!p) return [];
  return [
    `${indent}GPU time per step: ${p.kernelMsPerStep} of ${p.wallMsPerStep} ms in kernels (busy ${pct(p.busyFraction)}); the rest is dispatch and read-back`,
    ...p.kernels.slice(0, 5).map((k) => `${indent}  ${k.label.padEnd(40)} ×${String(k.dispatchesPerStep).padEnd(4)} ${String(k.msPerStep).padStart(8)} ms  ${pct(k.share)}`),
  ];
}

function innerLines(r: BenchReport): string[] {
  return (r.inner ?? []).flatMap((x) => {
    const w = x.workload;
    return [
      `inner loops (${x.track}): a rollout = ${w.stepsPerRollout} steps over sequences of ${w.seqLens.join(', ')} tokens (batch ${w.batchSize}, r ${w.loraRank}), ` +
        `then ${w.prompts} answers of ${w.newTokens} tokens after ${w.promptTokens}; ${w.rollouts} rollouts per row`,
      ...x.rows.map((row) => `  S = ${String(row.slots).padEnd(3)}${row.intermediates === 'recomputed' ? ' recomputed' : ''} ${String(row.rolloutsPerSecond).padStart(8)} rollouts/s  ×${String(row.ratio ?? '—').padEnd(6)}` +
        ` GPU busy ${pct(row.busyFraction)}, adapters ${mb(row.loraBytes)}, workspace ${mb(row.workspaceBytes)}`),
    ];
  });
}

function shapeLines(r: BenchReport): string[] {
  const s = r.shape;
  if (!s) return [];
  const cuts = Object.entries(s.cuts).map(([k, c]) => `${k} ${String(c.used)} (real ${String(c.real)})`).join(', ');
  const lines = [
    `shape ${s.name} (${s.quant}, random weights): ${s.model.layers} layers × ${s.model.hidden}, vocab ${s.model.vocab}, ${s.model.params} params, ` +
      `weights ${mb(s.model.weightBytes)}, read per token ${mb(s.weightBytesPerToken)}; built in ${s.buildSeconds} s`,
    `  cuts: ${cuts || 'none (the real shape)'}`,
    `  kernels: ${s.kernels}; ` + (s.kernelCheck
      ? `the other class on the same model: logits ${s.kernelCheck.forwardRel} (forward), ${s.kernelCheck.decodeRel} (decode step), LoRA gradient ${s.kernelCheck.gradientRel}, relative`
      : 'the other class not checked (kernelCheck: false)'),
    `  copy bandwidth: ${s.bandwidth.copyKernelGBps} GB/s kernel, ${s.bandwidth.copyBufferGBps} GB/s queue copy` +
      (s.bandwidth.specGBps ? `; spec ${s.bandwidth.specGBps} GB/s (${s.bandwidth.specSource})` : ''),
    `  one dispatch: ${s.dispatchOverhead.recordUs} µs to record, ${s.dispatchOverhead.totalUs} µs through to a read`,
    `  prefill ${s.prefill.tokens} tokens: ${s.prefill.tokPerS} tok/s (peak ${mb(s.prefill.peakBytes)}, estimate ${mb(s.prefill.estimatedBytes)})`,
  ];
  for (const d of s.decode) {
    lines.push(`  decode batch ${String(d.batch).padStart(2)}: ${String(d.tokPerS).padStart(8)} tok/s, ${d.msPerStep} ms/step, ${d.dispatchesPerStep} dispatches/step, ` +
      `${pct(d.fractionOfCeiling)} of the ${d.ceilingTokPerS} tok/s measured-bandwidth ceiling (spec: ${pct(d.fractionOfSpecCeiling)}), peak ${mb(d.peakBytes)}`);
    lines.push(...profileLines(d.profile, '    '));
  }
  for (const t of s.train) {
    lines.push(`  LoRA ${t.setting.padEnd(8)} T=${String(t.tokens).padEnd(5)} ${String(t.tokPerS).padStart(8)} tok/s (${t.stepSeconds} s/step), peak ${mb(t.peakBytes)} (estimate ${mb(t.estimatedBytes)})`);
  }
  return lines;
}

function peerLines(r: BenchReport): string[] {
  const p = r.peer;
  if (!p) return [];
  const lines = [`peer: ${p.peer} ${p.version}, ${p.executionProvider} (${p.executionProviderNote}); same page, ${p.adapter}`];
  for (const x of p.rows) {
    lines.push(`  ${x.model} (${x.note}): prefill ours ${x.ours.prefillTokPerS} / ORT ${x.ort.prefillTokPerS} tok/s → ×${x.prefillRatio}; ` +
      `decode ours ${x.ours.decodeTokPerS} / ORT ${x.ort.decodeTokPerS} tok/s → ×${x.decodeRatio}; ` +
      `logits max |Δ| ${x.logitsMaxAbsDiff} (max |logit| ${x.logitsMaxAbs}), tokens ${x.sameTokens ? 'identical' : 'DIFFER'}`);
  }
  return lines;
}

export function summary(r: BenchReport): string {
  const a = r.adapter;
  const lines = [`adapter: ${a.vendor} / ${a.architecture}${a.description ? ` (${a.description})` : ''}${r.runtime ? `; runtime ${r.runtime.kind}: ${r.runtime.detail}` : ''}`];
  if (r.matmul.length) lines.push('matmul (C = A·Bᵀ):');
  for (const m of r.matmul) {
    lines.push(`  ${m.case.padEnd(28)} ${`${m.M}×${m.N}×${m.K}`.padEnd(16)} ${String(m.gflops).padStart(8)} GFLOP/s` +
      (m.ratio ? `   plain kernel ${m.baselineGflops} → ×${m.ratio}` : ''));
  }
  for (const c of r.cpuBaseline.results) lines.push(`  CPU JS ${c.n}³: ${c.gflops} GFLOP/s, GPU ×${c.ratio}`);
  const m = r.model;
  if (m) {
    lines.push(`model: ${m.path} (${m.arch}, ${m.layers} layers, hidden ${m.hidden}, ${m.params} params, ${m.dtype})`);
    for (const k of ['prefill', 'decode', 'train'] as const) {
      const x = r[k];
      if (x) lines.push(`  ${k.padEnd(8)} ${String(x.tokPerS).padStart(9)} tok/s   plain GEMM ${x.baselineTokPerS} → ×${x.ratio}`);
    }
    lines.push(...profileLines(r.decode?.profile ?? null, '    '));
  }
  const q = r.quantization;
  if (q && 'formats' in q) {
    lines.push('quantization (same model; ratios to the first row):');
    lines.push(`  ${'format'.padEnd(6)} ${'weights'.padStart(12)} ${'read/token'.padStart(12)} ${'prefill'.padStart(9)} ${'decode'.padStart(9)} ${'train'.padStart(9)} tok/s   logits rel`);
    for (const f of q.formats) {
      lines.push(`  ${f.format.padEnd(6)} ${String(f.weightBytes).padStart(12)} ${String(f.weightBytesPerToken).padStart(12)} ${String(f.prefillTokPerS).padStart(9)} ` +
        `${String(f.decodeTokPerS).padStart(9)} ${String(f.trainTokPerS).padStart(9)}         ${f.logitsRel}` +
        `   (bytes ×${f.perTokenRatio}, decode ×${f.decodeRatio})`);
    }
  } else if (q) lines.push(`quantization: ${q.note}`);
  const g = r.guards;
  if (g) {
    lines.push(`guards: LoRA training ${g.trainTokPerS} tok/s with the non-finite check, ${g.trainTokPerSWithoutGuard} without (cost ${g.trainCostPct} %); ` +
      `load-time NaN/Inf count over ${g.loadCheckElements} weights ${g.loadCheckSeconds} s`);
  }
  return [...lines, ...innerLines(r), ...shapeLines(r), ...peerLines(r)].join('\n');
}
