// Mini-ARC: a seeded generator of small ARC-format tasks for a tiny model (see generate.ts, split.ts).
export { FAMILIES, PRIMITIVES, COMPOSITIONS, getFamily, familyKinds, type Family, type FamilyKind } from './families.ts';
export { PRETRAIN_FAMILIES, RESTEM_FAMILIES, HELDOUT_FAMILIES, familiesOf, splitOf, type Split } from './split.ts';
export { generateTasks, miniArcDefault, MINI_ARC_DEFAULT, explanations, ambiguity, type GenerateOptions, type MiniArc, type TaskMeta } from './generate.ts';
export { miniArcStats, formatStats, type MiniArcStats } from './stats.ts';
