// `npm run bench -- [flags]` (USAGE in request.ts): the engine's benchmark (src/bench/) in headless Chromium through
// the CLI's launcher. Default model: the tiny golden Llama. `--shape llama-3.2-1b` adds a random-weight model of
// the real shape; `--peer` adds onnxruntime-web against the engine in one page (tools/lab/peer/). --json: only the
// JSON on stdout (progress on stderr), or `--out FILE`; otherwise a readable summary.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT, runMain } from '../cli/launch.ts';
import { runPeer } from '../peer/run.ts';
import { INNER_MODELS, innerWorkload } from './inner_workloads.ts';
import { parseBenchArgs, USAGE } from './request.ts';
import { summary } from './summary.ts';

const DEFAULT_MODEL = resolve(ROOT, 'tests/golden/llama3-f32/model');

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) process.stdout.write(USAGE + '\n');
else {
  await runMain('bench', USAGE, async (open) => {
    const a = parseBenchArgs(argv, DEFAULT_MODEL);
    const progress = (m: string) => process.stderr.write(`bench: ${m}\n`);
    progress('starting headless Chromium...');
    const engine = await open();
    await engine.call('init', {});
    if (a.model) await engine.call('load-model', { url: engine.resolve(a.model) });
    const onLog = (e: { type: string; message?: string }) => { if (e.type === 'log') progress(e.message!); };
    const r = await engine.call('bench', a.req, onLog);
    if (r.model && a.model) r.model.path = a.model;
    // inner loops: each track's rollout on its embedded model (loaded in turn)
    if (!a.req.sections || a.req.sections.includes('inner')) {
      for (const track of a.inner.tracks) {
        await engine.call('load-model', { url: engine.resolve(INNER_MODELS[track]) });
        const inner = await innerWorkload(track, a.inner.slots, a.inner.rollouts);
        const x = await engine.call('bench', { ...a.req, matmulSizes: [], sections: ['inner'], inner }, onLog);
        (r.inner ??= []).push(...(x.inner ?? []));
      }
    }
    r.runtime = { kind: 'chromium-worker', detail: 'the app\'s engine worker in headless Chromium (tools/lab/cli/launch.ts)' };
    await engine.close(); // one browser at a time: the peer page starts its own
    if (a.peer) r.peer = await runPeer(progress);
    const text = a.json || a.out ? JSON.stringify(r, null, 2) : summary(r);
    if (a.out) {
      writeFileSync(a.out, text + '\n');
      process.stdout.write(summary(r) + '\n');
    } else process.stdout.write(text + '\n');
  });
}
