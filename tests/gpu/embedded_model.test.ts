// The embedded model (public/models/seal-mini-arc) as the lab uses it: what it must do for SEAL to have anything to
// select is write valid, varied self-edits. Seeded sampling, so a retrained checkpoint that lost this fails here.
import { describe, expect, it } from 'vitest';
import { gpuCase } from './device.ts';
import { httpFolder, loadModel } from '../../src/engine/model/loader.ts';
import { loadTokenizer } from '../../src/engine/model/tokenizer.ts';
import { arcConfig } from '../../src/seal/arc/config.ts';
import { miniArcTaskSet } from '../../src/seal/arc/task_set.ts';
import { arcTrack } from '../../src/seal/arc/track.ts';
import { specialsOf } from '../../src/seal/core/context.ts';
import { RunControl } from '../../src/seal/core/control.ts';
import { sampleSelfEdits } from '../../src/seal/core/sample.ts';
import { parseSealLab } from '../../src/seal/tracks.ts';

describe('embedded mini model', () => {
  it('writes valid, varied self-edits on held-out tasks at the first draw', () =>
    gpuCase(async (gpu) => {
      const get = httpFolder('/models/seal-mini-arc');
      const model = await loadModel(gpu, get);
      const tok = (await loadTokenizer(get))!;
      const lab = parseSealLab(JSON.parse(new TextDecoder().decode((await get('seal_lab.json'))!)));
      const cfg = arcConfig(lab.arc, { seed: 0 });
      const ctx = { model, tok, sp: specialsOf(model, tok), cfg, control: new RunControl(), emit: () => {} };
      const track = arcTrack(ctx);
      const tasks = miniArcTaskSet({ train: 0, eval: 2 }).eval;
      const samples = [];
      for (const [i, t] of tasks.entries()) {
        samples.push(...(await sampleSelfEdits(ctx, track.selfEditPrompt(t), 3, 11 + i, track.settings.sampling, track.parseSelfEdit)));
      }
      model.destroy();
      // PyTorch, same checkpoint: 96 of 96 valid (tools/models/pretrain/logs/eval.json); here 6 draws, each must parse.
      for (const s of samples) expect(s.error, s.text).toBeNull();
      expect(samples.every((s) => s.attempts === 1)).toBe(true);
      expect(new Set(samples.map((s) => s.canonical)).size).toBeGreaterThanOrEqual(4);
    }), 240_000);
});
