// A student's self-edit for the item in focus (store/slices/yours.ts), around a track's own editor: start from empty
// or from one of the model's self-edits for the item, Apply (or Ctrl+Enter in the editor), ask for the kept set on a
// ReST-EM item; the item's self-edits with their rewards beside yours. Apply is offered only where it can run, and
// the reason otherwise; everything the student wrote is rendered as text.
import type { ReactNode } from 'react';
import { YOURS } from '../seal/core/yours.ts';
import type { LabRollout } from '../store/derive.ts';
import { methodLabel, selfEditSummary } from '../store/labels.ts';
import { useLab } from '../store/lab.ts';
import { yoursBlocked } from '../store/slices/yours.ts';

const reward = (x: number | null) => (x === null ? '–' : x.toFixed(2));

export interface YourSelfEditProps {
  title: string;
  itemId: string;
  /** A ReST-EM item (its self-edit may join the kept set) or a held-out one. */
  training: boolean;
  text: string;
  /** Sets the editor's text (from a self-edit of the model, or empty). */
  setText(text: string): void;
  /** The track parser's verdict on `text` (null: it parses). */
  invalid: string | null;
  keep: boolean;
  setKeep(keep: boolean): void;
  /** A rollout's self-edit as the editor's text. */
  textOf(r: LabRollout): string;
  children: ReactNode;
}

export function YourSelfEdit(p: YourSelfEditProps) {
  const blocked = useLab(yoursBlocked);
  const busy = useLab((s) => s.yours.busy);
  const error = useLab((s) => s.yours.error);
  const apply = useLab((s) => s.applyYours);
  const select = useLab((s) => s.select);
  const selected = useLab((s) => s.selectedRollout);
  const order = useLab((s) => s.derived.rolloutOrder);
  const rollouts = useLab((s) => s.derived.rollouts);
  const mine = order.map((id) => rollouts[id]).filter((r) => r.itemId === p.itemId && r.method !== 'base' && r.method !== 'icl');
  const can = !blocked && !p.invalid;
  const go = () => void (can && apply(p.itemId, p.text, p.training && p.keep));

  return (
    <section className="panel your-edit" aria-labelledby="your-edit-title" data-testid="your-edit"
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          go();
        }
      }}>
      <div className="panel-head">
        <h2 id="your-edit-title">{p.title} <span className="muted normal">· {p.itemId}</span></h2>
        <label className="small">
          <span className="sr-only">Start from</span>
          <select value="pick" onChange={(e) => p.setText(e.target.value === 'empty' ? '' : p.textOf(rollouts[e.target.value]))} data-testid="your-start">
            <option value="pick" disabled>Start from…</option>
            <option value="empty">empty</option>
            {mine.filter((r) => r.method !== 'passage').map((r) => <option key={r.id} value={r.id}>{r.id} {methodLabel(r.method, r.round)} (reward {reward(r.reward)})</option>)}
          </select>
        </label>
      </div>
      {p.children}
      {p.invalid && <p className="bad small" role="alert" data-testid="your-invalid">{p.invalid}</p>}
      <div className="your-actions">
        <button type="button" onClick={go} disabled={!can} aria-describedby="your-edit-status" data-testid="your-apply">
          {busy === p.itemId ? 'Applying…' : 'Apply'}
        </button>
        {p.training && (
          <label className="small">
            <input type="checkbox" checked={p.keep} onChange={(e) => p.setKeep(e.target.checked)} data-testid="your-keep" /> add to the kept set (the M-step trains on it)
          </label>
        )}
        <span id="your-edit-status" className="muted small">{blocked ?? 'Trains a fresh LoRA as the inner loop would (same settings and TTT seeds), then scores it. Ctrl+Enter applies.'}</span>
      </div>
      {error && <p className="bad small" role="alert" data-testid="your-error">{error}</p>}
      {mine.length > 0 && (
        <table className="your-compare" aria-label={`Self-edits for ${p.itemId} and their rewards`} data-testid="your-compare">
          <thead><tr><th scope="col">#</th><th scope="col">By</th><th scope="col">Self-edit</th><th scope="col" className="num">Reward</th></tr></thead>
          <tbody>
            {mine.map((r) => (
              <tr key={r.id} className={`${r.method === YOURS ? 'yours' : ''}${r.id === selected ? ' selected' : ''}`}>
                <td><button type="button" className="linkish" onClick={() => select(r.id)} aria-label={`Show ${r.id}`}>{r.id}</button></td>
                <td>{methodLabel(r.method, r.round)}{r.kept ? ' · kept' : ''}</td>
                <td className="edit">{selfEditSummary(r).summary || r.reason}</td>
                <td className="num strong">{reward(r.reward)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
