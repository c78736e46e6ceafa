// An engine or input error, in full: what the lab was doing, the error's name and message, the stack on demand.
// The run's events stay in the store, so the charts, the table and the exports keep everything that arrived.
import { useLab } from '../store/lab.ts';

const HINTS: Record<string, string> = {
  TaskFileError: 'The task files are not in ARC format: challenges {id: {train, test}} and solutions {id: [grids]}.',
  ModelFormatError: 'The model folder needs config.json, model.safetensors (or an index) and tokenizer.json.',
  ModelConfigError: 'The engine runs Llama and Qwen2 configurations only.',
  GpuMemoryError: 'Try a smaller model, fewer examples or a lower LoRA rank.',
  DeviceLostError: 'The GPU device was lost: reload the page.',
  WorkerError: 'The engine worker crashed: reload the page.',
};

export function ErrorPanel() {
  const error = useLab((s) => s.error);
  const hasEvents = useLab((s) => s.events.length > 0);
  const dismiss = useLab((s) => s.dismissError);
  if (!error) return null;
  return (
    <section className="error-box" role="alert" aria-labelledby="error-title" data-testid="error-panel">
      <div className="panel-head">
        <h2 id="error-title">{error.context} failed</h2>
        <button type="button" className="secondary" onClick={dismiss} data-testid="error-dismiss">Dismiss</button>
      </div>
      <p className="error-message"><strong data-testid="error-name">{error.name}</strong>: <span data-testid="error-message">{error.message}</span></p>
      {HINTS[error.name] && <p className="muted">{HINTS[error.name]}</p>}
      {hasEvents && <p className="muted">Everything the run produced before the error is kept below and can still be exported.</p>}
      {error.stack && (
        <details>
          <summary>Stack trace</summary>
          <pre className="stack-trace">{error.stack}</pre>
        </details>
      )}
    </section>
  );
}
