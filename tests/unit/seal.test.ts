import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { arcConfig, parseOverrides, PAPER_1B } from '../../src/seal/arc/config.ts';
import { itemsFromFiles, miniArcTaskSet, splitTaskSet, TaskFileError } from '../../src/seal/arc/task_set.ts';
import { HELDOUT_FAMILIES, RESTEM_FAMILIES } from '../../src/seal/worlds/minarc/index.ts';

describe('ARC config', () => {
  it("keeps the paper's values unless a model's seal_lab.json overrides them", () => {
    expect(arcConfig()).toEqual(PAPER_1B);
    const c = arcConfig(parseOverrides({ ttt: { loraRank: 8, maxNewTokens: 64 }, selfEditInstruction: 'short' }), { rounds: 2 });
    expect(c.ttt.loraRank).toBe(8);
    expect(c.ttt.loraAlpha).toBe(PAPER_1B.ttt.loraAlpha);
    expect(c.eval.maxNewTokens).toBe(64);
    expect(c.selfEdit.instruction).toBe('short');
    expect(c.rounds).toBe(2);
  });
  it('rejects typos and bad values in seal_lab.json', () => {
    expect(() => parseOverrides({ ttt: { loraRnk: 8 } })).toThrow(/seal_lab\.json/);
    expect(() => parseOverrides({ restEm: { lr: -1 } })).toThrow(/restEm\.lr/);
  });
});

describe('task sets', () => {
  const dir = '../shared/data/arc';
  it('loads the real ARC training subset with its solutions', () => {
    const items = itemsFromFiles(
      JSON.parse(readFileSync(`${dir}/arc-agi_training_challenges_filtered_1B_training_set.json`, 'utf8')),
      JSON.parse(readFileSync(`${dir}/arc-agi_training_solutions_filtered_1B_training_set.json`, 'utf8')));
    expect(items.length).toBeGreaterThanOrEqual(11);
    for (const it of items) expect(it.truth.length).toBe(it.task.test.length);
    const { train, eval: ev } = splitTaskSet(items);
    expect(train.length + ev.length).toBe(items.length);
    expect(train.some((t) => ev.includes(t))).toBe(false);
  });
  it('names the task and field of a malformed file', () => {
    const bad = { t1: { train: [{ input: [[1, 2], [3]], output: [[1]] }], test: [{ input: [[1]] }] } };
    expect(() => itemsFromFiles(bad, { t1: [[[1]]] })).toThrow(TaskFileError);
    expect(() => itemsFromFiles(bad, { t1: [[[1]]] })).toThrow(/t1\.train\.0\.input/);
    const good = { t1: { train: [{ input: [[1]], output: [[2]] }], test: [{ input: [[1]] }] } };
    expect(() => itemsFromFiles(good, {})).toThrow(/"t1" has no solution/);
    expect(() => itemsFromFiles(good, { t1: [[[12]]] })).toThrow(TaskFileError);
  });
  it('mini-ARC default: training tasks from the ReST-EM families, evaluation from the held-out ones', () => {
    const s = miniArcTaskSet({ train: 3, eval: 4 });
    expect(s.train).toHaveLength(3);
    expect(s.eval).toHaveLength(4);
    expect(new Set([...s.train, ...s.eval].map((t) => t.id)).size).toBe(7);
    const familyOf = (id: string) => id.replace(/^mini-/, '').replace(/-\d+-\d+$/, '');
    for (const t of s.train) expect(RESTEM_FAMILIES).toContain(familyOf(t.id));
    for (const t of s.eval) expect(HELDOUT_FAMILIES).toContain(familyOf(t.id));
  });
});
