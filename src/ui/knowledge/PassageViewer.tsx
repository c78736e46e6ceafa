// The passage in focus with the facts its questions ask about marked, and a self-edit written for it: every line,
// kept as a training sequence or dropped by SEAL's splitting, and which of the passage's facts (gold answers) it
// restates. Follows the run unless a rollout or passage is picked.
import { containsAnswer } from '../../seal/knowledge/grade.ts';
import { methodLabel } from '../../store/labels.ts';
import { useLab } from '../../store/lab.ts';
import { usePassages } from './usePassages.ts';

/** `text` split into runs, marking every occurrence of a term (case-insensitive). */
function marked(text: string, terms: string[]): Array<{ text: string; hit: boolean }> {
  const found = terms.filter(Boolean).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!found.length) return [{ text, hit: false }];
  const re = new RegExp(`(${found.join('|')})`, 'gi');
  return text.split(re).filter(Boolean).map((part) => ({ text: part, hit: found.some((f) => new RegExp(`^${f}$`, 'i').test(part)) }));
}

export function PassageViewer() {
  const { passages, focus } = usePassages();
  const selectedRollout = useLab((s) => s.selectedRollout);
  const rollouts = useLab((s) => s.derived.rollouts);
  const order = useLab((s) => s.derived.rolloutOrder);
  const tttData = useLab((s) => s.derived.tttData);
  const select = useLab((s) => s.select);
  const picked = selectedRollout ? rollouts[selectedRollout] : undefined;
  const latest = [...order].reverse().map((id) => rollouts[id]).find((r) => r.itemId === focus?.id && r.track === 'knowledge' && r.notes);
  const rollout = picked?.track === 'knowledge' && picked.itemId === focus?.id ? picked : latest?.track === 'knowledge' ? latest : undefined;
  const data = rollout && tttData[rollout.id]?.data;
  const lines = data && 'sequences' in data ? data : null;
  const golds = focus ? focus.questions.flatMap((q) => q.answers) : [];

  return (
    <section className="panel passage-viewer" aria-labelledby="passage-title" data-testid="passage-viewer">
      <div className="panel-head">
        <h2 id="passage-title">Passage</h2>
        {passages.length > 0 && (
          <select value={focus?.id ?? ''} onChange={(e) => select(null, e.target.value)} aria-label="Passage to show" data-testid="passage-select">
            {passages.map((p) => <option key={p.id} value={p.id}>{p.id} ({p.role})</option>)}
          </select>
        )}
      </div>
      {!focus ? <p className="empty">No passages yet: pick a passage set.</p> : (
        <>
          <p className="passage-text" data-testid="passage-text">
            <strong>{focus.title}.</strong>{' '}
            {marked(focus.context, golds).map((r, i) => (r.hit ? <mark key={i}>{r.text}</mark> : <span key={i}>{r.text}</span>))}
          </p>
          <p className="muted small">Marked: the answers to its {focus.questions.length} questions (the facts a self-edit should restate).</p>
          <h3>Self-edit {rollout && <span className="muted normal">· {rollout.id} {methodLabel(rollout.method, rollout.round)}, reward {rollout.reward?.toFixed(2) ?? '–'}</span>}</h3>
          {!rollout ? <p className="empty">None yet for this passage: a run writes them.</p> : (
            <ol className="notes" data-testid="notes-lines">
              {(lines?.sequences.slice(0, -1) ?? []).map((s, i) => {
                const line = s.slice(focus.title.length + 1);
                const facts = focus.questions.filter((q) => containsAnswer(line, q.answers)).map((q) => q.answers[0]);
                return (
                  <li key={i} className="kept">
                    <span className="line">{line}</span>
                    {facts.map((f) => <span key={f} className="fact ok">{f}</span>)}
                    {!facts.length && <span className="fact muted">no fact</span>}
                  </li>
                );
              })}
              {lines?.dropped.map((l, i) => <li key={`d${i}`} className="dropped"><span className="line">{l}</span><span className="fact muted">dropped</span></li>)}
              <li className="passage-line muted">+ the passage itself (always trained on)</li>
            </ol>
          )}
        </>
      )}
    </section>
  );
}
