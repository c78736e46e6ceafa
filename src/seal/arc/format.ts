// Text format of ARC grids and tasks for the model: a grid is rows of space-separated digits joined by "\n";
// a demo is "Input:\n<rows>\n\nOutput:\n<rows>"; demos are separated by a blank line; the query ends with
// "Output:\n" for the model to continue. Also the self-edit prompt (chat messages; the caller applies the
// tokenizer's chat template).

import type { ArcTask, Grid, Pair } from './task.ts';

export const SYSTEM_MESSAGE = 'You are a helpful assistant that provide the correct output for the given task immediately.';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export function gridToText(g: Grid): string {
  return g.map((r) => r.join(' ')).join('\n');
}

export function pairToText(p: Pair): string {
  return `Input:\n${gridToText(p.input)}\n\nOutput:\n${gridToText(p.output)}`;
}

/** Every demo of the task, separated by a blank line. */
export function demosToText(demos: readonly Pair[]): string {
  return demos.map(pairToText).join('\n\n');
}

/** Demos, then the query input ending in "Output:\n" (the model writes the output grid next). */
export function taskToPrompt(task: { train: Pair[] }, queryInput: Grid): string {
  const query = `Input:\n${gridToText(queryInput)}\n\nOutput:\n`;
  return task.train.length ? `${demosToText(task.train)}\n\n${query}` : query;
}

/** The whole task as text; with `answers` the test outputs are included (one per test input). */
export function taskText(task: ArcTask, answers?: Grid[]): string {
  const tests = task.test.map((t, i) => `Input:\n${gridToText(t.input)}\n\nOutput:\n${answers?.[i] ? gridToText(answers[i]) : ''}`);
  return [...task.train.map(pairToText), ...tests].join('\n\n');
}

/**
 * A TTT example (demos + one query pair) as prompt and target: the target is the query output's rows. With
 * "train_using_output_tokens" only the target is in the loss; with "train_using_all_tokens", both.
 */
export function exampleToText(ex: { train: Pair[]; test: Array<{ input: Grid; output?: Grid }> }): { prompt: string; target: string } {
  const q = ex.test[0];
  if (!q || !q.output) throw new Error('a TTT example needs exactly one query pair with an output');
  return { prompt: taskToPrompt(ex, q.input), target: gridToText(q.output) };
}

/**
 * Parse a grid from model text: rows separated by newlines (CRLF accepted), cells by spaces or tabs, every cell
 * a single digit 0–9. Leading/trailing blank lines and trailing spaces are ignored. Returns null for empty
 * text, a blank line inside the grid, a non-digit cell or ragged rows.
 */
export function parseGridText(text: string): Grid | null {
  const trimmed = text.replace(/\r\n?/g, '\n').replace(/^\s*\n/, '').trimEnd();
  if (!trimmed.trim()) return null;
  const grid: Grid = [];
  for (const line of trimmed.split('\n')) {
    const cells = line.trim();
    if (!cells) return null;
    const row: number[] = [];
    for (const tok of cells.split(/[ \t]+/)) {
      if (!/^[0-9]$/.test(tok)) return null;
      row.push(tok.charCodeAt(0) - 48);
    }
    if (grid.length && row.length !== grid[0].length) return null;
    grid.push(row);
  }
  return grid;
}

/**
 * The self-edit instruction, after the demos. Modelled on the SEAL paper's ARC prompt: the model picks
 * data-generation tools and a training configuration and answers with one JSON object.
 */
export const SELF_EDIT_INSTRUCTION = `You are configuring a model training pipeline by selecting from predefined tools. The model will be fine-tuned on the examples above, after they are augmented with the tools you choose, and then asked to solve a new input of the same task.

You must make two decisions:

1. Data generation tools. For each of the following, choose true or false:
- use_basic_augmentations: rotations, flips, reflections, translations and transposes of the grids
- use_size_augmentations: scaling the grids up (resolution, height or width doubled)
- use_chain_augmentations: a rotation, flip or transpose followed by doubling the resolution
- use_repeat_augmentations: tiling the grids twice along the rows, the columns or both

2. Training configuration:
- strategy: "train_using_all_tokens" (loss on the whole example) or "train_using_output_tokens" (loss on the output grid only)
- learning_rate: a number, for example 1e-4
- num_train_epochs: an integer, for example 2

Respond with a single JSON object in exactly this format, replacing each <...> with your choice:
{"data_generation": {"use_basic_augmentations": <true or false>, "use_size_augmentations": <true or false>, "use_chain_augmentations": <true or false>, "use_repeat_augmentations": <true or false>}, "training": {"strategy": <"train_using_all_tokens" or "train_using_output_tokens">, "learning_rate": <number>, "num_train_epochs": <integer>}}`;

/**
 * The instruction for small models with short contexts (the embedded mini model learnt the JSON format in
 * pretraining, so it needs no spelled-out schema; with a byte-level tokenizer the long one costs ~1400 tokens).
 */
export const SELF_EDIT_INSTRUCTION_SHORT = 'Choose the data augmentations and the training configuration for this task. Answer with one JSON object.';

/** Chat messages for sampling a self-edit: system message, then the demos followed by the instruction. */
export function selfEditMessages(task: { train: Pair[] } | ArcTask, instruction = SELF_EDIT_INSTRUCTION): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM_MESSAGE },
    { role: 'user', content: `${demosToText(task.train)}\n\n${instruction}` },
  ];
}
