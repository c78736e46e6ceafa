// Success rate (or accuracy) per method and round of this run beside the paper's table. Running rates are drawn
// lighter until the method's result arrives.
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, ErrorBar, LabelList, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useLab } from '../../store/lab.ts';
import { PAPER_TABLE_NAME } from '../../store/labels.ts';
import { AXIS, GRID, LEGEND, methodColour, PAPER_COLOUR, TOOLTIP } from './theme.ts';
import { interval, successRows } from './successRows.ts';

const pct = (v: unknown) => (typeof v === 'number' ? `${Number(v.toFixed(1))}%` : '');

interface Props {
  /** The rows: (method, round) pairs, in order. */
  wanted: Array<[string, number]>;
  title: string;
  note: string;
  testId: string;
}

export function SuccessChart({ wanted, title, note, testId }: Props) {
  const setup = useLab((s) => s.run.setup);
  const current = useLab((s) => s.track);
  const methods = useLab((s) => s.derived.methods);
  const rollouts = useLab((s) => s.derived.rollouts);
  const track = setup?.track ?? current;
  const rows = useMemo(() => successRows(track, wanted, methods, Object.values(rollouts)), [track, wanted, methods, rollouts]);
  const id = `${testId}-title`;

  return (
    <section className="panel chart-panel" aria-labelledby={id} data-testid={testId}>
      <h2 id={id}>{title}</h2>
      <p className="muted small">{note} Whiskers: 95 % interval (bootstrap over held-out items). Grey: the paper's {PAPER_TABLE_NAME[track]}.</p>
      <div className="chart" role="img" aria-label={rows.map((r) => `${r.name}: ${r.run === null ? 'no result yet' : pct(r.run)}${r.interval ? ` (95 % interval ${interval(r.interval)})` : ''}${r.paper !== null ? `, paper ${r.paper}%` : ''}`).join('; ')}>
        <ResponsiveContainer width="100%" height={280}>
          <BarChart data={rows} margin={{ top: 24, right: 8, bottom: 0, left: -8 }} barGap={4}>
            <CartesianGrid {...GRID} vertical={false} />
            <XAxis dataKey="name" {...AXIS} interval={0} />
            <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} unit="%" {...AXIS} />
            <Tooltip {...TOOLTIP} formatter={(v, name, item) => [
              `${pct(v)}${name === 'This run' ? ` (${item.payload.solved}/${item.payload.total}${item.payload.final ? `; 95 % interval ${interval(item.payload.interval)}` : ', running'})` : ''}`, name]} />
            <Legend {...LEGEND} />
            <Bar dataKey="run" name="This run" fill={methodColour('seal')} isAnimationActive={false} minPointSize={3}>
              {rows.map((r) => <Cell key={r.key} fill={methodColour(r.method)} fillOpacity={r.final ? 1 : 0.45} />)}
              <LabelList dataKey="run" position="top" formatter={pct} fill="#e6edf3" fontSize={15} />
              <ErrorBar dataKey="err" width={6} stroke="#e6edf3" strokeWidth={1.5} direction="y" />
            </Bar>
            <Bar dataKey="paper" name={`Paper (${PAPER_TABLE_NAME[track].split(' (')[0]})`} fill={PAPER_COLOUR} isAnimationActive={false} minPointSize={3}>
              <LabelList dataKey="paper" position="top" formatter={pct} fill="#9da7b3" fontSize={14} />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
