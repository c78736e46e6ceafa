// Child processes for the scale test, with their peak memory: every 0.5 s the proportional set size (PSS, from
// /proc/<pid>/smaps_rollup, so pages shared between Chromium's processes count once) of the child and all its
// descendants is summed — Node, Vite, and Chromium with its GPU process, where SwiftShader keeps the "GPU" buffers.
// Linux only; elsewhere the peak is reported as null.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Peak summed PSS of the process tree in bytes (null where /proc is not there). */
  peakBytes: number | null;
}

function children(): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone meanwhile
    }
  }
  return kids;
}

/** Summed PSS (bytes) of `pid` and its descendants now. */
export function treeBytes(pid: number): number {
  const kids = children();
  let total = 0;
  for (const stack = [pid]; stack.length;) {
    const p = stack.pop()!;
    stack.push(...(kids.get(p) ?? []));
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // gone, or not ours to read
    }
  }
  return total;
}

/** Runs a command, echoing its stderr with a prefix, and samples its tree's memory. */
export function run(cmd: string, args: string[], o: { cwd: string; label: string; echo?: (line: string) => boolean }): Promise<Ran> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { cwd: o.cwd, env: process.env });
    let stdout = '';
    let stderr = '';
    let peak: number | null = existsSync('/proc/self/smaps_rollup') ? 0 : null;
    const timer = setInterval(() => {
      if (peak !== null && p.pid) peak = Math.max(peak, treeBytes(p.pid));
    }, 500);
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => {
      stderr += d;
      for (const line of String(d).split('\n')) if (line.trim() && (o.echo?.(line) ?? true)) process.stderr.write(`  [${o.label}] ${line}\n`);
    });
    p.on('error', (e) => {
      clearInterval(timer);
      fail(e);
    });
    p.on('close', (code) => {
      clearInterval(timer);
      done({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000, peakBytes: peak });
    });
  });
}
