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
  const error = page.getByTestId('gpu-error');
  await expect(panel.or(error)).toBeVisible();
  const shot = join(testInfo.project.outputDir, 'seal-lab-device.png') // test-results/seal-lab-device.png;
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('screenshot', { path: shot, contentType: 'image/png' });
  if (await error.isVisible()) {
    throw new Error(`The page reports no usable WebGPU device: ${await error.innerText()}`);
  }

  await expect(page.getByTestId('gpu-status')).toHaveText('WebGPU ready');
  const architecture = (await page.getByTestId('adapter-architecture').innerText()).trim();
  expect(architecture, 'adapter architecture').not.toBe('');
  expect(architecture).not.toContain('(not reported)');
  console.log(`adapter: ${await page.getByTestId('adapter-vendor').innerText()} / ${architecture}`);
  await expect(page.getByTestId('adapter-features')).toBeVisible();
  await expect(page.getByTestId('limit-maxBufferSize')).toBeVisible();
  expect(pageErrors, 'uncaught page errors').toEqual([]);
});
