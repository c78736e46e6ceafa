// Single-key shortcuts for the whole page. Ignored while typing in a field, with a modifier held, and (for
// space and Enter) on controls that use those keys themselves.
import { useEffect, useRef } from 'react';

const TYPING = 'input, textarea, select, [contenteditable=""], [contenteditable="true"]';
const SPACE_OWNERS = 'button, a, summary, [role="row"], tr[tabindex], input, select, textarea, label';

export function useShortcuts(map: Record<string, () => unknown>): void {
  const ref = useRef(map);
  ref.current = map;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
      const t = e.target instanceof Element ? e.target : null;
      if (t?.closest(TYPING) && !(t instanceof HTMLInputElement && t.type === 'checkbox')) return;
      if (e.key === ' ' && t?.closest(SPACE_OWNERS)) return;
      const fn = ref.current[e.key.length === 1 ? e.key.toLowerCase() : e.key];
      if (!fn) return;
      e.preventDefault();
      fn();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
