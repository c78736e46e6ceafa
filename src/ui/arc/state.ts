// Track A's state on the main thread (its own zustand store): which tasks a run uses (the generated mini-ARC
// split, or ARC JSON from files or URLs, previewed locally with the same functions the worker runs) and the run's
// settings; `arcRunPlan` turns them into a worker request.
import { create } from 'zustand';
import { arcConfig } from '../../seal/arc/config.ts';
import type { TaskSet } from '../../seal/arc/task_set.ts';
import { MINI_ARC_DEFAULT } from '../../seal/worlds/minarc/index.ts';
import { useLab } from '../../store/lab.ts';
import type { RunPlan } from '../../store/slices/run.ts';
import { fetchArcJson, previewTasks, readArcFiles, requestLimits, taskSource, type TaskChoice } from './tasks.ts';

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
  /** Inner loops trained side by side (adapter slots); absent: the model's seal_lab.json, else the paper default. */
  slots?: number;
}

export const ARC_PAPER_SETTINGS: ArcSettings = {
  seed: 0, rounds: 1, selfEditsPerTrainTask: 15, selfEditsPerEvalTask: 5, maxTrain: null, maxEval: null, methods: { icl: true, noRl: true, oracle: true },
};
/** A few minutes on a laptop GPU with the embedded model: every phase of the loop, small counts. */
export const ARC_DEMO_SETTINGS: ArcSettings = {
  seed: 0, rounds: 1, selfEditsPerTrainTask: 3, selfEditsPerEvalTask: 2, maxTrain: 3, maxEval: 3, methods: { icl: true, noRl: true, oracle: true },
};

export interface ArcState {
  choice: TaskChoice;
  preview: TaskSet | null;
  previewError: string | null;
  settings: ArcSettings;
  setTaskChoice(c: TaskChoice): void;
  loadTaskFiles(evalFiles: File[], trainFiles?: File[]): Promise<void>;
  loadTaskUrls(urls: { challenges: string; solutions: string; trainChallenges?: string; trainSolutions?: string }): Promise<void>;
  updateArcSettings(p: Partial<ArcSettings>): void;
}

function preview(c: TaskChoice, s: ArcSettings): Pick<ArcState, 'preview' | 'previewError'> {
  try {
    return { preview: previewTasks(c, s), previewError: null };
  } catch (e) {
    return { preview: null, previewError: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

const fail = (what: string, e: unknown) => useLab.getState().fail(what, e);

export const useArc = create<ArcState>()((set, get) => {
  const choice: TaskChoice = { kind: 'mini', seed: MINI_ARC_DEFAULT.seed };
  return {
    choice, settings: ARC_DEMO_SETTINGS, ...preview(choice, ARC_DEMO_SETTINGS),

    setTaskChoice(c) {
      set({ choice: c, ...preview(c, get().settings) });
    },

    async loadTaskFiles(evalFiles, trainFiles) {
      try {
        const ev = await readArcFiles(evalFiles);
        const tr = trainFiles?.length ? await readArcFiles(trainFiles) : null;
        get().setTaskChoice({ kind: 'files', label: ev.label, eval: ev.files, ...(tr && { train: tr.files }) });
      } catch (e) {
        fail('Reading the task files', e);
      }
    },

    async loadTaskUrls(u) {
      try {
        const [challenges, solutions] = await Promise.all([fetchArcJson(u.challenges), fetchArcJson(u.solutions)]);
        const train = u.trainChallenges && u.trainSolutions
          ? { challenges: await fetchArcJson(u.trainChallenges), solutions: await fetchArcJson(u.trainSolutions) }
          : undefined;
        get().setTaskChoice({ kind: 'files', label: u.challenges.split('/').pop() || u.challenges, eval: { challenges, solutions }, ...(train && { train }) });
      } catch (e) {
        fail('Fetching the task files', e);
      }
    },

    updateArcSettings(p) {
      const old = get().settings;
      const settings = { ...old, ...p, methods: { ...old.methods, ...p.methods } };
      const limitsChanged = settings.maxEval !== old.maxEval || settings.maxTrain !== old.maxTrain;
      set({ settings, ...(limitsChanged && preview(get().choice, settings)) });
    },
  };
});

/** The run the current settings ask for. */
export function arcRunPlan(): RunPlan {
  const arc = useArc.getState();
  const { seed, rounds, selfEditsPerTrainTask, selfEditsPerEvalTask, methods, slots } = arc.settings;
  const user = { seed, rounds, selfEditsPerTrainTask, selfEditsPerEvalTask, methods, ...(slots !== undefined && { slots }) };
  const tasks = taskSource(arc.choice, arc.settings);
  return {
    request: { track: 'arc', tasks, ...requestLimits(arc.settings), config: user },
    setup: {
      track: 'arc', config: arcConfig(useLab.getState().model.info?.sealLab?.arc ?? {}, user),
      // A task file the local preview rejects still runs: the worker validates it and its TaskFileError is shown.
      items: arc.preview ?? { train: [], eval: [] },
      source: tasks.source === 'mini' ? tasks : { source: 'files', label: arc.choice.kind === 'files' ? arc.choice.label : '' },
    },
  };
}
