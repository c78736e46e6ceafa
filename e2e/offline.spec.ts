// The built site on a plain static host under a sub-path (/seal-lab/), as a project page serves it: the first visit
// online fills the service worker's precache; then the network is gone (the browser offline and the host stopped) and
// a reload still opens the lab on the embedded model, runs it and opens a recording for talks. And a new build
// deployed while the lab is open is announced, never swapped in by itself. dist/ is the build playwright.config.ts's webServer has just made (its
// relative base is what lets one build work from any sub-path); this spec serves it with its own host (static-host.ts).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { startHost, type StaticHost } from './static-host.ts';

// SEAL_E2E_DIST=<folder> runs these tests on another build (e.g. one made with SEAL_BASE=/seal-lab/).
const DIST = process.env.SEAL_E2E_DIST ?? 'dist';

/** The precache list of dist/sw.js and the bytes it holds. */
function precache(): { entries: number; bytes: number } {
  const urls = [...readFileSync(join(DIST, 'sw.js'), 'utf8').matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);
  return { entries: urls.length, bytes: urls.reduce((s, u) => s + statSync(join(DIST, u)).size, 0) };
}

const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  const path = join(info.project.outputDir, `offline-${name}.png`);
  await page.screenshot({ path });
  await info.attach(name, { path, contentType: 'image/png' });
}

/** Opens the site and waits for the GPU, the embedded model, and a service worker that controls the page. */
async function openLab(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('gpu-status')).toHaveText('WebGPU ready', { timeout: 60_000 });
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-status', /ready|error/, { timeout: 90_000 });
  expect(await status.getAttribute('data-status'), await status.innerText()).toBe('ready');
  await expect(status).toContainText('models/seal-mini-arc/');
  await page.evaluate(() => navigator.serviceWorker.ready); // installed: every precached file is in the cache
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
}

/** The smallest run: 1 held-out task, in-context answers only, no ReST-EM round. */
async function shortRun(page: Page, stepMode: boolean): Promise<void> {
  for (const id of ['set-max-eval', 'set-max-train', 'set-se-train', 'set-se-eval']) await page.getByTestId(id).fill('1');
  await page.getByTestId('set-rounds').fill('0');
  await page.getByTestId('method-noRl').setChecked(false);
  await page.getByTestId('method-oracle').setChecked(false);
  await page.getByTestId('step-mode').setChecked(stepMode);
  await page.getByTestId('run').click();
}

test.describe('static site under a sub-path, with the service worker', () => {
  test.setTimeout(240_000);
  let host: StaticHost | null = null;
  test.beforeEach(() => expect(statSync(join(DIST, 'sw.js')).isFile(), 'dist/sw.js: the build has no service worker').toBe(true));
  test.afterEach(async () => {
    await host?.close();
    host = null;
  });

  test('offline after the first visit: a reload opens the lab on the embedded model and a short run charts points', async ({ page, context }, info) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    host = await startHost(DIST);
    await openLab(page, host.url);
    const pc = precache();
    console.log(`precache: ${pc.entries} entries, ${mb(pc.bytes)}; first visit transferred ${mb(host.bytesSent())} (response bodies)`);
    info.annotations.push({ type: 'precache', description: mb(pc.bytes) }, { type: 'first visit', description: mb(host.bytesSent()) });

    await context.setOffline(true);
    await host.close(); // nothing can come from the network now, whatever the emulation covers
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    await expect(page.getByTestId('offline-notice')).toBeVisible();
    await page.reload();
    await expect(page.getByTestId('gpu-status')).toHaveText('WebGPU ready', { timeout: 60_000 });
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 90_000 });
    await expect(page.getByTestId('model-status')).toContainText('models/seal-mini-arc/');
    const notice = page.getByTestId('offline-notice');
    await expect(notice).toContainText('embedded models');
    await expect(notice).not.toContainText('not saved for offline use');

    await shortRun(page, false); // its in-context rollout reaches the chart
    const chart = page.getByTestId('reward-chart');
    await expect(chart).not.toHaveAttribute('data-points', '0', { timeout: 150_000 });
    await expect.poll(() => chart.locator('.recharts-scatter-symbol').count()).toBeGreaterThanOrEqual(1);
    await expect(notice).toBeVisible();
    await shot(page, info, 'run');
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', /done|stopped/, { timeout: 90_000 });
    await expect(page.getByTestId('error-panel')).toHaveCount(0);
    // the recordings for talks are precached too (fetched relative to the sub-path): listed and opened offline
    await page.getByTestId('recording-row').first().getByTestId('recording-open').click();
    await expect(page.getByTestId('recording-label')).toContainText('Recording — ');
    expect(failed, 'requests the cache could not answer').toEqual([]);
    expect(errors).toEqual([]);
  });

  test('a new build deployed while the lab is open: the update notice appears and nothing reloads by itself', async ({ page }, info) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    host = await startHost(DIST);
    await openLab(page, host.url);
    let navigations = 0;
    page.on('framenavigated', (f) => void (f === page.mainFrame() && navigations++));
    await page.evaluate(() => Object.assign(window, { sealE2eStillHere: true }));
    // A run in progress, held by step mode after its first phase, so it is still running when the update arrives.
    await shortRun(page, true);
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'paused', { timeout: 150_000 });

    // The next build, as a deploy leaves it: a changed index.html, and sw.js precaching it under its new revision.
    const html = readFileSync(join(DIST, 'index.html'), 'utf8').replace('</head>', '<!-- e2e: build 2 --></head>');
    const sw = readFileSync(join(DIST, 'sw.js'), 'utf8');
    const md5 = createHash('md5').update(html).digest('hex');
    const sw2 = sw.replace(/("revision":")[0-9a-f]+(","url":"index\.html")/, `$1${md5}$2`);
    expect(sw2, 'index.html in the precache list of dist/sw.js').not.toBe(sw);
    host.deploy({ 'index.html': html, 'sw.js': sw2 });

    // The lab asks for a new sw.js when the tab becomes visible again (and hourly); the speaker comes back to it.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    const notice = page.getByTestId('update-notice');
    await expect(notice).toBeVisible({ timeout: 30_000 });
    await expect(notice).toContainText('A new version is available — reload');
    await expect(notice).toContainText('Reloading ends the run in progress');
    await page.waitForTimeout(3000); // long enough for a reload nobody asked for to show
    expect(navigations).toBe(0);
    expect(await page.evaluate(() => 'sealE2eStillHere' in window)).toBe(true);
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'paused');
    await shot(page, info, 'update');

    // Reload (the button) applies it: the new build's page comes up.
    await Promise.all([page.waitForEvent('load'), notice.getByTestId('update-reload').click()]);
    await expect.poll(() => page.content()).toContain('e2e: build 2');
    await expect(page.getByTestId('update-notice')).toHaveCount(0);
    expect(errors).toEqual([]);
  });
});
