// Reward of every rollout as it arrives (0 or 1, one dot each, coloured by method) and the running mean.
import { useMemo } from 'react';
import { CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import type { Method } from '../../seal/events.ts';
import { methodLabel } from '../../store/labels.ts';
import { useLab } from '../../store/lab.ts';
import { AXIS, GRID, LEGEND, METHOD_COLOR, TOOLTIP } from './theme.ts';

const ORDER: Method[] = ['icl', 'no-rl', 'seal', 'oracle'];

export function RewardChart() {
  const rewards = useLab((s) => s.derived.rewards);
  const { byMethod, mean } = useMemo(() => {
    let sum = 0;
    const mean = rewards.map((r) => ({ index: r.index, mean: (sum += r.reward) / r.index }));
    const byMethod = ORDER.map((m) => ({ method: m, points: rewards.filter((r) => r.method === m).map((r) => ({ index: r.index, reward: r.reward, label: methodLabel(r.method, r.round) })) }))
      .filter((g) => g.points.length);
    return { byMethod, mean };
  }, [rewards]);
  const solved = rewards.filter((r) => r.reward === 1).length;

  return (
    <section className="panel chart-panel" aria-labelledby="reward-title">
      <h2 id="reward-title">Reward per rollout</h2>
      <p className="muted small">
        {rewards.length ? `${rewards.length} rollouts, ${solved} rewarded; line: running mean.` : 'Each rollout adds a dot (1 = task solved) as soon as it is scored.'}
      </p>
      <div className="chart" data-testid="reward-chart" data-points={rewards.length} role="img" aria-label={`${rewards.length} rewards, ${solved} equal to 1`}>
        <ResponsiveContainer width="100%" height={220}>
          <ComposedChart data={mean} margin={{ top: 10, right: 12, bottom: 0, left: -8 }}>
            <CartesianGrid {...GRID} />
            <XAxis dataKey="index" type="number" domain={[0, 'dataMax + 1']} allowDecimals={false} {...AXIS} />
            <YAxis domain={[-0.1, 1.1]} ticks={[0, 0.5, 1]} {...AXIS} />
            <Tooltip {...TOOLTIP} formatter={(v, name) => [typeof v === 'number' ? Number(v.toFixed(3)) : String(v), name]} labelFormatter={(l) => `rollout ${l}`} />
            <Legend {...LEGEND} />
            <Line dataKey="mean" name="running mean" stroke="#58a6ff" strokeWidth={3} dot={false} isAnimationActive={false} type="stepAfter" />
            {byMethod.map((g) => (
              <Scatter key={g.method} data={g.points} dataKey="reward" name={methodLabel(g.method, 1).replace(' r1', '')} fill={METHOD_COLOR[g.method]} isAnimationActive={false} />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
