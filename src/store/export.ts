// Run exports: JSON with everything (config, tasks, method results, rollouts, every event in order) and CSV with
// one row per rollout. Both work mid-run and after an error: they hold whatever has arrived so far.
import type { ArcConfig } from '../seal/arc/config.ts';
import { describeSelfEdit } from '../seal/arc/self_edit.ts';
import type { MethodResult, RolloutRecord, SealEvent } from '../seal/events.ts';
import type { ArcTaskItem } from '../seal/arc/experiment.ts';
import { methodLabel } from './labels.ts';

export interface RunExport {
  app: 'seal-lab';
  track: 'arc';
  exportedAt: string;
  status: string;
  error: { name: string; message: string } | null;
  model: { url: string | null };
  config: ArcConfig | null;
  tasks: { source: unknown; train: ArcTaskItem[]; eval: ArcTaskItem[] };
  methods: MethodResult[];
  rollouts: RolloutRecord[];
  events: SealEvent[];
}

const CSV_COLUMNS = [
  'id', 'task', 'method', 'round', 'label', 'reward', 'kept', 'reason', 'attempts', 'examples', 'steps', 'final_loss', 'seconds', 'self_edit', 'self_edit_json',
] as const;

function cell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function rolloutsCsv(rollouts: readonly RolloutRecord[]): string {
  const rows = rollouts.map((r) => [
    r.id, r.taskId, r.method, r.round, methodLabel(r.method, r.round), r.reward, r.kept ?? '', r.reason, r.attempts, r.examples, r.steps,
    r.finalLoss, r.seconds.toFixed(2), r.edit ? describeSelfEdit(r.edit) : '', r.edit ? JSON.stringify(r.edit) : r.text,
  ].map(cell).join(','));
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
