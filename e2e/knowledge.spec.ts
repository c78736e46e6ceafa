// Track B in the built app, on the embedded knowledge model (public/models/seal-mini-bio): a short run puts points
// on the charts, fills the QA table and the forgetting heat map; step mode stops after each phase, and between two a
// student's own notes get a reward, a marker and a row, survive a reload and a run file, and the run steps on; the
// exports hold the run. Screenshots in test-results/ (looked at by hand).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { fullShot } from './shot.ts';
import { openKnowledge, tinySettings } from './knowledge_helpers.ts';

test.use({ serviceWorkers: 'block' }); // seal_lab.json through openKnowledge's route (knowledge_helpers.ts)

test.describe('Track B: knowledge incorporation', () => {
  test.setTimeout(360_000);

  test('a short run charts accuracy and rewards, fills the QA table and the forgetting heat map, and exports', async ({ page }, info) => {
    const errors: string[] = [];
    await openKnowledge(page, errors);
    await expect(page.getByTestId('passage-text').locator('mark').first()).toBeVisible(); // the facts are marked
    await tinySettings(page, { forgetting: 2, cpt: 2 });
    await page.keyboard.press('r');
    const chart = page.getByTestId('reward-chart');
    await expect(chart).not.toHaveAttribute('data-points', '0', { timeout: 120_000 });
    await fullShot(page, info, 'knowledge-1-first-reward');
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 300_000 });

    // Table 2's rows, continued pre-training, the heat map (after edit 1: passage 1; after edit 2: both).
    await expect(page.getByTestId('success-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();
    await expect(page.getByTestId('cpt-chart')).toBeVisible();
    await expect(page.getByTestId('forgetting-chart')).toHaveAttribute('data-cells', '3');
    // The QA table: gold, the base model's answer and the answer after an update, each graded.
    const rows = page.getByTestId('qa-row');
    await expect(rows.first()).toBeVisible();
    expect(await rows.count()).toBeGreaterThanOrEqual(3);
    await expect(rows.first().locator('td').nth(1)).toHaveText(/[✓✗]/);
    await expect(rows.first().locator('td').nth(2)).toHaveText(/[✓✗]/);
    // A self-edit's lines, kept or dropped, with the facts they restate.
    await page.getByTestId('rollout-row').filter({ hasText: 'Own notes' }).first().click();
    await expect(page.getByTestId('notes-lines').locator('li').first()).toBeVisible();
    await fullShot(page, info, 'knowledge-2-run-end');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    expect(download.suggestedFilename()).toMatch(/^seal-knowledge-run-.*\.json$/);
    const data = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(data.track).toBe('knowledge');
    expect(data.status).toBe('done');
    expect(data.items.eval).toHaveLength(2);
    expect(data.methods.map((m: { method: string }) => m.method)).toEqual(
      ['base', 'passage', 'own', 'reference', 'seal', 'cpt-base', 'cpt-passage', 'cpt-own', 'cpt-reference', 'cpt-seal']);
    const own = data.rollouts.find((r: { method: string }) => r.method === 'own');
    expect(own.answers[0]).toHaveProperty('correct');
    expect(data.events.filter((e: { type: string }) => e.type === 'forgetting')).toHaveLength(3);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const lines = readFileSync(await csv.path(), 'utf8').trim().split(/\r\n/);
    expect(lines[0]).toMatch(/^id,item,method,round,/);
    expect(lines).toHaveLength(data.rollouts.length + 1);
    expect(errors).toEqual([]);
  });

  test('step mode stops after each phase and explains it; a student\'s notes between two phases', async ({ page }, info) => {
    const errors: string[] = [];
    await openKnowledge(page, errors);
    await tinySettings(page);
    await page.getByTestId('step-mode').check();
    await page.getByTestId('run').click();
    const panel = page.getByTestId('step-panel');
    await expect(panel).toHaveAttribute('data-phase-index', '1', { timeout: 120_000 });
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'paused');
    expect(await panel.getAttribute('data-phase')).toBe('base');
    await expect(panel.getByTestId('phase-name')).toHaveText('Base model answers');
    expect((await panel.getByTestId('phase-explain').innerText()).length).toBeGreaterThan(60);
    for (const index of ['2', '3', '4']) {
      await panel.getByTestId('next-step').click();
      await expect(panel).toHaveAttribute('data-phase-index', index, { timeout: 120_000 });
      await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'paused');
    }
    await fullShot(page, info, 'knowledge-3-step');

    // Your notes, on the second held-out passage (its facts restated, from the marks), applied while the run is held
    await page.getByTestId('passage-select').selectOption({ index: 1 });
    const passage = (await page.getByTestId('passage-select').inputValue());
    const facts = await page.getByTestId('passage-text').locator('mark').allInnerTexts();
    const title = (await page.getByTestId('passage-text').locator('strong').innerText()).replace(/\.$/, '');
    const notes = page.getByTestId('your-notes');
    await notes.fill('');
    await expect(page.getByTestId('your-invalid')).toContainText('empty');
    await expect(page.getByTestId('your-apply')).toBeDisabled();
    await notes.fill(`<b>${title}</b> facts: ${facts.join(', ')}.\n${title} is known for ${facts.at(-1)}.`);
    await notes.press('Control+Enter'); // the keyboard applies
    const row = page.getByTestId('rollout-row').filter({ hasText: 'Yours' });
    await expect(row).toHaveCount(1, { timeout: 120_000 });
    await expect(row).toContainText(passage);
    await expect(row.locator('td').nth(4)).toHaveText(/^[\d.]+$/);
    await expect(page.getByTestId('reward-chart')).toHaveAttribute('data-yours', '1');
    await expect(page.getByTestId('reward-chart').locator('.yours-points path, .yours-points .recharts-symbols')).not.toHaveCount(0);
    await expect(page.getByTestId('your-compare').locator('tr.yours')).toHaveCount(1);
    await expect(page.getByTestId('notes-lines').locator('.fact.ok').first()).toBeVisible(); // the facts it restates
    await expect(page.getByTestId('qa-table').locator('thead th').nth(2)).toContainText('y1 Yours');
    await expect(page.getByTestId('notes-lines')).toContainText('<b>'); // text, never markup
    expect(await page.getByTestId('notes-lines').locator('b').count()).toBe(0);
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'paused');
    await page.setViewportSize({ width: 1280, height: 720 });
    await fullShot(page, info, 'knowledge-4-yours-1280x720');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // keys are typing in the notes
    await page.keyboard.press('p');
    await expect(page.getByTestId('presenter-view')).toContainText('Your self-edit');
    await expect(page.getByTestId('presenter-view').getByTestId('reward-chart')).toHaveAttribute('data-yours', '1'); // its star there too
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(info.project.outputDir, 'knowledge-5-yours-presenter-1280x720.png') });
    await page.keyboard.press('p');

    // the run steps on after it
    await page.getByTestId('step-panel').getByTestId('next-step').click();
    await expect(panel).toHaveAttribute('data-phase-index', '5', { timeout: 120_000 });
    await page.keyboard.press('x');
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });

    // saved with the run (a reload) and in its run file (an import)
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const data = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(data.rollouts.filter((r: { method: string }) => r.method === 'yours')).toMatchObject([{ id: 'y1', itemId: passage, role: 'eval' }]);
    const file = join(info.project.outputDir, 'run-with-yours.json');
    writeFileSync(file, JSON.stringify(data));
    await page.reload();
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-status', 'ready', { timeout: 90_000 });
    await page.getByTestId('history-row').first().getByTestId('history-open').click();
    await expect(page.getByTestId('rollout-row').filter({ hasText: 'Yours' })).toHaveCount(1);
    await page.getByTestId('import-run-file').setInputFiles(file);
    await expect(page.getByTestId('viewing-banner')).toHaveAttribute('data-kind', 'recording');
    await expect(page.getByTestId('rollout-row').filter({ hasText: 'Yours' })).toHaveCount(1);
    await expect(page.getByTestId('reward-chart')).toHaveAttribute('data-yours', '1');
    expect(errors).toEqual([]);
  });
});
