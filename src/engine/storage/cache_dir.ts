// A tiny directory abstraction, so one implementation of the download cache (cache.ts) runs on the Origin Private
// File System and in memory.

export interface Sink {
  write(b: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface Dir {
  dir(name: string, create: boolean): Promise<Dir | null>;
  file(name: string): Promise<Blob | null>;
  writeFile(name: string): Promise<Sink>;
  entries(): Promise<Array<{ name: string; kind: 'file' | 'directory' }>>;
  remove(name: string): Promise<void>;
}

export async function readJson<T>(d: Dir, name: string): Promise<T | null> {
  const f = await d.file(name);
  if (!f) return null;
  try {
    return JSON.parse(await f.text()) as T;
  } catch {
    return null;
  }
}

export async function writeText(d: Dir, name: string, text: string): Promise<void> {
  const s = await d.writeFile(name);
  await s.write(new TextEncoder().encode(text));
  await s.close();
}

export class OpfsDir implements Dir {
  constructor(private readonly h: FileSystemDirectoryHandle) {}
  async dir(name: string, create: boolean): Promise<Dir | null> {
    try {
      return new OpfsDir(await this.h.getDirectoryHandle(name, { create }));
    } catch (e) {
      if ((e as DOMException).name === 'NotFoundError' || (e as DOMException).name === 'TypeMismatchError') return null;
      throw e;
    }
  }
  async file(name: string): Promise<Blob | null> {
    try {
      return await (await this.h.getFileHandle(name)).getFile();
    } catch (e) {
      if ((e as DOMException).name === 'NotFoundError' || (e as DOMException).name === 'TypeMismatchError') return null;
      throw e;
    }
  }
  async writeFile(name: string): Promise<Sink> {
    const fh = await this.h.getFileHandle(name, { create: true });
    const w = await fh.createWritable({ keepExistingData: false });
    return { write: (b) => w.write(b as Uint8Array<ArrayBuffer>), close: () => w.close() };
  }
  async entries() {
    const out: Array<{ name: string; kind: 'file' | 'directory' }> = [];
    // @ts-expect-error: entries() is in the File System Access spec but not in every lib.dom version
    for await (const [name, h] of this.h.entries() as AsyncIterable<[string, FileSystemHandle]>) out.push({ name, kind: h.kind });
    return out;
  }
  async remove(name: string): Promise<void> {
    try {
      await this.h.removeEntry(name, { recursive: true });
    } catch (e) {
      if ((e as DOMException).name !== 'NotFoundError') throw e;
    }
  }
}

type MemNode = Map<string, MemNode | Blob>;

export class MemDir implements Dir {
  constructor(private readonly m: MemNode = new Map()) {}
  async dir(name: string, create: boolean): Promise<Dir | null> {
    let d = this.m.get(name);
    if (d instanceof Blob) return null;
    if (!d) {
      if (!create) return null;
      this.m.set(name, (d = new Map()));
    }
    return new MemDir(d);
  }
  async file(name: string): Promise<Blob | null> {
    const f = this.m.get(name);
    return f instanceof Blob ? f : null;
  }
  async writeFile(name: string): Promise<Sink> {
    const parts: Uint8Array[] = [];
    return {
      write: async (b) => void parts.push(b.slice()),
      close: async () => void this.m.set(name, new Blob(parts as BlobPart[])),
    };
  }
  async entries() {
    return [...this.m].map(([name, v]) => ({ name, kind: v instanceof Blob ? ('file' as const) : ('directory' as const) }));
  }
  async remove(name: string): Promise<void> {
    this.m.delete(name);
  }
}
