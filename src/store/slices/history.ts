// Saved runs: the list (IndexedDB, ../saved_runs.ts), opening one to look at (its charts, tables and self-edits
// folded from its saved events, marked as not live, ready to replay: ./replay.ts), deleting, importing a run file as a
// recording, the recordings shipped for talks (../recordings.ts), and picking runs to compare.
import type { StateCreator } from 'zustand';
import { EMPTY, fold, type Derived } from '../derive.ts';
import { deleteRun, fromRunFile, listRuns, loadEvents, loadTimedEvents, saveRun, appendEvents, storageEstimate, type SavedRun } from '../saved_runs.ts';
import { fetchRecording, fetchRecordingIndex, type RecordingEntry } from '../recordings.ts';
import type { LabEvent } from '../../seal/tracks.ts';
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
    /** The recordings shipped for talks (null until listed), or why they could not be read. */
    recordings: RecordingEntry[] | null;
    recordingsError: string | null;
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
  /** Lists the shipped recordings (public/runs/index.json). */
  loadRecordings(): Promise<void>;
  /** Opens a shipped recording (of `track`, by default the one on screen), and plays it when asked. */
  openRecording(track?: LabState['track'], play?: boolean): Promise<void>;
}

const STATUS: Record<SavedRun['status'], RunStatus> = { running: 'stopped', done: 'done', stopped: 'stopped', error: 'error', interrupted: 'stopped', imported: 'done' };

export const historySlice: StateCreator<LabState, [], [], HistorySlice> = (set, get) => {
  const update = (p: Partial<LabState['history']>) => set((s) => ({ history: { ...s.history, ...p } }));
  const failed = (what: string) => (e: unknown) => update({ error: `${what}: ${(e as Error).message}` });
  /** Puts a run that is not live on screen, whole, ready to replay. */
  const show = (saved: Pick<SavedRun, 'track' | 'status' | 'startedAt' | 'seconds' | 'modelUrl' | 'setup' | 'id'>, label: string, events: LabEvent[], times?: number[]) => {
    set({
      track: saved.track, events, times: times ?? [], derived: events.reduce(fold, EMPTY), selectedRollout: null, selectedItem: null,
      run: {
        ...IDLE_RUN, status: STATUS[saved.status], startedAt: saved.startedAt, seconds: saved.seconds, modelUrl: saved.modelUrl, setup: saved.setup, id: saved.id,
        viewing: { kind: saved.status === 'imported' ? 'recording' : 'saved', label },
      },
    });
    get().loadReplay(events, times);
  };
  return {
    history: { runs: [], usage: null, quota: null, error: null, compare: [], compared: {}, recordings: null, recordingsError: null },

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
        const { events, times } = await loadTimedEvents(id);
        const label = saved.file ?? `${saved.track} run of ${new Date(saved.startedAt).toLocaleString()}${saved.status === 'interrupted' ? ' (interrupted)' : ''}`;
        show(saved, label, events, times);
      } catch (e) {
        failed('The run could not be opened')(e);
      }
    },

    closeRun() {
      if (!get().run.viewing) return;
      get().endReplay();
      set({ run: IDLE_RUN, events: [], times: [], derived: EMPTY, selectedRollout: null, selectedItem: null });
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
        const { run, events, times } = fromRunFile(JSON.parse(await file.text()), file.name);
        await saveRun(run);
        await appendEvents(run.id, 0, events, times);
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
        const events = id === get().run.id ? (get().replay.source?.events ?? get().events) : await loadEvents(id); // a replay's whole run
        update({ compare: [...get().history.compare, id], compared: { ...get().history.compared, [id]: events.reduce(fold, EMPTY) } });
      } catch (e) {
        failed('The run could not be loaded for the comparison')(e);
      }
    },

    async loadRecordings() {
      try {
        update({ recordings: await fetchRecordingIndex(), recordingsError: null });
      } catch (e) {
        update({ recordings: [], recordingsError: (e as Error).message });
      }
    },

    async openRecording(track = get().track, play = false) {
      if (get().run.status === 'running') return;
      if (!get().history.recordings?.length) await get().loadRecordings(); // (again, after a failed listing)
      const { recordings } = get().history;
      const entry = recordings?.find((r) => r.track === track);
      if (!entry) {
        if (recordings) update({ recordingsError: get().history.recordingsError ?? `No recording of the ${track} track ships with this build.` });
        return;
      }
      try {
        const { run, events, times } = await fetchRecording(entry);
        if (get().run.status === 'running') return; // a live run started meanwhile: it wins
        show({ ...run, id: `recording:${entry.file}` }, entry.file, events, times);
        update({ recordingsError: null });
        if (play) get().restartReplay();
      } catch (e) {
        update({ recordingsError: (e as Error).message }); // what is on screen stays
      }
    },
  };
};
