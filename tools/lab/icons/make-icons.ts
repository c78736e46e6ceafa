// Renders public/favicon.svg to the PNG icons of the web app manifest (public/icons/), with the system Chromium.
// The PNGs are committed: the build needs no image tool. Run again after changing the favicon:
//   npx tsx tools/lab/icons/make-icons.ts
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { chromeArgs, findChrome } from '../browser/chrome.ts';

const svg = readFileSync('public/favicon.svg', 'utf8');

/**
 * A maskable icon is cropped by the OS to any shape inside the central circle of 40% radius: full-bleed
 * background, and the four squares shrunk so their corners stay inside that circle (0.53 × 0.72 ≈ 0.38).
 */
const maskable = svg
  .replace('rx="6" ', '')
  .replace(/(<rect x=)/, '<g transform="translate(16 16) scale(0.72) translate(-16 -16)">$1')
  .replace('</svg>', '</g></svg>');

const ICONS: { file: string; size: number; svg: string }[] = [
  { file: 'icon-192.png', size: 192, svg },
  { file: 'icon-512.png', size: 512, svg },
  { file: 'icon-maskable-512.png', size: 512, svg: maskable },
  { file: 'apple-touch-icon.png', size: 180, svg: maskable }, // iOS rounds the corners itself
];

const browser = await chromium.launch({ executablePath: findChrome(), args: chromeArgs() });
try {
  const page = await browser.newPage();
  for (const icon of ICONS) {
    await page.setViewportSize({ width: icon.size, height: icon.size });
    const sized = icon.svg.replace('<svg ', `<svg width="${icon.size}" height="${icon.size}" `);
    await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`);
    await page.screenshot({ path: `public/icons/${icon.file}`, omitBackground: true });
    console.log(`public/icons/${icon.file} (${icon.size}×${icon.size})`);
  }
} finally {
  await browser.close();
}
