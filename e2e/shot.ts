// Screenshots for the e2e specs (looked at by hand; see the closing notes).
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';

/** A screenshot of the whole page as `<name>.png` in the test's output folder, attached to the report. */
export async function fullShot(page: Page, info: TestInfo, name: string): Promise<void> {
  const path = join(info.project.outputDir, `${name}.png`);
  await page.evaluate(() => window.scrollTo(0, 0)); // the sticky toolbar would land mid-page in a full-page shot
  // A full-page shot resizes the page under recharts' ResponsiveContainer, which can catch the charts blank; so grow
  // the viewport to the whole page, let the charts re-measure, take a plain shot, and put the viewport back.
  const viewport = page.viewportSize()!;
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height });
  await page.waitForTimeout(500);
  await page.screenshot({ path });
  await page.setViewportSize(viewport);
  await info.attach(name, { path, contentType: 'image/png' });
}
