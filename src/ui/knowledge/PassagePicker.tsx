// Which passages a knowledge run uses: the embedded model's mini world (people it never saw, with a seed for the
// draw), or a SQuAD-shaped JSON file ([{title, context, questions: [{question, answer}]}]) with optional
// reference self-edits. Files are read here; the worker validates them (a PassageFileError names the passage).
import { useMemo, useState } from 'react';
import { useLab } from '../../store/lab.ts';
import { knowledgeSettings } from '../../seal/knowledge/config.ts';
import { previewPassages, useKnowledge } from './state.ts';

export function PassagePicker() {
  const choice = useKnowledge((s) => s.choice);
  const settings = useKnowledge((s) => s.settings);
  const lab = useLab((s) => s.model.info?.sealLab?.knowledge);
  const running = useLab((s) => s.run.status === 'running');
  const { setPassageChoice, loadPassageFiles } = useKnowledge.getState();
  const [mode, setMode] = useState<'mini' | 'file'>(choice.kind);
  const [files, setFiles] = useState<{ passages?: File; references?: File }>({});
  const caps = useMemo(() => knowledgeSettings(lab, settings).caps, [settings, lab]);
  const preview = useMemo(() => previewPassages(choice, caps, lab), [choice, caps, lab]);

  return (
    <section className="panel setup" aria-labelledby="passages-title" data-testid="passage-picker">
      <h2 id="passages-title">Passages</h2>
      <fieldset className="stack" disabled={running}>
        <legend className="sr-only">Passage set</legend>
        <label>
          <span className="label">Passage set</span>
          <select value={mode} data-testid="passage-source" onChange={(e) => {
            const m = e.target.value === 'file' ? 'file' : 'mini';
            setMode(m);
            if (m === 'mini' && choice.kind !== 'mini') setPassageChoice({ kind: 'mini', seed: 0 });
          }}>
            <option value="mini">Mini world (built in: people the model never saw)</option>
            <option value="file">SQuAD-shaped JSON file…</option>
          </select>
        </label>
        {mode === 'mini' && choice.kind === 'mini' && (
          <label>
            <span className="label">Passage seed</span>
            <input type="number" min={0} step={1} value={choice.seed} data-testid="passage-seed"
              onChange={(e) => Number.isInteger(e.target.valueAsNumber) && setPassageChoice({ kind: 'mini', seed: e.target.valueAsNumber })} />
          </label>
        )}
        {mode === 'file' && (
          <>
            <label>
              <span className="label">Passages (title, context, questions)</span>
              <input type="file" accept=".json,application/json" data-testid="passage-file" onChange={(e) => setFiles({ ...files, passages: e.target.files?.[0] })} />
            </label>
            <label>
              <span className="label">Reference self-edits (optional: an array in file order)</span>
              <input type="file" accept=".json,application/json" data-testid="reference-file" onChange={(e) => setFiles({ ...files, references: e.target.files?.[0] })} />
            </label>
            <button type="button" disabled={!files.passages} onClick={() => files.passages && void loadPassageFiles(files.passages, files.references)}>Use these files</button>
          </>
        )}
      </fieldset>
      <p className="task-summary" data-testid="passage-summary" role="status">
        {preview.error ? <span className="bad">{preview.error}</span>
        : preview.set ? <>{choice.kind === 'mini' ? `mini world, seed ${choice.seed}` : choice.label}: <strong>{preview.set.train.length}</strong> ReST-EM,{' '}
          <strong>{preview.set.eval.length}</strong> held-out passages{preview.set.eval.every((p) => p.reference) ? ', with reference self-edits' : ''}</>
        : 'No passages.'}
      </p>
    </section>
  );
}
