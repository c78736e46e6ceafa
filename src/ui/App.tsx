// The lab: header and controls on top; set-up (model, tasks, settings, device) on the left; the loop, the charts
// and the task grids in the middle and on the right; the self-edit table below. The engine worker starts once.
import { lazy, Suspense, useEffect } from 'react';
import { useLab } from '../store/lab.ts';
import { Header } from './Header.tsx';
import { Controls } from './Controls.tsx';
import { ErrorPanel } from './ErrorPanel.tsx';
import { ModelPicker } from './ModelPicker.tsx';
import { TaskSetPicker } from './arc/TaskSetPicker.tsx';
import { ArcSettings } from './arc/ArcSettings.tsx';
import { DevicePanel } from './DevicePanel.tsx';
import { GpuError } from './GpuError.tsx';
import { StepPanel } from './StepPanel.tsx';
import { GridViewer } from './arc/GridViewer.tsx';
import { SelfEditInspector } from './SelfEditInspector.tsx';

const Charts = lazy(() => import('./charts/Charts.tsx'));

export function App() {
  const gpu = useLab((s) => s.gpu);
  const connect = useLab((s) => s.connect);
  useEffect(() => void connect(), [connect]);

  return (
    <div className="app" data-testid="app">
      <Header />
      {gpu.kind === 'error' ? (
        <main className="app-main"><GpuError title={gpu.title} message={gpu.message} /></main>
      ) : (
        <>
          <Controls />
          <ErrorPanel />
          <main className="lab">
            <div className="col col-setup">
              <ModelPicker />
              <TaskSetPicker />
              <ArcSettings />
              {gpu.kind === 'ready' ? <DevicePanel info={gpu.info} /> : <p className="muted">Requesting a WebGPU adapter and device…</p>}
            </div>
            <div className="col col-loop">
              <StepPanel />
              <Suspense fallback={<p className="panel muted">Loading the charts…</p>}>
                <Charts />
              </Suspense>
            </div>
            <div className="col col-grid">
              <GridViewer />
            </div>
            <div className="col col-wide">
              <SelfEditInspector />
            </div>
          </main>
        </>
      )}
    </div>
  );
}
