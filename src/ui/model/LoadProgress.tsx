// A model load in progress: each file's download (bytes, rate, time left, from cache, resumed), the upload of
// the weights to the GPU (bytes, tensors, rate, time left: a 2.5 GB local folder takes tens of seconds), and Cancel.
import { useLab } from '../../store/lab.ts';
import { formatBytes } from '../format.ts';

const pct = (loaded: number, total: number | null) => (total ? Math.min(100, (100 * loaded) / total) : null);

export function formatEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '';
  if (s < 1) return '<1 s left';
  if (s < 90) return `${Math.round(s)} s left`;
  if (s < 5400) return `${Math.round(s / 60)} min left`;
  return `${(s / 3600).toFixed(1)} h left`;
}

export const formatRate = (bps: number) => `${(bps / 1e6).toFixed(bps >= 1e7 ? 0 : 1)} MB/s`;

function Bar({ value }: { value: number | null }) {
  return (
    <div className="load-bar" aria-hidden="true">
      <div className={value === null ? 'load-bar-fill indeterminate' : 'load-bar-fill'} style={value === null ? undefined : { width: `${value}%` }} />
    </div>
  );
}

export function LoadProgress() {
  const load = useLab((s) => s.model.load);
  const cancel = useLab((s) => s.cancelLoad);
  const { files, upload } = load;
  return (
    <div className="load-progress" data-testid="model-progress">
      {files.length === 0 && !upload && <p className="muted small">Resolving the source…</p>}
      {files.length > 0 && (
        <ul className="load-files" data-testid="download-files">
          {files.map(([name, f]) => (
            <li key={name} data-testid="download-file" data-file={name} data-done={f.done} data-from-cache={f.fromCache}>
              <div className="load-file-head">
                <code className="wrap">{name}</code>
                {f.fromCache && <span className="badge badge-cache" data-testid="from-cache">from cache</span>}
                {f.done && !f.fromCache && <span className="badge badge-done">done</span>}
              </div>
              <Bar value={f.done ? 100 : pct(f.loaded, f.total)} />
              <div className="load-file-facts muted small">
                <span>{formatBytes(f.loaded)}{f.total !== null && ` of ${formatBytes(f.total)}`}</span>
                {!f.done && !f.fromCache && f.bytesPerSecond > 0 && <span data-testid="download-rate">{formatRate(f.bytesPerSecond)}</span>}
                {!f.done && !f.fromCache && <span>{formatEta(f.etaSeconds)}</span>}
              </div>
              {f.resumedFrom > 0 && <p className="small resumed" data-testid="resumed">Resumed from {formatBytes(f.resumedFrom)} already cached</p>}
            </li>
          ))}
        </ul>
      )}
      {upload && (
        <div className="load-upload" data-testid="upload-progress">
          <span className="label">To the GPU: {formatBytes(upload.loaded)}{upload.total ? ` of ${formatBytes(upload.total)}` : ''}</span>
          <Bar value={pct(upload.loaded, upload.total)} />
          <div className="load-file-facts muted small">
            <span data-testid="upload-tensors">{upload.tensors} of {upload.tensorCount} tensors</span>
            {upload.bytesPerSecond > 0 && <span data-testid="upload-rate">{formatRate(upload.bytesPerSecond)}</span>}
            {upload.bytesPerSecond > 0 && <span>{formatEta((upload.total - upload.loaded) / upload.bytesPerSecond)}</span>}
          </div>
          {upload.tensor && <code className="muted small wrap">{upload.tensor}</code>}
        </div>
      )}
      <button type="button" className="secondary" onClick={() => void cancel()} data-testid="cancel-load">Cancel</button>
    </div>
  );
}
