// ReST-EM M-step: SFT loss of the self-edit generator on the kept pairs, one line per round.
import { useMemo } from 'react';
import { useLab } from '../../store/lab.ts';
import { LossCurves, type LossSeries } from './LossCurves.tsx';
import { LINE_COLOURS } from './theme.ts';

export function SftLossChart() {
  const sft = useLab((s) => s.derived.sftLoss);
  const series = useMemo((): LossSeries[] => {
    const rounds = [...new Set(sft.map((p) => p.round))];
    return rounds.map((r, i) => ({
      key: `r${r}`, name: `round ${r}`, colour: LINE_COLOURS[(i + 1) % LINE_COLOURS.length], points: sft.filter((p) => p.round === r),
    }));
  }, [sft]);

  return (
    <section className="panel chart-panel" aria-labelledby="sft-title" data-testid="sft-chart">
      <h2 id="sft-title">SFT loss per round (M-step)</h2>
      {series.length === 0 ? (
        <p className="empty">No M-step yet: after the E-step, the generator is fine-tuned on the rewarded self-edits (none rewarded: no SFT).</p>
      ) : (
        <LossCurves series={series} label={`SFT loss over ${sft.length} steps in ${series.length} rounds`} height={200} strokeWidth={3} dots />
      )}
    </section>
  );
}
