// ReST-EM M-step: SFT loss of the self-edit generator on the kept pairs, one line per round.
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useLab } from '../../store/lab.ts';
import { AXIS, GRID, LEGEND, LINE_COLORS, TOOLTIP } from './theme.ts';

export function SftLossChart() {
  const sft = useLab((s) => s.derived.sftLoss);
  const { rounds, data } = useMemo(() => {
    const rounds = [...new Set(sft.map((p) => p.round))];
    const steps = new Map<number, Record<string, number>>();
    for (const p of sft) steps.set(p.step, { ...steps.get(p.step), step: p.step, [`r${p.round}`]: p.loss });
    return { rounds, data: [...steps.values()].sort((a, b) => a.step - b.step) };
  }, [sft]);

  return (
    <section className="panel chart-panel" aria-labelledby="sft-title" data-testid="sft-chart">
      <h2 id="sft-title">SFT loss per round (M-step)</h2>
      {rounds.length === 0 ? (
        <p className="empty">No M-step yet: after the E-step, the generator is fine-tuned on the rewarded self-edits (none rewarded: no SFT).</p>
      ) : (
        <div className="chart" role="img" aria-label={`SFT loss over ${sft.length} steps in ${rounds.length} rounds`}>
          <ResponsiveContainer width="100%" height={200}>
            <LineChart data={data} margin={{ top: 10, right: 12, bottom: 0, left: -8 }}>
              <CartesianGrid {...GRID} />
              <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} {...AXIS} />
              <YAxis {...AXIS} tickFormatter={(v: number) => v.toFixed(2)} />
              <Tooltip {...TOOLTIP} formatter={(v, name) => [typeof v === 'number' ? v.toFixed(4) : String(v), name]} labelFormatter={(l) => `step ${l}`} />
              <Legend {...LEGEND} />
              {rounds.map((r, i) => (
                <Line key={r} dataKey={`r${r}`} name={`round ${r}`} stroke={LINE_COLORS[(i + 1) % LINE_COLORS.length]} strokeWidth={3} dot={{ r: 3 }} connectNulls isAnimationActive={false} />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}
