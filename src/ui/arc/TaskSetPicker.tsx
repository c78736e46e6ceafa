// Which ARC tasks a run uses: the generated mini-ARC split (seeded), ARC JSON files picked from disk, or ARC JSON
// at URLs. Files are read here; the worker validates them (a TaskFileError names the task and field).
import { useState, type FormEvent } from 'react';
import { useLab } from '../../store/lab.ts';
import { useArc } from './state.ts';

type Mode = 'mini' | 'files' | 'urls';

export function TaskSetPicker() {
  const choice = useArc((s) => s.choice);
  const preview = useArc((s) => s.preview);
  const previewError = useArc((s) => s.previewError);
  const running = useLab((s) => s.run.status === 'running');
  const { setTaskChoice, loadTaskFiles, loadTaskUrls } = useArc.getState();
  const [mode, setMode] = useState<Mode>(choice.kind === 'mini' ? 'mini' : 'files');
  const [urls, setUrls] = useState({ challenges: '', solutions: '', trainChallenges: '', trainSolutions: '' });
  const [evalFiles, setEvalFiles] = useState<File[]>([]);
  const [trainFiles, setTrainFiles] = useState<File[]>([]);

  const onUrls = (e: FormEvent) => {
    e.preventDefault();
    void loadTaskUrls(urls);
  };
  const field = (k: keyof typeof urls, label: string) => (
    <label>
      <span className="label">{label}</span>
      <input type="text" inputMode="url" spellCheck={false} value={urls[k]} onChange={(e) => setUrls({ ...urls, [k]: e.target.value })} />
    </label>
  );

  return (
    <section className="panel setup" aria-labelledby="tasks-title" data-testid="task-picker">
      <h2 id="tasks-title">Tasks</h2>
      <fieldset className="stack" disabled={running}>
        <legend className="sr-only">Task set</legend>
        <label>
          <span className="label">Task set</span>
          <select value={mode} data-testid="task-source" onChange={(e) => {
            const m = e.target.value as Mode;
            setMode(m);
            if (m === 'mini' && choice.kind !== 'mini') setTaskChoice({ kind: 'mini', seed: 2025 });
          }}>
            <option value="mini">mini-ARC (generated, built in)</option>
            <option value="files">ARC JSON files…</option>
            <option value="urls">ARC JSON from URLs…</option>
          </select>
        </label>
        {mode === 'mini' && choice.kind === 'mini' && (
          <label>
            <span className="label">Task seed</span>
            <input type="number" min={0} step={1} value={choice.seed} data-testid="task-seed"
              onChange={(e) => Number.isInteger(e.target.valueAsNumber) && setTaskChoice({ kind: 'mini', seed: e.target.valueAsNumber })} />
          </label>
        )}
        {mode === 'files' && (
          <>
            <label>
              <span className="label">Evaluation: challenges + solutions (pick both)</span>
              <input type="file" accept=".json,application/json" multiple onChange={(e) => setEvalFiles([...(e.target.files ?? [])])} data-testid="task-files" />
            </label>
            <label>
              <span className="label">Training (optional; else the file is split in two)</span>
              <input type="file" accept=".json,application/json" multiple onChange={(e) => setTrainFiles([...(e.target.files ?? [])])} />
            </label>
            <button type="button" disabled={evalFiles.length === 0} onClick={() => void loadTaskFiles(evalFiles, trainFiles)}>Use these files</button>
          </>
        )}
        {mode === 'urls' && (
          <form className="stack" onSubmit={onUrls}>
            {field('challenges', 'Challenges URL')}
            {field('solutions', 'Solutions URL')}
            {field('trainChallenges', 'Training challenges URL (optional)')}
            {field('trainSolutions', 'Training solutions URL (optional)')}
            <button type="submit" disabled={!urls.challenges || !urls.solutions}>Fetch tasks</button>
          </form>
        )}
      </fieldset>
      <p className="task-summary" data-testid="task-summary" role="status">
        {previewError ? <span className="bad">{previewError}</span>
        : preview ? <>{choice.kind === 'mini' ? `mini-ARC seed ${choice.seed}` : choice.label}: <strong>{preview.train.length}</strong> training, <strong>{preview.eval.length}</strong> held-out tasks</>
        : 'No tasks.'}
      </p>
    </section>
  );
}
