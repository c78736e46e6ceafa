// Title, the track picker and the WebGPU status.
import { useLab } from '../store/lab.ts';
import { TrackPicker } from './TrackPicker.tsx';

export function Header() {
  const gpu = useLab((s) => s.gpu);
  const text = gpu.kind === 'loading' ? 'Connecting to the GPU…' : gpu.kind === 'ready' ? 'WebGPU ready' : 'No WebGPU';
  return (
    <header className="app-header">
      <div className="title">
        <div className="title-row">
          <h1>SEAL Lab</h1>
          <p className={`status status-${gpu.kind}`} role="status" aria-live="polite" data-testid="gpu-status">
            <span className="dot" aria-hidden="true" />
            {text}
          </p>
        </div>
        <p className="tagline">Self-adapting LLMs (arXiv 2506.10943), trained in your browser with WebGPU</p>
      </div>
      <TrackPicker />
    </header>
  );
}
