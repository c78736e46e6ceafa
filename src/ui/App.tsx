// The lab: header (with the track picker) and controls on top; set-up (model, the track's items and settings,
// device) on the left; the loop and the charts in the middle; the track's item viewer on the right (ARC: task
// grids; knowledge: the passage and its questions); the self-edit table below. The engine worker starts once.
import { lazy, Suspense, useEffect, useState } from 'react';
import { useLab } from '../store/lab.ts';
import { Header } from './Header.tsx';
import { Controls, useRunShortcuts } from './Controls.tsx';
import { HistoryPanel } from './history/HistoryPanel.tsx';
import { ViewingBanner } from './history/ViewingBanner.tsx';
import { PresenterView } from './presenter/PresenterView.tsx';
import { ErrorPanel } from './ErrorPanel.tsx';
import { ModelPicker } from './ModelPicker.tsx';
import { DevicePanel } from './DevicePanel.tsx';
import { GpuError } from './GpuError.tsx';
import { StepPanel } from './StepPanel.tsx';
import { SelfEditInspector } from './SelfEditInspector.tsx';
import { trackUi } from './tracks.ts';

const Charts = lazy(() => import('./charts/Charts.tsx'));

export function App() {
  const gpu = useLab((s) => s.gpu);
  const track = useLab((s) => s.track);
  const Track = trackUi(track);
  const connect = useLab((s) => s.connect);
  useEffect(() => void connect(), [connect]);
  // ?view=presenter opens the presenter view; p switches.
  const [presenting, setPresenting] = useState(() => new URLSearchParams(location.search).get('view') === 'presenter');
  useRunShortcuts({ p: () => setPresenting((v) => !v) });
  if (presenting && gpu.kind !== 'error') return <PresenterView />;

  return (
    <div className="app" data-testid="app">
      <Header />
      {gpu.kind === 'error' ? (
        <main className="app-main"><GpuError title={gpu.title} message={gpu.message} /></main>
      ) : (
        <>
          <Controls />
          <ErrorPanel />
          <ViewingBanner />
          <main className="lab">
            <div className="col col-setup">
              <ModelPicker />
              <Track.SetupPanels />
              {gpu.kind === 'ready' ? <DevicePanel info={gpu.info} /> : <p className="muted">Requesting a WebGPU adapter and device…</p>}
            </div>
            <div className="col col-loop">
              <StepPanel />
              <Suspense fallback={<p className="panel muted">Loading the charts…</p>}>
                <Charts />
              </Suspense>
            </div>
            <div className="col col-grid">
              <Track.ItemPanels />
            </div>
            <div className="col col-wide">
              <SelfEditInspector />
              <HistoryPanel />
            </div>
          </main>
        </>
      )}
    </div>
  );
}
