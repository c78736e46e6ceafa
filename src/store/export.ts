// Run exports: JSON with everything (config, items, method results, rollouts, every event in order) and CSV with
// one row per rollout. Both work mid-run and after an error: they hold whatever has arrived so far.
import type { MethodResult } from '../seal/core/events.ts';
import type { LabEvent, RunSetup, TrackName } from '../seal/tracks.ts';
import type { Derived, LabRollout } from './derive.ts';
import { methodLabel, selfEditSummary } from './labels.ts';

export interface RunExport {
  app: 'seal-lab';
  track: TrackName;
  exportedAt: string;
  status: string;
  error: { name: string; message: string } | null;
  model: { url: string | null };
  config: unknown;
  /** The run's items (ARC tasks…) by role, and where they came from. */
  items: { source: unknown; train: unknown[]; eval: unknown[] };
  methods: MethodResult[];
  rollouts: LabRollout[];
  events: LabEvent[];
  /** Seconds from the run's start at which each event arrived (a replay's pace); absent in older files. */
  times?: number[];
}

/** What a run file is built from: the run's record and its events folded (the store's, or the recorder's). */
export interface RunExportParts {
  track: TrackName;
  status: string;
  error: { name: string; message: string } | null;
  modelUrl: string | null;
  setup: RunSetup | null;
  derived: Pick<Derived, 'methods' | 'rolloutOrder' | 'rollouts'>;
  events: LabEvent[];
  times?: number[];
  exportedAt?: Date;
}

/** The one run file format: the lab's ⇩ JSON and the shipped recordings (tools/lab/record) both build it here. */
export function buildRunExport(p: RunExportParts): RunExport {
  const s = p.setup;
  return {
    app: 'seal-lab', track: s?.track ?? p.track, exportedAt: (p.exportedAt ?? new Date()).toISOString(), status: p.status, error: p.error,
    model: { url: p.modelUrl },
    config: s?.config ?? null,
    items: { source: s?.source ?? null, train: s?.items.train ?? [], eval: s?.items.eval ?? [] },
    methods: p.derived.methods,
    rollouts: p.derived.rolloutOrder.map((id) => p.derived.rollouts[id]),
    events: p.events,
    ...(p.times && p.times.length === p.events.length && { times: p.times }),
  };
}

const CSV_COLUMNS = [
  'id', 'item', 'method', 'round', 'label', 'reward', 'kept', 'reason', 'attempts', 'examples', 'steps', 'final_loss', 'seconds', 'self_edit', 'self_edit_text',
] as const;

function cell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function rolloutsCsv(rollouts: readonly LabRollout[]): string {
  const rows = rollouts.map((r) => {
    const se = selfEditSummary(r);
    return [
      r.id, r.itemId, r.method, r.round, methodLabel(r.method, r.round), r.reward, r.kept ?? '', r.reason, r.attempts, r.examples, r.steps,
      r.finalLoss, r.seconds.toFixed(2), se.summary, se.text,
    ].map(cell).join(',');
  });
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

/** Starts a download of `text` as `name` (Blob + a temporary <a download>). */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function stamp(d = new Date()): string {
  return d.toISOString().replace(/[:.]/g, '-').slice(0, 19);
}
