// `npm run soak -- --rounds N [--track arc|knowledge] [--model DIR|URL]`: one run of many ReST-EM rounds, headless,
// with the smallest counts that still go through every phase, printing after each round the GPU bytes the engine
// holds and the worker's JS heap (after a garbage collection). Neither may grow: a round that leaves buffers or
// arrays behind shows here, and the exit code is 1 when the GPU bytes outside the model's workspace differ between
// rounds, or the heap grew > 20 % (it holds the run's rollout records, which grow a little by design). The
// workspace is reported apart: it grows on demand to the largest batch seen so far (a longer self-edit in a later
// round), bounded by the run's settings — a high-water mark, not a leak.
import { resolve } from 'node:path';
import { num, parseFlags, UsageError } from '../../lab/cli/args.ts';
import { ROOT, runMain } from '../../lab/cli/launch.ts';
import type { SealRunRequest } from '../../../src/seal/tracks.ts';

const USAGE = 'Usage: npm run soak -- --rounds N [--track arc|knowledge] [--model DIR|URL] [--seed S]';
const MODELS = { arc: 'public/models/seal-mini-arc', knowledge: 'public/models/seal-mini-bio' };

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) process.stdout.write(USAGE + '\n');
else {
  await runMain('soak', USAGE, async (open) => {
    const f = parseFlags(argv, { rounds: 'string', track: 'string', model: 'string', seed: 'string' });
    const rounds = num(f, 'rounds', 20, { int: true, min: 1 });
    const seed = num(f, 'seed', 0, { int: true, min: 0 });
    const track = f.track ?? 'arc';
    if (track !== 'arc' && track !== 'knowledge') throw new UsageError('--track must be arc or knowledge');
    const engine = await open();
    await engine.call('init', {});
    const model = typeof f.model === 'string' ? f.model : resolve(ROOT, MODELS[track]);
    await engine.call('load-model', { url: /^https?:/.test(model) ? model : engine.resolve(model) });
    const req: SealRunRequest = track === 'arc'
      ? { track, tasks: { source: 'mini' }, maxTrain: 1, maxEval: 1, config: { seed, rounds, selfEditsPerTrainTask: 1, selfEditsPerEvalTask: 1, methods: { icl: false, noRl: false, oracle: false } } }
      : { track, passages: { source: 'mini', seed }, maxTrain: 1, maxEval: 1, config: { seed, rounds, selfEditsPerPassage: 2, tttSeeds: 1, methods: { base: false, passage: false, own: false, reference: false } } };
    const rows: Array<{ round: number; seconds: number; gpuAllocatedBytes: number; workspaceBytes: number; jsHeapBytes: number | null }> = [];
    const t0 = Date.now();
    // Step mode: the run waits after every phase, so each round is measured at the same quiet point (the first
    // phase after its SEAL row, or the end of the run), then let go.
    let finished: number | null = null;
    let pending = Promise.resolve();
    const measure = async (round: number) => {
      const s = await engine.call('memory', {});
      const row = { round, seconds: (Date.now() - t0) / 1000, gpuAllocatedBytes: s.allocatedBytes, workspaceBytes: s.workspaceBytes, jsHeapBytes: await engine.workerHeapBytes() };
      rows.push(row);
      process.stderr.write(`round ${round}: GPU ${row.gpuAllocatedBytes} bytes (workspace ${row.workspaceBytes}), worker JS heap ${row.jsHeapBytes ?? '?'} bytes, ${row.seconds.toFixed(0)} s\n`);
    };
    await engine.call('seal-run', { ...req, stepMode: true }, (e) => {
      if (e.type !== 'seal') return;
      const ev = e.event;
      if (ev.type === 'method-result' && ev.result.method === 'seal') finished = ev.result.round;
      if (ev.type !== 'phase') return;
      const round = finished;
      finished = null;
      pending = pending.then(async () => {
        if (round !== null) await measure(round);
        await engine.call('control', { action: 'step' });
      });
    });
    await pending;
    // (the last round is measured after the run let its adapters go: a different point, reported, not compared)
    const steady = rows.slice();
    if (finished !== null) await measure(finished);
    const first = steady[0];
    const last = steady[steady.length - 1];
    const heapGrowth = first?.jsHeapBytes && last?.jsHeapBytes ? last.jsHeapBytes / first.jsHeapBytes - 1 : null;
    const outside = (r: (typeof rows)[number]) => r.gpuAllocatedBytes - r.workspaceBytes;
    const gpuBytesConstant = !!first && steady.every((r) => outside(r) === outside(first));
    const ok = gpuBytesConstant && (heapGrowth === null || heapGrowth < 0.2);
    const workspaceGrowth = first ? last.workspaceBytes - first.workspaceBytes : null;
    process.stdout.write(JSON.stringify({ track, model, rounds, perRound: rows, gpuBytesConstant, workspaceGrowth, heapGrowth, ok }, null, 1) + '\n');
    if (!ok) process.exitCode = 1;
  });
}
