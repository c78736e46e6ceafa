// The charts, in one module so recharts loads as its own chunk (React.lazy in App) after the first paint: the
// results beside the paper's table (per track), rewards, TTT and SFT losses, and the knowledge track's forgetting.
import { useMemo } from 'react';
import { useLab } from '../../store/lab.ts';
import { CompareCharts } from './CompareCharts.tsx';
import { useTrackSetup } from '../useTrackSetup.ts';
import { ForgettingHeatmap } from './ForgettingHeatmap.tsx';
import { RewardChart } from './RewardChart.tsx';
import { SftLossChart } from './SftLossChart.tsx';
import { SuccessChart } from './SuccessChart.tsx';
import { arcRows, knowledgeRows } from './successRows.ts';
import { TttLossChart } from './TttLossChart.tsx';

export default function Charts() {
  const setup = useTrackSetup();
  const filter = useLab((s) => (s.arc.choice.kind === 'mini' ? s.model.info?.sealLab?.arc?.evalFilter : undefined));
  const rows = useMemo(() => (setup.track === 'arc' ? { arc: arcRows(setup.config) } : { knowledge: knowledgeRows(setup.config, setup.references) }), [setup]);
  return (
    <>
      {rows.arc && (
        <SuccessChart wanted={rows.arc} title="Success rate by method" testId="success-chart"
          note={`Share of held-out self-edits that solve their task (ICL: share of tasks).${filter ? ` Evaluation tasks filtered: ${filter}.` : ''}`} />
      )}
      {rows.knowledge && (
        <SuccessChart wanted={rows.knowledge.single} title="QA accuracy, one passage at a time" testId="success-chart"
          note="Closed-book accuracy on the held-out passages' questions after each update (base: no update)." />
      )}
      {rows.knowledge && rows.knowledge.cpt.length > 0 && (
        <SuccessChart wanted={rows.knowledge.cpt} title="Continued pre-training" testId="cpt-chart"
          note="One adapter over all the passages at once, then every question." />
      )}
      <RewardChart />
      <TttLossChart />
      <SftLossChart />
      {setup.track === 'knowledge' && setup.config.forgettingPassages > 0 && <ForgettingHeatmap />}
      <CompareCharts />
    </>
  );
}
