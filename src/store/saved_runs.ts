// Saved runs (IndexedDB, through idb): one record per run — when, track, model, settings, status, headline numbers —
// and its events in arrival order, appended as they arrive (batch by batch), so a reload or a crash loses nothing a
// run had produced. A run file (the JSON export) imports back as a recording, never as a live run.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { MethodResult } from '../seal/core/events.ts';
import { TRACKS, type LabEvent, type SealRunRequest, type TrackName } from '../seal/tracks.ts';
import type { RunExport } from './export.ts';

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
  events: { key: [string, number]; value: { run: string; seq: number; events: LabEvent[] } };
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
export async function appendEvents(run: string, seq: number, events: LabEvent[]): Promise<void> {
  await (await open()).put('events', { run, seq, events });
}

export async function loadEvents(run: string): Promise<LabEvent[]> {
  const rows = await (await open()).getAll('events', IDBKeyRange.bound([run, 0], [run, Infinity]));
  return rows.flatMap((r) => r.events);
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

  append(events: LabEvent[], methods: MethodResult[]): void {
    const seq = this.seq++;
    this.run = { ...this.run, events: this.run.events + events.length, methods, batches: this.seq };
    const run = this.run;
    this.chain = this.chain.then(() => appendEvents(run.id, seq, events)).then(() => saveRun(run)).catch(this.onError);
  }

  finish(patch: Partial<SavedRun>): Promise<void> {
    this.run = { ...this.run, ...patch };
    const run = this.run;
    this.chain = this.chain.then(() => saveRun(run)).catch(this.onError);
    return this.chain;
  }
}

/** A run file (the JSON export) as a saved run marked `imported`, with its events. Throws on a file that is not one. */
export function fromRunFile(data: unknown, file: string): { run: SavedRun; events: LabEvent[] } {
  const x = data as Partial<RunExport>;
  const isTrack = (t: unknown): t is TrackName => (TRACKS as readonly unknown[]).includes(t);
  if (!x || x.app !== 'seal-lab' || !Array.isArray(x.events) || !isTrack(x.track)) {
    throw new RunFileError(`${file} is not a SEAL Lab run file (expected the JSON that "⇩ JSON" exports)`);
  }
  const started = Date.parse(x.exportedAt ?? '') || Date.now();
  const setup = x.config && x.items ? ({ track: x.track, config: x.config, items: { train: x.items.train, eval: x.items.eval }, source: x.items.source } as RunSetup) : null;
  return {
    run: {
      id: newRunId(), startedAt: started, seconds: null, track: x.track, modelUrl: x.model?.url ?? null, setup, status: 'imported',
      methods: x.methods ?? [], events: x.events.length, file, error: x.error ?? null,
    },
    events: x.events,
  };
}

export class RunFileError extends Error {
  override name = 'RunFileError';
}
