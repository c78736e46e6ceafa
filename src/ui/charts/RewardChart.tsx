// Reward of every rollout as it arrives (one dot each, coloured by method, in the order methods first appear) and
// the running mean of the run's own; a student's self-edits ("yours") are stars, outside the mean.
import { useMemo } from 'react';
import { CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import { YOURS } from '../../seal/core/yours.ts';
import { methodLabel } from '../../store/labels.ts';
import { useLab } from '../../store/lab.ts';
import { trackUi } from '../tracks.ts';
import { AXIS, GRID, LEGEND, methodColour, TOOLTIP } from './theme.ts';

/** `fill`: take the height the layout leaves (the presenter view, where the results table below must stay on screen). */
export function RewardChart({ fill = false }: { fill?: boolean }) {
  const rewards = useLab((s) => s.derived.rewards);
  const track = useLab((s) => s.run.setup?.track ?? s.track);
  const { byMethod, mean } = useMemo(() => {
    const mean: Array<{ index: number; mean: number }> = [];
    let sum = 0;
    let n = 0;
    for (const r of rewards) {
      if (r.method === YOURS) continue;
      sum += r.reward;
      mean.push({ index: r.index, mean: sum / ++n });
    }
    const order = [...new Set(rewards.map((r) => r.method))];
    const byMethod = order.map((m) => ({
      method: m, points: rewards.filter((r) => r.method === m).map((r) => ({ index: r.index, reward: r.reward, label: methodLabel(r.method, r.round) })),
    }));
    return { byMethod, mean };
  }, [rewards]);
  const solved = rewards.filter((r) => r.reward > 0).length;

  return (
    <section className={`panel chart-panel${fill ? ' chart-fill' : ''}`} aria-labelledby="reward-title">
      <h2 id="reward-title">Reward per rollout</h2>
      <p className="muted small">
        {rewards.length ? `${rewards.length} rollouts, ${solved} rewarded; line: running mean.` : `Each rollout adds a dot as soon as it is scored: ${trackUi(track).reward}.`}
      </p>
      <div className="chart" data-testid="reward-chart" data-points={rewards.length} data-yours={rewards.filter((r) => r.method === YOURS).length} role="img" aria-label={`${rewards.length} rewards, ${solved} equal to 1`}>
        <ResponsiveContainer width="100%" height={fill ? '100%' : 220}>
          <ComposedChart data={mean} margin={{ top: 10, right: 12, bottom: 0, left: -8 }}>
            <CartesianGrid {...GRID} />
            <XAxis dataKey="index" type="number" domain={[0, 'dataMax + 1']} allowDecimals={false} {...AXIS} />
            <YAxis domain={[-0.1, 1.1]} ticks={[0, 0.5, 1]} {...AXIS} />
            <Tooltip {...TOOLTIP} formatter={(v, name) => [typeof v === 'number' ? Number(v.toFixed(3)) : String(v), name]} labelFormatter={(l) => `rollout ${l}`} />
            <Legend {...LEGEND} />
            <Line dataKey="mean" name="running mean" stroke="#58a6ff" strokeWidth={3} dot={false} isAnimationActive={false} type="stepAfter" />
            {byMethod.map((g) => (
              <Scatter key={g.method} data={g.points} dataKey="reward" name={methodLabel(g.method, 1).replace(' r1', '')} fill={methodColour(g.method)} isAnimationActive={false}
                {...(g.method === YOURS && { shape: 'star', legendType: 'star' as const, className: 'yours-points' })} />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
