// Writes a mini-ARC task set in the ARC Kaggle format and prints its statistics.
//   npx tsx tools/models/arc/make-mini-arc.ts --seed 2025 --count 20 --split heldout --out DIR [--name NAME]
//       [--demos 3,4] [--max-size 8] [--families a,b+c] [--check all|primitives] [--meta]
// Files: DIR/NAME_challenges.json ({id: {train: [{input, output}], test: [{input}]}}) and DIR/NAME_solutions.json
// ({id: [output]}); with --meta also DIR/NAME_meta.json ({id: {family, params, split, kinds}}).
// NAME defaults to mini_arc_<split>_<seed>.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateTasks, type GenerateOptions } from '../../../src/seal/worlds/minarc/generate.ts';
import { formatStats, miniArcStats } from '../../../src/seal/worlds/minarc/stats.ts';

const { values: a } = parseArgs({
  options: {
    seed: { type: 'string', default: '2025' },
    count: { type: 'string', default: '20' },
    split: { type: 'string', default: 'heldout' },
    out: { type: 'string', default: '.' },
    name: { type: 'string' },
    demos: { type: 'string', default: '3,4' },
    'max-size': { type: 'string', default: '8' },
    families: { type: 'string' },
    check: { type: 'string', default: 'all' },
    meta: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function fail(msg: string): never {
  console.error(`make-mini-arc: ${msg}`);
  process.exit(2);
}
function int(name: string, s: string): number {
  if (!/^-?\d+$/.test(s)) fail(`--${name} must be an integer, got "${s}"`);
  return Number(s);
}

if (a.help) {
  console.log('usage: npx tsx tools/models/arc/make-mini-arc.ts --seed S --count N --split pretrain|restem|heldout|all --out DIR [--name NAME] [--demos MIN,MAX] [--max-size 8] [--families a,b] [--check all|primitives] [--meta]');
  process.exit(0);
}
if (!['pretrain', 'restem', 'heldout', 'all'].includes(a.split)) fail(`--split must be pretrain, restem, heldout or all, got "${a.split}"`);
if (!['all', 'primitives'].includes(a.check)) fail(`--check must be all or primitives, got "${a.check}"`);
const demos = a.demos.split(',').map((s) => int('demos', s.trim()));
if (demos.length !== 2) fail('--demos must be MIN,MAX');

const opts: GenerateOptions = {
  seed: int('seed', a.seed),
  count: int('count', a.count),
  split: a.split as GenerateOptions['split'],
  demos: demos as [number, number],
  maxSize: int('max-size', a['max-size']),
  families: a.families?.split(',').map((s) => s.trim()).filter(Boolean),
  check: a.check as GenerateOptions['check'],
};
let set;
try {
  set = generateTasks(opts);
} catch (e) {
  fail((e as Error).message);
}
const name = a.name ?? `mini_arc_${opts.split}_${opts.seed}`;
mkdirSync(a.out, { recursive: true });
const files = [[`${name}_challenges.json`, set.challenges], [`${name}_solutions.json`, set.solutions]] as Array<[string, unknown]>;
if (a.meta) files.push([`${name}_meta.json`, set.meta]);
for (const [file, data] of files) writeFileSync(join(a.out, file), JSON.stringify(data));
console.log(`wrote ${files.map(([f]) => join(a.out, f)).join(', ')}`);
console.log(formatStats(miniArcStats(set)));
