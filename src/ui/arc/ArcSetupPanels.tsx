// Track A's setup column: the task set, then the run's settings.
import { ArcSettings } from './ArcSettings.tsx';
import { TaskSetPicker } from './TaskSetPicker.tsx';

export function ArcSetupPanels() {
  return <><TaskSetPicker /><ArcSettings /></>;
}
