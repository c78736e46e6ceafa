// Task augmenters in the families SEAL's self-edit switches on and off (the list follows the test-time-training
// augmenters of Akyürek et al.): basic (rotate, flip, reflect, random translate, transpose), size (resolution /
// height / width ×2), chain (rotate/flip/transpose then resolution ×2) and repeat (tile ×2 along rows, columns
// or both). An augmenter is a grid function; a task is augmented by applying the same function to every grid of
// it (demo inputs and outputs, test inputs, test outputs when present) — `applyToTask`.

import { Rng } from '../core/rng.ts';
import {
  flipH,
  flipV,
  mapTaskGrids,
  rotate180,
  rotate270,
  rotate90,
  tile,
  translate,
  transpose,
  upscale,
  concat,
} from './grid.ts';
import type { ArcTask, Grid } from './task.ts';

export type AugmentFamily = 'basic' | 'size' | 'chain' | 'repeat';

export interface Augmenter {
  /** Stable identifier, e.g. "rotate90", "reflect0_reverse", "rotate90+resolution2". */
  name: string;
  family: AugmentFamily;
  /**
   * Transform one grid. Random augmenters (random translate) draw their parameters from `rng`; to transform a
   * whole task consistently use `applyToTask`, which hands every grid an identical stream.
   */
  apply(grid: Grid, rng?: Rng): Grid;
  /** Exact inverse, present for the bijective transforms (rotations, flips, transpose). */
  invert?(grid: Grid): Grid;
}

/** The `data_generation` part of a self-edit (structurally the same as self_edit.ts's type). */
export interface DataGenerationFlags {
  use_basic_augmentations: boolean;
  use_size_augmentations: boolean;
  use_chain_augmentations: boolean;
  use_repeat_augmentations: boolean;
}

const basic = (name: string, apply: (g: Grid) => Grid, invert?: (g: Grid) => Grid): Augmenter =>
  invert ? { name, family: 'basic', apply, invert } : { name, family: 'basic', apply };

/** Concatenate the grid with its mirror along `axis` (0: stacked vertically, 1: side by side); `reverse` puts the mirror first. */
export function reflect(g: Grid, axis: 0 | 1, reverse: boolean): Grid {
  const mirrored = axis === 0 ? flipV(g) : flipH(g);
  return reverse ? concat(mirrored, g, axis) : concat(g, mirrored, axis);
}

/** Largest shift the random translate draws along each axis (wrap-around, so any shift keeps every cell). */
export const MAX_TRANSLATE = 3;

export const ROTATE_90 = basic('rotate90', rotate90, rotate270);
export const ROTATE_180 = basic('rotate180', rotate180, rotate180);
export const ROTATE_270 = basic('rotate270', rotate270, rotate90);
/** numpy flip axis 0: top ↔ bottom. */
export const FLIP_0 = basic('flip0', flipV, flipV);
/** numpy flip axis 1: left ↔ right. */
export const FLIP_1 = basic('flip1', flipH, flipH);
export const TRANSPOSE = basic('transpose', transpose, transpose);
export const REFLECT: Augmenter[] = [
  basic('reflect0', (g) => reflect(g, 0, false)),
  basic('reflect0_reverse', (g) => reflect(g, 0, true)),
  basic('reflect1', (g) => reflect(g, 1, false)),
  basic('reflect1_reverse', (g) => reflect(g, 1, true)),
];
/** Roll the grid by a random (dy, dx), each in 1..MAX_TRANSLATE, wrapping around. Without rng: (1, 1). */
export const RANDOM_TRANSLATE: Augmenter = {
  name: 'random_translate',
  family: 'basic',
  apply(g: Grid, rng?: Rng) {
    const dy = rng ? rng.range(1, MAX_TRANSLATE) : 1;
    const dx = rng ? rng.range(1, MAX_TRANSLATE) : 1;
    return translate(g, dy, dx, 'wrap');
  },
};

export const INCREASE_RESOLUTION_2: Augmenter = { name: 'resolution2', family: 'size', apply: (g) => upscale(g, 2, 2) };
export const INCREASE_HEIGHT_2: Augmenter = { name: 'height2', family: 'size', apply: (g) => upscale(g, 2, 1) };
export const INCREASE_WIDTH_2: Augmenter = { name: 'width2', family: 'size', apply: (g) => upscale(g, 1, 2) };

const chain = (first: Augmenter): Augmenter => ({
  name: `${first.name}+resolution2`,
  family: 'chain',
  apply: (g) => upscale(first.apply(g), 2, 2),
});

export const BASIC_AUGMENTERS: readonly Augmenter[] = [
  ROTATE_90,
  ROTATE_270,
  ROTATE_180,
  FLIP_0,
  FLIP_1,
  ...REFLECT,
  RANDOM_TRANSLATE,
  TRANSPOSE,
];
export const SIZE_AUGMENTERS: readonly Augmenter[] = [INCREASE_RESOLUTION_2, INCREASE_HEIGHT_2, INCREASE_WIDTH_2];
export const CHAIN_AUGMENTERS: readonly Augmenter[] = [ROTATE_90, ROTATE_270, ROTATE_180, FLIP_0, FLIP_1, TRANSPOSE].map(chain);
export const REPEAT_AUGMENTERS: readonly Augmenter[] = [
  { name: 'repeat0', family: 'repeat', apply: (g) => tile(g, 2, 1) },
  { name: 'repeat1', family: 'repeat', apply: (g) => tile(g, 1, 2) },
  { name: 'repeat_both', family: 'repeat', apply: (g) => tile(g, 2, 2) },
];

/** Every augmenter, in family order (basic, size, chain, repeat). */
export const ALL_AUGMENTERS: readonly Augmenter[] = [
  ...BASIC_AUGMENTERS,
  ...SIZE_AUGMENTERS,
  ...CHAIN_AUGMENTERS,
  ...REPEAT_AUGMENTERS,
];

/** The bijective augmenters (they carry `invert`); evaluation uses them as views. */
export const INVERTIBLE_AUGMENTERS: readonly Augmenter[] = ALL_AUGMENTERS.filter((a) => a.invert);

/** The augmenters a self-edit's `data_generation` switches on, in family order. */
export function augmentersFor(dg: DataGenerationFlags): Augmenter[] {
  return [
    ...(dg.use_basic_augmentations ? BASIC_AUGMENTERS : []),
    ...(dg.use_size_augmentations ? SIZE_AUGMENTERS : []),
    ...(dg.use_chain_augmentations ? CHAIN_AUGMENTERS : []),
    ...(dg.use_repeat_augmentations ? REPEAT_AUGMENTERS : []),
  ];
}

/**
 * Apply one augmenter to every grid of a task. Random parameters are drawn once per task: a seed is taken from
 * `rng` and every grid gets a fresh stream from that seed, so all grids see the same translate.
 */
export function applyToTask<T extends ArcTask>(aug: Augmenter, task: T, rng?: Rng): T {
  const seed = rng?.seed();
  return mapTaskGrids(task, (g) => aug.apply(g, seed === undefined ? undefined : new Rng(seed)));
}
