// Test-time-training loss per self-edit: one line per rollout (the last few), loss against LoRA step.
import { useMemo } from 'react';
import { useLab } from '../../store/lab.ts';
import { LossCurves, type LossSeries } from './LossCurves.tsx';
import { LINE_COLOURS } from './theme.ts';

const LAST = 6;

export function TttLossChart() {
  const tttLoss = useLab((s) => s.derived.tttLoss);
  const rollouts = useLab((s) => s.derived.rollouts);
  const series = useMemo((): LossSeries[] =>
    Object.keys(tttLoss).slice(-LAST).map((id, i) => ({
      key: id, name: `${id} ${rollouts[id]?.itemId ?? ''}`.trim(), colour: LINE_COLOURS[i % LINE_COLOURS.length], points: tttLoss[id],
    })), [tttLoss, rollouts]);

  return (
    <section className="panel chart-panel" aria-labelledby="ttt-title" data-testid="ttt-chart">
      <h2 id="ttt-title">TTT loss per self-edit</h2>
      {series.length === 0 ? (
        <p className="empty">No inner loop yet: a line appears when a self-edit is applied (LoRA steps on its augmented data).</p>
      ) : (
        <LossCurves series={series} label={`TTT loss curves of ${series.length} rollouts`} height={220} strokeWidth={2.5} dots={false} />
      )}
    </section>
  );
}
