// The `lint` suite of `npm test`: ESLint over the repository (eslint.config.js: format, typescript-eslint, the
// data-path import rules) and the TypeScript type check, written as one JSON report for run-all.ts. Each linted
// file is one check, and the type check is one more. Usage: tsx tools/verify/test/lint.ts REPORT.json
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface LintReport {
  checks: Array<{ name: string; problems: string[] }>;
}

interface EslintFile {
  filePath: string;
  messages: Array<{ line: number; column: number; message: string; ruleId: string | null; severity: number }>;
}

function eslint(): LintReport['checks'] {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/eslint/bin/eslint.js'), '.', '--format', 'json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
  let files: EslintFile[];
  try {
    files = JSON.parse(r.stdout) as EslintFile[];
  } catch {
    return [{ name: 'eslint', problems: [`eslint did not report (exit ${r.status}): ${r.stderr.trim().split('\n')[0] ?? ''}`] }];
  }
  return files.map((f) => ({
    name: `eslint ${relative(ROOT, f.filePath)}`,
    problems: f.messages.filter((m) => m.severity === 2).map((m) => `${relative(ROOT, f.filePath)}:${m.line}:${m.column} ${m.message} (${m.ruleId ?? 'parse'})`),
  }));
}

function typecheck(): LintReport['checks'][number] {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.'], { cwd: ROOT, encoding: 'utf8' });
  const problems = r.status === 0 ? [] : r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
  return { name: 'tsc --noEmit', problems: r.status === 0 || problems.length ? problems : [`tsc exited ${r.status}`] };
}

const report: LintReport = { checks: [...eslint(), typecheck()] };
for (const c of report.checks) for (const p of c.problems) console.log(p);
const bad = report.checks.filter((c) => c.problems.length).length;
console.log(`lint: ${report.checks.length - bad} of ${report.checks.length} checks clean`);
writeFileSync(process.argv[2] ?? join(ROOT, 'lint-report.json'), JSON.stringify(report));
process.exitCode = bad ? 1 : 0;
