// What `npm run record` writes, built from a finished CLI run: the run file in the lab's own format (store/export.ts's
// builder, the one behind the lab's ⇩ JSON, with each event's arrival time) and its line in public/runs/index.json.
import { buildRunExport, type RunExport } from '../../../src/store/export.ts';
import { EMPTY, fold } from '../../../src/store/derive.ts';
import { parseRecordingIndex, type RecordingEntry, type RecordingIndex } from '../../../src/store/recordings.ts';
import { resolveSetup, type LabEvent, type RunSetup, type SealLabFile, type SealRunRequest, type SealRunResult } from '../../../src/seal/tracks.ts';

/**
 * The run's setup as the lab records it (ui/<track>/state.ts runPlan): the settings it ran with (the result's: a run
 * may adjust what it resolved) and its items as the worker resolves them (resolveSetup, the track module's resolve).
 */
export function setupOf(req: SealRunRequest, result: SealRunResult, lab: SealLabFile | null): RunSetup {
  const s = resolveSetup(lab, req);
  if (s.track === 'arc' && req.track === 'arc' && result.track === 'arc') {
    const t = req.tasks;
    return { track: 'arc', config: result.config, items: s.items, source: t.source === 'mini' ? t : { source: 'files', label: 'files' } };
  }
  if (s.track === 'knowledge' && req.track === 'knowledge' && result.track === 'knowledge') {
    const p = req.passages;
    return { track: 'knowledge', config: result.config, items: s.items, source: p.source === 'mini' ? p : { source: 'file', label: p.label } };
  }
  throw new Error(`the result (${result.track}) is not of the request's track (${req.track})`);
}

export interface Recorded {
  req: SealRunRequest;
  result: SealRunResult;
  lab: SealLabFile | null;
  events: LabEvent[];
  times: number[];
  /** The model as the app names it (models/seal-mini-bio/). */
  modelUrl: string;
  finishedAt: Date;
}

export function runFile(r: Recorded): RunExport {
  const setup = setupOf(r.req, r.result, r.lab);
  return buildRunExport({
    track: r.req.track, status: 'done', error: null, modelUrl: r.modelUrl, setup, derived: r.events.reduce(fold, EMPTY), events: r.events, times: r.times,
    exportedAt: r.finishedAt,
  });
}

/** index.json with `entry` in its track's place (one recording per track, in the order of the tracks). */
export function withEntry(index: RecordingIndex | null, entry: RecordingEntry, order: readonly string[]): RecordingIndex {
  const rest = (index?.recordings ?? []).filter((e) => e.track !== entry.track);
  const recordings = [...rest, entry].sort((a, b) => order.indexOf(a.track) - order.indexOf(b.track));
  return { app: 'seal-lab', recordings };
}

/** An existing index.json, checked (a damaged one stops the command rather than being overwritten). */
export function readIndex(text: string | null, where: string): RecordingIndex | null {
  if (text === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where} is not valid JSON (${(e as Error).message}): fix or delete it`);
  }
  return { app: 'seal-lab', recordings: parseRecordingIndex(data, where) };
}
