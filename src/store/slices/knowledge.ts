// Track B (knowledge incorporation): where the passages come from (the embedded model's mini world, or a
// SQuAD-shaped JSON file with optional reference self-edits) and the user's changes to the run settings; the
// rest come from the model's seal_lab.json "knowledge" block, else the paper.
import type { StateCreator } from 'zustand';
import { knowledgeConfig, type KnowledgeOverrides } from '../../seal/knowledge/config.ts';
import { resolvePassages, type PassageSet, type PassageSource } from '../../seal/knowledge/passages.ts';
import { DEFAULT_WORLD } from '../../seal/knowledge/world/index.ts';
import { DEFAULT_PASSAGES } from '../../seal/tracks.ts';
import type { KnowledgeSlice, KnowledgeSettings, LabState, PassageChoice } from '../state.ts';

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

/** Passages per role: the user's, else the model's seal_lab.json, else the default. */
export function effectiveCaps(settings: KnowledgeSettings, lab: KnowledgeOverrides | undefined): { train: number; eval: number } {
  return { train: settings.maxTrain ?? lab?.passages?.train ?? DEFAULT_PASSAGES.train, eval: settings.maxEval ?? lab?.passages?.eval ?? DEFAULT_PASSAGES.eval };
}

async function readJsonFile(f: File): Promise<unknown> {
  try {
    return JSON.parse(await f.text());
  } catch (e) {
    throw new SyntaxError(`${f.name} is not valid JSON: ${(e as Error).message}`);
  }
}

export const knowledgeSlice: StateCreator<LabState, [], [], KnowledgeSlice> = (set, get) => {
  const update = (p: Partial<LabState['knowledge']>) => set((s) => ({ knowledge: { ...s.knowledge, ...p } }));
  return {
    knowledge: { choice: { kind: 'mini', seed: 0 }, settings: {} },

    setPassageChoice(c) {
      update({ choice: c });
    },

    async loadPassageFiles(passages, references) {
      try {
        const choice: PassageChoice = { kind: 'file', label: passages.name, passages: await readJsonFile(passages), ...(references && { references: await readJsonFile(references) }) };
        update({ choice });
      } catch (e) {
        get().fail('Reading the passages file', e);
      }
    },

    updateKnowledgeSettings(p: KnowledgeSettings, replace = false) {
      const old = get().knowledge.settings;
      update({ settings: replace ? p : { ...old, ...p } });
    },

    knowledgeEffective() {
      const lab = get().model.info?.sealLab?.knowledge;
      const { maxTrain, maxEval, ...user } = get().knowledge.settings;
      return { config: knowledgeConfig(lab, user), caps: effectiveCaps({ maxTrain, maxEval }, lab) };
    },

    knowledgeRunPlan() {
      const { knowledge, model } = get();
      const { config, caps } = get().knowledgeEffective();
      const { maxTrain: _t, maxEval: _e, ...user } = knowledge.settings;
      const preview = previewPassages(knowledge.choice, caps, model.info?.sealLab?.knowledge);
      const source = passageSource(knowledge.choice);
      return {
        request: { track: 'knowledge', passages: source, maxTrain: caps.train, maxEval: caps.eval, config: user },
        setup: {
          track: 'knowledge', config, items: preview.set ?? { train: [], eval: [] },
          source: source.source === 'mini' ? source : { source: 'file', label: source.label },
        },
      };
    },
  };
};
