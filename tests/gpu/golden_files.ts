// The PyTorch reference's golden files (tools/verify/reference → tests/golden/<case>/), as the GPU tests read them.
import { readSafetensors, type SafetensorsFile } from '../../src/engine/model/safetensors.ts';

export interface Golden {
  file: SafetensorsFile;
  meta: { batch: { lengths: number[]; prompt_len: number[] }; train: Record<string, number> };
}

export async function golden(name: string): Promise<Golden> {
  const base = `/tests/golden/${name}`;
  const bytes = await (await fetch(`${base}/golden.safetensors`)).arrayBuffer();
  return { file: readSafetensors(bytes, `${name}/golden.safetensors`), meta: await (await fetch(`${base}/golden.json`)).json() };
}
