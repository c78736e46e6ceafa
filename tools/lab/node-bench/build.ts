// Bundles tools/lab/node-bench/main.ts (the benchmark, the engine, the shape model) into one file, .gpu/bench.mjs, with
// Vite's library build for Node (SSR mode: node: built-ins stay imports, everything else is inlined) and copies
// the `webgpu` package's JS and this platform's dawn.node beside it (.gpu/node_modules/webgpu/), so the folder
// runs anywhere Node 20 runs: `node .gpu/bench.mjs --json`. `npm run node-bench:build`.
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const OUT = resolve(ROOT, process.argv[2] ?? '.gpu');

await build({
  root: ROOT,
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: 'tools/lab/node-bench/main.ts',
    outDir: OUT,
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    sourcemap: false,
    copyPublicDir: false,
    rollupOptions: { external: ['webgpu'], output: { entryFileNames: 'bench.mjs', format: 'es' } },
  },
  ssr: { noExternal: true, external: ['webgpu'], target: 'node' },
});

// The runtime half of `webgpu`: its entry, package.json and this platform's addon (the other platforms' stay home).
const pkg = resolve(ROOT, 'node_modules/webgpu');
const plat = `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;
const dest = join(OUT, 'node_modules/webgpu');
mkdirSync(join(dest, 'dist', plat), { recursive: true });
for (const f of ['index.js', 'package.json', 'LICENSE.md', `dist/${plat}/dawn.node`]) copyFileSync(join(pkg, f), join(dest, f));
const mb = (f: string) => (statSync(f).size / 2 ** 20).toFixed(1);
process.stdout.write(`${join(OUT, 'bench.mjs')} (${mb(join(OUT, 'bench.mjs'))} MiB), ${join(dest, 'dist', plat, 'dawn.node')} (${mb(join(dest, 'dist', plat, 'dawn.node'))} MiB)\n`);
