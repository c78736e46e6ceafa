// Track A's "Your self-edit": a student's training configuration for the task in focus — the augmentation families,
// the loss (output or all tokens), learning rate and epochs — as a form or as raw JSON, checked by the parser that
// checks the model's self-edits (seal/arc/self_edit.ts), its error naming the field; applied through the inner loop.
import { useState } from 'react';
import { parseSelfEdit, selfEditToJson, ORACLE_SELF_EDIT, TRAINING_STRATEGIES } from '../../seal/arc/self_edit.ts';
import { useLab } from '../../store/lab.ts';
import { YourSelfEdit } from '../YourSelfEdit.tsx';
import { useArc } from './state.ts';

const FAMILIES = [
  ['use_basic_augmentations', 'basic (rotations, flips, transpose)'],
  ['use_size_augmentations', 'size (upscale)'],
  ['use_chain_augmentations', 'chains of basic ones'],
  ['use_repeat_augmentations', 'repeat (tile the grid)'],
] as const;

type Form = { data_generation: Record<string, unknown>; training: Record<string, unknown> };

/** The form's view of a JSON text (null when it is not a JSON object with both parts). */
function formOf(text: string): Form | null {
  try {
    const v = JSON.parse(text) as Partial<Form> | null;
    return v && typeof v === 'object' && typeof v.data_generation === 'object' && typeof v.training === 'object' && v.data_generation && v.training ? (v as Form) : null;
  } catch {
    return null;
  }
}

/** For the task the grid viewer shows (the run's, else the task set's preview): written before a run, applied with one. */
export function YourConfig() {
  const runTasks = useLab((s) => (s.run.setup?.track === 'arc' ? s.run.setup.items : null));
  const preview = useArc((s) => s.preview);
  const picked = useLab((s) => s.selectedItem);
  const phaseItem = useLab((s) => s.derived.phase?.itemId);
  const set = runTasks ?? preview;
  const id = picked ?? phaseItem ?? set?.eval[0]?.id ?? set?.train[0]?.id;
  if (!set || !id || ![...set.eval, ...set.train].some((t) => t.id === id)) return null;
  return <ConfigEditor key={id} itemId={id} training={set.train.some((t) => t.id === id)} />;
}

function ConfigEditor({ itemId, training }: { itemId: string; training: boolean }) {
  const [text, setText] = useState(() => JSON.stringify(JSON.parse(selfEditToJson(ORACLE_SELF_EDIT)), null, 2));
  const [raw, setRaw] = useState(false);
  const [keep, setKeep] = useState(false);
  const parsed = parseSelfEdit(text);
  const form = formOf(text);
  const set = (part: keyof Form, key: string, v: unknown) => form && setText(JSON.stringify({ ...form, [part]: { ...form[part], [key]: v } }, null, 2));
  // what cannot be a number stays as typed, so the parser names the field and the value
  const num = (v: string) => (v.trim() === '' ? null : Number.isFinite(Number(v)) ? Number(v) : v);

  return (
    <YourSelfEdit title="Your self-edit" itemId={itemId} training={training} text={text} setText={setText} keep={keep} setKeep={setKeep}
      invalid={parsed.ok ? null : parsed.error} textOf={(r) => (r.track === 'arc' && r.edit ? JSON.stringify(r.edit, null, 2) : r.text)}>
      <label className="small"><input type="checkbox" checked={raw} onChange={(e) => setRaw(e.target.checked)} data-testid="your-raw" /> edit as raw JSON</label>
      {raw || !form ? (
        <>
          {!raw && <p className="muted small">Not a configuration the form can show: edit the JSON (or start from another).</p>}
          <label className="sr-only" htmlFor="your-json">Your self-edit as JSON</label>
          <textarea id="your-json" className="your-text mono" rows={9} value={text} spellCheck={false} onChange={(e) => setText(e.target.value)} data-testid="your-json" />
        </>
      ) : (
        <fieldset className="your-form" data-testid="your-form">
          <legend className="small">Augmentations (the TTT data)</legend>
          {FAMILIES.map(([k, label]) => (
            <label key={k} className="small">
              <input type="checkbox" checked={form.data_generation[k] === true} onChange={(e) => set('data_generation', k, e.target.checked)} /> {label}
            </label>
          ))}
          <label className="small">Loss on{' '}
            <select value={String(form.training.strategy)} onChange={(e) => set('training', 'strategy', e.target.value)}>
              {TRAINING_STRATEGIES.map((s) => <option key={s} value={s}>{s === 'train_using_output_tokens' ? 'output tokens' : 'all tokens'}</option>)}
            </select>
          </label>
          <label className="small">Learning rate{' '}
            <input type="number" step="any" min="0" value={String(form.training.learning_rate ?? '')} onChange={(e) => set('training', 'learning_rate', num(e.target.value))} data-testid="your-lr" />
          </label>
          <label className="small">Epochs{' '}
            <input type="number" step="1" min="1" value={String(form.training.num_train_epochs ?? '')} onChange={(e) => set('training', 'num_train_epochs', num(e.target.value))} />
          </label>
        </fieldset>
      )}
    </YourSelfEdit>
  );
}
