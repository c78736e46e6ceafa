// Statistics of a mini-ARC set: tasks per family, demo counts, grid sides, characters per task as text.
import type { MiniArc } from './generate.ts';
import { taskText } from '../../arc/format.ts';

export interface Summary { min: number; mean: number; median: number; p90: number; max: number }
export interface MiniArcStats {
  tasks: number;
  perFamily: Record<string, number>;
  demos: Record<string, number>;
  /** Histogram of the longer side of every grid (inputs and outputs). */
  sides: Record<string, number>;
  /** Characters of the whole task text (demos, test input, test output). */
  chars: Summary;
  /** Characters of the prompt (the task text without the test output). */
  promptChars: Summary;
  /** Tasks whose whole text exceeds 700 characters. */
  over700: number;
}

function summary(xs: number[]): Summary {
  const s = xs.slice().sort((a, b) => a - b);
  if (!s.length) return { min: 0, mean: 0, median: 0, p90: 0, max: 0 };
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { min: s[0], mean: Math.round(s.reduce((a, b) => a + b, 0) / s.length), median: q(0.5), p90: q(0.9), max: s[s.length - 1] };
}

const bump = (h: Record<string, number>, k: string | number) => (h[k] = (h[k] ?? 0) + 1);

export function miniArcStats({ challenges, solutions, meta }: MiniArc): MiniArcStats {
  const perFamily: Record<string, number> = {}, demos: Record<string, number> = {}, sides: Record<string, number> = {};
  const chars: number[] = [], prompt: number[] = [];
  for (const [id, task] of Object.entries(challenges)) {
    bump(perFamily, meta[id]?.family ?? '?');
    bump(demos, task.train.length);
    const grids = [...task.train.flatMap((p) => [p.input, p.output]), ...task.test.map((t) => t.input), ...(solutions[id] ?? [])];
    for (const g of grids) bump(sides, Math.max(g.length, g[0]?.length ?? 0));
    chars.push(taskText(task, solutions[id]).length);
    prompt.push(taskText(task).length);
  }
  return {
    tasks: chars.length, perFamily, demos, sides, chars: summary(chars), promptChars: summary(prompt),
    over700: chars.filter((c) => c > 700).length,
  };
}

export function formatStats(s: MiniArcStats): string {
  const fmt = (x: Summary) => `min ${x.min} · mean ${x.mean} · median ${x.median} · p90 ${x.p90} · max ${x.max}`;
  const hist = (h: Record<string, number>) => Object.entries(h).sort(([a], [b]) => Number(a) - Number(b)).map(([k, v]) => `${k}: ${v}`).join(', ');
  return [
    `tasks: ${s.tasks}`,
    'per family:',
    ...Object.entries(s.perFamily).sort(([a], [b]) => a.localeCompare(b)).map(([f, n]) => `  ${f.padEnd(28)} ${n}`),
    `demos per task: ${hist(s.demos)}`,
    `grid longer side: ${hist(s.sides)}`,
    `chars per task (with answer): ${fmt(s.chars)}; over 700: ${s.over700}`,
    `chars per prompt (no answer): ${fmt(s.promptChars)}`,
  ].join('\n');
}
