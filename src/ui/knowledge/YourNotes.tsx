// Track B's "Your notes": a student's notes for the passage in focus, prefilled with the model's latest notes for it
// (or empty), applied through the inner loop; the passage viewer and the QA table then show the picked rollout —
// yours — with the facts it restates and its answers before and after.
import { useState } from 'react';
import { YourSelfEdit } from '../YourSelfEdit.tsx';
import { useLab } from '../../store/lab.ts';
import { usePassages } from './usePassages.ts';

/** For the passage in focus (the run's, else the preview's): written before a run, applied with one. */
export function YourNotes() {
  const { passages, focus } = usePassages();
  if (!focus) return null;
  const training = passages.find((p) => p.id === focus.id)?.role === 'ReST-EM';
  return <NotesEditor key={focus.id} itemId={focus.id} training={training} />;
}

function NotesEditor({ itemId, training }: { itemId: string; training: boolean }) {
  const latest = useLab((s) => [...s.derived.rolloutOrder].reverse().map((id) => s.derived.rollouts[id])
    .find((r) => r.track === 'knowledge' && r.itemId === itemId && r.notes && r.method !== 'yours'));
  const [text, setText] = useState(() => (latest?.track === 'knowledge' ? latest.notes : ''));
  const [keep, setKeep] = useState(false);
  return (
    <YourSelfEdit title="Your notes" itemId={itemId} training={training} text={text} setText={setText} keep={keep} setKeep={setKeep}
      invalid={text.trim() ? null : 'Your notes are empty: write at least one line (each line becomes a training sequence, with the passage).'}
      textOf={(r) => (r.track === 'knowledge' ? r.notes : r.text)}>
      <label className="sr-only" htmlFor="your-notes">Your notes, one fact per line</label>
      <textarea id="your-notes" className="your-text" rows={5} value={text} spellCheck={false} onChange={(e) => setText(e.target.value)}
        placeholder="One fact per line, e.g. “Ann Lee was born in Lyon.”" data-testid="your-notes" />
    </YourSelfEdit>
  );
}
