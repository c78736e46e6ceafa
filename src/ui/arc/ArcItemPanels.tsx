// Track A's item column: the task in focus (grids, voted answers, TTT data) and the student's own self-edit for it.
import { GridViewer } from './GridViewer.tsx';
import { YourConfig } from './YourConfig.tsx';

export function ArcItemPanels() {
  return <><GridViewer /><YourConfig /></>;
}
