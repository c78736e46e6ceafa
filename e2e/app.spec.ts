import { join } from 'node:path';
import { expect, test } from '@playwright/test';

test('shows the WebGPU device panel with a real adapter', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  await page.goto('/');
  await expect(page).toHaveTitle('SEAL Lab');
  await expect(page.getByRole('heading', { level: 1, name: 'SEAL Lab' })).toBeVisible();

  // Either the device panel or the error box appears; an error box (no WebGPU, no adapter) fails the test.
  const panel = page.getByTestId('device-panel');
  const shoot = async () => {
    const shot = join(testInfo.project.outputDir, 'seal-lab-device.png'); // test-results/seal-lab-device.png
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shot, fullPage: true });
    await testInfo.attach('screenshot', { path: shot, contentType: 'image/png' });
  };
  const error = page.getByTestId('gpu-error');
  await expect(panel.or(error)).toBeVisible({ timeout: 60_000 });
  if (await error.isVisible()) {
    await shoot();
    throw new Error(`The page reports no usable WebGPU device: ${await error.innerText()}`);
  }

  await expect(page.getByTestId('gpu-status')).toHaveText('WebGPU ready');
  // The device panel is collapsible (closed by default to leave room for the lab): open it.
  await panel.locator('summary').click();
  await expect(panel).toHaveAttribute('open', '');
  const architecture = (await page.getByTestId('adapter-architecture').innerText()).trim();
  expect(architecture, 'adapter architecture').not.toBe('');
  expect(architecture).not.toContain('(not reported)');
  console.log(`adapter: ${await page.getByTestId('adapter-vendor').innerText()} / ${architecture}`);
  await expect(page.getByTestId('adapter-features')).toBeVisible();
  await expect(page.getByTestId('limit-maxBufferSize')).toBeVisible();
  await shoot();
  expect(pageErrors, 'uncaught page errors').toEqual([]);
});
