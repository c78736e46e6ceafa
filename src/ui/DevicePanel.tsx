// The WebGPU adapter the engine got: vendor, architecture, features, key limits (collapsible).
import type { AdapterInfo } from '../engine/gpu/device.ts';
import { formatBytes } from './format.ts';

const LIMIT_LABELS: Record<string, string> = {
  maxBufferSize: 'Max buffer size',
  maxStorageBufferBindingSize: 'Max storage binding',
  maxComputeWorkgroupStorageSize: 'Workgroup storage',
  maxComputeInvocationsPerWorkgroup: 'Invocations / workgroup',
  maxComputeWorkgroupsPerDimension: 'Workgroups / dimension',
};

const BYTE_LIMITS = new Set(['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize']);

export function DevicePanel({ info }: { info: AdapterInfo }) {
  const software = /swiftshader|llvmpipe|lavapipe/i.test(`${info.architecture} ${info.description} ${info.device}`);
  return (
    <details className="panel device" data-testid="device-panel">
      <summary>
        <h2 id="device-title">Device</h2>
        <span className="muted" data-testid="device-summary">{[info.vendor, info.architecture].filter(Boolean).join(' · ') || 'adapter'}</span>
      </summary>
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
      <h3 id="features-title">Features</h3>
      <ul className="chips" aria-labelledby="features-title" data-testid="adapter-features">
        {info.features.length === 0 && <li className="muted">none</li>}
        {info.features.map((f) => (
          <li key={f} className={f === 'shader-f16' ? 'chip chip-key' : 'chip'}>{f}</li>
        ))}
      </ul>
      {!info.features.includes('shader-f16') && <p className="muted small">No shader-f16: the engine uses its f32 paths.</p>}
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
    </details>
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
