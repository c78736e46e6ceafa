import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { chromeArgs, findChrome } from './tools/lab/browser/chrome.ts';

// Two projects: `unit` runs pure TypeScript in Node; `gpu` runs in headless Chromium with a real WebGPU
// adapter (SwiftShader without a GPU). GPU tests never skip: no adapter fails the run (tests/gpu/device.ts).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        // Pre-bundled up front: discovering them mid-run makes Vite reload the page under a running test.
        optimizeDeps: { include: ['zod', '@huggingface/transformers'] },
        test: {
          name: 'gpu',
          include: ['tests/gpu/**/*.test.ts'],
          // A local stand-in for the Hugging Face Hub (sharded bf16 model, failure repos): tests/setup/hub-server.ts.
          globalSetup: ['tests/setup/hub-global.ts'],
          // A guard against hangs, not a speed check: on a loaded machine the shape benchmark alone took over 120 s.
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: findChrome(), args: chromeArgs() } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
