// Track B (knowledge incorporation) as the worker runs it: a request names the passages and the user's settings;
// `knowledgeSettings` resolves them against the model's seal_lab.json "knowledge" block and the paper's values,
// for the worker, the store and the UI alike.
import { itemIds, type RunItems, type TrackModule } from '../core/module.ts';
import { SealLoop, type RunResult } from '../core/loop.ts';
import { knowledgeSettings, KnowledgeOverrides, type KnowledgeConfig, type KnowledgeUserSettings } from './config.ts';
import { resolvePassages, type PassageSet, type PassageSource } from './passages.ts';
import { runKnowledgeExperiment } from './run.ts';
import { knowledgeTrack } from './track.ts';
import type { ForgettingCell, KnowledgeEvent, KnowledgeRollout } from './types.ts';
import { DEFAULT_WORLD } from '../worlds/minibio/index.ts';

export interface KnowledgeRunRequest {
  track: 'knowledge';
  passages: PassageSource;
  /** Passages per role (defaults: the model's seal_lab.json, else 8 each). */
  maxTrain?: number;
  maxEval?: number;
  config: KnowledgeUserSettings;
}

export type KnowledgeRunResult = RunResult<KnowledgeRollout> & RunItems & { track: 'knowledge'; config: KnowledgeConfig; forgetting: ForgettingCell[] };

export const knowledgeModule: TrackModule<
  'knowledge', KnowledgeOverrides, KnowledgeRunRequest, KnowledgeRunResult, KnowledgeEvent, KnowledgeRollout, KnowledgeConfig, PassageSet
> = {
  name: 'knowledge',
  labSchema: KnowledgeOverrides,
  resolve(lab, req) {
    const { config, caps } = knowledgeSettings(lab, { ...req.config, maxTrain: req.maxTrain, maxEval: req.maxEval });
    return { config, items: resolvePassages(req.passages, caps, lab?.world ?? DEFAULT_WORLD) };
  },
  async run(env, req) {
    const { config, items: passages } = this.resolve(env.lab, req);
    let cfg = config;
    if (cfg.restEm.lineFilter === 'facts' && req.passages.source !== 'mini') {
      // the filter knows the mini world's values only: on other passages it would drop every line
      env.emit({ type: 'warning', message: 'restEm.lineFilter "facts" applies to the mini world\'s passages only: the M-step imitates whole self-edits here' });
      cfg = { ...cfg, restEm: { ...cfg.restEm, lineFilter: 'none' } };
    }
    const result = await runKnowledgeExperiment({ ...env, cfg }, passages, env.journal);
    return { ...result, track: 'knowledge', config: cfg, items: itemIds(passages) };
  },
  apply(env, { config, items }, edit) {
    const ctx = { ...env, cfg: config };
    return SealLoop.applyOutsideRun(ctx, knowledgeTrack(ctx, items), items, edit);
  },
  modifiesBase: (req) => (req.config.rounds ?? 1) > 0 || (req.config.forgettingPassages ?? 0) > 0,
};
