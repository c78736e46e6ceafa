// `npm test`: runs every suite in order (lint, unit, gpu, e2e), streams their output, then prints one summary.
// Rules: a skipped test counts as failed and is listed (skipping is not allowed in this project); a suite that
// crashed, exited non-zero without a failing test, or ran zero tests counts as failed. A vitest project with no
// test files at all counts as 0 passed, with a warning. Last line: `N passed, N failed`; exit 1 if N failed > 0.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LintReport } from './lint.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const PLAYWRIGHT = join(ROOT, 'node_modules/@playwright/test/cli.js');

interface SuiteResult {
  name: string;
  command: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  exitCode: number | null;
  /** Names of failed or skipped tests, and suite-level problems. */
  problems: string[];
  warnings: string[];
}

interface Suite {
  name: string;
  bin: string; // shown in logs
  args: string[]; // node arguments; {json} is replaced by the report path
  env?: Record<string, string>;
  parse: (report: unknown, r: SuiteResult) => void;
}

// ---------- vitest JSON (jest-compatible) ----------
interface VitestReport {
  numTotalTestSuites: number;
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

function parseVitest(report: unknown, r: SuiteResult): void {
  const rep = report as VitestReport;
  if (rep.numTotalTestSuites === 0 && rep.testResults.length === 0) {
    r.warnings.push('no test files found (counted as 0 passed)');
    return;
  }
  for (const file of rep.testResults) {
    const fileName = relative(ROOT, file.name);
    let fileFailures = 0;
    for (const t of file.assertionResults) {
      const label = `${fileName} > ${t.fullName}`;
      if (t.status === 'passed') r.passed++;
      else if (t.status === 'failed') {
        r.failed++;
        fileFailures++;
        r.problems.push(`FAILED  ${label}`);
      } else {
        r.skipped++;
        r.problems.push(`SKIPPED ${label} (${t.status}; skipping is not allowed)`);
      }
    }
    // A file that failed to load, or whose hooks failed, has no failing test of its own.
    if (file.status === 'failed' && fileFailures === 0) {
      r.failed++;
      r.problems.push(`FAILED  ${fileName}: ${firstLine(file.message) || 'file failed (see output above)'}`);
    }
  }
}

// ---------- playwright JSON ----------
interface PwSpec { title: string; file: string; line: number; tests: { projectName: string; status: string }[] }
interface PwSuite { title: string; specs?: PwSpec[]; suites?: PwSuite[] }
interface PwReport { suites?: PwSuite[]; errors?: { message?: string }[] }

function parsePlaywright(report: unknown, r: SuiteResult): void {
  const rep = report as PwReport;
  const walk = (s: PwSuite, path: string[]) => {
    for (const spec of s.specs ?? []) {
      for (const t of spec.tests) {
        const label = `[${t.projectName}] ${spec.file}:${spec.line} > ${[...path, spec.title].join(' > ')}`;
        if (t.status === 'expected') r.passed++;
        else if (t.status === 'skipped') {
          r.skipped++;
          r.problems.push(`SKIPPED ${label} (skipping is not allowed)`);
        } else {
          r.failed++;
          r.problems.push(`FAILED  ${label} (${t.status})`);
        }
      }
    }
    for (const child of s.suites ?? []) walk(child, [...path, child.title]);
  };
  for (const s of rep.suites ?? []) walk(s, []);
  for (const e of rep.errors ?? []) {
    r.failed++;
    r.problems.push(`ERROR   ${firstLine(e.message) || 'playwright error (see output above)'}`);
  }
}

// ---------- lint (tools/verify/test/lint.ts) ----------
function parseLint(report: unknown, r: SuiteResult): void {
  for (const c of (report as LintReport).checks) {
    if (!c.problems.length) r.passed++;
    else {
      r.failed++;
      r.problems.push(`FAILED  ${c.name}: ${c.problems.length} problem${c.problems.length > 1 ? 's' : ''}, first: ${c.problems[0]}`);
    }
  }
}

function firstLine(s: string | undefined): string {
  // Strip ANSI colours; keep the first non-empty line.
  const plain = (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');
  return plain.split('\n').map((l) => l.trim()).find((l) => l) ?? '';
}

function runNode(args: string[], env: Record<string, string>): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (e) => {
      console.error(e);
      done(null);
    });
    child.on('exit', (code, signal) => done(signal ? null : code));
  });
}

async function runSuite(suite: Suite, outDir: string): Promise<SuiteResult> {
  const jsonPath = join(outDir, `${suite.name}.json`);
  const env = { ...(suite.env ?? {}) };
  const args = suite.args.map((a) => a.replace('{json}', jsonPath));
  for (const k of Object.keys(env)) env[k] = env[k].replace('{json}', jsonPath);
  const r: SuiteResult = {
    name: suite.name,
    command: [suite.bin, ...suite.args.slice(1)].join(' ').replaceAll('{json}', '<tmp>.json'),
    passed: 0, failed: 0, skipped: 0, seconds: 0, exitCode: null, problems: [], warnings: [],
  };
  console.log(`\n━━━ ${suite.name}: ${r.command} ━━━\n`);
  const t0 = performance.now();
  r.exitCode = await runNode(args, env);
  r.seconds = (performance.now() - t0) / 1000;

  if (!existsSync(jsonPath)) {
    r.failed++;
    r.problems.push(`CRASHED no JSON report was written (exit code ${r.exitCode ?? 'signal'})`);
    return r;
  }
  try {
    suite.parse(JSON.parse(readFileSync(jsonPath, 'utf8')), r);
  } catch (e) {
    r.failed++;
    r.problems.push(`CRASHED unreadable JSON report: ${(e as Error).message}`);
    return r;
  }
  const ranNothing = r.passed + r.failed + r.skipped === 0;
  if (ranNothing && r.warnings.length === 0) {
    r.failed++;
    r.problems.push('EMPTY   the suite ran zero tests');
  }
  if (r.exitCode !== 0 && r.failed === 0) {
    r.failed++;
    r.problems.push(`CRASHED exit code ${r.exitCode ?? 'signal'} with no failing test (unhandled error? see output above)`);
  }
  return r;
}

function printSummary(results: SuiteResult[]): { passed: number; failed: number } {
  const rows = [
    ['suite', 'passed', 'failed', 'skipped', 'time', 'result'],
    ...results.map((r) => [
      r.name,
      String(r.passed),
      String(r.failed),
      String(r.skipped),
      `${r.seconds.toFixed(1)}s`,
      r.failed + r.skipped > 0 ? 'FAIL' : r.warnings.length ? 'ok (warning)' : 'ok',
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const fmt = (row: string[]) =>
    row.map((cell, c) => (c === 0 || c === 5 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  console.log('\n━━━ summary ━━━\n');
  console.log(fmt(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) console.log(fmt(row));

  for (const r of results) {
    for (const w of r.warnings) console.log(`\nWARNING [${r.name}] ${w}`);
  }
  const problems = results.flatMap((r) => r.problems.map((p) => `  [${r.name}] ${p}`));
  if (problems.length) {
    console.log('\nFailed or skipped:');
    for (const p of problems) console.log(p);
  }
  const passed = results.reduce((s, r) => s + r.passed, 0);
  const failed = results.reduce((s, r) => s + r.failed + r.skipped, 0);
  console.log('');
  return { passed, failed };
}

const SUITES: Suite[] = [
  {
    name: 'lint',
    bin: 'tsx',
    args: [TSX, 'tools/verify/test/lint.ts', '{json}'],
    parse: parseLint,
  },
  {
    name: 'unit',
    bin: 'vitest',
    args: [VITEST, 'run', '--project', 'unit', '--passWithNoTests', '--reporter=default', '--reporter=json', '--outputFile={json}'],
    parse: parseVitest,
  },
  {
    name: 'gpu',
    bin: 'vitest',
    args: [VITEST, 'run', '--project', 'gpu', '--passWithNoTests', '--reporter=default', '--reporter=json', '--outputFile={json}'],
    parse: parseVitest,
  },
  {
    name: 'e2e',
    bin: 'playwright',
    args: [PLAYWRIGHT, 'test', '--reporter=list,json'],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: '{json}' },
    parse: parsePlaywright,
  },
];

async function main(): Promise<number> {
  const outDir = mkdtempSync(join(tmpdir(), 'seal-tests-'));
  const results: SuiteResult[] = [];
  try {
    for (const suite of SUITES) results.push(await runSuite(suite, outDir));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  const { passed, failed } = printSummary(results);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

export { parsePlaywright, parseVitest, type SuiteResult };

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main();
