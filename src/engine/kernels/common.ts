// Shared by the elementwise kernels: a 1-D index space spread over a 2-D grid, because one dispatch dimension
// is capped at 65535 workgroups (4M invocations at 64 per group) and a 1B model's tensors are larger.

export const WG = 64;

/** WGSL: `let i = linear_index(gid, nwg);` gives the flat invocation index. */
export const LINEAR_INDEX = /* wgsl */ `
fn linear_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.y * nwg.x * ${WG}u + gid.x; }`;

/** Workgroup counts covering `n` invocations of `WG` threads each. */
export function linearGroups(n: number, maxPerDim = 65535): [number, number] {
  const groups = Math.ceil(n / WG);
  if (groups <= maxPerDim) return [groups, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y];
}
