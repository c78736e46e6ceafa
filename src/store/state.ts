// The lab's state, as slices (zustand's slices pattern): the engine and its model, the download cache, the run
// and its events, the error panel, and one slice per track. Types only: every slice file imports this, none
// imports another slice, so there is no import cycle.
import type { AdapterInfo } from '../engine/gpu/device.ts';
import type { ArcConfig } from '../seal/arc/config.ts';
import type { TaskSet } from '../seal/arc/task_set.ts';
import type { ControlAction } from '../seal/core/control.ts';
import type { KnowledgeConfig, KnowledgeUserSettings } from '../seal/knowledge/config.ts';
import type { PassageSet } from '../seal/knowledge/passages.ts';
import type { LabEvent, SealRunRequest, TrackName } from '../seal/tracks.ts';
import type { EngineClient } from '../worker/client.ts';
import type { CacheList, ModelInfo, ModelSourceSpec } from '../worker/protocol.ts';
import type { Derived } from './derive.ts';
import type { SavedRun } from './history.ts';
import type { RunExport } from './export.ts';
import type { LoadProgress, Quantize } from './model_source.ts';
import type { ErrorSlice } from './slices/errors.ts';
import type { TaskChoice } from './tasks.ts';

export type GpuState =
  | { kind: 'loading' }
  | { kind: 'ready'; info: AdapterInfo }
  | { kind: 'error'; title: string; message: string };

export interface ModelState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** What the model is called: the folder URL, `org/name@rev`, `local folder (n files)`. */
  url: string;
  /** The source of the model loaded or loading (a Hub token stays in memory only). */
  source: ModelSourceSpec;
  info: ModelInfo | null;
  seconds: number | null;
  /** While loading: per-file downloads and the upload to the GPU. */
  load: LoadProgress;
  /** The last load that did not finish (the model before it, if any, stays loaded). */
  lastFailure: { cancelled: boolean; name: string; message: string; label: string } | null;
}

export interface EngineSlice {
  /** The engine worker (null until connect). */
  client: EngineClient | null;
  gpu: GpuState;
  model: ModelState;
  /** Quantisation for the next load. */
  quantize: Quantize;
  connect(): Promise<void>;
  retryGpu(): Promise<void>;
  /** A folder URL, any source, or (nothing) the current one again. */
  loadModel(source?: string | ModelSourceSpec): Promise<void>;
  cancelLoad(): Promise<void>;
  setQuantize(q: Quantize): void;
}

export interface CacheSlice {
  cache: { list: CacheList | null; busy: boolean; error: string | null };
  refreshCache(): Promise<void>;
  deleteCached(key: string | 'all'): Promise<void>;
}

export type RunStatus = 'idle' | 'running' | 'done' | 'stopped' | 'error';
/** What the controls show: `running` split by what the run is doing right now. */
export type RunView = 'idle' | 'running' | 'pausing' | 'paused' | 'stopping' | 'done' | 'stopped' | 'error';

/** The track-specific part of the run in progress (or the last one). */
export type RunSetup =
  | { track: 'arc'; config: ArcConfig; items: TaskSet; source: unknown }
  | { track: 'knowledge'; config: KnowledgeConfig; items: PassageSet; source: unknown };

export interface RunState {
  status: RunStatus;
  stepMode: boolean;
  pauseRequested: boolean;
  stopRequested: boolean;
  /** Phase count at the last release (start, step, resume): the run is held once a later phase arrives. */
  gate: number;
  startedAt: number | null;
  seconds: number | null;
  modelUrl: string | null;
  setup: RunSetup | null;
  /** The saved run this is (history), or null. */
  id: string | null;
  /** Not live: a saved run opened from the history, or an imported run file (a recording). */
  viewing: { kind: 'saved' | 'recording'; label: string } | null;
}

/** What a track slice hands the run slice to start a run: the worker request and what the UI records of it. */
export interface RunPlan {
  request: SealRunRequest;
  setup: RunSetup;
}

export interface RunSlice {
  /** Step mode for the next run (and the current one: toggling sends step-mode / run-mode). */
  stepMode: boolean;
  run: RunState;
  events: LabEvent[];
  derived: Derived;
  /** Rollout picked in the inspector (null: the viewers follow the run). */
  selectedRollout: string | null;
  selectedItem: string | null;
  setStepMode(on: boolean): Promise<void>;
  start(stepMode?: boolean): Promise<void>;
  /** Goes on with a saved run that was interrupted or stopped: its finished part is skipped, the rest computed. */
  resumeRun(id: string): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  step(): Promise<void>;
  stop(): Promise<void>;
  select(rolloutId: string | null, itemId?: string | null): void;
  exportData(): RunExport;
  exportJson(): void;
  exportCsv(): void;
  /** Sends a control action to the run in progress. */
  control(action: ControlAction): Promise<void>;
}

/** What one ARC run does: seed, ReST-EM rounds, self-edits per task, how many tasks, which baselines. */
export interface ArcSettings {
  seed: number;
  rounds: number;
  selfEditsPerTrainTask: number;
  selfEditsPerEvalTask: number;
  /** null = every task of the set. */
  maxTrain: number | null;
  maxEval: number | null;
  methods: { icl: boolean; noRl: boolean; oracle: boolean };
}

export interface ArcSlice {
  arc: {
    choice: TaskChoice;
    preview: TaskSet | null;
    previewError: string | null;
    settings: ArcSettings;
  };
  setTaskChoice(c: TaskChoice): void;
  loadTaskFiles(evalFiles: File[], trainFiles?: File[]): Promise<void>;
  loadTaskUrls(urls: { challenges: string; solutions: string; trainChallenges?: string; trainSolutions?: string }): Promise<void>;
  updateArcSettings(p: Partial<ArcSettings>): void;
  /** The run the current settings ask for. */
  arcRunPlan(): RunPlan;
}

/** Where a knowledge run's passages come from, as picked in the UI. */
export type PassageChoice =
  | { kind: 'mini'; seed: number }
  | { kind: 'file'; label: string; passages: unknown; references?: unknown };

/** The user's changes to the knowledge settings (the rest are the model's seal_lab.json, else the paper's). */
export type KnowledgeSettings = KnowledgeUserSettings & { maxTrain?: number; maxEval?: number };

export interface KnowledgeSlice {
  knowledge: {
    choice: PassageChoice;
    settings: KnowledgeSettings;
  };
  setPassageChoice(c: PassageChoice): void;
  loadPassageFiles(passages: File, references?: File): Promise<void>;
  updateKnowledgeSettings(p: KnowledgeSettings, replace?: boolean): void;
  /** The settings a run would use now, and the passages per role. */
  knowledgeEffective(): { config: KnowledgeConfig; caps: { train: number; eval: number } };
  knowledgeRunPlan(): RunPlan;
}

export interface HistorySlice {
  history: {
    runs: SavedRun[];
    usage: number | null;
    quota: number | null;
    error: string | null;
    /** Runs picked for the comparison, and their folded events once loaded. */
    compare: string[];
    compared: Record<string, Derived>;
  };
  refreshHistory(): Promise<void>;
  /** Shows a saved run (not live): its charts, tables and self-edits. */
  openRun(id: string): Promise<void>;
  /** Back to the live view (empty until the next run). */
  closeRun(): void;
  deleteSavedRun(id: string): Promise<void>;
  /** A run file (the JSON export) into the history, as a recording. */
  importRunFile(file: File): Promise<void>;
  toggleCompare(id: string): Promise<void>;
}

export interface TrackSlice {
  track: TrackName;
  /** Switches the lab to a track (and to its embedded model when another track's embedded model is loaded). */
  setTrack(t: TrackName): Promise<void>;
}

export type LabState = EngineSlice & CacheSlice & RunSlice & ErrorSlice & ArcSlice & KnowledgeSlice & TrackSlice & HistorySlice;
