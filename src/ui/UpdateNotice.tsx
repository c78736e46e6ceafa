// The service worker (vite-plugin-pwa's Workbox precache of the app shell, the engine worker and the embedded models)
// and the notices it drives. Prompt mode: a new build installs in the background and waits; it takes over only when
// the user presses Reload here, so code is never swapped, and the page never reloads, under a running experiment.
// `npm start` registers nothing (the plugin's dev build of `virtual:pwa-register` is a no-op).
/// <reference types="vite-plugin-pwa/vanillajs" />
import { useSyncExternalStore, type CSSProperties } from 'react';
import { registerSW } from 'virtual:pwa-register';
import { useLab } from '../store/lab.ts';

interface SwState {
  /** A new build is installed and waiting (or another tab already applied it): a reload would use it. */
  update: boolean;
  /** The first install finished: the lab and its embedded models are cached for offline use. */
  offlineReady: boolean;
  dismissed: boolean;
}

let state: SwState = { update: false, offlineReady: false, dismissed: false };
const listeners = new Set<() => void>();
const patch = (p: Partial<SwState>) => {
  state = { ...state, ...p };
  listeners.forEach((l) => l());
};
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => void listeners.delete(l);
};

let started = false;
let registration: ServiceWorkerRegistration | null = null;
/** Only the tab whose Reload button was pressed reloads when the new worker takes control. */
let reloadRequested = false;

/** "Saved for offline use" is news once: it goes away by itself. */
const OFFLINE_READY_MS = 15_000;
/** An open lab asks the host for a new build this often, and whenever the tab becomes visible or the network returns. */
const CHECK_EVERY_MS = 60 * 60 * 1000;

export function registerServiceWorker(): void {
  if (started || !('serviceWorker' in navigator)) return;
  started = true;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloadRequested) location.reload();
  });
  registerSW({
    onNeedRefresh: () => patch({ update: true, dismissed: false }),
    onOfflineReady: () => {
      patch({ offlineReady: true });
      setTimeout(() => patch({ offlineReady: false }), OFFLINE_READY_MS);
    },
    // The plugin's default here is to reload the page when another tab applied an update: never.
    onNeedReload: () => {},
    onRegisteredSW: (_url, reg) => {
      if (!reg) return;
      registration = reg;
      // The browser itself only looks for a new sw.js on navigation; a lab left open through a talk would never see one.
      const check = () => {
        if (navigator.onLine && document.visibilityState === 'visible') reg.update().catch(() => {});
      };
      setInterval(check, CHECK_EVERY_MS);
      document.addEventListener('visibilitychange', check);
      addEventListener('online', check);
    },
  });
}

/** The waiting build takes over (workers/sw.ts: SKIP_WAITING), then the controllerchange above reloads this tab. */
function reload(): void {
  const waiting = registration?.waiting;
  if (!waiting) return location.reload(); // another tab already applied it
  reloadRequested = true;
  waiting.postMessage({ type: 'SKIP_WAITING' });
}

export const noticeStyle = (colour: string): CSSProperties => ({
  display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: '0.5rem 1rem', margin: 0, padding: '0.7rem 1rem',
  background: 'var(--panel-2)', border: `2px solid ${colour}`, borderRadius: 12, boxShadow: '0 6px 24px rgba(0, 0, 0, 0.5)',
});

export function UpdateNotice() {
  const s = useSyncExternalStore(subscribe, () => state);
  const running = useLab((l) => l.run.status === 'running');
  if (s.dismissed) return null;
  if (s.update) {
    return (
      <div role="status" style={noticeStyle('var(--accent)')} data-testid="update-notice">
        <span>
          <strong>A new version is available — reload</strong> to use it.
          {running && ' Reloading ends the run in progress: let it finish or export it first.'}
        </span>
        <span style={{ display: 'flex', gap: '0.5rem', pointerEvents: 'auto' }}>
          <button type="button" onClick={reload} data-testid="update-reload">Reload</button>
          <button type="button" className="secondary" onClick={() => patch({ dismissed: true })}>Later</button>
        </span>
      </div>
    );
  }
  if (s.offlineReady) {
    return (
      <div role="status" style={noticeStyle('var(--ok)')} data-testid="offline-ready">
        <span>Saved for offline use: the lab and its embedded models now open without a network.</span>
        <button type="button" className="secondary" style={{ pointerEvents: 'auto' }} onClick={() => patch({ dismissed: true })}>OK</button>
      </div>
    );
  }
  return null;
}
