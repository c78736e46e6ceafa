// App shell: acquires the engine's WebGPU device on load and reports the adapter. The lab itself comes later.
import { useEffect, useState } from 'react';
import { NoWebGpuError, requestEngineDevice, type AdapterInfo } from '../engine/gpu/device.ts';

type GpuState =
  | { kind: 'loading' }
  | { kind: 'ready'; info: AdapterInfo }
  | { kind: 'error'; title: string; message: string };

const LIMIT_LABELS: Record<string, string> = {
  maxBufferSize: 'Max buffer size',
  maxStorageBufferBindingSize: 'Max storage binding',
  maxComputeWorkgroupStorageSize: 'Workgroup storage',
  maxComputeInvocationsPerWorkgroup: 'Invocations / workgroup',
  maxComputeWorkgroupsPerDimension: 'Workgroups / dimension',
};

const BYTE_LIMITS = new Set(['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize']);

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

function useEngineDevice(attempt: number): GpuState {
  const [state, setState] = useState<GpuState>({ kind: 'loading' });
  useEffect(() => {
    let cancelled = false;
    let device: GPUDevice | null = null;
    setState({ kind: 'loading' });
    requestEngineDevice(navigator.gpu).then(
      (r) => {
        device = r.device;
        if (cancelled) {
          device.destroy();
          return;
        }
        setState({ kind: 'ready', info: r.info });
        device.lost.then((lost) => {
          if (!cancelled) setState({ kind: 'error', title: 'GPU device lost', message: `${lost.reason}: ${lost.message}` });
        });
      },
      (e: unknown) => {
        if (cancelled) return;
        const message = e instanceof Error ? e.message : String(e);
        setState({ kind: 'error', title: e instanceof NoWebGpuError ? 'WebGPU unavailable' : 'Could not create a GPU device', message });
      },
    );
    return () => {
      cancelled = true;
      device?.destroy();
    };
  }, [attempt]);
  return state;
}

export function App() {
  const [attempt, setAttempt] = useState(0);
  const gpu = useEngineDevice(attempt);
  const statusText = gpu.kind === 'loading' ? 'Connecting to the GPU…' : gpu.kind === 'ready' ? 'WebGPU ready' : 'No WebGPU';

  return (
    <div className="app" data-testid="app">
      <header className="app-header">
        <div>
          <h1>SEAL Lab</h1>
          <p className="tagline">Self-adapting language models, trained in your browser with WebGPU</p>
        </div>
        <p className={`status status-${gpu.kind}`} role="status" aria-live="polite" data-testid="gpu-status">
          <span className="dot" aria-hidden="true" />
          {statusText}
        </p>
      </header>

      <main className="app-main">
        {gpu.kind === 'loading' && <p className="muted">Requesting a WebGPU adapter and device…</p>}
        {gpu.kind === 'error' && (
          <section className="error-box" role="alert" aria-labelledby="gpu-error-title" data-testid="gpu-error">
            <h2 id="gpu-error-title">{gpu.title}</h2>
            <p data-testid="gpu-error-message">{gpu.message}</p>
            <p className="muted">
              SEAL Lab needs WebGPU: use a recent Chrome or Edge, and check <code>chrome://gpu</code>.
            </p>
            <button type="button" onClick={() => setAttempt((a) => a + 1)} data-testid="gpu-retry">
              Try again
            </button>
          </section>
        )}
        {gpu.kind === 'ready' && <DevicePanel info={gpu.info} />}
      </main>
    </div>
  );
}

function DevicePanel({ info }: { info: AdapterInfo }) {
  const software = /swiftshader|llvmpipe|lavapipe/i.test(`${info.architecture} ${info.description} ${info.device}`);
  return (
    <section className="panel" aria-labelledby="device-title" data-testid="device-panel">
      <h2 id="device-title">Device</h2>
      {software && (
        <p className="note" data-testid="software-note">
          Software adapter (CPU emulation): correct, but far slower than a real GPU.
        </p>
      )}
      <dl className="facts">
        <Fact label="Vendor" value={info.vendor} testId="adapter-vendor" />
        <Fact label="Architecture" value={info.architecture} testId="adapter-architecture" />
        <Fact label="Device" value={info.device} testId="adapter-device" />
        <Fact label="Description" value={info.description} testId="adapter-description" />
      </dl>

      <div className="columns">
        <div>
          <h3 id="features-title">Features</h3>
          <ul className="chips" aria-labelledby="features-title" data-testid="adapter-features">
            {info.features.length === 0 && <li className="muted">none</li>}
            {info.features.map((f) => (
              <li key={f} className={f === 'shader-f16' ? 'chip chip-key' : 'chip'}>
                {f}
              </li>
            ))}
          </ul>
          {!info.features.includes('shader-f16') && (
            <p className="muted small">No shader-f16: the engine uses its f32 paths.</p>
          )}
        </div>
        <div>
          <h3 id="limits-title">Key limits</h3>
          <table className="limits" aria-labelledby="limits-title" data-testid="adapter-limits">
            <tbody>
              {Object.entries(info.limits).map(([k, v]) => (
                <tr key={k} data-testid={`limit-${k}`}>
                  <th scope="row">
                    {LIMIT_LABELS[k] ?? k}
                    <span className="limit-key">{k}</span>
                  </th>
                  <td>{BYTE_LIMITS.has(k) ? formatBytes(v) : v.toLocaleString('en-US')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

function Fact({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value || <span className="muted">(not reported)</span>}</dd>
    </div>
  );
}
