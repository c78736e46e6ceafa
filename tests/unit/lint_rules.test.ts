// The import rules of eslint.config.js fire (ARCHITECTURE.md counts on them): a cycle, the core importing a track,
// a track importing another, the engine importing a layer above it. import-x resolves imports to real files, so
// each probe sits inside src/: the cycle as a file pair written to a temporary folder (removed after), the layer
// probes as text linted under a src/ path, importing a file that is there.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** The import-x problems ESLint reports for `text` as if it were the file at `path` (relative to the root). */
async function importProblems(path: string, text?: string): Promise<string[]> {
  const [result] = text === undefined ? await eslint.lintFiles([join(root, path)]) : await eslint.lintText(text, { filePath: join(root, path) });
  return result.messages.filter((m) => m.ruleId?.startsWith('import-x/')).map((m) => `${m.ruleId}: ${m.message}`);
}

/** A TypeScript file of `dir` (whichever: the probes must not depend on one file's name). */
const someFile = (dir: string) => readdirSync(join(root, dir)).find((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))!;

/** Lints a probe at `from` importing a file of `dir`. */
function probe(from: string, dir: string): Promise<string[]> {
  const target = relative(join(root, from, '..'), join(root, dir, someFile(dir)));
  return importProblems(from, `import * as m from '${target}';\nexport const x = m;\n`);
}

/** The one problem a probe into a restricted zone gets: the zone's message. */
const restricted = (message: string) => [expect.stringMatching(new RegExp(`^import-x/no-restricted-paths: .*${message}`))];

describe('eslint import rules', { timeout: 60_000 }, () => {
  it('no-cycle: two files that import each other', async () => {
    const dir = mkdtempSync(join(root, 'src/store/lint-probe-'));
    try {
      writeFileSync(join(dir, 'a.ts'), `import { b } from './b.ts';\nexport const a = (): number => b;\n`);
      writeFileSync(join(dir, 'b.ts'), `import { a } from './a.ts';\nexport const b = 1;\nexport const c = (): number => a();\n`);
      expect(await importProblems(relative(root, join(dir, 'a.ts')))).toEqual(['import-x/no-cycle: Dependency cycle detected']);
      // One way only: no cycle.
      writeFileSync(join(dir, 'b.ts'), `export const b = 1;\n`);
      expect(await importProblems(relative(root, join(dir, 'a.ts')))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no-restricted-paths: a track importing another track', async () => {
    expect(await probe('src/seal/arc/lint_probe.ts', 'src/seal/knowledge')).toEqual(restricted('a track imports no other track'));
    expect(await probe('src/seal/knowledge/lint_probe.ts', 'src/seal/arc')).toEqual(restricted('a track imports no other track'));
  });

  it('no-restricted-paths: the SEAL core importing a track', async () => {
    expect(await probe('src/seal/core/lint_probe.ts', 'src/seal/arc')).toEqual(restricted('the SEAL core imports no track'));
  });

  it('no-restricted-paths: the engine importing a layer above it', async () => {
    expect(await probe('src/engine/lint_probe.ts', 'src/seal/core')).toEqual(restricted('the engine imports nothing above it'));
    expect(await probe('src/engine/lint_probe.ts', 'src/store')).toEqual(restricted('the engine imports nothing above it'));
  });

  it('importing a layer below is allowed', async () => {
    expect(await probe('src/seal/arc/lint_probe.ts', 'src/seal/core')).toEqual([]);
    expect(await probe('src/store/lint_probe.ts', 'src/engine/gpu')).toEqual([]);
  });
});
