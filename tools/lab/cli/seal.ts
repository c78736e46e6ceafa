// `npm run seal -- <command>`: the engine from the command line, running the app's own worker in headless
// Chromium (tools/lab/cli/launch.ts). Results are JSON (stdout, or --out FILE); errors print `Name: message` and
// exit 1; usage errors exit 2.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { intList, num, parseFlags, UsageError, type FlagSpec } from './args.ts';
import { runMain, type Engine } from './launch.ts';
import { DEFAULT_HUB_ENDPOINT } from '../../../src/engine/storage/spec.ts';
import { formatTokenRate } from '../../../src/store/model_source.ts';
import { initRequest, loadModel, need, SOURCE_FLAGS, SOURCE_USAGE, validateSource } from './load.ts';
import { ARC_FLAGS, arcRequest, KNOWLEDGE_FLAGS, knowledgeRequest, runSeal } from './runs.ts';
import { APPLY_FLAGS, APPLY_USAGE, applyRequest, runApply } from './apply.ts';

const USAGE = `Usage: npm run seal -- <command> [flags]

Commands:
  forward    --model DIR|URL --tokens "1,2,3;4,5" [--adapter DIR|URL] [--out FILE]
             Logits [batch][position][vocab] (each sequence's own length; shorter ones are padded and
             masked) and the mean next-token cross-entropy over every sequence.
  lora-grad  --model DIR|URL --adapter DIR|URL --tokens "1,2,3;4,5" [--out FILE]
             Loss and the gradient of every LoRA tensor, keyed by its PEFT name (flat, row-major).
  generate   --model DIR|URL (--prompt TEXT | --prompt-ids "1,2,3") [--max-new-tokens N (64)]
             [--temperature T (0 = greedy)] [--top-p P (1)] [--seed S (0)] [--chat] [--adapter DIR|URL] [--out FILE]
             Prints the text (token ids when the model has no tokenizer.json); stops at the model's EOS.
             Prefill (the prompt's forward) and decode (each later token) rates go to stderr, with any
             warning (a plain prompt without BOS); --out adds them as "prefill", "decode", "warnings"
             ("tokensPerSecond" is the decode rate) and "promptIds" (the prompt as the model saw it).
  export-adapter --model M --adapter A --out-dir DIR [--base-model NAME]
             Loads the adapter onto the model and writes it back in PEFT's layout (adapter_config.json,
             adapter_model.safetensors: what Python's PeftModel.from_pretrained loads).
  device     [--out FILE]
             The WebGPU adapter (vendor, architecture, features, limits).
  arc        --model DIR|URL --tasks mini|FILE [--solutions FILE] [--train-tasks FILE --train-solutions FILE]
             [--rounds N (1)] [--seed S (0)] [--max-train N] [--max-eval N] [--self-edits-train N (15)]
             [--self-edits-eval N (5)] [--no-icl] [--no-no-rl] [--no-oracle] [--ttt-seeds N] [--slots N] [--stop-on-failed-round] [--out FILE]
             SEAL's ARC experiment (Track A): baselines and ReST-EM rounds; prints method → success rate and
             writes every self-edit with its reward and timing. FILE is ARC challenges JSON; its solutions file
             is --solutions or the same name with "challenges" → "solutions". One file without --train-tasks is
             split in two halves (training, evaluation). --ttt-seeds N averages each reward over N TTT runs (1).
             --slots N: at most N inner loops (an item's self-edits × TTT seeds) train side by side in adapter
             slots; 1 runs them one after another; 0 (default, unless seal_lab.json sets ttt.slots) = auto: 1 on
             a CPU adapter such as SwiftShader (there a shared batch only adds padding), up to 8 on a GPU.
  knowledge  --model DIR|URL --passages mini|FILE [--references FILE] [--rounds N] [--seed S] [--k K] [--eval-k K]
             [--ttt-seeds N] [--slots N] [--cpt N] [--forgetting N] [--max-train N] [--max-eval N]
             [--prompt implications|implications-long|implications-very-long|rewrite|self-qa]
             [--grader exact|f1|contains|judge] [--no-base] [--no-passage] [--no-own] [--no-reference] [--stop-on-failed-round] [--out FILE]
             SEAL's knowledge incorporation (Track B): Table 2 (base, passage only, passage + own self-edits,
             passage + reference self-edits, SEAL per round), continued pre-training over N passages (--cpt),
             forgetting over N sequential edits (--forgetting). FILE is SQuAD-shaped JSON ([{title, context,
             questions: [{question, answer}]}]); its held-out passages come first, then the ReST-EM ones.
             --references: self-edits for the reference row (an array in file order, or {"squad-<i>": text}).
             Settings left out are the model's seal_lab.json "knowledge" block, else the paper's. --k: self-edits
             per passage (the E-step, and the held-out rows unless --eval-k sets theirs).
${APPLY_USAGE}

--model and --adapter take a local Hugging Face-style folder (config.json, model.safetensors or shards with
model.safetensors.index.json, tokenizer.json; or a PEFT adapter), an http(s) URL of such a folder (read by the
engine with HTTP Range), or a Hub repo id org/name, downloaded by the engine into its cache:
  --hub-endpoint URL   the Hub (default $HF_ENDPOINT or ${DEFAULT_HUB_ENDPOINT})
  --revision REV       branch, tag or commit of the --model repo (default main); --adapter-revision likewise
  --hf-token TOKEN     for gated or private repos (default $HF_TOKEN)
  --cache-dir DIR      keep the browser profile, and so the download cache, in DIR across runs
                       (default $SEAL_CACHE_DIR; without it each run starts with an empty cache)
  --allow-nonfinite    load weights with NaN or ±Inf values (by default a ModelFormatError names the tensors)
${SOURCE_USAGE}
Download and upload progress, then a one-line model card (also the JSON's "model"), go to stderr.
--out FILE writes the JSON there instead of stdout; forward, lora-grad and generate add "gpu" (engine GPU
memory now and at its peak).
Browser: $CHROME_PATH or a system Chrome/Chromium; SwiftShader unless SEAL_GPU=1.`;

const COMMANDS: Record<string, FlagSpec> = {
  forward: { model: 'string', tokens: 'string', adapter: 'string', out: 'string', ...SOURCE_FLAGS },
  'lora-grad': { model: 'string', adapter: 'string', tokens: 'string', out: 'string', ...SOURCE_FLAGS },
  generate: {
    model: 'string', prompt: 'string', 'prompt-ids': 'string', 'max-new-tokens': 'string', temperature: 'string',
    'top-p': 'string', seed: 'string', chat: 'boolean', adapter: 'string', out: 'string', ...SOURCE_FLAGS,
  },
  'export-adapter': { model: 'string', adapter: 'string', 'out-dir': 'string', 'base-model': 'string', ...SOURCE_FLAGS },
  device: { out: 'string' },
  arc: { model: 'string', out: 'string', ...ARC_FLAGS, ...SOURCE_FLAGS },
  knowledge: { model: 'string', out: 'string', ...KNOWLEDGE_FLAGS, ...SOURCE_FLAGS },
  apply: { model: 'string', out: 'string', ...APPLY_FLAGS, ...SOURCE_FLAGS },
};

type Flags = Record<string, string | true>;

const sequences = (s: string) => s.split(';').map((seq, i) => intList(seq, `--tokens sequence ${i + 1}`));

function emit(flags: Flags, value: unknown): void {
  const json = JSON.stringify(value);
  if (typeof flags.out === 'string') writeFileSync(flags.out, json + '\n');
  else process.stdout.write(json + '\n');
}

const str = (flags: Flags, k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);

/** Checks every flag before the (slow) browser starts. */
function validate(cmd: string, flags: Flags): void {
  if (cmd === 'device') return;
  validateSource(flags);
  if (cmd === 'export-adapter') {
    need(flags, 'adapter');
    need(flags, 'out-dir');
  }
  if (cmd === 'arc') arcRequest(flags);
  if (cmd === 'knowledge') knowledgeRequest(flags);
  if (cmd === 'apply') applyRequest(flags);
  if (cmd === 'lora-grad') need(flags, 'adapter');
  if (cmd === 'forward' || cmd === 'lora-grad') sequences(need(flags, 'tokens'));
  if (cmd === 'generate') {
    if (('prompt' in flags) === ('prompt-ids' in flags)) throw new UsageError('give exactly one of --prompt and --prompt-ids');
    if (typeof flags['prompt-ids'] === 'string') intList(flags['prompt-ids'], '--prompt-ids');
    num(flags, 'max-new-tokens', 64, { int: true, min: 0 });
    num(flags, 'temperature', 0, { min: 0 });
    num(flags, 'top-p', 1, { min: 0, max: 1 });
    num(flags, 'seed', 0, { int: true, min: 0 });
  }
}

/** The engine's GPU memory now and at its peak (the JSON's "gpu"). */
const gpuMemory = (engine: Engine) => engine.call('memory', {});

async function run(cmd: string, flags: Flags, engine: Engine): Promise<void> {
  const info = await engine.call('init', cmd === 'device' ? {} : initRequest(flags));
  switch (cmd) {
    case 'device':
      return emit(flags, info);
    case 'forward': {
      const tokens = sequences(need(flags, 'tokens'));
      const { adapter, model } = await loadModel(engine, flags, 'optional');
      const r = await engine.call('forward', { tokens, adapter, logits: true });
      const [, T, V] = r.shape;
      const logits = r.logits!;
      // Only each sequence's real positions: the padded rows are not meaningful.
      const rows = tokens.map((s, b) => s.map((_, t) => logits.slice((b * T + t) * V, (b * T + t + 1) * V)));
      return emit(flags, { logits: rows, loss: r.loss, seconds: r.seconds, model, gpu: await gpuMemory(engine) });
    }
    case 'export-adapter': {
      const { model } = await loadModel(engine, flags, 'required');
      const base = str(flags, 'base-model') ?? need(flags, 'model');
      const r = await engine.call('export-adapter', { baseModel: base });
      const dir = need(flags, 'out-dir');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'adapter_config.json'), r.adapterConfig);
      writeFileSync(join(dir, 'adapter_model.safetensors'), r.adapterModel);
      return emit(flags, { dir, files: ['adapter_config.json', 'adapter_model.safetensors'], ...r.info, model });
    }
    case 'lora-grad': {
      const tokens = sequences(need(flags, 'tokens'));
      const { model } = await loadModel(engine, flags, 'required');
      const r = await engine.call('lora-grad', { tokens });
      const grads = Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, g.data]));
      return emit(flags, { loss: r.loss, grads, seconds: r.seconds, model, gpu: await gpuMemory(engine) });
    }
    case 'arc':
    case 'knowledge': {
      const req = cmd === 'arc' ? arcRequest(flags) : knowledgeRequest(flags);
      const { model } = await loadModel(engine, flags, 'optional');
      await runSeal(engine, req, str(flags, 'out'), model);
      return;
    }
    case 'apply': {
      const { info, model } = await loadModel(engine, flags, 'optional');
      return runApply(engine, flags, info.sealLab, model);
    }
    case 'generate': {
      const { adapter, model } = await loadModel(engine, flags, 'optional');
      const prompt = typeof flags.prompt === 'string' ? flags.prompt : intList(need(flags, 'prompt-ids'), '--prompt-ids');
      const r = await engine.call('generate', {
        prompt, adapter, chat: flags.chat === true,
        maxNewTokens: num(flags, 'max-new-tokens', 64, { int: true, min: 0 }),
        temperature: num(flags, 'temperature', 0, { min: 0 }),
        topP: num(flags, 'top-p', 1, { min: 0, max: 1 }),
        seed: num(flags, 'seed', 0, { int: true, min: 0 }),
      });
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stderr.write(`prefill: ${formatTokenRate(r.prefill)}; decode: ${formatTokenRate(r.decode)}\n`);
      process.stdout.write((r.text ?? r.tokens.join(',')) + '\n');
      if (typeof flags.out === 'string') {
        // tokensPerSecond is the decode rate: the prompt's forward is prefill's (it used to be counted in).
        writeFileSync(flags.out, JSON.stringify({ ...r, tokensPerSecond: r.decode.tokensPerSecond, model, gpu: await gpuMemory(engine) }) + '\n');
      }
      return;
    }
  }
}

const argv = process.argv.slice(2);
const [cmd, ...rest] = argv;
const HINT = 'Run `npm run seal -- --help` for usage.';
if (!cmd || ['--help', '-h', 'help'].includes(cmd) || (cmd in COMMANDS && (rest.includes('--help') || rest.includes('-h')))) {
  (cmd ? process.stdout : process.stderr).write(USAGE + '\n');
  process.exitCode = cmd ? 0 : 2;
} else {
  await runMain('seal', HINT, async (open) => {
    if (!(cmd in COMMANDS)) throw new UsageError(`unknown command "${cmd}"`);
    const flags = parseFlags(rest, COMMANDS[cmd]);
    validate(cmd, flags);
    await run(cmd, flags, await open({ profileDir: str(flags, 'cache-dir') ?? process.env.SEAL_CACHE_DIR }));
  });
}
