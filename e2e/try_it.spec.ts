// The model panel's load facts and "Try it" box on the built app: while the embedded model's weights go to the
// GPU the panel shows tensors and rate (each weight read of the first load is slowed a little so it can be seen);
// the loaded model's card says its parameters, storage type and quantisation (and follows the quantisation picker);
// a prompt typed into "Try it" and sent with Enter comes back with its text, the prefill and decode rates, and the
// BOS warning (the embedded tokenizer adds none to plain text).
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

test.use({ serviceWorkers: 'block' }); // every weight read goes through the route below

test('upload progress, the model card, and Try it', async ({ page, context }, info) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const weights = /models\/seal-mini-arc\/model\.safetensors/;
  await context.route(weights, async (route) => {
    await new Promise((r) => setTimeout(r, 100)); // ~60 reads: the progress shows for about 6 s
    await route.continue();
  });
  await page.goto('/');
  const status = page.getByTestId('model-status');
  await expect(page.getByTestId('upload-tensors')).toContainText(/^\d+ of 56 tensors$/, { timeout: 60_000 });
  await expect(page.getByTestId('upload-rate')).toContainText(/MB\/s/);
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await context.unroute(weights); // the reloads below at full speed
  await expect(page.getByTestId('model-params')).toHaveText(/^[\d.]+ [kM]$/);
  await expect(page.getByTestId('model-weights')).toContainText('f32 as stored');

  await page.getByTestId('model-quantize').selectOption('q4');
  await page.getByTestId('load-model').click();
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-weights')).toContainText('q4 (from f32)');

  await page.getByTestId('try-it').locator('summary').click();
  const prompt = page.getByTestId('try-prompt');
  await prompt.fill('Hello');
  await page.getByTestId('try-max-tokens').fill('4');
  await prompt.press('Enter');
  await expect(page.getByTestId('try-output')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('try-prefill')).toHaveText(/^5 tokens in [\d.]+ s \([\d.]+ tok\/s\)$/);
  await expect(page.getByTestId('try-decode')).toHaveText(/^[0-3] tokens? in [\d.]+ s( \([\d.]+ tok\/s\))?$/);
  await expect(page.getByTestId('try-warning')).toContainText('without BOS (token 256)');
  const panel = join(info.project.outputDir, 'try-it-panel.png');
  await page.getByTestId('model-picker').screenshot({ path: panel });
  await info.attach('try-it-panel', { path: panel, contentType: 'image/png' });
  // Said once per load: the second prompt gets no warning.
  await prompt.fill('Hi');
  await page.getByTestId('try-generate').click();
  await expect(page.getByTestId('try-prefill')).toHaveText(/^2 tokens in/, { timeout: 30_000 });
  await expect(page.getByTestId('try-warning')).toHaveCount(0);
  expect(errors).toEqual([]);
});
