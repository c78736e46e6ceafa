// Closed-book answers and their grades: every question of a passage answered greedily with the paper's answer
// prompt (the passage is not in context), in one batch, and graded locally — SQuAD exact match and token F1, "the
// answer contains a gold answer", and optionally the loaded model as judge with the paper's yes/no question (the
// paper asked GPT-4.1). The run's grader decides which grade is the reward; every grade is kept for the table.
import { generate } from '../../engine/model/generate.ts';
import type { LoraAdapter } from '../../engine/model/lora.ts';
import type { LlamaModel } from '../../engine/model/llama.ts';
import type { Tokenizer } from '../../engine/model/tokenizer.ts';
import type { Specials } from '../core/context.ts';
import type { Grader } from './config.ts';
import { containsAnswer, exactMatch, f1Score, firstLine } from './grade.ts';
import type { Passage } from './passages.ts';
import { answerPromptIds, promptIds } from './sequences.ts';

export interface GradedAnswer {
  question: string;
  gold: string[];
  /** The first line of the generated answer (what every grade reads). */
  answer: string;
  exact: number;
  f1: number;
  contains: number;
  /** The model-as-judge verdict (null when the judge was not asked). */
  judge: boolean | null;
  /** The grade under the run's grader. */
  correct: boolean;
}

/** The paper's grading question (SEAL, knowledge-incorporation/src/utils.py), asked of the loaded model. */
export const JUDGE_TEMPLATE =
  "You are a grading assistant. Your job is to determine whether a student's answer correctly answers the question based solely on the provided gold answer. " +
  'Do not use any outside knowledge. The student answer can include additional information, but it must at least fully convey the gold answer and must not contradict it. ' +
  "Ignore style, phrasing, or extra details that do not affect correctness. Respond ONLY with 'yes' or 'no'.\n\n" +
  "Question: {question}\nGold answer: {gold}\nStudent answer: {pred}\nIs the student answer correct based solely on the gold answer? Respond 'yes' or 'no'.\n";

/** "yes" without "no" (SEAL's parse_yes_no). */
export const parseYesNo = (text: string): boolean => /\byes\b/i.test(text) && !/\bno\b/i.test(text);

export interface AnswerEnv {
  model: LlamaModel;
  tok: Tokenizer;
  sp: Specials;
  grader: Grader;
  maxNewTokens: number;
}

async function judge(env: AnswerEnv, p: Passage, answers: string[]): Promise<boolean[]> {
  const prompts = p.questions.map((q, i) => promptIds(env.tok, env.sp,
    JUDGE_TEMPLATE.replace('{question}', q.question).replace('{gold}', q.answers[0]).replace('{pred}', answers[i])));
  const outs = await generate(env.model, prompts, { maxNewTokens: 4, stopTokens: [env.sp.eos, env.sp.eot] });
  return outs.map((ids) => parseYesNo(env.tok.decode(ids)));
}

/**
 * Answers every question of `p` and grades them: once per adapter slot (one batch, slot-major: the questions
 * again for each slot), or once with the model as it is. One list of graded answers per slot.
 */
export async function answerPassage(env: AnswerEnv, p: Passage, adapter?: LoraAdapter): Promise<GradedAnswer[][]> {
  const S = adapter?.count ?? 1;
  const prompts = p.questions.map((q) => answerPromptIds(env.tok, env.sp, p.title, q.question));
  const outs = await generate(env.model, Array.from({ length: S }, () => prompts).flat(), { maxNewTokens: env.maxNewTokens, stopTokens: [env.sp.eos, env.sp.eot], adapter });
  const graded: GradedAnswer[][] = [];
  for (let z = 0; z < S; z++) {
    const answers = outs.slice(z * prompts.length, (z + 1) * prompts.length).map((ids) => firstLine(env.tok.decode(ids)));
    const verdicts = env.grader === 'judge' ? await judge(env, p, answers) : null;
    graded.push(p.questions.map((q, i) => {
      const a = answers[i];
      const g = { exact: exactMatch(a, q.answers), f1: f1Score(a, q.answers), contains: containsAnswer(a, q.answers), judge: verdicts?.[i] ?? null };
      const correct = env.grader === 'judge' ? !!g.judge : env.grader === 'f1' ? g.f1 >= 0.5 : g[env.grader] === 1;
      return { question: q.question, gold: q.answers, answer: a, ...g, correct };
    }));
  }
  return graded;
}
