// Flag parsing shared by the CLI and the benchmark: `--name value` or `--name=value`, declared flags only.
export class UsageError extends Error {
  override name = 'UsageError';
}

export type FlagSpec = Record<string, 'string' | 'boolean'>;

export function parseFlags(argv: string[], spec: FlagSpec): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(argv[i]);
    if (!m) throw new UsageError(`unexpected argument "${argv[i]}"`);
    const [, name, inline] = m;
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown flag --${name}`);
    if (name in out) throw new UsageError(`--${name} given twice`);
    if (kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      out[name] = true;
    } else {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      out[name] = v;
    }
  }
  return out;
}

export function num(flags: Record<string, string | true>, name: string, def: number, o: { int?: boolean; min?: number; max?: number } = {}): number {
  const raw = flags[name];
  if (raw === undefined) return def;
  const v = Number(raw);
  const bad = typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(v) || (o.int && !Number.isInteger(v))
    || (o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max);
  if (bad) {
    const range = [o.min !== undefined && `≥ ${o.min}`, o.max !== undefined && `≤ ${o.max}`].filter(Boolean).join(' and ');
    throw new UsageError(`--${name} must be ${o.int ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}, got "${raw}"`);
  }
  return v;
}

/** "1,2,3" → [1, 2, 3] (non-negative integers). */
export function intList(s: string, what: string): number[] {
  const parts = s.split(',').map((x) => x.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new UsageError(`${what}: expected comma-separated non-negative integers, got "${s}"`);
  return parts.map(Number);
}
