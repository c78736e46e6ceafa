// Names the UI and the exports use for methods and phases, and the paper's tables beside them: each track's own
// (seal/<track>/labels.ts), looked up through the registry.
import type { SelfEditText } from '../seal/core/labels.ts';
import { TRACK_LABELS, TRACKS, type TrackName } from '../seal/tracks.ts';
import type { LabRollout } from './derive.ts';

const METHOD_NAMES: Record<string, string> = Object.assign({}, ...TRACKS.map((t) => TRACK_LABELS[t].methods));

export function methodLabel(method: string, round: number): string {
  return method === 'seal' ? `SEAL r${round}` : (METHOD_NAMES[method] ?? method);
}

/** The paper's number for a method (and round) of a track, where it reports one. */
export const paperValue = (track: TrackName, method: string, round: number): number | null => TRACK_LABELS[track].paper(method, round);

const byTrack = <T>(f: (t: TrackName) => T) => Object.fromEntries(TRACKS.map((t) => [t, f(t)])) as Record<TrackName, T>;

export const PAPER_TABLE_NAME = byTrack((t) => TRACK_LABELS[t].paperTable);

/** The phases of a track's loop, in the order the step panel shows them. */
export const PHASES = byTrack((t) => TRACK_LABELS[t].phases);

export function phaseLabel(track: TrackName, p: string): string {
  return PHASES[track].find((x) => x.phase === p)?.label ?? p;
}

/** A rollout's self-edit in one line (the inspector, the CSV) and in full, as its track describes it. */
export function selfEditSummary(r: LabRollout): SelfEditText {
  // Each track's describer takes its own rollouts; `r.track` says whose this is.
  return (TRACK_LABELS[r.track as TrackName].selfEdit as (r: LabRollout) => SelfEditText)(r);
}
