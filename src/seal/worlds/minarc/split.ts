// The fixed split of mini-ARC families into `pretrain`, `restem` and `heldout`.
//
// Why this split. The lab's mini model (~0.3M parameters) is pretrained on `pretrain` tasks; ReST-EM draws its
// training tasks from `restem` and evaluation uses `heldout` tasks, both new compositions. The split must make
// in-context prediction alone mostly fail on held-out tasks while test-time training (TTT) with the right
// augmentations and hyper-parameters can succeed. So:
//  - Every primitive is in `pretrain`: the model knows each rule on its own (rotations, flips, transpose, colour
//    swap / map, gravity, fills, scale, tiling, moves, crop, recolour-largest, outline).
//  - Six compositions are in `pretrain` too, so that "two rules in a row" is a familiar shape of task.
//  - `heldout` holds only NEW compositions of those primitives: no held-out composition is in `pretrain`, and the
//    generator rejects a held-out task when any pretrain family (with any parameters) explains its demos, so a
//    known rule never solves one. Reading the composition off 3–4 demos in context is hard for a tiny model;
//    a few TTT steps on augmented leave-one-out demos of the task can fit it, because both parts are known.
//  - Half of the held-out families contain a geometric primitive (rotation, flip, transpose): there the basic
//    augmentations (rotate / flip / transpose both grids of a demo) give conjugate tasks that teach the geometry.
//    Half contain a colour primitive (swap or map): there the colour permutation of the augmentation helps. Three
//    (flip_h / rotate90 / transpose + colour) have both. The scale and tile compositions are where the size and
//    repeat augmentations may matter.
// The split is a constant (not drawn from a seed): changing it changes what every experiment measures.
import { FAMILIES } from './families.ts';

export const PRETRAIN_FAMILIES: readonly string[] = [
  'rotate90', 'rotate180', 'rotate270', 'flip_h', 'flip_v', 'transpose',
  'colour_swap', 'colour_map', 'gravity', 'fill_rect', 'fill_rows', 'scale', 'tile',
  'move', 'crop', 'recolour_largest', 'outline',
  'flip_v+colour_swap', 'gravity+colour_map', 'crop+flip_h', 'scale+colour_swap', 'rotate180+fill_rows',
  'recolour_largest+rotate90',
];

export const HELDOUT_FAMILIES: readonly string[] = [
  // a geometric primitive after a structural one
  'gravity+rotate90', 'crop+rotate180', 'scale+flip_h', 'tile+transpose', 'move+flip_v', 'fill_rect+rotate270',
  // a colour primitive (the first three also geometric)
  'flip_h+colour_map', 'rotate90+colour_swap', 'transpose+colour_map', 'crop+colour_map', 'tile+colour_swap',
  'outline+colour_map',
];

/**
 * ReST-EM's training tasks: new compositions too, disjoint from `heldout` (as the paper's training tasks come from
 * ARC's training set and its evaluation tasks from ARC's evaluation set). They are not in the pretraining corpus,
 * so on them, as on `heldout`, a self-edit is rewarded only when its TTT configuration teaches the new rule.
 */
export const RESTEM_FAMILIES: readonly string[] = [
  'gravity+flip_h', 'crop+transpose', 'move+rotate180', 'tile+flip_v', 'fill_rows+rotate90',
  'rotate180+colour_map', 'transpose+colour_swap', 'fill_rect+flip_h',
];

export type Split = 'pretrain' | 'restem' | 'heldout';

const SPLITS: Record<Split, readonly string[]> = { pretrain: PRETRAIN_FAMILIES, restem: RESTEM_FAMILIES, heldout: HELDOUT_FAMILIES };

export function splitOf(family: string): Split {
  for (const [split, names] of Object.entries(SPLITS)) if (names.includes(family)) return split as Split;
  throw new Error(`mini-ARC family "${family}" is in no split`);
}

export function familiesOf(split: Split | 'all'): string[] {
  return split === 'all' ? FAMILIES.map((f) => f.name) : [...SPLITS[split]];
}
