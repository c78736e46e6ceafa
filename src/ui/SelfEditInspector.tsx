// Every rollout of the run, newest first: item, method/round, the self-edit, reward, kept or dropped and why,
// and the inner loop's size. A row is picked by click, Enter or the arrow keys; the grid viewer then shows that
// rollout's answers, and the panel below the table its full self-edit. A student's self-edits are rows marked "yours";
// one added to the kept set marks the run as edited by hand.
import { useRef, type KeyboardEvent } from 'react';
import { YOURS } from '../seal/core/yours.ts';
import type { LabRollout } from '../store/derive.ts';
import { methodLabel, selfEditSummary } from '../store/labels.ts';
import { useLab } from '../store/lab.ts';

/** The no-update rows (ARC's ICL, the knowledge track's base model) have no self-edit. */
const hasSelfEdit = (r: LabRollout) => r.method !== 'icl' && r.method !== 'base';
const unparsable = (r: LabRollout) => r.reason.startsWith('unparsable');
const reward = (x: number | null) => (x === null ? '–' : Number.isInteger(x) ? String(x) : x.toFixed(2));

function kept(r: LabRollout): string {
  if (r.kept === true) return 'kept';
  if (r.kept === false) return 'dropped';
  return '–';
}

export function SelfEditInspector() {
  const order = useLab((s) => s.derived.rolloutOrder);
  const rollouts = useLab((s) => s.derived.rollouts);
  const selected = useLab((s) => s.selectedRollout);
  const select = useLab((s) => s.select);
  const body = useRef<HTMLTableSectionElement>(null);
  const rows = [...order].reverse().map((id) => rollouts[id]);
  const current = selected ? rollouts[selected] : null;
  const focusId = selected ?? rows[0]?.id;
  const byHand = rows.some((r) => r.method === YOURS && r.kept === true);

  const onKey = (e: KeyboardEvent<HTMLTableRowElement>, i: number) => {
    const to = e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowUp' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? rows.length - 1 : null;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      select(rows[i].id);
    } else if (to !== null && rows[to]) {
      e.preventDefault();
      select(rows[to].id);
      (body.current?.children[to] as HTMLElement | undefined)?.focus();
    }
  };

  return (
    <section className="panel inspector" aria-labelledby="inspector-title" data-testid="self-edit-inspector">
      <h2 id="inspector-title">
        Self-edits and rewards <span className="muted normal">({rows.length})</span>
        {byHand && <span className="badge badge-yours" data-testid="edited-by-hand" title="A student's self-edit is in a kept set: the M-step trained on it">edited by hand</span>}
      </h2>
      {rows.length === 0 ? (
        <p className="empty">No rollouts yet. Each scored self-edit (and each ICL answer) appears here as it finishes.</p>
      ) : (
        <div className="table-wrap">
          <table className="rollouts" role="grid" aria-label="Rollouts; arrow keys move, Enter shows the task">
            <thead>
              <tr>
                <th scope="col">#</th><th scope="col">Task</th><th scope="col">Method</th><th scope="col">Self-edit</th>
                <th scope="col">Reward</th><th scope="col">Kept</th><th scope="col">Reason</th>
                <th scope="col" className="num">Ex.</th><th scope="col" className="num">Steps</th><th scope="col" className="num">Loss</th><th scope="col" className="num">Time</th>
              </tr>
            </thead>
            <tbody ref={body}>
              {rows.map((r, i) => (
                <tr key={r.id} tabIndex={r.id === focusId ? 0 : -1} aria-selected={r.id === selected}
                  className={[r.id === selected && 'selected', r.method === YOURS && 'yours'].filter(Boolean).join(' ') || undefined}
                  onClick={() => select(r.id)} onKeyDown={(e) => onKey(e, i)} data-testid="rollout-row">
                  <td>{r.id}</td>
                  <td className="task-id">{r.itemId}</td>
                  <td className="method">{methodLabel(r.method, r.round)}</td>
                  <td className="edit">{!hasSelfEdit(r) ? <span className="muted">(no self-edit)</span> : unparsable(r) ? <span className="bad">unparsable</span> : selfEditSummary(r).summary}</td>
                  <td className={r.reward === 1 ? 'ok strong' : 'strong'}>{reward(r.reward)}</td>
                  <td className={r.kept ? 'ok' : r.kept === false ? 'muted' : undefined}>{kept(r)}</td>
                  <td className="reason">{r.reason}</td>
                  <td className="num">{r.examples || '–'}</td>
                  <td className="num">{r.steps || '–'}</td>
                  <td className="num">{r.finalLoss === null ? '–' : r.finalLoss.toFixed(3)}</td>
                  <td className="num">{r.seconds ? `${r.seconds.toFixed(1)} s` : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {current && (
        <div className="rollout-detail" data-testid="rollout-detail">
          <h3>{current.id} · {current.itemId} · {methodLabel(current.method, current.round)} · reward {reward(current.reward)}</h3>
          {hasSelfEdit(current) && (
            <>
              <p className="muted small">{current.method === YOURS ? `Yours, written by hand: ${current.reason}` : current.attempts === 0 ? `Given, not sampled: ${current.reason}` : unparsable(current) ? current.reason : `Parsed on sample ${current.attempts}: ${current.reason}`}</p>
              <pre className="json">{selfEditSummary(current).full || '(empty output)'}</pre>
            </>
          )}
        </div>
      )}
    </section>
  );
}
