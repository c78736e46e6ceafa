// The service worker, composed from Workbox modules and built by vite-plugin-pwa (injectManifest): it precaches the
// app shell, the engine worker, the icons, the embedded models and the recordings for talks (the list is injected at
// build time, see vite.config.ts). A new build installs in the background and waits: it takes over only when the
// page asks (SKIP_WAITING, sent by the Reload button of src/ui/UpdateNotice.tsx).
import { clientsClaim } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { RangeRequestsPlugin } from 'workbox-range-requests';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

// The engine reads model files with HTTP Range (safetensors header, then tensor by tensor): answered from the cache
// as 206 slices, exactly as the host would. A load begun from the network before this worker took control can go on
// from the cache mid-file.
addPlugins([new RangeRequestsPlugin()]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
// The first install takes over the page it was installed from, so that page survives losing the network without a
// reload. Later builds still wait for SKIP_WAITING.
clientsClaim();
