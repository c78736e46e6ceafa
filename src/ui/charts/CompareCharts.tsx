// Two or more saved runs side by side (history → Compare): the results of each method, a bar per run, and each
// run's running mean reward per rollout — e.g. two seeds, two models, two prompts.
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { methodLabel } from '../../store/labels.ts';
import { useLab } from '../../store/lab.ts';
import { trackUi } from '../tracks.ts';
import { AXIS, GRID, LEGEND, LINE_COLOURS, TOOLTIP } from './theme.ts';

const pct = (v: unknown) => (typeof v === 'number' ? `${Number(v.toFixed(1))}%` : '');

export function CompareCharts() {
  const { compare, compared, runs } = useLab((s) => s.history);
  const series = useMemo(() => compare.filter((id) => compared[id]).map((id, i) => {
    const r = runs.find((x) => x.id === id);
    const name = r ? `${new Date(r.startedAt).toLocaleTimeString()} ${trackUi(r.track).short} seed ${r.setup?.config.seed ?? '?'}` : id;
    return { id, key: `run${i}`, name, colour: LINE_COLOURS[i % LINE_COLOURS.length], derived: compared[id] };
  }), [compare, compared, runs]);
  const bars = useMemo(() => {
    const rows = new Map<string, Record<string, number | string>>();
    for (const s of series) {
      for (const m of s.derived.methods) {
        const label = methodLabel(m.method, m.round);
        rows.set(label, { ...rows.get(label), name: label, [s.key]: 100 * m.successRate });
      }
    }
    return [...rows.values()];
  }, [series]);
  const lines = useMemo(() => {
    const n = Math.max(0, ...series.map((s) => s.derived.rewards.length));
    const sums = series.map(() => 0);
    return Array.from({ length: n }, (_, i) => {
      const row: Record<string, number> = { index: i + 1 };
      series.forEach((s, k) => {
        const r = s.derived.rewards[i];
        if (!r) return;
        sums[k] += r.reward;
        row[s.key] = sums[k] / (i + 1);
      });
      return row;
    });
  }, [series]);
  if (series.length < 2) return null;

  return (
    <section className="panel chart-panel" aria-labelledby="compare-title" data-testid="compare-charts" data-runs={series.length}>
      <h2 id="compare-title">Compare {series.length} runs</h2>
      <div className="chart" role="img" aria-label={`results of ${series.length} runs per method`}>
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={bars} margin={{ top: 20, right: 8, bottom: 0, left: -8 }}>
            <CartesianGrid {...GRID} vertical={false} />
            <XAxis dataKey="name" {...AXIS} interval={0} />
            <YAxis domain={[0, 100]} unit="%" {...AXIS} />
            <Tooltip {...TOOLTIP} formatter={(v, name) => [pct(v), name]} />
            <Legend {...LEGEND} />
            {series.map((s) => <Bar key={s.key} dataKey={s.key} name={s.name} fill={s.colour} isAnimationActive={false} minPointSize={2} />)}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <div className="chart" role="img" aria-label={`running mean reward of ${series.length} runs`}>
        <ResponsiveContainer width="100%" height={200}>
          <LineChart data={lines} margin={{ top: 10, right: 12, bottom: 0, left: -8 }}>
            <CartesianGrid {...GRID} />
            <XAxis dataKey="index" type="number" domain={[1, 'dataMax']} allowDecimals={false} {...AXIS} />
            <YAxis domain={[0, 1]} {...AXIS} />
            <Tooltip {...TOOLTIP} formatter={(v, name) => [typeof v === 'number' ? v.toFixed(3) : String(v), name]} labelFormatter={(l) => `rollout ${l}`} />
            <Legend {...LEGEND} />
            {series.map((s) => <Line key={s.key} dataKey={s.key} name={`${s.name} (mean reward)`} stroke={s.colour} strokeWidth={2.5} dot={false} isAnimationActive={false} connectNulls />)}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
