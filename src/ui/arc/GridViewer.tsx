// The task in focus: demonstrations (input → output), test inputs, the voted answers (pass@2) against the
// truth, and the augmented TTT examples the self-edit produced. Follows the run unless a rollout is picked.
import { useMemo } from 'react';
import { useLab } from '../../store/lab.ts';
import { useArc } from './state.ts';
import { methodLabel } from '../../store/labels.ts';
import type { Grid as GridT } from '../../seal/arc/task.ts';
import { Grid } from './Grid.tsx';

const same = (a: GridT | undefined, b: GridT) => !!a && a.length === b.length && a.every((r, i) => r.length === b[i].length && r.every((v, j) => v === b[i][j]));

export function GridViewer() {
  const runTasks = useLab((s) => (s.run.setup?.track === 'arc' ? s.run.setup.items : null));
  const preview = useArc((s) => s.preview);
  const previewError = useArc((s) => s.previewError);
  const selectedRollout = useLab((s) => s.selectedRollout);
  const selectedTask = useLab((s) => s.selectedItem);
  const phaseTask = useLab((s) => s.derived.phase?.itemId);
  const rollouts = useLab((s) => s.derived.rollouts);
  const order = useLab((s) => s.derived.rolloutOrder);
  const tttData = useLab((s) => s.derived.tttData);
  const select = useLab((s) => s.select);

  const tasks = useMemo(() => {
    const set = runTasks ?? preview;
    return set ? [...set.eval.map((t) => ({ ...t, role: 'held-out' })), ...set.train.map((t) => ({ ...t, role: 'training' }))] : [];
  }, [runTasks, preview]);
  const taskId = selectedTask ?? phaseTask ?? tasks[0]?.id;
  const item = tasks.find((t) => t.id === taskId);
  // The picked rollout, or the latest one of this task.
  const picked = selectedRollout ? rollouts[selectedRollout] : [...order].reverse().map((id) => rollouts[id]).find((r) => r.itemId === taskId);
  const rollout = picked?.track === 'arc' ? picked : undefined;
  const data = (rollout ? tttData[rollout.id] : Object.values(tttData).reverse().find((d) => d.itemId === taskId))?.data;
  const ttt = data && 'samples' in data ? data : undefined;

  return (
    <section className="panel grid-viewer" aria-labelledby="grid-title" data-testid="grid-viewer">
      <div className="panel-head">
        <h2 id="grid-title">Task</h2>
        {tasks.length > 0 && <label>
          <span className="sr-only">Task to show</span>
          <select value={taskId ?? ''} onChange={(e) => select(null, e.target.value)} aria-label="Task to show" data-testid="grid-task-select">
            {tasks.map((t) => <option key={t.id} value={t.id}>{t.id} ({t.role})</option>)}
          </select>
        </label>}
        {(selectedTask || selectedRollout) && <button type="button" className="secondary" onClick={() => select(null, null)}>Follow run</button>}
      </div>
      {!item ? (
        <p className="empty">{tasks.length ? `Task ${taskId} is not in this task set.` : previewError ? 'The task set could not be read (see Tasks).' : 'No tasks yet: pick a task set.'}</p>
      ) : (
        <>
          <h3>Demonstrations</h3>
          <div className="pairs" data-testid="grid-demos">
            {item.task.train.map((p, i) => (
              <div className="pair" key={i}>
                <Grid grid={p.input} label={`Demo ${i + 1} input`} maxPx={150} />
                <span className="arrow" aria-hidden="true">→</span>
                <Grid grid={p.output} label="output" maxPx={150} />
              </div>
            ))}
          </div>
          <h3>Test {rollout && <span className="muted normal">· {rollout.id} {methodLabel(rollout.method, rollout.round)}, reward {rollout.reward ?? '–'}</span>}</h3>
          {item.task.test.map((t, i) => {
            const answers = rollout?.answers[i] ?? [];
            return (
              <div className="pair test-pair" key={i} data-testid="grid-test">
                <Grid grid={t.input} label={`Test ${i + 1} input`} maxPx={170} />
                <span className="arrow" aria-hidden="true">→</span>
                <Grid grid={item.truth[i]} label="truth" maxPx={170} />
                {rollout && (answers.length
                  ? answers.map((a, k) => <Grid key={k} grid={a} label={`attempt ${k + 1} ${same(a, item.truth[i]) ? '✓' : '✗'}`} maxPx={170} status={same(a, item.truth[i]) ? 'ok' : 'bad'} />)
                  : <p className="no-answer">No answer grid ({rollout.reason})</p>)}
              </div>
            );
          })}
          {ttt && ttt.samples.length > 0 && (
            <>
              <h3>Augmented TTT examples <span className="muted normal">({String(ttt.stats.final ?? ttt.samples.length)} in all, first {ttt.samples.length})</span></h3>
              <div className="pairs small-pairs" data-testid="grid-ttt">
                {ttt.samples.map((p, i) => (
                  <div className="pair" key={i}>
                    <Grid grid={p.input} label={`#${i + 1} in`} maxPx={100} />
                    <span className="arrow" aria-hidden="true">→</span>
                    <Grid grid={p.output} label="out" maxPx={100} />
                  </div>
                ))}
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}
