// Finds the Chrome/Chromium used by tests, the CLI and the benchmark, and the flags that give it a WebGPU adapter.
// Order: $CHROME_PATH, then the usual install locations. Playwright's own browser download is never used
// (it cannot run on machines without internet).
import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

export function findChrome(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'No Chrome/Chromium found. Install one (Debian/Ubuntu: `sudo apt-get install chromium`) ' +
        'or set CHROME_PATH to its executable.',
    );
  }
  return found;
}

/**
 * Flags for headless WebGPU. SEAL_GPU=1 uses the machine's real GPU; otherwise SwiftShader (a CPU Vulkan
 * driver shipped with Chromium) gives every machine the same adapter, so tests behave the same everywhere.
 */
export function chromeArgs(): string[] {
  const args = [
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ];
  if (process.env.SEAL_GPU !== '1') args.push('--use-webgpu-adapter=swiftshader');
  return args;
}
