// The model picker against a local stand-in for the Hugging Face Hub (tests/setup/hub-server.ts, started here):
// a Hub repo downloads with per-file progress, lands in the cache manager, loads from the cache the second time,
// is deleted from there; Cancel keeps a partial download; a gated repo says to paste a token and the previous
// model stays loaded.
import { join } from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { startHubServer, type HubServer } from '../tests/setup/hub-server.ts';

let hub: HubServer;
test.beforeAll(async () => void (hub = await startHubServer()));
test.afterAll(() => hub?.close());

async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  const path = join(info.project.outputDir, `model-${name}.png`);
  await page.screenshot({ path, fullPage: false });
  await info.attach(name, { path, contentType: 'image/png' });
  // The model panel on its own (the page scrolls it into view above).
  const panel = join(info.project.outputDir, `model-${name}-panel.png`);
  await page.getByTestId('model-picker').screenshot({ path: panel });
  await info.attach(`${name}-panel`, { path: panel, contentType: 'image/png' });
}

async function loadHub(page: Page, repo: string): Promise<void> {
  await page.getByTestId('hub-repo').fill(repo);
  await page.getByTestId('load-model').click();
}

test('Hub source: progress, cache manager, from cache, delete, cancel, gated', async ({ page }, info) => {
  test.setTimeout(110_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`/?hubEndpoint=${encodeURIComponent(hub.url)}`);
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });

  await page.getByTestId('source-hub').check({ force: true });
  await expect(page.getByTestId('hub-token')).toHaveAttribute('type', 'password');
  await page.locator('details.advanced > summary').click();
  await expect(page.getByTestId('hub-endpoint')).toHaveValue(hub.url);

  // A throttled repo (~100 KB/s): the per-file progress shows while it downloads.
  await loadHub(page, 'seal-test/slow');
  await expect(status).toHaveAttribute('data-status', 'loading');
  await expect(page.getByTestId('download-file').first()).toBeVisible();
  await expect(page.getByTestId('download-rate').first()).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('cancel-load')).toBeVisible();
  await shot(page, info, 'downloading');
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(status).toContainText('seal-test/slow@main');

  // The cache manager lists it, complete.
  await page.locator('.cache-manager > summary').click();
  const row = page.getByTestId('cache-row').filter({ hasText: 'seal-test/slow' });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('cache-state')).toHaveText('complete');
  await expect(page.getByTestId('cache-usage')).toBeVisible();

  // A second load comes from the cache.
  await page.getByTestId('load-model').click();
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 30_000 });
  await expect(page.getByTestId('loaded-from-cache')).toContainText('from cache');
  await shot(page, info, 'from-cache');

  // Delete removes it.
  await row.getByTestId('cache-delete').click();
  await expect(row).toHaveCount(0);

  // Cancel mid-download: the previous model stays, the bytes so far stay cached (partial).
  await loadHub(page, 'seal-test/slow');
  await expect(page.getByTestId('download-rate').first()).toBeVisible({ timeout: 15_000 });
  await page.getByTestId('cancel-load').click();
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 15_000 });
  await expect(page.getByTestId('model-failure')).toContainText('Cancelled');
  await expect(page.getByTestId('error-panel')).toHaveCount(0);
  await expect(page.getByTestId('cache-row').filter({ hasText: 'seal-test/slow' }).getByTestId('cache-state')).toHaveText('partial');

  // A gated repo without a token: the gated message; the previous model is still loaded.
  await loadHub(page, 'seal-test/gated');
  await expect(page.getByTestId('error-panel')).toContainText('This repo is gated: paste a token with access', { timeout: 30_000 });
  await expect(page.getByTestId('error-name')).toHaveText('GatedModelError');
  await expect(status).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('model-failure')).toContainText('previous model is still loaded');
  await expect(page.getByTestId('run')).toBeEnabled();
  await shot(page, info, 'gated');

  // Delete all empties the cache.
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('cache-delete-all').click();
  await expect(page.getByTestId('cache-empty')).toBeVisible();
  expect(errors).toEqual([]);
});
