// Which model the engine runs: the embedded mini model, a Hugging Face Hub repo, a local folder (picker or
// drag-and-drop), or any http(s) folder in Hugging Face layout; the quantisation; the load's progress with
// Cancel; and the download cache.
import { useState, type DragEvent, type FormEvent } from 'react';
import { useLab } from '../store/lab.ts';
import { decimalBytes, formatParams, hubSpec, initialHubForm, QUANTIZE_LABELS, type HubForm, type Quantize } from '../store/model_source.ts';
import { TRACK_LABELS } from '../seal/tracks.ts';
import { embeddedModelUrl } from '../store/model_url.ts';
import { filesFromDrop, filesFromInput, rememberedToken, rememberToken } from './model/dom.ts';
import type { ModelSourceSpec, PickedFile } from '../engine/storage/spec.ts';
import { formatBytes } from './format.ts';
import { LoadProgress } from './model/LoadProgress.tsx';
import { CacheManager } from './model/CacheManager.tsx';
import { TryIt } from './model/TryIt.tsx';

type Mode = 'embedded' | 'hub' | 'files' | 'url';

const MODES: Array<[Mode, string]> = [['embedded', 'Embedded'], ['hub', 'Hugging Face Hub'], ['files', 'Local folder'], ['url', 'URL']];

/** The folder holding config.json among the picked files (its name, for display). */
function folderSummary(files: PickedFile[]): { name: string; bytes: number; hasConfig: boolean } {
  const cfg = files.find((f) => /(^|\/)(adapter_)?config\.json$/.test(f.path));
  const root = cfg ? cfg.path.replace(/\/?[^/]*$/, '') : files[0]?.path.split('/')[0] ?? '';
  return { name: root || '(top level)', bytes: files.reduce((n, f) => n + f.file.size, 0), hasConfig: !!cfg };
}

function initialMode(source: ModelSourceSpec, embedded: string): Mode {
  if (source.kind === 'hub') return 'hub';
  if (source.kind === 'files') return 'files';
  return source.url === embedded ? 'embedded' : 'url';
}

export function ModelPicker() {
  const model = useLab((s) => s.model);
  const track = useLab((s) => s.track);
  const embedded = embeddedModelUrl(track);
  const running = useLab((s) => s.run.status === 'running');
  const ready = useLab((s) => s.gpu.kind === 'ready');
  const loadModel = useLab((s) => s.loadModel);
  const quantize = useLab((s) => s.quantize);
  const setQuantize = useLab((s) => s.setQuantize);
  const setError = (name: string, message: string) => useLab.setState({ error: { context: 'Model source', name, message } });

  const [mode, setMode] = useState<Mode>(() => initialMode(model.source, embedded));
  const [url, setUrl] = useState(model.source.kind === 'url' && model.source.url !== embedded ? model.source.url : '');
  const [hub, setHub] = useState<HubForm>(() => ({ ...initialHubForm(), token: rememberedToken() ?? '' }));
  const [remember, setRemember] = useState(() => rememberedToken() !== null);
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [dragging, setDragging] = useState(false);
  const loading = model.status === 'loading';
  const busy = running || loading || !ready;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    try {
      if (mode === 'embedded') void loadModel(embedded);
      else if (mode === 'url') void loadModel(url);
      else if (mode === 'files') {
        if (!files.length) return setError('ModelSourceError', 'Pick or drop a model folder first.');
        void loadModel({ kind: 'files', files });
      } else {
        const spec = hubSpec(hub);
        rememberToken(remember && hub.token.trim() ? hub.token.trim() : null);
        void loadModel(spec);
      }
    } catch (err) {
      setError((err as Error).name, (err as Error).message);
    }
  };

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (busy) return;
    try {
      const picked = await filesFromDrop(e.dataTransfer);
      if (picked.length) {
        setFiles(picked);
        setMode('files');
      }
    } catch (err) {
      setError('ModelSourceError', `Could not read the dropped folder: ${(err as Error).message}`);
    }
  };
  const onDragOver = (e: DragEvent) => {
    if (![...e.dataTransfer.types].includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    if (!dragging) setDragging(true);
  };

  const setHubField = (k: keyof HubForm) => (e: { target: { value: string } }) => setHub((h) => ({ ...h, [k]: e.target.value }));
  const cfg = model.info?.config;
  const label = (u: string) => u.replace(location.origin, '');
  const summary = files.length ? folderSummary(files) : null;
  const failure = model.lastFailure;

  return (
    <section className={`panel setup model-picker${dragging ? ' dragging' : ''}`} aria-labelledby="model-title" data-testid="model-picker"
      onDragOver={onDragOver} onDragLeave={(e) => e.currentTarget === e.target && setDragging(false)} onDrop={(e) => void onDrop(e)}>
      <h2 id="model-title">Model</h2>
      <form onSubmit={submit} className="stack">
        <div className="source-tabs" role="radiogroup" aria-label="Model source" data-testid="model-source">
          {MODES.map(([m, text]) => (
            <label key={m} className={mode === m ? 'source-tab active' : 'source-tab'}>
              <input type="radio" name="model-source" value={m} checked={mode === m} onChange={() => setMode(m)} className="sr-only" data-testid={`source-${m}`} />
              {text}
            </label>
          ))}
        </div>

        {mode === 'embedded' && <p className="hint">The mini model shipped with the lab for this track ({TRACK_LABELS[track].embeddedModel.split('/')[1]}).</p>}

        {mode === 'hub' && (
          <>
            <label>
              <span className="label">Repo id</span>
              <input type="text" value={hub.repo} onChange={setHubField('repo')} placeholder="HuggingFaceTB/SmolLM2-135M-Instruct" spellCheck={false} autoComplete="off" data-testid="hub-repo" />
            </label>
            <label>
              <span className="label">Revision</span>
              <input type="text" value={hub.revision} onChange={setHubField('revision')} placeholder="main" spellCheck={false} data-testid="hub-revision" />
            </label>
            <label>
              <span className="label">Token (gated or private repos)</span>
              <input type="password" value={hub.token} onChange={setHubField('token')} placeholder="hf_…" autoComplete="off" spellCheck={false} data-testid="hub-token" />
            </label>
            <label className="check">
              <input type="checkbox" checked={remember} data-testid="hub-remember"
                onChange={(e) => { setRemember(e.target.checked); if (!e.target.checked) rememberToken(null); }} />
              <span>Remember token on this device</span>
            </label>
            <details className="advanced">
              <summary>Advanced</summary>
              <label>
                <span className="label">Endpoint</span>
                <input type="text" inputMode="url" value={hub.endpoint} onChange={setHubField('endpoint')} placeholder="https://huggingface.co" spellCheck={false} data-testid="hub-endpoint" />
                <span className="hint">A mirror or a local server with the Hub's layout.</span>
              </label>
            </details>
            <span className="hint">Downloaded into this browser's cache once; later loads read the cache (offline too).</span>
          </>
        )}

        {mode === 'files' && (
          <div className={`drop-zone${dragging ? ' active' : ''}`} data-testid="drop-zone">
            <label>
              <span className="label">Model folder</span>
              <input type="file" multiple data-testid="model-folder" {...{ webkitdirectory: '', directory: '' }}
                onChange={(e) => e.target.files?.length && setFiles(filesFromInput(e.target.files))} />
            </label>
            <span className="hint">…or drop the folder onto this panel. Files stay on this device.</span>
            {summary && (
              <p className="small" data-testid="folder-summary">
                <code className="wrap">{summary.name}</code>: {files.length} files, {formatBytes(summary.bytes)}
                {!summary.hasConfig && <span className="bad"> (no config.json)</span>}
              </p>
            )}
          </div>
        )}

        {mode === 'url' && (
          <label>
            <span className="label">URL of a Hugging Face-layout folder</span>
            <input type="text" inputMode="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://huggingface.co/org/model or models/…/"
              spellCheck={false} data-testid="model-url" />
            <span className="hint">config.json, model.safetensors (or an index), tokenizer.json; the server must allow CORS.</span>
          </label>
        )}

        <label>
          <span className="label">Quantisation</span>
          <select value={quantize} onChange={(e) => setQuantize(e.target.value as Quantize)} data-testid="model-quantize">
            {(Object.keys(QUANTIZE_LABELS) as Quantize[]).map((q) => <option key={q} value={q}>{QUANTIZE_LABELS[q]}</option>)}
          </select>
        </label>
        <button type="submit" disabled={busy} data-testid="load-model">{loading ? 'Loading…' : 'Load model'}</button>
      </form>

      <div className="model-state" role="status" aria-live="polite" data-testid="model-status" data-status={model.status}>
        {loading && (
          <>
            <p>Loading <code className="wrap">{label(model.url)}</code>…</p>
            <LoadProgress />
          </>
        )}
        {!loading && failure && (
          <p className={failure.cancelled ? 'muted small' : 'bad small'} data-testid="model-failure">
            {failure.cancelled ? 'Cancelled' : 'Could not load'} <code className="wrap">{label(failure.label)}</code>
            {failure.cancelled ? ' (what arrived is cached for a resume)' : ' (details above)'}
            {model.status === 'ready' ? '; the previous model is still loaded.' : '.'}
          </p>
        )}
        {model.status === 'ready' && cfg && (
          <>
            <p className="ok">Loaded in {model.seconds?.toFixed(1)} s: <code className="wrap">{label(model.url)}</code></p>
            <dl className="mini-facts">
              <dt>Architecture</dt><dd>{cfg.arch}, {cfg.layers} layers × {cfg.hidden}</dd>
              <dt>Parameters</dt><dd data-testid="model-params">{formatParams(model.info!.params)}</dd>
              <dt>Vocab</dt><dd>{cfg.vocabSize.toLocaleString('en-US')}</dd>
              <dt>Weights</dt>
              <dd data-testid="model-weights">
                {decimalBytes(model.info!.weightBytes)}, {model.info!.quantization === 'none' ? `${model.info!.dtype} as stored` : `${model.info!.quantization} (from ${model.info!.dtype})`}
                {model.info!.uploadSeconds > 0 && <span className="muted"> · to the GPU in {model.info!.uploadSeconds.toFixed(1)} s</span>}
              </dd>
              {model.info!.source.commit && <><dt>Commit</dt><dd><code>{model.info!.source.commit.slice(0, 10)}</code></dd></>}
              <dt>SEAL settings</dt><dd>{model.info!.sealLab ? 'seal_lab.json (small model)' : "the paper's (1B)"}</dd>
            </dl>
            {model.info!.sealLab?.about && <p className="muted small" data-testid="model-about">Made for: {model.info!.sealLab.about}</p>}
            {model.load.files.some(([, f]) => f.fromCache) && (
              <p className="muted small" data-testid="loaded-from-cache">
                <span className="badge badge-cache">from cache</span> {model.load.files.filter(([, f]) => f.fromCache).length} of {model.load.files.length} files
              </p>
            )}
          </>
        )}
      </div>
      <TryIt />
      <CacheManager />
    </section>
  );
}
