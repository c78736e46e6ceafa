// `npm run seal -- <command>`: the engine from the command line, running the app's own worker in headless
// Chromium (tools/cli/launch.ts). Results are JSON (stdout, or --out FILE); errors print `Name: message` and
// exit 1; usage errors exit 2.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { intList, num, parseFlags, UsageError, type FlagSpec } from './args.ts';
import { runMain, type Engine } from './launch.ts';

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
  device     [--out FILE]
             The WebGPU adapter (vendor, architecture, features, limits).

DIR is a local Hugging Face-style folder (config.json, model.safetensors, tokenizer.json; or a PEFT adapter);
an http(s) URL is fetched by the engine directly. --out FILE writes the JSON there instead of stdout.
Browser: $CHROME_PATH or a system Chrome/Chromium; SwiftShader unless SEAL_GPU=1.`;

const COMMANDS: Record<string, FlagSpec> = {
  forward: { model: 'string', tokens: 'string', adapter: 'string', out: 'string' },
  'lora-grad': { model: 'string', adapter: 'string', tokens: 'string', out: 'string' },
  generate: {
    model: 'string', prompt: 'string', 'prompt-ids': 'string', 'max-new-tokens': 'string', temperature: 'string',
    'top-p': 'string', seed: 'string', chat: 'boolean', adapter: 'string', out: 'string',
  },
  device: { out: 'string' },
};

type Flags = Record<string, string | true>;

function need(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string') throw new UsageError(`--${name} is required`);
  return v;
}

const sequences = (s: string) => s.split(';').map((seq, i) => intList(seq, `--tokens sequence ${i + 1}`));

function emit(flags: Flags, value: unknown): void {
  const json = JSON.stringify(value);
  if (typeof flags.out === 'string') writeFileSync(flags.out, json + '\n');
  else process.stdout.write(json + '\n');
}

async function loadModel(engine: Engine, flags: Flags, adapter: 'optional' | 'required'): Promise<boolean> {
  await engine.call('load-model', { url: engine.resolve(need(flags, 'model')) });
  const dir = adapter === 'required' ? need(flags, 'adapter') : flags.adapter;
  if (typeof dir !== 'string') return false;
  await engine.call('load-adapter', { url: engine.resolve(dir) });
  return true;
}

/** Checks every flag before the (slow) browser starts. */
function validate(cmd: string, flags: Flags): void {
  if (cmd === 'device') return;
  for (const k of ['model', 'adapter']) {
    const v = flags[k];
    if (typeof v === 'string' && !/^https?:\/\//i.test(v) && !(existsSync(v) && statSync(v).isDirectory())) throw new Error(`--${k}: no such folder: ${v}`);
  }
  need(flags, 'model');
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

async function run(cmd: string, flags: Flags, engine: Engine): Promise<void> {
  const info = await engine.call('init', {});
  switch (cmd) {
    case 'device':
      return emit(flags, info);
    case 'forward': {
      const tokens = sequences(need(flags, 'tokens'));
      const adapter = await loadModel(engine, flags, 'optional');
      const r = await engine.call('forward', { tokens, adapter, logits: true });
      const [, T, V] = r.shape;
      const logits = r.logits!;
      // Only each sequence's real positions: the padded rows are not meaningful.
      const rows = tokens.map((s, b) => s.map((_, t) => logits.slice((b * T + t) * V, (b * T + t + 1) * V)));
      return emit(flags, { logits: rows, loss: r.loss });
    }
    case 'lora-grad': {
      const tokens = sequences(need(flags, 'tokens'));
      await loadModel(engine, flags, 'required');
      const r = await engine.call('lora-grad', { tokens });
      return emit(flags, { loss: r.loss, grads: Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, g.data])) });
    }
    case 'generate': {
      const adapter = await loadModel(engine, flags, 'optional');
      const prompt = typeof flags.prompt === 'string' ? flags.prompt : intList(need(flags, 'prompt-ids'), '--prompt-ids');
      const r = await engine.call('generate', {
        prompt, adapter, chat: flags.chat === true,
        maxNewTokens: num(flags, 'max-new-tokens', 64, { int: true, min: 0 }),
        temperature: num(flags, 'temperature', 0, { min: 0 }),
        topP: num(flags, 'top-p', 1, { min: 0, max: 1 }),
        seed: num(flags, 'seed', 0, { int: true, min: 0 }),
      });
      process.stdout.write((r.text ?? r.tokens.join(',')) + '\n');
      if (typeof flags.out === 'string') {
        writeFileSync(flags.out, JSON.stringify({ ...r, tokensPerSecond: r.seconds > 0 ? r.tokens.length / r.seconds : null }) + '\n');
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
    await run(cmd, flags, await open());
  });
}
