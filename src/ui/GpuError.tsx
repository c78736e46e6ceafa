// No WebGPU (or no device): say why, and how to get it.
import { useLab } from '../store/lab.ts';

export function GpuError({ title, message }: { title: string; message: string }) {
  const retry = useLab((s) => s.retryGpu);
  return (
    <section className="error-box" role="alert" aria-labelledby="gpu-error-title" data-testid="gpu-error">
      <h2 id="gpu-error-title">{title}</h2>
      <p data-testid="gpu-error-message">{message}</p>
      <p className="muted">SEAL Lab needs WebGPU: use a recent Chrome or Edge, and check <code>chrome://gpu</code>.</p>
      <button type="button" onClick={() => void retry()} data-testid="gpu-retry">Try again</button>
    </section>
  );
}
