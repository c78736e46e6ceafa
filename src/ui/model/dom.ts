// DOM helpers for the model picker: turning a directory pick or a drop into the
// `{kind: 'files'}` source, and remembering a Hugging Face token only when the user asks to.
import type { PickedFile } from '../../engine/storage/spec.ts';

/** Files from `<input type="file" webkitdirectory>`: their webkitRelativePath keeps the folder structure. */
export function filesFromInput(list: FileList | File[]): PickedFile[] {
  return [...list].map((f) => ({ path: f.webkitRelativePath || f.name, file: f }));
}

/** Every file under the dropped folders and files (DataTransfer of a drop event), with relative paths. */
export async function filesFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail));
      out.push({ path: prefix + entry.name, file });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries returns at most ~100 entries per call: read until it returns none.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
        if (!batch.length) break;
        for (const e of batch) await walk(e, `${prefix}${entry.name}/`);
      }
    }
  };
  // Entries must be taken synchronously, before the first await (the DataTransfer is emptied afterwards).
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => !!e);
  for (const e of entries) await walk(e, '');
  return out;
}

const TOKEN_KEY = 'seal-lab.hf-token';

/** The token the user asked to remember, if any (localStorage of this origin). */
export function rememberedToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Remembers the token (only on the user's request), or forgets it with null. */
export function rememberToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token stays in memory only.
  }
}
