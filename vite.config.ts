import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

// Every URL of the build (assets, the engine worker, the service worker, the manifest, the embedded models through
// document.baseURI) is relative by default, so one dist/ works from any folder of any static host. SEAL_BASE=/seal-lab/
// (or `vite build --base /seal-lab/`) pins an absolute sub-path instead.
const base = process.env.SEAL_BASE || './';

export default defineConfig({
  base,
  plugins: [
    react(),
    VitePWA({
      // Prompt, not autoUpdate: a new build waits until the user presses Reload (src/ui/UpdateNotice.tsx).
      registerType: 'prompt',
      injectRegister: false, // registered by UpdateNotice.tsx, which owns the notices
      includeManifestIcons: false, // already in globPatterns (listed twice otherwise)
      manifest: {
        name: 'SEAL Lab',
        short_name: 'SEAL Lab',
        description: 'Self-Adapting LLMs (SEAL) in the browser: a Llama-class model trained with WebGPU, no server-side compute',
        display: 'standalone',
        background_color: '#0d1117',
        theme_color: '#0d1117',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      // The service worker is workers/sw.ts (Workbox's precaching with its range-requests plugin, which generateSW
      // cannot add); the plugin builds it and injects the precache list.
      strategies: 'injectManifest',
      srcDir: 'workers',
      filename: 'sw.ts',
      injectManifest: {
        rollupFormat: 'iife', // one classic script: no module service worker needed
        // The app shell (the plugin adds manifest.webmanifest), the engine worker, the charts chunk, the icons, each
        // embedded model folder as it is at build time, and the recordings for talks (runs/: index.json and a run file
        // per track). Not: public/models/dev-* (throwaway test models), READMEs, onnxruntime's 27 MB wasm (emitted by
        // @huggingface/transformers, never fetched: the engine uses its tokenizer only).
        globPatterns: ['**/*.{html,js,css,svg,png}', 'models/*/*.{json,safetensors}', 'runs/*.json'],
        globIgnores: ['models/dev-*/**'],
        // Workbox leaves out (with a warning) anything larger; the embedded models' weights are a few MB.
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      },
    }),
  ],
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
