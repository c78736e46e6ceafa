// The lab's one store (zustand), made of slices (./slices, LabState composed in ./state.ts): the engine and model,
// the download cache, the run, the error panel, the saved runs, their replay and which track is on screen (each
// track keeps its own settings in its own store, ui/<track>/state.ts). Actions call the engine worker through EngineClient.
import { create } from 'zustand';
import { cacheSlice } from './slices/cache.ts';
import { engineSlice } from './slices/engine.ts';
import { errorSlice } from './slices/errors.ts';
import { historySlice } from './slices/history.ts';
import { replaySlice } from './slices/replay.ts';
import { runSlice, runView, type RunView } from './slices/run.ts';
import { trackSlice } from './slices/track.ts';
import { yoursSlice } from './slices/yours.ts';
import type { LabState } from './state.ts';

export const useLab = create<LabState>()((...a) => ({
  ...errorSlice(...a),
  ...engineSlice(...a),
  ...cacheSlice(...a),
  ...runSlice(...a),
  ...trackSlice(...a),
  ...historySlice(...a),
  ...replaySlice(...a),
  ...yoursSlice(...a),
}));

// ?debug puts the store on window.sealLab (end-to-end tests inject faults through it).
if (typeof location !== 'undefined' && new URLSearchParams(location.search).has('debug')) Object.assign(globalThis, { sealLab: useLab });

/** The controls' view of the run (re-renders only when it changes). */
export function useRunView(): RunView {
  return useLab((s) => runView(s.run, s.derived.phaseCount));
}
