import { describe, expect, it } from 'vitest';
import {
  SELF_EDIT_INSTRUCTION,
  SYSTEM_MESSAGE,
  demosToText,
  exampleToText,
  gridToText,
  parseGridText,
  selfEditMessages,
  taskToPrompt,
} from '../../src/seal/arc/format.ts';
import { Rng } from '../../src/seal/core/rng.ts';
import type { ArcTask, Grid } from '../../src/seal/arc/task.ts';

const TASK: ArcTask = {
  train: [
    { input: [[1, 0], [0, 1]], output: [[2, 0], [0, 2]] },
    { input: [[3]], output: [[4]] },
  ],
  test: [{ input: [[5, 5, 0]] }],
};

describe('grid text', () => {
  it('gridToText: rows of space-separated digits joined by newlines', () => {
    expect(gridToText([[1, 2, 3], [4, 5, 6]])).toBe('1 2 3\n4 5 6');
    expect(gridToText([[7]])).toBe('7');
  });
  it('round trips random grids', () => {
    const rng = new Rng(77);
    for (let i = 0; i < 200; i++) {
      const h = 1 + Math.floor(rng.next() * 30);
      const w = 1 + Math.floor(rng.next() * 30);
      const g: Grid = Array.from({ length: h }, () => Array.from({ length: w }, () => Math.floor(rng.next() * 10)));
      expect(parseGridText(gridToText(g))).toEqual(g);
    }
  });
  it('parseGridText tolerates trailing spaces, trailing/leading blank lines, CRLF, tabs, double spaces', () => {
    expect(parseGridText('1 2 \n3 4   \n\n\n')).toEqual([[1, 2], [3, 4]]);
    expect(parseGridText('\n\n1 2\n3 4')).toEqual([[1, 2], [3, 4]]);
    expect(parseGridText('1 2\r\n3 4\r\n')).toEqual([[1, 2], [3, 4]]);
    expect(parseGridText('1\t2\n3  4')).toEqual([[1, 2], [3, 4]]);
    expect(parseGridText('  1 2\n  3 4')).toEqual([[1, 2], [3, 4]]);
    expect(parseGridText('0')).toEqual([[0]]);
  });
  it('parseGridText rejects ragged rows, non-digits, multi-digit cells, blank lines inside, empty text', () => {
    for (const bad of ['', '   \n\n', '1 2\n3', '1 2\n3 4 5', '1 a\n3 4', '1 10', '1 -1', '1 2.0', '12 34', '1 2\n\n3 4', 'Output:\n1 2', '1,2', '1 2\n3 4\nfoo'])
      expect(parseGridText(bad), JSON.stringify(bad)).toBeNull();
  });
});

describe('prompts', () => {
  it('taskToPrompt: demos, blank-line separated, then the query ending in "Output:\\n"', () => {
    expect(taskToPrompt(TASK, TASK.test[0].input)).toBe(
      'Input:\n1 0\n0 1\n\nOutput:\n2 0\n0 2\n\n' + 'Input:\n3\n\nOutput:\n4\n\n' + 'Input:\n5 5 0\n\nOutput:\n',
    );
    expect(taskToPrompt({ train: [] }, [[1]])).toBe('Input:\n1\n\nOutput:\n');
  });
  it('demosToText', () => {
    expect(demosToText(TASK.train)).toBe('Input:\n1 0\n0 1\n\nOutput:\n2 0\n0 2\n\nInput:\n3\n\nOutput:\n4');
  });
  it('exampleToText: prompt + target; prompt + target reproduces the full example text', () => {
    const ex = { train: TASK.train, test: [{ input: [[9, 9]], output: [[8, 8]] }] };
    const { prompt, target } = exampleToText(ex);
    expect(prompt.endsWith('Input:\n9 9\n\nOutput:\n')).toBe(true);
    expect(target).toBe('8 8');
    expect(prompt + target).toBe(demosToText([...ex.train, ex.test[0]]));
    expect(parseGridText(target)).toEqual([[8, 8]]);
    expect(() => exampleToText(TASK)).toThrow();
  });
  it('selfEditMessages: system message, then demos and the instruction', () => {
    const msgs = selfEditMessages(TASK);
    expect(msgs).toHaveLength(2);
    expect(msgs[0]).toEqual({ role: 'system', content: SYSTEM_MESSAGE });
    expect(SYSTEM_MESSAGE).toBe('You are a helpful assistant that provide the correct output for the given task immediately.');
    expect(msgs[1].role).toBe('user');
    expect(msgs[1].content.startsWith(demosToText(TASK.train) + '\n\n')).toBe(true);
    expect(msgs[1].content.endsWith(SELF_EDIT_INSTRUCTION)).toBe(true);
    // Test inputs are not part of the self-edit prompt.
    expect(msgs[1].content).not.toContain('5 5 0');
  });
  it('the instruction names every key and value of the self-edit schema', () => {
    for (const key of [
      'data_generation', 'use_basic_augmentations', 'use_size_augmentations', 'use_chain_augmentations', 'use_repeat_augmentations',
      'training', 'strategy', 'train_using_all_tokens', 'train_using_output_tokens', 'learning_rate', 'num_train_epochs', 'JSON',
    ])
      expect(SELF_EDIT_INSTRUCTION).toContain(key);
  });
});
