// The main thread's registry of tracks: what each shows (ui/<track>/index.ts), keyed by name. With the worker's
// registry (seal/tracks.ts) the only place that lists the tracks; adding one is a line here.
import type { TrackName } from '../seal/tracks.ts';
import { useLab } from '../store/lab.ts';
import { arcUi } from './arc/index.ts';
import type { ArcSetup } from './arc/setup.ts';
import { knowledgeUi } from './knowledge/index.ts';
import type { KnowledgeSetup } from './knowledge/setup.ts';
import type { TrackUi } from './track_ui.ts';

const UI = { arc: arcUi, knowledge: knowledgeUi } satisfies Record<TrackName, unknown>;

/** The settings the panels describe, of whichever track is on screen. */
export type TrackSetup = ArcSetup | KnowledgeSetup;

/** A track's entry seen through the registry's union: each entry only ever gets the setup its track made. */
export const trackUi = (t: TrackName) => UI[t] as unknown as TrackUi<TrackSetup>;

const ENTRIES = Object.values(UI) as Array<TrackUi<TrackSetup>>;

/** The setup the panels describe: the last run's when it was of the track on screen, else the current settings. */
export function useTrackSetup(): TrackSetup {
  const track = useLab((s) => s.track);
  // Every track's hook, always in the same order (the list is fixed at load), so the rules of hooks hold.
  const setups = ENTRIES.map((e) => e.useSetup());
  return setups.find((s) => s.track === track)!;
}
