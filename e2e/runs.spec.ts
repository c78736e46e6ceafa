// Runs that survive and can be shown (Track B's embedded model: the fastest real run): a reload mid-run leaves the
// run in the history as interrupted, and Resume ends it with the results of an uninterrupted run on the same seed; a
// lost GPU device and a killed worker are explained, the engine comes back, the run resumes; a run file exported
// here imports into a fresh browser profile as a recording with the same charts; model text is never HTML; the
// presenter view fits 1920×1080 and 1280×720.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openKnowledge, tinySettings } from './knowledge_helpers.ts';

interface Exported {
  status: string;
  methods: Array<{ method: string; round: number; solved: number; total: number }>;
  rollouts: Array<{ id: string; reward: number | null; text: string }>;
}

async function exportRun(page: Page): Promise<Exported> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  return JSON.parse(readFileSync(await download.path(), 'utf8')) as Exported;
}

const results = (x: Exported) => ({
  methods: x.methods.map((m) => `${m.method}${m.round}:${m.solved}/${m.total}`).sort(),
  rewards: x.rollouts.map((r) => `${r.id}:${r.reward}`),
});

async function waitDone(page: Page): Promise<void> {
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
}

/** Waits until the run has scored `n` rollouts. */
async function waitRollouts(page: Page, n: number): Promise<void> {
  await expect.poll(async () => Number(await page.getByTestId('reward-chart').getAttribute('data-points')), { timeout: 180_000 }).toBeGreaterThanOrEqual(n);
}

async function resumeInterrupted(page: Page): Promise<void> {
  const row = page.getByTestId('history-row').filter({ has: page.getByTestId('history-resume') }).first();
  await expect(row).toHaveAttribute('data-status', 'interrupted', { timeout: 60_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 90_000 });
  await row.getByTestId('history-resume').click();
  await waitDone(page);
}

test.describe('runs that survive', () => {
  test.setTimeout(600_000);

  test('a reload mid-run: listed as interrupted, Resume finishes it with the results of an uninterrupted run', async ({ page }) => {
    const errors: string[] = [];
    await openKnowledge(page, errors);
    await tinySettings(page);
    await page.keyboard.press('r');
    await waitDone(page);
    const whole = results(await exportRun(page));

    await tinySettings(page);
    await page.keyboard.press('r');
    await waitRollouts(page, 5);
    await page.reload();
    await expect(page.getByTestId('gpu-status')).toHaveText('WebGPU ready', { timeout: 60_000 });
    await expect(page.getByTestId('history-row').first()).toHaveAttribute('data-status', 'interrupted');
    await page.getByTestId('history-row').first().getByTestId('history-open').click();
    await expect(page.getByTestId('viewing-banner')).toContainText('interrupted');
    expect(Number(await page.getByTestId('reward-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(5); // its finished phases
    await resumeInterrupted(page);
    expect(results(await exportRun(page))).toEqual(whole);
    expect(errors).toEqual([]);
  });

  for (const fault of ['device-lost', 'worker-killed'] as const) {
    test(`${fault === 'device-lost' ? 'device.destroy()' : 'a terminated worker'} mid-run: a clear message, the model back, the run resumable`, async ({ page }) => {
      const errors: string[] = [];
      await openKnowledge(page, errors, '&debug');
      await tinySettings(page);
      await page.keyboard.press('r');
      await waitRollouts(page, 3);
      await page.evaluate((f) => {
        const lab = (globalThis as unknown as { sealLab: { getState(): { client: { call(k: string, r: object): Promise<unknown>; terminate(): void } } } }).sealLab;
        if (f === 'device-lost') void lab.getState().client.call('simulate-device-loss', {});
        else lab.getState().client.terminate();
      }, fault);
      const panel = page.getByTestId('error-panel');
      await expect(panel.getByTestId('error-message')).toContainText(fault === 'device-lost' ? 'GPU device was lost' : 'engine worker stopped', { timeout: 120_000 });
      await expect(panel.getByTestId('error-message')).toContainText('Resume');
      await resumeInterrupted(page);
      expect((await exportRun(page)).status).toBe('done');
      expect(errors).toEqual([]);
    });
  }

  test('a run file imports into a fresh browser profile as a recording with the same charts; model text stays text', async ({ page, browser }, info) => {
    const errors: string[] = [];
    await openKnowledge(page, errors);
    await tinySettings(page, { rounds: 0 });
    await page.keyboard.press('r');
    await waitDone(page);
    const points = await page.getByTestId('reward-chart').getAttribute('data-points');
    const data = await exportRun(page) as Exported & { events: Array<{ type: string; rollout?: { text: string; notes?: string } }> };
    // Poison one self-edit with markup: it must render as text, never run.
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    for (const e of data.events) if (e.type === 'rollout' && e.rollout?.notes) e.rollout.notes = evil;
    const file = join(info.project.outputDir, 'run-file.json');
    writeFileSync(file, JSON.stringify(data));

    const fresh = await browser.newContext(); // an empty profile: no saved runs, no cache
    const other = await fresh.newPage();
    await openKnowledge(other, errors);
    await other.getByTestId('import-run-file').setInputFiles(file);
    await expect(other.getByTestId('viewing-banner')).toHaveAttribute('data-kind', 'recording');
    await expect(other.getByTestId('reward-chart')).toHaveAttribute('data-points', points!);
    await expect(other.getByTestId('success-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();
    await other.getByTestId('rollout-row').filter({ hasText: 'Own notes' }).first().click();
    await expect(other.getByTestId('rollout-detail')).toContainText('<img src=x onerror=');
    expect(await other.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await other.getByTestId('self-edit-inspector').locator('img').count()).toBe(0);
    await fresh.close();
    expect(errors).toEqual([]);
  });

  test('the presenter view fits one screen at 1920×1080 and 1280×720', async ({ page }, info) => {
    const errors: string[] = [];
    await openKnowledge(page, errors);
    await tinySettings(page, { rounds: 0 });
    await page.keyboard.press('p');
    await expect(page.getByTestId('presenter-view')).toBeVisible();
    await page.keyboard.press('r');
    await waitRollouts(page, 2);
    for (const [w, h] of [[1920, 1080], [1280, 720]] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(600);
      expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(h); // one screen, no scrolling
      await expect(page.getByTestId('presenter-explain')).toBeVisible();
      await expect(page.getByTestId('presenter-results')).toBeVisible();
      const path = join(info.project.outputDir, `presenter-${w}x${h}.png`);
      await page.screenshot({ path });
      await info.attach(`presenter ${w}×${h}`, { path, contentType: 'image/png' });
    }
    // a finished row shows its 95 % interval (bootstrap over the held-out passages) beside the number
    await expect(page.getByTestId('presenter-results').getByTestId('interval').first()).toHaveText(/\(\d+–\d+ %\)/);
    await page.keyboard.press('p');
    await expect(page.getByTestId('controls')).toBeVisible();
    await waitDone(page);
    // and the results chart draws it as whiskers
    await expect(page.getByTestId('success-chart').locator('.recharts-errorBar').first()).toBeAttached();
    expect(errors).toEqual([]);
  });
});
