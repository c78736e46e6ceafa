// Test-time-training loss per self-edit: one line per rollout (the last few), loss against LoRA step.
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useLab } from '../../store/lab.ts';
import { AXIS, GRID, LEGEND, LINE_COLORS, TOOLTIP } from './theme.ts';

const LAST = 6;

export function TttLossChart() {
  const tttLoss = useLab((s) => s.derived.tttLoss);
  const rollouts = useLab((s) => s.derived.rollouts);
  const { ids, data } = useMemo(() => {
    const ids = Object.keys(tttLoss).slice(-LAST);
    const steps = new Map<number, Record<string, number>>();
    for (const id of ids) for (const p of tttLoss[id]) steps.set(p.step, { ...steps.get(p.step), step: p.step, [id]: p.loss });
    return { ids, data: [...steps.values()].sort((a, b) => a.step - b.step) };
  }, [tttLoss]);

  return (
    <section className="panel chart-panel" aria-labelledby="ttt-title" data-testid="ttt-chart">
      <h2 id="ttt-title">TTT loss per self-edit</h2>
      {ids.length === 0 ? (
        <p className="empty">No inner loop yet: a line appears when a self-edit is applied (LoRA steps on its augmented data).</p>
      ) : (
        <div className="chart" role="img" aria-label={`TTT loss curves of ${ids.length} rollouts`}>
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={data} margin={{ top: 10, right: 12, bottom: 0, left: -8 }}>
              <CartesianGrid {...GRID} />
              <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} {...AXIS} />
              <YAxis {...AXIS} tickFormatter={(v: number) => v.toFixed(2)} />
              <Tooltip {...TOOLTIP} formatter={(v, name) => [typeof v === 'number' ? v.toFixed(4) : String(v), name]} labelFormatter={(l) => `step ${l}`} />
              <Legend {...LEGEND} />
              {ids.map((id, i) => (
                <Line key={id} dataKey={id} name={`${id} ${rollouts[id]?.taskId ?? ''}`.trim()} stroke={LINE_COLORS[i % LINE_COLORS.length]}
                  strokeWidth={2.5} dot={false} connectNulls isAnimationActive={false} />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}
