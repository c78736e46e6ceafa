// What one run does: seed, ReST-EM rounds, self-edits per task, how many tasks, which baselines. Two presets:
// the paper's counts (Table 1) and a short demo.
import { arcConfig } from '../../seal/arc/config.ts';
import { useLab } from '../../store/lab.ts';
import { ARC_DEMO_SETTINGS, ARC_PAPER_SETTINGS, useArc, type ArcSettings as Settings } from './state.ts';
import { CheckField, NumberField } from '../fields.tsx';

type NumKey = 'seed' | 'rounds' | 'selfEditsPerTrainTask' | 'selfEditsPerEvalTask' | 'maxTrain' | 'maxEval';

export function ArcSettings() {
  const s = useArc((st) => st.settings);
  const running = useLab((st) => st.run.status === 'running');
  const update = useArc((st) => st.updateArcSettings);
  const lab = useLab((st) => st.model.info?.sealLab?.arc);
  const slots = arcConfig(lab ?? {}, { slots: s.slots }).ttt.slots;

  const num = (k: NumKey, label: string, min: number, optional = false, testId?: string) => (
    <NumberField label={label} value={s[k]} min={min} optional={optional} testId={testId} onChange={(v) => update({ [k]: v })} />
  );
  const check = (k: keyof Settings['methods'], label: string) => (
    <CheckField label={label} checked={s.methods[k]} testId={`method-${k}`} onChange={(v) => update({ methods: { ...s.methods, [k]: v } })} />
  );

  return (
    <section className="panel setup" aria-labelledby="settings-title" data-testid="run-settings">
      <div className="panel-head">
        <h2 id="settings-title">Run settings</h2>
        <div className="presets">
          <button type="button" className="secondary small-btn" disabled={running} onClick={() => update(ARC_DEMO_SETTINGS)}>Demo</button>
          <button type="button" className="secondary small-btn" disabled={running} onClick={() => update(ARC_PAPER_SETTINGS)}>Paper</button>
        </div>
      </div>
      <fieldset className="settings-grid" disabled={running}>
        <legend className="sr-only">Counts</legend>
        {num('seed', 'Seed', 0, false, 'set-seed')}
        {num('rounds', 'ReST-EM rounds', 0, false, 'set-rounds')}
        {num('selfEditsPerTrainTask', 'Self-edits / train task', 1, false, 'set-se-train')}
        {num('selfEditsPerEvalTask', 'Self-edits / eval task', 1, false, 'set-se-eval')}
        {num('maxTrain', 'Train tasks (max)', 0, true, 'set-max-train')}
        {num('maxEval', 'Eval tasks (max)', 1, true, 'set-max-eval')}
        <NumberField label="Inner loops side by side (0 = auto)" value={slots} min={0} testId="set-slots" onChange={(v) => v !== null && update({ slots: v })} />
      </fieldset>
      <fieldset className="checks" disabled={running}>
        <legend className="label">Baselines (SEAL runs each round)</legend>
        {check('icl', 'ICL')}
        {check('noRl', 'TTT no-RL')}
        {check('oracle', 'Oracle TTT')}
      </fieldset>
    </section>
  );
}
