// The download cache (cache-list / cache-delete): every stored model with its revision, size, complete or
// partial, when it was last used, Delete per model and Delete all, and the origin's storage use and quota.
import { useLab } from '../../store/lab.ts';
import { formatBytes } from '../format.ts';

function ago(t: number): string {
  const s = (Date.now() - t) / 1000;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(t).toLocaleDateString();
}

export function CacheManager() {
  const cache = useLab((s) => s.cache);
  const refresh = useLab((s) => s.refreshCache);
  const del = useLab((s) => s.deleteCached);
  const loading = useLab((s) => s.model.status === 'loading');
  const list = cache.list;
  return (
    <details className="cache-manager" data-testid="cache-manager" onToggle={(e) => (e.currentTarget as HTMLDetailsElement).open && void refresh()}>
      <summary>Model cache{list ? ` (${list.models.length})` : ''}</summary>
      {cache.error && <p className="bad small">{cache.error}</p>}
      {list && (
        <>
          <p className="muted small" data-testid="cache-usage">
            {list.store === 'opfs' ? 'Origin private file system' : 'Memory only (this page)'}
            {list.usage !== null && ` · ${formatBytes(list.usage)} used`}
            {list.quota !== null && ` of ${formatBytes(list.quota)}`}
          </p>
          {list.models.length === 0 ? (
            <p className="empty" data-testid="cache-empty">No downloaded models.</p>
          ) : (
            <table className="cache-table" data-testid="cache-table">
              <thead>
                <tr><th scope="col">Model</th><th scope="col">Size</th></tr>
              </thead>
              <tbody>
                {list.models.map((m) => (
                  <tr key={m.key} data-testid="cache-row" data-key={m.key}>
                    <td>
                      <span className="cache-label wrap" title={m.key}>{m.repo ?? m.label}</span>
                      <span className="muted small">
                        {m.revision ?? ''}{m.commit ? ` · ${m.commit.slice(0, 7)}` : ''}{m.revision || m.commit ? ' · ' : ''}used {ago(m.lastUsed)}
                      </span>
                    </td>
                    <td>
                      {formatBytes(m.bytes)}
                      <span className={m.complete ? 'badge badge-done' : 'badge badge-partial'} data-testid="cache-state">{m.complete ? 'complete' : 'partial'}</span>
                      <button type="button" className="secondary small-btn" disabled={loading} onClick={() => void del(m.key)}
                        aria-label={`Delete ${m.label} from the cache`} data-testid="cache-delete">Delete</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="cache-actions">
            <button type="button" className="secondary small-btn" onClick={() => void refresh()} disabled={cache.busy} data-testid="cache-refresh">Refresh</button>
            {list.models.length > 0 && (
              <button type="button" className="secondary small-btn" disabled={loading}
                onClick={() => window.confirm('Delete every downloaded model from this browser?') && void del('all')} data-testid="cache-delete-all">Delete all</button>
            )}
          </div>
        </>
      )}
      {!list && !cache.error && <p className="muted small">Reading the cache…</p>}
    </details>
  );
}
