// Token sequences of the ARC track, shared by the lab's loops and by the mini model's pretraining export, so
// the model is trained on exactly what it later sees:
//   solve:     <bos> demos + query input "Output:\n"  →  target rows "\n" <eos>
//   self-edit: chat template(system, demos + instruction, assistant header)  →  JSON <eot>
import type { Tokenizer } from '../../engine/model/tokenizer.ts';
import type { Sequence } from '../core/batch.ts';
import type { Specials } from '../core/context.ts';
import { exampleToText, selfEditMessages, taskToPrompt } from './format.ts';
import type { Grid, Pair } from './task.ts';

/** Prompt ids for solving `queryInput` from the demos (greedy decoding continues from here). */
export function solvePrompt(tok: Tokenizer, sp: Specials, demos: Pair[], queryInput: Grid): number[] {
  return [sp.bos, ...tok.encode(taskToPrompt({ train: demos }, queryInput))];
}

/** A TTT or pretraining example: demos + one query pair, the query output as the target ("output tokens only"). */
export function solveSequence(tok: Tokenizer, sp: Specials, ex: { train: Pair[]; test: Array<{ input: Grid; output?: Grid }> }): Sequence {
  const { prompt, target } = exampleToText(ex);
  const p = [sp.bos, ...tok.encode(prompt)];
  const t = [...tok.encode(`${target}\n`), sp.eos];
  return { ids: [...p, ...t], weights: [...p.map(() => 0), ...t.map(() => 1)] };
}

/** Prompt ids for sampling a self-edit. */
export function selfEditPrompt(tok: Tokenizer, demos: Pair[], instruction?: string): number[] {
  return tok.chat(selfEditMessages({ train: demos }, instruction));
}

/** (prompt, self-edit) for the ReST-EM M-step and for pretraining: the loss is on the response only. */
export function selfEditSequence(tok: Tokenizer, sp: Specials, demos: Pair[], editJson: string, instruction?: string): Sequence {
  const p = selfEditPrompt(tok, demos, instruction);
  const r = [...tok.encode(editJson), sp.eot];
  return { ids: [...p, ...r], weights: [...p.map(() => 0), ...r.map(() => 1)] };
}
