// `npm run record -- knowledge|arc [--seed S] [flags of `npm run seal -- <track>`]`: a full run with the lab's
// defaults for the track's embedded model, recorded for talks: public/runs/<track>.json (the lab's run file, every
// event with its arrival time) and its line in public/runs/index.json (date, model, seed, settings, the command).
// The run goes through the CLI's own engine and requests (tools/lab/cli); extra flags override the defaults and
// are written into the index's settings, so a quick recording never passes for the default one.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseFlags, UsageError } from '../cli/args.ts';
import { ROOT, runMain } from '../cli/launch.ts';
import { initRequest, loadModel, SOURCE_FLAGS, validateSource } from '../cli/load.ts';
import { ARC_FLAGS, arcRequest, KNOWLEDGE_FLAGS, knowledgeRequest, runSeal } from '../cli/runs.ts';
import { settingsLine, TRACKS, type LabEvent, type SealLabFile, type TrackName } from '../../../src/seal/tracks.ts';
import { MINI_ARC_DEFAULT } from '../../../src/seal/worlds/minarc/index.ts';
import { readIndex, runFile, setupOf, withEntry } from './recording.ts';

const USAGE = `Usage: npm run record -- knowledge|arc [--seed S] [--out-dir DIR] [other flags of npm run seal -- <track>]
  Runs the track's default run (the lab's settings for its embedded model) and writes DIR/<track>.json and
  DIR/index.json (DIR: public/runs). Defaults:
    knowledge: --model public/models/seal-mini-bio --passages mini (the rest: the model's seal_lab.json)
    arc:       --model public/models/seal-mini-arc --tasks mini --rounds 1 --self-edits-train 3 --self-edits-eval 2
               --max-train 3 --max-eval 3 (the lab's Track A defaults, ARC_DEMO_SETTINGS in src/ui/arc/state.ts)
  Any other flag overrides these and is named in the index's settings (e.g. a quick test recording).`;

/** The lab's default run per track, as CLI flags. */
const DEFAULTS: Record<TrackName, string[]> = {
  knowledge: ['--model', 'public/models/seal-mini-bio', '--passages', 'mini'],
  arc: ['--model', 'public/models/seal-mini-arc', '--tasks', 'mini', '--rounds', '1', '--self-edits-train', '3', '--self-edits-eval', '2', '--max-train', '3', '--max-eval', '3'],
};
const SPEC = { arc: { model: 'string', ...ARC_FLAGS, ...SOURCE_FLAGS }, knowledge: { model: 'string', ...KNOWLEDGE_FLAGS, ...SOURCE_FLAGS } } as const;

const argv = process.argv.slice(2);
const [track, ...rest] = argv;
if (!track || ['--help', '-h', 'help'].includes(track) || rest.includes('--help')) {
  (track ? process.stdout : process.stderr).write(USAGE + '\n');
  process.exitCode = track ? 0 : 2;
} else {
  await runMain('record', USAGE, async (open) => {
    if (!(TRACKS as readonly string[]).includes(track)) throw new UsageError(`unknown track "${track}" (knowledge or arc)`);
    const t = track as TrackName;
    const outIdx = rest.indexOf('--out-dir');
    const outDir = resolve(outIdx >= 0 ? rest[outIdx + 1] ?? '' : join(ROOT, 'public/runs'));
    const extra = outIdx >= 0 ? [...rest.slice(0, outIdx), ...rest.slice(outIdx + 2)] : rest;
    const user = parseFlags(extra, SPEC[t]);
    const flags = { ...parseFlags(DEFAULTS[t], SPEC[t]), ...user };
    validateSource(flags);
    const req = t === 'arc' ? arcRequest(flags) : knowledgeRequest(flags);
    // The lab names its mini tasks by seed and counts (ui/arc/tasks.ts taskSource): the same tasks as it would run.
    if (req.track === 'arc' && req.tasks.source === 'mini') req.tasks = { source: 'mini', seed: MINI_ARC_DEFAULT.seed, train: req.maxTrain, eval: req.maxEval };
    const indexPath = join(outDir, 'index.json');
    const index = readIndex(existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : null, indexPath); // checked before the long run

    const engine = await open({ profileDir: typeof flags['cache-dir'] === 'string' ? flags['cache-dir'] : process.env.SEAL_CACHE_DIR });
    await engine.call('init', initRequest(flags));
    const { info } = await loadModel(engine, flags, 'optional');
    const events: LabEvent[] = [];
    const times: number[] = [];
    const t0 = Date.now();
    // The events as the lab's run slice keeps them: seal events and worker logs, in order, each with its time.
    const keep = (e: LabEvent) => {
      events.push(e);
      times.push(Math.round((Date.now() - t0) / 100) / 10);
    };
    const result = await runSeal(engine, req, undefined, undefined, (e) => (e.type === 'seal' ? keep(e.event) : e.type === 'log' && keep({ type: 'log', message: e.message })));
    const model = String(flags.model);
    const embedded = /(?:^|\/)public\/(models\/[^/]+)\/?$/.exec(model.replace(/\\/g, '/'));
    const lab = (info.sealLab ?? null) as SealLabFile | null;
    const file = runFile({ req, result, lab, events, times, modelUrl: embedded ? `${embedded[1]}/` : model, finishedAt: new Date() });
    const setup = setupOf(req, result, lab);
    const path = join(outDir, `${t}.json`);
    const text = JSON.stringify(file);
    writeFileSync(path, text + '\n');
    const custom = extra.length ? ` — not the default: ${extra.join(' ')}` : '';
    const entry = {
      track: t, file: basename(path), date: file.exportedAt, model: basename(model.replace(/\/+$/, '')), seed: setup.config.seed,
      settings: settingsLine(setup) + custom, command: ['npm run record --', ...argv].join(' '), seconds: Math.round(result.seconds), events: events.length,
      bytes: statSync(path).size,
    };
    writeFileSync(indexPath, JSON.stringify(withEntry(index, entry, TRACKS), null, 1) + '\n');
    process.stderr.write(`wrote ${path} (${(entry.bytes / 1024).toFixed(0)} KiB, ${events.length} events, ${entry.seconds} s) and ${indexPath}\n`);
  });
}
