// Track B's columns: the passages and the run's settings (setup); the passage in focus and its questions (items).
import { KnowledgeSettings } from './KnowledgeSettings.tsx';
import { PassagePicker } from './PassagePicker.tsx';
import { PassageViewer } from './PassageViewer.tsx';
import { QaTable } from './QaTable.tsx';

export function KnowledgeSetupPanels() {
  return <><PassagePicker /><KnowledgeSettings /></>;
}

export function KnowledgeItemPanels() {
  return <><PassageViewer /><QaTable /></>;
}
