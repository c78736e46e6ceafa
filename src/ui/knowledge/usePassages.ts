// The passages the knowledge panels show: the run's when the last run was a knowledge run, else the preview of
// what the next run would use; and the passage in focus (picked, else the one the run is on, else the first).
import { useMemo } from 'react';
import type { Passage } from '../../seal/knowledge/passages.ts';
import { useLab } from '../../store/lab.ts';
import { knowledgeSettings } from '../../seal/knowledge/config.ts';
import { previewPassages, useKnowledge } from './state.ts';

export function usePassages(): { passages: Array<Passage & { role: 'held-out' | 'ReST-EM' }>; focus: Passage | null } {
  const setup = useLab((s) => s.run.setup);
  const choice = useKnowledge((s) => s.choice);
  const settings = useKnowledge((s) => s.settings);
  const lab = useLab((s) => s.model.info?.sealLab?.knowledge);
  const selected = useLab((s) => s.selectedItem);
  const phaseItem = useLab((s) => s.derived.phase?.itemId);
  const passages = useMemo(() => {
    const set = setup?.track === 'knowledge' ? setup.items : previewPassages(choice, knowledgeSettings(lab, settings).caps, lab).set;
    if (!set) return [];
    return [...set.eval.map((p) => ({ ...p, role: 'held-out' as const })), ...set.train.map((p) => ({ ...p, role: 'ReST-EM' as const }))];
  }, [setup, choice, settings, lab]);
  const id = selected ?? phaseItem ?? passages[0]?.id;
  return { passages, focus: passages.find((p) => p.id === id) ?? passages[0] ?? null };
}
