// The paper's prompts for the knowledge-incorporation track (SEAL, knowledge-incorporation/src: the
// base-model self-edit templates and the answer template), verbatim, so the lab asks exactly what the paper
// asked. {title} and {context} are the passage's; {question} the closed-book question.
export type SelfEditPromptKind = 'implications' | 'implications-long' | 'implications-very-long' | 'rewrite' | 'self-qa';

export const SELF_EDIT_TEMPLATES: Record<SelfEditPromptKind, string> = {
  implications:
    "Let's read the following passage and produce a list of implications derived directly or indirectly from the content.\n\n" +
    'Passage:\n{title}\n{context}\n\nImplications:\n',
  'implications-long':
    "Let's read the following passage and produce a long list of implications derived directly or indirectly from the content.\n\n" +
    'Passage:\n{title}\n{context}\n\nImplications:\n',
  'implications-very-long':
    "Let's read the following passage and produce a very long list of implications derived directly or indirectly from the content.\n\n" +
    'Passage:\n{title}\n{context}\n\nImplications:\n',
  rewrite:
    "Let's read the following passage and rewrite it in a few different ways, each one separated by a newline.\n\n" +
    'Passage:\n{title}\n{context}\n\nRewritten passages:\n',
  'self-qa': "Let's read the following passage and rewrite it in a question-answer format.\n\nPassage:\n{title}\n{context}\n\nQuestion 1: ",
};

export const ANSWER_TEMPLATE = "Let's answer a question directly and concisely.\nQuestion: Topic: {title}\n{question}\nAnswer:\n";

// Replaced in one pass, so a passage containing "{title}" or "$&" stays as written.
const fill = (t: string, vars: Record<string, string>) => t.replace(/\{(title|context|question)\}/g, (m, k: string) => vars[k] ?? m);

/** The self-edit prompt for a passage ("implications" unless another kind is asked for). */
export const selfEditPromptText = (title: string, context: string, kind: SelfEditPromptKind = 'implications') =>
  fill(SELF_EDIT_TEMPLATES[kind], { title, context });

/** The closed-book answer prompt (the passage is NOT in context). */
export const answerPromptText = (title: string, question: string) => fill(ANSWER_TEMPLATE, { title, question });
