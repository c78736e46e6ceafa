// Shared by the Track B and saved-run specs: open the lab on Track B's embedded model, and the smallest run settings.
import { expect, type Page } from '@playwright/test';

/**
 * The embedded model's seal_lab.json with shorter inner loops (its TTT trains 10 epochs, its M-step 2): what these
 * specs check (events, charts, tables, exports, resume, faults) does not depend on how long an inner loop trains.
 * Served to the engine worker through a route, so a spec that opens Track B blocks the service worker
 * (`test.use({ serviceWorkers: 'block' })`), which would answer from its precache; openKnowledge checks it did.
 */
const SHORT_EPOCHS = { ttt: 2, restEm: 1 };

/** Opens the lab on Track B and waits for its embedded model (with SHORT_EPOCHS). */
export async function openKnowledge(page: Page, errors: string[], query = ''): Promise<void> {
  page.on('pageerror', (e) => errors.push(e.message));
  let served = false;
  await page.context().route(/models\/seal-mini-bio\/seal_lab\.json$/, async (route) => {
    const lab = await (await route.fetch()).json();
    const { ttt, restEm } = lab.knowledge;
    await route.fulfill({ json: { ...lab, knowledge: { ...lab.knowledge, ttt: { ...ttt, epochs: SHORT_EPOCHS.ttt }, restEm: { ...restEm, epochs: SHORT_EPOCHS.restEm } } } });
    served = true;
  });
  await page.goto(`/?track=knowledge${query}`);
  await expect(page.getByTestId('gpu-status')).toHaveText('WebGPU ready', { timeout: 60_000 });
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-status', /ready|error/, { timeout: 90_000 });
  if ((await status.getAttribute('data-status')) === 'error') throw new Error(`the knowledge model did not load: ${await page.getByTestId('error-panel').innerText()}`);
  await expect(page.getByTestId('track-b')).toHaveAttribute('aria-checked', 'true');
  expect(served, 'seal_lab.json came through the route (service worker blocked)').toBe(true);
}

/** The smallest run that goes through every phase: 1 ReST-EM and 2 held-out passages, 1 self-edit each, 1 round. */
export async function tinySettings(page: Page, o: { forgetting?: number; cpt?: number; rounds?: number } = {}): Promise<void> {
  const set = async (id: string, v: number) => page.getByTestId(`kset-${id}`).fill(String(v));
  await set('maxTrain', 1);
  await set('maxEval', 2);
  await set('selfEditsPerPassage', 1);
  await set('tttSeeds', 1);
  await set('rounds', o.rounds ?? 1);
  await set('forgettingPassages', o.forgetting ?? 0);
  await set('cptPassages', o.cpt ?? 0);
  await expect(page.getByTestId('passage-summary')).toContainText('1 ReST-EM, 2 held-out passages');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}
