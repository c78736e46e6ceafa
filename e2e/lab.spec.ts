// The Lab UI end to end on the built app: device and model, a short mini-ARC run whose rewards reach the chart,
// step mode, the grid viewer and the JSON export. Model: the embedded public/models/seal-mini-arc/ when it is
// there, else a throwaway copy of the tiny golden model in public/models/dev-tiny/ (random weights: self-edits
// are unparsable and rewards 0, but every event still flows).
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { fullShot } from './shot.ts';

const EMBEDDED = 'models/seal-mini-arc/';
const DEV = process.env.SEAL_LAB_E2E_DEV ?? 'models/dev-tiny/';
let modelPath = EMBEDDED;

test.beforeAll(async ({ request }) => {
  // vite preview answers unknown paths with index.html, so "there" means parsable JSON and non-HTML weights.
  const has = async (dir: string) => {
    const cfg = await request.get(`/${dir}config.json`);
    const w = await request.head(`/${dir}model.safetensors`);
    if (!cfg.ok() || !w.ok() || (w.headers()['content-type'] ?? '').startsWith('text/html')) return false;
    try {
      return typeof (await cfg.json()) === 'object';
    } catch {
      return false;
    }
  };
  // SEAL_LAB_E2E_MODEL=dev-tiny forces the throwaway model (e.g. while the embedded one is being retrained).
  const forced = process.env.SEAL_LAB_E2E_MODEL;
  modelPath = forced === 'dev-tiny' ? DEV : forced === 'embedded' || (await has(EMBEDDED)) ? EMBEDDED : DEV;
  if (modelPath === DEV) expect(await has(DEV), 'neither the embedded model nor public/models/dev-tiny/ is there').toBe(true);
  console.log(`lab e2e model: ${modelPath}`);
});

/** Opens the lab on the chosen model and waits until it is loaded. */
async function openLab(page: Page, errors: string[]): Promise<void> {
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(modelPath === EMBEDDED ? '/' : `/?model=${DEV}`);
  await expect(page.getByTestId('gpu-status')).toHaveText('WebGPU ready', { timeout: 60_000 });
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-status', /ready|error/, { timeout: 90_000 });
  if ((await status.getAttribute('data-status')) === 'error') {
    throw new Error(`${modelPath} did not load: ${await page.getByTestId('error-panel').innerText()}`);
  }
}

/** The tiny golden model (random weights) runs every method and a ReST-EM round in well under a minute on SwiftShader. */
const isTiny = () => modelPath === 'models/dev-tiny/';

/**
 * The smallest run: 1 held-out and 1 training task, 1 self-edit each. The tiny model runs every method and one
 * round; a real model (slow greedy decoding over many views on SwiftShader) runs ICL (+ TTT no-RL) and no round.
 */
async function shortSettings(page: Page, methods: { noRl: boolean; oracle: boolean }): Promise<void> {
  await page.getByTestId('set-max-eval').fill('1');
  await page.getByTestId('set-max-train').fill('1');
  await page.getByTestId('set-se-train').fill('1');
  await page.getByTestId('set-se-eval').fill('1');
  await page.getByTestId('set-rounds').fill(isTiny() ? '1' : '0');
  await page.getByTestId('method-noRl').setChecked(methods.noRl);
  await page.getByTestId('method-oracle').setChecked(methods.oracle);
  await expect(page.getByTestId('task-summary')).toContainText('1 training, 1 held-out');
}

test.describe('SEAL Lab UI', () => {
  test.setTimeout(240_000);

  test('opens on the device, the model and a task in the grid viewer', async ({ page }, info) => {
    const errors: string[] = [];
    await openLab(page, errors);
    await expect(page.getByTestId('device-summary')).not.toBeEmpty();
    await expect(page.getByTestId('track-a')).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByTestId('track-b')).toHaveAttribute('aria-checked', 'false');
    const viewer = page.getByTestId('grid-viewer');
    await expect(viewer.getByTestId('grid-demos').getByRole('img').first()).toBeVisible();
    expect(await viewer.getByTestId('grid-demos').getByRole('img').count()).toBeGreaterThanOrEqual(4);
    await expect(viewer.getByTestId('grid-test').getByRole('img', { name: /Test 1 input/ })).toBeVisible();
    await expect(page.getByTestId('run')).toBeEnabled();
    await expect(page.getByTestId('step')).toBeDisabled();
    await fullShot(page, info, 'lab-1-open');

    // A student's self-edit for the task: the form, or raw JSON; the model's parser names what is wrong
    const yours = page.getByTestId('your-edit');
    await expect(yours.getByTestId('your-form')).toBeVisible();
    await yours.getByTestId('your-lr').fill('5');
    await expect(yours.getByTestId('your-invalid')).toHaveText('training.learning_rate: must be ≤ 1, got 5');
    await yours.getByTestId('your-raw').check();
    await yours.getByTestId('your-json').fill('{"data_generation": {"use_basic_augmentations": "yes"}, "training": {"strategy": "train_using_all_tokens", "learning_rate": 0.001, "num_train_epochs": 1}}');
    await expect(yours.getByTestId('your-invalid')).toContainText('data_generation.use_basic_augmentations: must be true or false, got "yes"');
    await expect(yours.getByTestId('your-invalid')).toContainText('data_generation.use_size_augmentations: is required');
    await expect(yours.getByTestId('your-apply')).toBeDisabled(); // and before a run there is nothing to apply it with
    await expect(yours).toContainText('Start a run');
    await page.setViewportSize({ width: 1280, height: 720 });
    await fullShot(page, info, 'lab-1b-your-self-edit-1280x720');
    expect(errors).toEqual([]);
  });

  test('a short run puts rewards on the chart, and the export holds the run', async ({ page }, info) => {
    const errors: string[] = [];
    await openLab(page, errors);
    const full = isTiny(); // every method and a round; else ICL only (one greedy answer per view, no training)
    await shortSettings(page, { noRl: full, oracle: full }); // Oracle TTT trains even when no self-edit parses
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // shortcuts are off while typing in a field
    await page.keyboard.press('r'); // the Run shortcut
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', /running|done/);
    const chart = page.getByTestId('reward-chart');
    await expect(chart).not.toHaveAttribute('data-points', '0', { timeout: 150_000 });
    await expect.poll(() => chart.locator('.recharts-scatter-symbol').count()).toBeGreaterThanOrEqual(1);
    await fullShot(page, info, 'lab-2-first-reward');
    // The ICL row is in the inspector; picking it shows that task's answer against the truth.
    await page.getByTestId('rollout-row').last().click();
    await expect(page.getByTestId('grid-viewer').getByTestId('grid-test')).toContainText('truth');

    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
    console.log(`run done with ${await chart.getAttribute('data-points')} rollouts`);
    if (full) {
      // The Oracle rollout trained: its TTT loss line and its augmented examples are drawn.
      await expect(page.getByTestId('ttt-chart').locator('.recharts-line-curve').first()).toBeVisible();
      await page.getByTestId('rollout-row').filter({ hasText: 'Oracle' }).click();
      await expect(page.getByTestId('grid-viewer').getByTestId('grid-ttt').getByRole('img').first()).toBeVisible();
    }
    await fullShot(page, info, 'lab-3-run-end');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    expect(download.suggestedFilename()).toMatch(/^seal-arc-run-.*\.json$/);
    const data = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(data.config.selfEditsPerEvalTask).toBe(1);
    expect(data.config.methods).toEqual({ icl: true, noRl: full, oracle: full });
    expect(data.status).toBe('done');
    expect(data.methods.map((m: { method: string }) => m.method)).toEqual(full ? ['icl', 'no-rl', 'oracle', 'seal'] : ['icl']);
    expect(data.track).toBe('arc');
    expect(data.items.eval).toHaveLength(1);
    expect(data.items.eval[0].task.train.length).toBeGreaterThan(0);
    expect(data.rollouts.length).toBeGreaterThanOrEqual(1);
    expect(data.rollouts[0].method).toBe('icl');
    expect(data.events.some((e: { type: string }) => e.type === 'phase')).toBe(true);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const lines = readFileSync(await csv.path(), 'utf8').trim().split(/\r\n/);
    expect(lines[0]).toMatch(/^id,item,method,round,/);
    expect(lines).toHaveLength(data.rollouts.length + 1);
    expect(errors).toEqual([]);
  });

  test('step mode holds after each phase and explains it; Next step moves on', async ({ page }, info) => {
    const errors: string[] = [];
    await openLab(page, errors);
    await shortSettings(page, { noRl: true, oracle: false });
    await page.getByTestId('step-mode').check();
    await page.getByTestId('run').click();
    const panel = page.getByTestId('step-panel');
    await expect(panel).toHaveAttribute('data-phase-index', '1', { timeout: 150_000 });
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'paused');
    const first = await panel.getAttribute('data-phase');
    expect(first).toBe('icl');
    await expect(panel.getByTestId('phase-name')).toHaveText('In-context answer');
    expect((await panel.getByTestId('phase-explain').innerText()).length).toBeGreaterThan(40);
    await fullShot(page, info, 'lab-4-step-first');

    await panel.getByTestId('next-step').click();
    await expect(panel).toHaveAttribute('data-phase-index', '2', { timeout: 150_000 });
    expect(await panel.getAttribute('data-phase')).not.toBe(first); // 1 held-out task: ICL → sample self-edits
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'paused');
    await fullShot(page, info, 'lab-5-step-second');

    await page.keyboard.press('x'); // Stop
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });
    await expect(page.getByTestId('error-panel')).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test('ARC JSON files: picked files are previewed; a bad file fails with a clear TaskFileError', async ({ page }, info) => {
    const errors: string[] = [];
    await openLab(page, errors);
    const grid = (n: number) => [[n, 0], [0, n]];
    const task = (n: number) => ({ train: [{ input: grid(n), output: grid(n + 1) }, { input: grid(n + 2), output: grid(n + 3) }], test: [{ input: grid(n + 4) }] });
    const json = (name: string, v: unknown) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(v)) });
    const challenges = json('tiny_challenges.json', { aaa00001: task(1), bbb00002: task(2) });

    await page.getByTestId('task-source').selectOption('files');
    await page.getByTestId('task-files').setInputFiles([challenges, json('tiny_solutions.json', { aaa00001: [grid(6)], bbb00002: [grid(7)] })]);
    await page.getByRole('button', { name: 'Use these files' }).click();
    await expect(page.getByTestId('task-summary')).toContainText('tiny_challenges.json: 1 training, 1 held-out');
    await expect(page.getByTestId('grid-task-select')).toHaveValue('bbb00002'); // one file is split: the second half is held out
    await expect(page.getByTestId('grid-demos').getByRole('img')).toHaveCount(4);

    // Solutions missing a task: the worker refuses the run with a TaskFileError that names the task.
    await page.getByTestId('task-files').setInputFiles([challenges, json('tiny_solutions.json', { aaa00001: [grid(6)] })]);
    await page.getByRole('button', { name: 'Use these files' }).click();
    await expect(page.getByTestId('task-summary')).toContainText('TaskFileError');
    await page.getByTestId('run').click();
    const panel = page.getByTestId('error-panel');
    await expect(panel.getByTestId('error-name')).toHaveText('TaskFileError', { timeout: 60_000 });
    await expect(panel.getByTestId('error-message')).toContainText('bbb00002');
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'error');
    await fullShot(page, info, 'lab-6-task-file-error');
    await panel.getByTestId('error-dismiss').click();
    await expect(panel).toHaveCount(0);
    expect(errors).toEqual([]);
  });
});
