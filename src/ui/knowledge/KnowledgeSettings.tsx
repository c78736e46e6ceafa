// What one knowledge run does. Every field shows the value the run will use: the user's change, else the model's
// seal_lab.json, else the paper's. "Model" drops the changes; "Demo" is every phase in a few minutes (a talk, a
// class); "Paper" asks for the paper's counts (slow on a CPU).
import type { ReactNode } from 'react';
import { knowledgeSettings, PAPER_KNOWLEDGE, type Grader, type KnowledgeConfig, type KnowledgeSettings as Settings } from '../../seal/knowledge/config.ts';
import { SELF_EDIT_TEMPLATES, type SelfEditPromptKind } from '../../seal/knowledge/prompts.ts';
import { useLab } from '../../store/lab.ts';
import { CheckField, NumberField } from '../fields.tsx';
import { useKnowledgeSetup } from './setup.ts';
import { useKnowledge } from './state.ts';

type NumKey = 'seed' | 'rounds' | 'selfEditsPerPassage' | 'evalSelfEditsPerPassage' | 'tttSeeds' | 'slots' | 'cptPassages' | 'forgettingPassages' | 'maxTrain' | 'maxEval';

const PROMPTS = Object.keys(SELF_EDIT_TEMPLATES).filter((k): k is SelfEditPromptKind => k in SELF_EDIT_TEMPLATES);
const GRADERS: Array<[Grader, string]> = [['exact', 'exact match'], ['contains', 'contains a gold answer'], ['f1', 'token F1 ≥ 0.5'], ['judge', 'the model as judge (yes/no)']];

const PAPER: Settings = {
  rounds: PAPER_KNOWLEDGE.rounds, selfEditsPerPassage: PAPER_KNOWLEDGE.selfEditsPerPassage, tttSeeds: PAPER_KNOWLEDGE.tttSeeds, maxTrain: 50, maxEval: 50,
};

/** Every phase of Table 2 in a few minutes on a CPU adapter: 42 inner loops (the model's defaults: 496). */
const DEMO: Settings = { rounds: 1, selfEditsPerPassage: 3, evalSelfEditsPerPassage: 2, maxTrain: 6, maxEval: 4 };

export function KnowledgeSettings() {
  const running = useLab((s) => s.run.status === 'running');
  const update = useKnowledge((s) => s.updateKnowledgeSettings);
  const setup = useKnowledgeSetup();
  const settings = useKnowledge((s) => s.settings);
  const lab = useLab((s) => s.model.info?.sealLab?.knowledge);
  const caps = knowledgeSettings(lab, settings).caps;
  const cfg: KnowledgeConfig = setup.config;
  const value: Record<NumKey, number> = { ...cfg, slots: cfg.ttt.slots, maxTrain: caps.train, maxEval: caps.eval };

  const num = (k: NumKey, label: string, min: number) => (
    <NumberField label={label} value={value[k]} min={min} testId={`kset-${k}`} onChange={(v) => v !== null && update({ [k]: v })} />
  );
  const select = (label: string, node: ReactNode) => <label><span className="label">{label}</span>{node}</label>;
  const check = (k: keyof KnowledgeConfig['methods'], label: string) => (
    <CheckField label={label} checked={cfg.methods[k]} testId={`kmethod-${k}`} onChange={(v) => update({ methods: { ...cfg.methods, [k]: v } })} />
  );

  return (
    <section className="panel setup" aria-labelledby="ksettings-title" data-testid="knowledge-settings">
      <div className="panel-head">
        <h2 id="ksettings-title">Run settings</h2>
        <div className="presets">
          <button type="button" className="secondary small-btn" disabled={running} onClick={() => update({}, true)} title="the model's seal_lab.json settings">Model</button>
          <button type="button" className="secondary small-btn" disabled={running} onClick={() => update(DEMO, true)} title="every phase in a few minutes">Demo</button>
          <button type="button" className="secondary small-btn" disabled={running} onClick={() => update(PAPER, true)} title="the paper's counts">Paper</button>
        </div>
      </div>
      <fieldset className="settings-grid" disabled={running}>
        <legend className="sr-only">Counts</legend>
        {num('seed', 'Seed', 0)}
        {num('rounds', 'ReST-EM rounds', 0)}
        {num('selfEditsPerPassage', 'Self-edits / passage', 1)}
        {num('evalSelfEditsPerPassage', 'Self-edits / held-out passage', 1)}
        {num('tttSeeds', 'TTT seeds / self-edit', 1)}
        {num('slots', 'Inner loops side by side (0 = auto)', 0)}
        {num('maxTrain', 'ReST-EM passages', 0)}
        {num('maxEval', 'Held-out passages', 1)}
        {num('cptPassages', 'CPT passages (0 = off)', 0)}
        {num('forgettingPassages', 'Forgetting edits (0 = off)', 0)}
        {select('Self-edit prompt', (
          <select value={cfg.prompt} data-testid="kset-prompt" onChange={(e) => update({ prompt: PROMPTS.find((p) => p === e.target.value) })}>
            {PROMPTS.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        ))}
        {select('Grader', (
          <select value={cfg.grader} data-testid="kset-grader" onChange={(e) => update({ grader: GRADERS.find(([g]) => g === e.target.value)?.[0] })}>
            {GRADERS.map(([g, label]) => <option key={g} value={g}>{label}</option>)}
          </select>
        ))}
      </fieldset>
      <fieldset className="checks" disabled={running}>
        <legend className="label">Baselines (SEAL runs each round)</legend>
        {check('base', 'Base')}
        {check('passage', 'Passage only')}
        {check('own', 'Own self-edits')}
        {check('reference', 'Reference')}
      </fieldset>
    </section>
  );
}
