// Track B's state on the main thread (its own zustand store): where the passages come from (the embedded model's
// mini world, or a SQuAD-shaped JSON file with optional reference self-edits) and the user's changes to the run
// settings; the rest come from the model's seal_lab.json "knowledge" block, else the paper (knowledgeSettings).
// `knowledgeRunPlan` turns them into a worker request.
import { create } from 'zustand';
import { knowledgeSettings, type KnowledgeOverrides, type KnowledgeSettings } from '../../seal/knowledge/config.ts';
import { resolvePassages, type PassageSet, type PassageSource } from '../../seal/knowledge/passages.ts';
import { DEFAULT_WORLD } from '../../seal/worlds/minibio/index.ts';
import { useLab } from '../../store/lab.ts';
import type { RunPlan } from '../../store/slices/run.ts';

/** Where a knowledge run's passages come from, as picked in the UI. */
export type PassageChoice =
  | { kind: 'mini'; seed: number }
  | { kind: 'file'; label: string; passages: unknown; references?: unknown };

export interface KnowledgeState {
  choice: PassageChoice;
  settings: KnowledgeSettings;
  setPassageChoice(c: PassageChoice): void;
  loadPassageFiles(passages: File, references?: File): Promise<void>;
  updateKnowledgeSettings(p: KnowledgeSettings, replace?: boolean): void;
}

export function passageSource(c: PassageChoice): PassageSource {
  return c.kind === 'mini' ? { source: 'mini', seed: c.seed } : { source: 'file', label: c.label, passages: c.passages, references: c.references };
}

/** The passages a run would use (the same function the worker calls), or why the file cannot be used. */
export function previewPassages(c: PassageChoice, caps: { train: number; eval: number }, lab: KnowledgeOverrides | undefined): { set: PassageSet | null; error: string | null } {
  try {
    return { set: resolvePassages(passageSource(c), caps, lab?.world ?? DEFAULT_WORLD), error: null };
  } catch (e) {
    return { set: null, error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

async function readJsonFile(f: File): Promise<unknown> {
  try {
    return JSON.parse(await f.text());
  } catch (e) {
    throw new SyntaxError(`${f.name} is not valid JSON: ${(e as Error).message}`);
  }
}

export const useKnowledge = create<KnowledgeState>()((set, get) => ({
  choice: { kind: 'mini', seed: 0 },
  settings: {},

  setPassageChoice(c) {
    set({ choice: c });
  },

  async loadPassageFiles(passages, references) {
    try {
      const choice: PassageChoice = { kind: 'file', label: passages.name, passages: await readJsonFile(passages), ...(references && { references: await readJsonFile(references) }) };
      set({ choice });
    } catch (e) {
      useLab.getState().fail('Reading the passages file', e);
    }
  },

  updateKnowledgeSettings(p, replace = false) {
    set({ settings: replace ? p : { ...get().settings, ...p } });
  },
}));

/** The run the current settings ask for. */
export function knowledgeRunPlan(): RunPlan {
  const { choice, settings } = useKnowledge.getState();
  const lab = useLab.getState().model.info?.sealLab?.knowledge;
  const { config, caps } = knowledgeSettings(lab, settings);
  const { maxTrain: _t, maxEval: _e, ...user } = settings;
  const preview = previewPassages(choice, caps, lab);
  const source = passageSource(choice);
  return {
    request: { track: 'knowledge', passages: source, maxTrain: caps.train, maxEval: caps.eval, config: user },
    setup: {
      track: 'knowledge', config, items: preview.set ?? { train: [], eval: [] },
      source: source.source === 'mini' ? source : { source: 'file', label: source.label },
    },
  };
}
