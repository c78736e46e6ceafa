// The charts, in one module so recharts loads as its own chunk (React.lazy in App) after the first paint: the
// results beside the paper's table (per track), rewards, TTT and SFT losses, and the knowledge track's forgetting.
import { useMemo } from 'react';
import { CompareCharts } from './CompareCharts.tsx';
import { trackUi } from '../tracks.ts';
import { useTrackSetup } from '../tracks.ts';
import { ForgettingHeatmap } from './ForgettingHeatmap.tsx';
import { RewardChart } from './RewardChart.tsx';
import { SftLossChart } from './SftLossChart.tsx';
import { SuccessChart } from './SuccessChart.tsx';
import { TttLossChart } from './TttLossChart.tsx';

export default function Charts() {
  const setup = useTrackSetup();
  const ui = trackUi(setup.track);
  const charts = useMemo(() => ui.charts(setup), [ui, setup]);
  return (
    <>
      {charts.map((c) => <SuccessChart key={c.testId} wanted={c.wanted} title={c.title} testId={c.testId} note={c.note} />)}
      <RewardChart />
      <TttLossChart />
      <SftLossChart />
      {ui.forgetting(setup) && <ForgettingHeatmap />}
      <CompareCharts />
    </>
  );
}
