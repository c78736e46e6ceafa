// Which model the engine runs: the embedded mini model, or any http(s) folder in Hugging Face layout.
import { useState, type FormEvent } from 'react';
import { useLab } from '../store/lab.ts';
import { formatBytes } from './format.ts';

export function ModelPicker() {
  const model = useLab((s) => s.model);
  const embedded = useLab((s) => s.embeddedModelUrl);
  const running = useLab((s) => s.run.status === 'running');
  const ready = useLab((s) => s.gpu.kind === 'ready');
  const loadModel = useLab((s) => s.loadModel);
  const isEmbedded = model.url === embedded;
  const [custom, setCustom] = useState(isEmbedded ? '' : model.url);
  const [mode, setMode] = useState<'embedded' | 'custom'>(isEmbedded ? 'embedded' : 'custom');
  const busy = running || model.status === 'loading' || !ready;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void loadModel(mode === 'embedded' ? embedded : custom);
  };
  const cfg = model.info?.config;

  return (
    <section className="panel setup" aria-labelledby="model-title" data-testid="model-picker">
      <h2 id="model-title">Model</h2>
      <form onSubmit={submit} className="stack">
        <label>
          <span className="label">Source</span>
          <select value={mode} onChange={(e) => setMode(e.target.value as 'embedded' | 'custom')} data-testid="model-source">
            <option value="embedded">Embedded mini model (seal-mini-arc)</option>
            <option value="custom">Model folder URL…</option>
          </select>
        </label>
        {mode === 'custom' && (
          <label>
            <span className="label">URL of a Hugging Face-layout folder</span>
            <input type="text" inputMode="url" value={custom} onChange={(e) => setCustom(e.target.value)} placeholder="https://huggingface.co/org/model or models/…/"
              spellCheck={false} data-testid="model-url" />
            <span className="hint">config.json, model.safetensors (or an index), tokenizer.json; the server must allow CORS.</span>
          </label>
        )}
        <button type="submit" disabled={busy} data-testid="load-model">{model.status === 'loading' ? 'Loading…' : 'Load model'}</button>
      </form>
      <div className="model-state" role="status" aria-live="polite" data-testid="model-status" data-status={model.status}>
        {model.status === 'loading' && (
          <>
            <p>Loading <code className="wrap">{model.url.replace(location.origin, '')}</code>…</p>
            {model.progress && (
              <p className="muted small" data-testid="model-progress">
                {model.progress.stage === 'download' ? 'Fetching' : 'To the GPU:'} {model.progress.what}
                {` · ${formatBytes(model.progress.loaded)}${model.progress.total ? ` of ${formatBytes(model.progress.total)}` : ''}`}
              </p>
            )}
          </>
        )}
        {model.status === 'error' && <p className="bad">Could not load <code>{model.url}</code> (details above).</p>}
        {model.status === 'ready' && cfg && (
          <>
            <p className="ok">Loaded in {model.seconds?.toFixed(1)} s: <code className="wrap">{model.url.replace(location.origin, '')}</code></p>
            <dl className="mini-facts">
              <dt>Architecture</dt><dd>{cfg.arch}, {cfg.layers} layers × {cfg.hidden}</dd>
              <dt>Vocab</dt><dd>{cfg.vocabSize.toLocaleString('en-US')}</dd>
              <dt>Weights</dt><dd>{formatBytes(model.info!.weightBytes)}</dd>
              <dt>SEAL settings</dt><dd>{model.info!.sealLab ? 'seal_lab.json (small model)' : "the paper's (1B)"}</dd>
            </dl>
          </>
        )}
      </div>
    </section>
  );
}
