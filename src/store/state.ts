// The lab's state, composed of its slices (zustand's slices pattern): each slice file in ./slices declares its own
// part beside the code that builds it, and LabState, every slice together, is composed here, once. Slices meet
// through LabState only; the type-only imports between this file and the slices vanish at runtime, so they are no
// import cycle.
import type { CacheSlice } from './slices/cache.ts';
import type { EngineSlice } from './slices/engine.ts';
import type { ErrorSlice } from './slices/errors.ts';
import type { HistorySlice } from './slices/history.ts';
import type { ReplaySlice } from './slices/replay.ts';
import type { RunSlice } from './slices/run.ts';
import type { TrackSlice } from './slices/track.ts';
import type { YoursSlice } from './slices/yours.ts';

export type LabState = EngineSlice & CacheSlice & RunSlice & ErrorSlice & TrackSlice & HistorySlice & ReplaySlice & YoursSlice;
