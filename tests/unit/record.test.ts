// `npm run record` (tools/lab/record): its run file is the lab's own format (it imports back as a recording with its
// events, their times and the run's tasks), and index.json keeps one line per track, a damaged one refused.
import { describe, expect, test } from 'vitest';
import { readIndex, runFile, withEntry } from '../../tools/lab/record/recording.ts';
import { fromRunFile } from '../../src/store/saved_runs.ts';
import type { RecordingEntry } from '../../src/store/recordings.ts';
import type { LabEvent, SealRunRequest, SealRunResult } from '../../src/seal/tracks.ts';

const entry = (track: 'arc' | 'knowledge', seconds = 1): RecordingEntry => ({
  track, file: `${track}.json`, date: '2026-12-07T00:00:00.000Z', model: 'm', seed: 0, settings: 's', command: 'c', seconds, events: 1, bytes: 1,
});

describe('npm run record', () => {
  test('its run file imports back as a recording: events, arrival times, tasks, model', () => {
    const req: SealRunRequest = { track: 'arc', tasks: { source: 'mini', train: 1, eval: 2 }, maxTrain: 1, maxEval: 2, config: { seed: 0, rounds: 0 } };
    const events: LabEvent[] = [{ type: 'log', message: 'a' }, { type: 'phase', phase: 'icl', method: 'icl', round: 0, explain: 'x' }];
    const result = { track: 'arc', config: { seed: 0, rounds: 0 }, items: { train: [], eval: [] }, methods: [], rollouts: [], seconds: 3 } as unknown as SealRunResult;
    const file = runFile({ req, result, lab: null, events, times: [0, 2.5], modelUrl: 'models/seal-mini-arc/', finishedAt: new Date('2026-12-07') });
    const back = fromRunFile(JSON.parse(JSON.stringify(file)), 'arc.json');
    expect(back.events).toEqual(events);
    expect(back.times).toEqual([0, 2.5]);
    expect(back.run).toMatchObject({ track: 'arc', modelUrl: 'models/seal-mini-arc/', startedAt: Date.parse('2026-12-07') });
    expect([back.run.setup?.items.train.length, back.run.setup?.items.eval.length]).toEqual([1, 2]);
  });

  test('index.json: one line per track, in the tracks\' order; a damaged one is refused before the run', () => {
    const idx = withEntry(withEntry(null, entry('knowledge'), ['arc', 'knowledge']), entry('arc'), ['arc', 'knowledge']);
    expect(idx.recordings.map((e) => e.track)).toEqual(['arc', 'knowledge']);
    expect(withEntry(idx, entry('arc', 9), ['arc', 'knowledge']).recordings.map((e) => e.seconds)).toEqual([9, 1]);
    expect(readIndex(JSON.stringify(idx), 'index.json')).toEqual(idx);
    expect(readIndex(null, 'index.json')).toBeNull();
    expect(() => readIndex('{', 'public/runs/index.json')).toThrow(/public\/runs\/index\.json is not valid JSON/);
    expect(() => readIndex('{"app":"seal-lab","recordings":[{}]}', 'index.json')).toThrow(/index\.json is damaged: recordings\.0\.track/);
  });
});
