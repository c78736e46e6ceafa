// Says when the browser is offline and what still works then. The service worker serves the lab and its embedded
// models; Hub checkpoints already downloaded are read from their own OPFS cache; saved runs live in the browser and
// runs need no network. Only new downloads (Hub, model URLs on other sites) do. (navigator.onLine is false only
// without any network: a venue network that is up but leads nowhere reads as online.)
import { useSyncExternalStore } from 'react';
import { noticeStyle } from './UpdateNotice.tsx';

const subscribe = (changed: () => void) => {
  addEventListener('online', changed);
  addEventListener('offline', changed);
  return () => {
    removeEventListener('online', changed);
    removeEventListener('offline', changed);
  };
};

export function OfflineNotice() {
  const online = useSyncExternalStore(subscribe, () => navigator.onLine);
  if (online) return null;
  // Not served by the service worker (first visit still installing, `npm start`, or no service worker support): what
  // is loaded keeps working, but a reload would find nothing.
  const saved = Boolean(navigator.serviceWorker?.controller);
  return (
    <div role="status" style={noticeStyle('var(--warn)')} data-testid="offline-notice">
      <span>
        <strong>Offline.</strong> Still working: the lab, its embedded models, checkpoints already in the download cache,
        saved runs, and new runs with their exports. Needs the network: Hub downloads and model folders on other sites.
        {!saved && ' This page is not saved for offline use yet: do not reload it until the network is back.'}
      </span>
    </div>
  );
}
