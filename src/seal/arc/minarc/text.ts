// The text a mini model sees for a task: each demo as `Input:\n<rows>\n\nOutput:\n<rows>`, demos and the test
// separated by a blank line; without the answer the text ends with "Output:\n" (the prompt).
import type { ArcTask, Grid } from '../types.ts';

export const gridText = (g: Grid): string => g.map((r) => r.join(' ')).join('\n');
export const pairText = (input: Grid, output?: Grid): string => `Input:\n${gridText(input)}\n\nOutput:\n${output ? gridText(output) : ''}`;

/** The whole task as text; with `answers` the test outputs are included (one per test input). */
export function taskText(task: ArcTask, answers?: Grid[]): string {
  return [...task.train.map((p) => pairText(p.input, p.output)), ...task.test.map((t, i) => pairText(t.input, answers?.[i]))].join('\n\n');
}
