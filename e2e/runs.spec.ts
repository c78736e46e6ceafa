// Runs that survive and can be shown (Track B's embedded model: the fastest real run): a reload mid-run leaves the
// run in the history as interrupted, and Resume ends it with the results of an uninterrupted run on the same seed; a
// lost GPU device and a killed worker are explained, the engine comes back, the run resumes; a run file exported
// here imports into a fresh browser profile as a recording with the same charts; model text is never HTML; the
// presenter view fits 1920×1080 and 1280×720; the recording shipped for talks replays there, its charts filling.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openKnowledge, tinySettings } from './knowledge_helpers.ts';

test.use({ serviceWorkers: 'block' }); // seal_lab.json through openKnowledge's route (knowledge_helpers.ts)

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

  test('the shipped recording replays in the presenter view at 20×, its charts filling; a damaged one is named', async ({ page }, info) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto('/?track=knowledge&view=presenter');
    await expect(page.getByTestId('presenter-view')).toBeVisible();
    // a damaged run file: the error names it, and nothing on screen changes
    await page.route('**/runs/knowledge.json', (r) => r.fulfill({ contentType: 'application/json', body: '{"app":"seal-lab","track":"knowledge","events":[{"type":"bogus"}]}' }));
    await page.keyboard.press('o');
    await expect(page.getByTestId('recordings-error')).toHaveText('runs/knowledge.json is damaged: event 0 has no known type ("bogus")');
    await expect(page.getByTestId('presenter-recording')).toHaveCount(0);
    await page.unroute('**/runs/knowledge.json');

    await page.keyboard.press('o'); // opens the track's recording and plays it
    await expect(page.getByTestId('presenter-recording')).toHaveText(/^Recording — \d{4}-\d\d-\d\d, seal-mini-bio, seed \d+, \d+ rounds?, k \d+ \(\d+ per held-out passage\), \d+\/\d+ passages$/);
    await page.keyboard.press('='); // 10× → 20×
    const replay = page.getByTestId('replay-controls');
    await expect(replay).toHaveAttribute('data-status', 'playing');
    await expect(page.getByTestId('replay-clock')).toContainText('20×');
    const marks = page.getByTestId('reward-chart').locator('.recharts-scatter-symbol');
    await expect.poll(() => marks.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const early = await marks.count();
    await expect.poll(() => marks.count(), { timeout: 30_000 }).toBeGreaterThan(early); // filling as it did live
    const notice = page.getByTestId('offline-ready'); // (covers the screenshots)
    if (await notice.isVisible()) await notice.getByRole('button').click();
    const bottom = async () => { const t = (await page.getByTestId('presenter-results').boundingBox())!; return t.y + t.height; };
    expect(await bottom()).toBeLessThanOrEqual(720); // one screen, label and every row so far included
    const path = join(info.project.outputDir, 'presenter-replay-1280x720.png');
    await page.screenshot({ path });
    await info.attach('presenter replaying', { path, contentType: 'image/png' });
    await page.keyboard.press('e'); // the rest at once (a full default recording lasts minutes even at 20×)
    await expect(replay).toHaveAttribute('data-status', 'whole');
    await expect(page.getByTestId('presenter-results').getByTestId('interval').first()).toHaveText(/\(\d+–\d+ %\)/);
    const total = Number(await page.getByTestId('reward-chart').getAttribute('data-points'));
    await expect(marks).toHaveCount(total);
    await expect(page.getByTestId('presenter-results').locator('tbody tr')).toHaveCount(6); // base … SEAL r2
    expect(await bottom()).toBeLessThanOrEqual(720); // every row of the whole run, SEAL r2 included
    await page.screenshot({ path: join(info.project.outputDir, 'presenter-recording-1280x720.png') });

    await page.keyboard.press('p'); // the lab view says the same, and lists the recording for talks
    await expect(page.getByTestId('recording-label')).toContainText(/^Recording — .*, seal-mini-bio, seed/);
    await expect(page.getByTestId('recording-row').filter({ hasText: 'seal-mini-bio' })).toBeVisible();
    await expect(page.getByTestId('success-chart').locator('.recharts-errorBar').first()).toBeAttached();
    if (await notice.isVisible()) await notice.getByRole('button').click();
    await page.screenshot({ path: join(info.project.outputDir, 'lab-recording-1280x720.png') });
    await page.getByTestId('history-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(info.project.outputDir, 'lab-recordings-list-1280x720.png') });
    expect(errors).toEqual([]);
  });
});
