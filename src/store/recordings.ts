// The recordings shipped with the lab for talks: public/runs/index.json lists one run file per track (the lab's own
// run file format, made by `npm run record`, tools/lab/record), precached by the service worker. Both are fetched
// relative to the page, so the site works from any sub-path; a missing or damaged file is a RunFileError that names it.
import { z } from 'zod';
import { TRACKS } from '../seal/tracks.ts';
import { fromRunFile, RunFileError } from './saved_runs.ts';

export const RECORDINGS_DIR = 'runs/';

const Entry = z.strictObject({
  track: z.enum(TRACKS),
  /** The run file, beside index.json. */
  file: z.string().regex(/^[\w.-]+\.json$/, 'a file name in runs/ ending in .json'),
  /** When the run was recorded (ISO 8601). */
  date: z.string(),
  /** The model's folder name, and the run's seed and settings in one line. */
  model: z.string(),
  seed: z.number().int(),
  settings: z.string(),
  /** The command that made it (how to make it again). */
  command: z.string(),
  /** How long the run took live, its events and the file's size. */
  seconds: z.number(),
  events: z.number().int(),
  bytes: z.number().int(),
});
export type RecordingEntry = z.infer<typeof Entry>;

const Index = z.strictObject({ app: z.literal('seal-lab'), recordings: z.array(Entry) });
export type RecordingIndex = z.infer<typeof Index>;

/** index.json's list; a RunFileError that says what is wrong with it otherwise. */
export function parseRecordingIndex(data: unknown, where = `${RECORDINGS_DIR}index.json`): RecordingEntry[] {
  const r = Index.safeParse(data);
  if (!r.success) throw new RunFileError(`${where} is damaged: ${r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  return r.data.recordings;
}

async function fetchJson(path: string, base: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(new URL(path, base));
  } catch (e) {
    throw new RunFileError(`${path} could not be fetched (${(e as Error).message})`);
  }
  if (!res.ok) throw new RunFileError(`${path} could not be fetched (HTTP ${res.status})`);
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new RunFileError(`${path} is not valid JSON (${(e as Error).message})`);
  }
}

export async function fetchRecordingIndex(base = document.baseURI): Promise<RecordingEntry[]> {
  return parseRecordingIndex(await fetchJson(`${RECORDINGS_DIR}index.json`, base));
}

/** A shipped recording as a run to show (not saved in the browser: it is always there). */
export async function fetchRecording(entry: RecordingEntry, base = document.baseURI): Promise<ReturnType<typeof fromRunFile>> {
  const path = RECORDINGS_DIR + entry.file;
  const x = fromRunFile(await fetchJson(path, base), path);
  if (x.run.track !== entry.track) throw new RunFileError(`${path} is a ${x.run.track} run, but index.json lists it for ${entry.track}`);
  return x;
}
