import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { chromeArgs, findChrome } from './tools/lab/browser/chrome.ts';

/** A port the OS reports free right now (asked in a child process: the config must be synchronous). */
function freePort(): number {
  const js = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return Number(execFileSync(process.execPath, ['-e', js], { encoding: 'utf8' }).trim());
}

// End-to-end tests against a production build served by `vite preview`. The browser is the system
// Chrome/Chromium (never Playwright's download); without a GPU it gets SwiftShader's WebGPU adapter (SEAL_GPU=1
// uses the real GPU). `vite build` is called directly rather than `npm run build`, whose tsc pass covers the
// whole repository.
// A free port is picked once in the runner process and inherited by its workers through the environment, so a
// stray server on a fixed port can never fail (or be mistaken for) this run's build.
process.env.SEAL_E2E_PORT ??= String(freePort());
const PORT = Number(process.env.SEAL_E2E_PORT);
const VITE = 'node node_modules/vite/bin/vite.js';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 30_000 },
  retries: 0,
  // Two workers even on 2 cores: a spec's Vite/Chromium start-ups and waits overlap another's SwiftShader work
  // (e2e 325 → 270 s on the 2-core CI machine). Files run whole in one worker; SEAL_E2E_WORKERS=1 runs them in turn.
  workers: Number(process.env.SEAL_E2E_WORKERS ?? 2),
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
