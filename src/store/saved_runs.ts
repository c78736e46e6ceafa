// Saved runs (IndexedDB, through idb): one record per run — when, track, model, settings, status, headline numbers —
// and its events in arrival order, appended as they arrive (batch by batch), so a reload or a crash loses nothing a
// run had produced. A run file (the JSON export) imports back as a recording, never as a live run.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { MethodResult } from '../seal/core/events.ts';
import { TRACKS, type LabEvent, type SealRunRequest, type TrackName } from '../seal/tracks.ts';
import type { RunExport } from './export.ts';
import { validTimes } from './replay.ts';

/** The track-specific part of a run (the one in progress, or a saved one): what the panels and the export show of it. */
/** What the UI records of a run (its track's settings, items and their source). */
export type { RunSetup } from '../seal/tracks.ts';
import type { RunSetup } from '../seal/tracks.ts';

export type SavedStatus = 'running' | 'done' | 'stopped' | 'error' | 'interrupted' | 'imported';

export interface SavedRun {
  id: string;
  startedAt: number;
  /** Seconds the run took (null while running or when interrupted). */
  seconds: number | null;
  track: TrackName;
  modelUrl: string | null;
  setup: RunSetup | null;
  status: SavedStatus;
  /** The rows measured so far (the history's headline numbers). */
  methods: MethodResult[];
  events: number;
  /** For an imported run file: its name. */
  file?: string;
  /** The worker request that started it (what Resume sends again); absent for imported files. */
  request?: SealRunRequest;
  /** Event batches saved so far (the next one's number). */
  batches?: number;
  error?: { name: string; message: string } | null;
}

interface Schema extends DBSchema {
  runs: { key: string; value: SavedRun; indexes: { startedAt: number } };
  /** `times`: seconds from the run's start at which each event arrived (absent in runs saved before they were kept). */
  events: { key: [string, number]; value: { run: string; seq: number; events: LabEvent[]; times?: number[] } };
}

const DB = 'seal-lab';
let db: Promise<IDBPDatabase<Schema>> | null = null;

function open(): Promise<IDBPDatabase<Schema>> {
  db ??= openDB<Schema>(DB, 1, {
    upgrade(d) {
      d.createObjectStore('runs', { keyPath: 'id' }).createIndex('startedAt', 'startedAt');
      d.createObjectStore('events', { keyPath: ['run', 'seq'] });
    },
  });
  return db;
}

export const newRunId = (): string => `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

/** The runs, newest first; a run still marked running that is not `live` was cut off (reload, crash). */
export async function listRuns(live: string | null = null): Promise<SavedRun[]> {
  const runs = await (await open()).getAllFromIndex('runs', 'startedAt');
  return runs.reverse().map((r) => (r.status === 'running' && r.id !== live ? { ...r, status: 'interrupted' } : r));
}

export async function saveRun(run: SavedRun): Promise<void> {
  await (await open()).put('runs', run);
}

/** Appends one batch of a run's events (batches are numbered by the caller, in order). */
export async function appendEvents(run: string, seq: number, events: LabEvent[], times?: number[]): Promise<void> {
  await (await open()).put('events', { run, seq, events, ...(times && { times }) });
}

/** Events added to a run after it ended (a student's self-edit): one more batch after its last, counted in its record. */
export async function appendSavedEvents(id: string, events: LabEvent[], times: number[]): Promise<void> {
  const d = await open();
  const keys = await d.getAllKeys('events', IDBKeyRange.bound([id, 0], [id, Infinity]));
  const seq = Math.max(-1, ...keys.map((k) => k[1])) + 1;
  await appendEvents(id, seq, events, times);
  const run = await d.get('runs', id);
  if (run) await saveRun({ ...run, events: run.events + events.length, batches: Math.max(run.batches ?? 0, seq + 1) });
}

export async function loadEvents(run: string): Promise<LabEvent[]> {
  return (await loadTimedEvents(run)).events;
}

/** A run's events and, when every batch kept them, their arrival times. */
export async function loadTimedEvents(run: string): Promise<{ events: LabEvent[]; times?: number[] }> {
  const rows = await (await open()).getAll('events', IDBKeyRange.bound([run, 0], [run, Infinity]));
  const events = rows.flatMap((r) => r.events);
  return rows.every((r) => r.times?.length === r.events.length) && rows.length ? { events, times: rows.flatMap((r) => r.times!) } : { events };
}

export async function deleteRun(id: string): Promise<void> {
  const d = await open();
  const tx = d.transaction(['runs', 'events'], 'readwrite');
  await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('events').delete(IDBKeyRange.bound([id, 0], [id, Infinity])), tx.done]);
}

/** The origin's storage use and quota (what the history panel shows), when the browser tells. */
export async function storageEstimate(): Promise<{ usage: number | null; quota: number | null }> {
  const e = await navigator.storage?.estimate?.().catch(() => null);
  return { usage: e?.usage ?? null, quota: e?.quota ?? null };
}

/**
 * Saves one live run as it goes: its record first, then each batch of events in order, then the final status.
 * Writes are chained, so they land in order; a failed write (quota, private mode) is reported once, and the run
 * itself goes on.
 */
export class RunRecorder {
  private chain: Promise<void>;
  private seq: number;

  /** A new run, or a resumed one (its batches go on after the saved ones). */
  constructor(private run: SavedRun, private readonly onError: (e: unknown) => void) {
    this.seq = run.batches ?? 0;
    this.chain = saveRun(run).catch(onError);
  }

  get id(): string {
    return this.run.id;
  }

  /** One batch of events, arrived `at` seconds after the run's start. */
  append(events: LabEvent[], methods: MethodResult[], at: number): void {
    const seq = this.seq++;
    this.run = { ...this.run, events: this.run.events + events.length, methods, batches: this.seq };
    const run = this.run;
    this.chain = this.chain.then(() => appendEvents(run.id, seq, events, events.map(() => at))).then(() => saveRun(run)).catch(this.onError);
  }

  finish(patch: Partial<SavedRun>): Promise<void> {
    this.run = { ...this.run, ...patch };
    const run = this.run;
    this.chain = this.chain.then(() => saveRun(run)).catch(this.onError);
    return this.chain;
  }
}

/** Event types a run file may hold (what derive.ts folds). */
const EVENT_TYPES = new Set(['run-start', 'phase', 'rollout', 'ttt-loss', 'ttt-data', 'sft-loss', 'method-result', 'speed', 'warning', 'log', 'forgetting']);

/** The first event a run file cannot be shown with, in words (null: all fine). */
function badEvent(events: unknown[]): string | null {
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as { type?: unknown; rollout?: { id?: unknown }; result?: unknown } | null;
    if (!e || typeof e !== 'object' || !EVENT_TYPES.has(e.type as string)) return `event ${i} has no known type (${JSON.stringify(e?.type ?? e)})`;
    if (e.type === 'rollout' && typeof e.rollout?.id !== 'string') return `event ${i} is a rollout without an id`;
    if (e.type === 'method-result' && (!e.result || typeof e.result !== 'object')) return `event ${i} is a method-result without a result`;
  }
  return null;
}

/**
 * A run file (the JSON export) as a saved run marked `imported`, with its events and, when the file has them, their
 * arrival times. Throws a RunFileError naming the problem on a file that is not one.
 */
export function fromRunFile(data: unknown, file: string): { run: SavedRun; events: LabEvent[]; times?: number[] } {
  const x = data as Partial<RunExport>;
  const isTrack = (t: unknown): t is TrackName => (TRACKS as readonly unknown[]).includes(t);
  if (!x || x.app !== 'seal-lab' || !Array.isArray(x.events) || !isTrack(x.track)) {
    throw new RunFileError(`${file} is not a SEAL Lab run file (expected the JSON that "⇩ JSON" exports)`);
  }
  const bad = badEvent(x.events);
  if (bad) throw new RunFileError(`${file} is damaged: ${bad}`);
  const started = Date.parse(x.exportedAt ?? '') || Date.now();
  const items = x.items && Array.isArray(x.items.train) && Array.isArray(x.items.eval) ? x.items : null;
  const setup = x.config && items ? ({ track: x.track, config: x.config, items: { train: items.train, eval: items.eval }, source: items.source } as RunSetup) : null;
  const times = validTimes(x.events, x.times) ? x.times : undefined;
  return {
    run: {
      id: newRunId(), startedAt: started, seconds: times?.at(-1) ?? null, track: x.track, modelUrl: x.model?.url ?? null, setup, status: 'imported',
      methods: Array.isArray(x.methods) ? x.methods : [], events: x.events.length, file, error: x.error ?? null,
    },
    events: x.events,
    ...(times && { times }),
  };
}

export class RunFileError extends Error {
  override name = 'RunFileError';
}
