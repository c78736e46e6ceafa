import { defineConfig } from '@playwright/test';
import { chromeArgs, findChrome } from './tools/browser/chrome.ts';

// End-to-end tests against a production build served by `vite preview`. The browser is the system
// Chrome/Chromium (never Playwright's download); without a GPU it gets SwiftShader's WebGPU adapter (SEAL_GPU=1
// uses the real GPU). `vite build` is called directly rather than `npm run build`, whose tsc pass covers the
// whole repository.
const PORT = 4173;
const VITE = 'node node_modules/vite/bin/vite.js';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 30_000 },
  retries: 0,
  workers: 1,
  forbidOnly: true,
  reporter: 'list',
  use: {
    baseURL: `http://localhost:${PORT}`,
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: { executablePath: findChrome(), args: chromeArgs() },
  },
  projects: [{ name: 'chromium' }],
  webServer: {
    command: `${VITE} build && ${VITE} preview --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}`,
    // Never test a stale server: a busy port fails the run (strictPort) instead of being reused.
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
