// Saved runs: the list (IndexedDB, ../saved_runs.ts), opening one to look at (its charts, tables and self-edits
// folded from its saved events, marked as not live), deleting, importing a run file as a recording, and picking
// runs to compare.
import type { StateCreator } from 'zustand';
import { EMPTY, fold, type Derived } from '../derive.ts';
import { deleteRun, fromRunFile, listRuns, loadEvents, saveRun, appendEvents, storageEstimate, type SavedRun } from '../saved_runs.ts';
import { deleteRunStore } from '../../protocol/run_store.ts';
import type { LabState } from '../state.ts';
import { IDLE_RUN, type RunStatus } from './run.ts';

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

const STATUS: Record<SavedRun['status'], RunStatus> = { running: 'stopped', done: 'done', stopped: 'stopped', error: 'error', interrupted: 'stopped', imported: 'done' };

export const historySlice: StateCreator<LabState, [], [], HistorySlice> = (set, get) => {
  const update = (p: Partial<LabState['history']>) => set((s) => ({ history: { ...s.history, ...p } }));
  const failed = (what: string) => (e: unknown) => update({ error: `${what}: ${(e as Error).message}` });
  return {
    history: { runs: [], usage: null, quota: null, error: null, compare: [], compared: {} },

    async refreshHistory() {
      try {
        const [runs, est] = await Promise.all([listRuns(get().run.status === 'running' ? get().run.id : null), storageEstimate()]);
        update({ runs, ...est });
      } catch (e) {
        failed('The saved runs could not be read')(e);
      }
    },

    async openRun(id) {
      if (get().run.status === 'running') return;
      const saved = get().history.runs.find((r) => r.id === id);
      if (!saved) return;
      try {
        const events = await loadEvents(id);
        const label = saved.file ?? `${saved.track} run of ${new Date(saved.startedAt).toLocaleString()}${saved.status === 'interrupted' ? ' (interrupted)' : ''}`;
        set({
          track: saved.track, events, derived: events.reduce(fold, EMPTY), selectedRollout: null, selectedItem: null,
          run: {
            ...IDLE_RUN, status: STATUS[saved.status], startedAt: saved.startedAt, seconds: saved.seconds, modelUrl: saved.modelUrl, setup: saved.setup, id,
            viewing: { kind: saved.status === 'imported' ? 'recording' : 'saved', label },
          },
        });
      } catch (e) {
        failed('The run could not be opened')(e);
      }
    },

    closeRun() {
      if (get().run.viewing) set({ run: IDLE_RUN, events: [], derived: EMPTY, selectedRollout: null, selectedItem: null });
    },

    async deleteSavedRun(id) {
      try {
        await Promise.all([deleteRun(id), deleteRunStore(id)]);
        if (get().run.id === id && get().run.viewing) get().closeRun();
        update({ compare: get().history.compare.filter((x) => x !== id) });
      } catch (e) {
        failed('The run could not be deleted')(e);
      }
      await get().refreshHistory();
    },

    async importRunFile(file) {
      try {
        const { run, events } = fromRunFile(JSON.parse(await file.text()), file.name);
        await saveRun(run);
        await appendEvents(run.id, 0, events);
        await get().refreshHistory();
        await get().openRun(run.id);
      } catch (e) {
        get().fail(`Importing ${file.name}`, e);
      }
    },

    async toggleCompare(id) {
      const { compare, compared } = get().history;
      if (compare.includes(id)) {
        const { [id]: _gone, ...rest } = compared;
        update({ compare: compare.filter((x) => x !== id), compared: rest });
        return;
      }
      try {
        const events = id === get().run.id ? get().events : await loadEvents(id);
        update({ compare: [...get().history.compare, id], compared: { ...get().history.compared, [id]: events.reduce(fold, EMPTY) } });
      } catch (e) {
        failed('The run could not be loaded for the comparison')(e);
      }
    },
  };
};
