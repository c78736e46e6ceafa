// The closed-book questions of the passage in focus: the gold answer, the base model's answer (before any update)
// and the answer after the picked (or latest) self-edit's update, each graded, and by which grader. Each question is
// a full-width line above its three answers, so the table fits the narrow right-hand column.
import { Fragment } from 'react';
import { methodLabel } from '../../store/labels.ts';
import { useLab } from '../../store/lab.ts';
import { useKnowledgeSetup } from './setup.ts';
import { usePassages } from './usePassages.ts';

const GRADER_NAMES = { exact: 'exact match', f1: 'token F1 ≥ 0.5', contains: 'contains a gold answer', judge: 'the loaded model as judge' } as const;

export function QaTable() {
  const { focus } = usePassages();
  const setup = useKnowledgeSetup();
  const rollouts = useLab((s) => s.derived.rollouts);
  const order = useLab((s) => s.derived.rolloutOrder);
  const selected = useLab((s) => s.selectedRollout);
  const mine = order.map((id) => rollouts[id]).filter((r) => r.track === 'knowledge' && r.itemId === focus?.id);
  const before = mine.find((r) => r.method === 'base');
  const picked = selected ? rollouts[selected] : undefined;
  const after = picked && picked.itemId === focus?.id && picked.method !== 'base' ? picked : [...mine].reverse().find((r) => r.method !== 'base' && r.reward !== null);
  const ans = (r: typeof before, i: number) => (r?.track === 'knowledge' ? r.answers[i] : undefined);
  const grader = GRADER_NAMES[setup.config.grader];

  return (
    <section className="panel qa-table" aria-labelledby="qa-title" data-testid="qa-table">
      <h2 id="qa-title">Questions <span className="muted normal">(closed-book; graded by {grader})</span></h2>
      {!focus ? <p className="empty">No passage.</p> : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Gold</th>
                <th scope="col">Before (base)</th>
                <th scope="col">After{after ? ` (${after.id} ${methodLabel(after.method, after.round)})` : ''}</th>
              </tr>
            </thead>
            <tbody>
              {focus.questions.map((q, i) => {
                const b = ans(before, i);
                const a = ans(after, i);
                return (
                  <Fragment key={i}>
                    <tr className="qa-question"><th scope="colgroup" colSpan={3}>{q.question}</th></tr>
                    <tr data-testid="qa-row">
                      <td className="ok">{q.answers.join(' / ')}</td>
                      <td className={b ? (b.correct ? 'ok' : 'bad') : 'muted'}>{b ? `${b.answer || '(empty)'} ${b.correct ? '✓' : '✗'}` : '–'}</td>
                      <td className={a ? (a.correct ? 'ok' : 'bad') : 'muted'}>{a ? `${a.answer || '(empty)'} ${a.correct ? '✓' : '✗'}` : '–'}</td>
                    </tr>
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
