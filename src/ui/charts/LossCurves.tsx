// Loss against step, one line per series: the shared body of the TTT and SFT loss charts. A loss above SPIKE× the
// series' first value is flagged (a red dot and a note): a learning rate too high shows here before it diverges.
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceDot, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { AXIS, GRID, LEGEND, TOOLTIP } from './theme.ts';

export interface LossSeries {
  key: string;
  name: string;
  colour: string;
  points: ReadonlyArray<{ step: number; loss: number }>;
}

interface Props {
  series: LossSeries[];
  label: string;
  height: number;
  /** Line width and whether each step gets a dot (few steps: dots; many short curves: none). */
  strokeWidth: number;
  dots: boolean;
}

export const SPIKE = 10;

/** Points whose loss is above SPIKE× their series' first loss. */
export function lossSpikes(series: readonly LossSeries[]): Array<{ key: string; name: string; step: number; loss: number; ratio: number }> {
  return series.flatMap((s) => {
    const first = s.points[0]?.loss;
    return first > 0 ? s.points.filter((p) => p.loss > SPIKE * first).map((p) => ({ key: s.key, name: s.name, step: p.step, loss: p.loss, ratio: p.loss / first })) : [];
  });
}

export function LossCurves({ series, label, height, strokeWidth, dots }: Props) {
  const data = useMemo(() => {
    const steps = new Map<number, Record<string, number>>(); // one row per step, a column per series
    for (const s of series) for (const p of s.points) steps.set(p.step, { ...steps.get(p.step), step: p.step, [s.key]: p.loss });
    return [...steps.values()].sort((a, b) => a.step - b.step);
  }, [series]);
  const spikes = useMemo(() => lossSpikes(series), [series]);

  return (
    <div className="chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={data} margin={{ top: 10, right: 12, bottom: 0, left: -8 }}>
          <CartesianGrid {...GRID} />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} {...AXIS} />
          <YAxis {...AXIS} tickFormatter={(v: number) => v.toFixed(2)} />
          <Tooltip {...TOOLTIP} formatter={(v, name) => [typeof v === 'number' ? v.toFixed(4) : String(v), name]} labelFormatter={(l) => `step ${l}`} />
          <Legend {...LEGEND} />
          {series.map((s) => (
            <Line key={s.key} dataKey={s.key} name={s.name} stroke={s.colour} strokeWidth={strokeWidth}
              dot={dots ? { r: 3 } : false} connectNulls isAnimationActive={false} />
          ))}
          {spikes.map((p) => <ReferenceDot key={`${p.key}-${p.step}`} x={p.step} y={p.loss} r={6} fill="#ff7b72" stroke="none" />)}
        </LineChart>
      </ResponsiveContainer>
      {spikes.length > 0 && (
        <p className="chart-note warn" data-testid="loss-spikes">
          Loss spike{spikes.length > 1 ? 's' : ''} (over {SPIKE}× the first loss): {spikes.slice(0, 4).map((p) => `${p.name} step ${p.step} (${p.loss.toFixed(2)}, ×${p.ratio.toFixed(0)})`).join('; ')}
          {spikes.length > 4 ? ` and ${spikes.length - 4} more` : ''}.
        </p>
      )}
    </div>
  );
}
