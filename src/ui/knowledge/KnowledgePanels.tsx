// Track B's columns: the passages and the run's settings (setup); the passage in focus, its questions and
// the student's own notes for it (items).
import { KnowledgeSettings } from './KnowledgeSettings.tsx';
import { PassagePicker } from './PassagePicker.tsx';
import { PassageViewer } from './PassageViewer.tsx';
import { QaTable } from './QaTable.tsx';
import { YourNotes } from './YourNotes.tsx';

export function KnowledgeSetupPanels() {
  return <><PassagePicker /><KnowledgeSettings /></>;
}

export function KnowledgeItemPanels() {
  return <><PassageViewer /><QaTable /><YourNotes /></>;
}
