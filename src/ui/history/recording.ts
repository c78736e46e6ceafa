// The one line that says a recording is on screen and what it is: "Recording — <date>, <model>, <seed and
// settings>", from the run file itself (the normal view's banner and the presenter view show the same words).
import type { RunState } from '../../store/slices/run.ts';
import { useLab } from '../../store/lab.ts';
import { settingsLine } from '../../seal/tracks.ts';

/** The model's folder name from its URL (models/seal-mini-bio/ → seal-mini-bio). */
export const modelName = (url: string | null): string => url?.replace(/\/+$/, '').split('/').pop() || 'unknown model';

export function recordingLabel(run: Pick<RunState, 'startedAt' | 'modelUrl' | 'setup'>): string {
  const date = run.startedAt === null ? 'undated' : new Date(run.startedAt).toISOString().slice(0, 10);
  const s = run.setup;
  const settings = s ? `seed ${s.config.seed}, ${settingsLine(s)}` : 'settings unknown';
  return `Recording — ${date}, ${modelName(run.modelUrl)}, ${settings}`;
}

/** The label while a recording is on screen, else null. */
export function useRecordingLabel(): string | null {
  return useLab((s) => (s.run.viewing?.kind === 'recording' ? recordingLabel(s.run) : null));
}
