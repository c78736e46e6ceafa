// SE ~ LM_θ(· | C): sample self-edits for a task from the current generator, in one batch, and re-sample the
// ones that do not parse as a valid self-edit (up to maxAttempts draws each).
import { generate } from '../../engine/model/generate.ts';
import type { SealContext } from '../context.ts';
import { SELF_EDIT_INSTRUCTION, SELF_EDIT_INSTRUCTION_SHORT } from './format.ts';
import { parseSelfEdit, type SelfEdit } from './self_edit.ts';
import { selfEditPrompt } from './sequences.ts';
import type { Pair } from './types.ts';

export interface SampledSelfEdit {
  text: string;
  edit: SelfEdit | null;
  json: string | null;
  error: string | null;
  attempts: number;
}

export function instructionOf(ctx: SealContext): string {
  return ctx.cfg.selfEdit.instruction === 'short' ? SELF_EDIT_INSTRUCTION_SHORT : SELF_EDIT_INSTRUCTION;
}

export async function sampleSelfEdits(ctx: SealContext, demos: Pair[], n: number, seed: number): Promise<SampledSelfEdit[]> {
  const { model, tok, sp, cfg } = ctx;
  const prompt = selfEditPrompt(tok, demos, instructionOf(ctx));
  const out: SampledSelfEdit[] = Array.from({ length: n }, () => ({ text: '', edit: null, json: null, error: null, attempts: 0 }));
  for (let attempt = 1; attempt <= cfg.selfEdit.maxAttempts; attempt++) {
    const todo = out.filter((s) => !s.edit);
    if (!todo.length) break;
    await ctx.control.poll();
    const gens = await generate(model, todo.map(() => prompt), {
      maxNewTokens: cfg.selfEdit.maxNewTokens, temperature: cfg.selfEdit.temperature, topP: cfg.selfEdit.topP,
      seed: seed * 1000 + attempt, stopTokens: [sp.eot, sp.eos],
    });
    gens.forEach((ids, i) => {
      const s = todo[i];
      s.attempts = attempt;
      s.text = tok.decode(ids);
      const r = parseSelfEdit(s.text);
      if (r.ok) Object.assign(s, { edit: r.edit, json: r.json, error: null });
      else s.error = r.error;
    });
  }
  return out;
}
