// The four charts, in one module so recharts loads as its own chunk (React.lazy in App) after the first paint.
import { SuccessChart } from './SuccessChart.tsx';
import { RewardChart } from './RewardChart.tsx';
import { TttLossChart } from './TttLossChart.tsx';
import { SftLossChart } from './SftLossChart.tsx';

export default function Charts() {
  return (
    <>
      <SuccessChart />
      <RewardChart />
      <TttLossChart />
      <SftLossChart />
    </>
  );
}
