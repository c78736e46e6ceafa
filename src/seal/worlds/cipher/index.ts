// The "cipher rows" mini world (see world.ts): single-row ARC tasks, a structural operation followed by a colour
// rule; pretraining tasks have readable colour rules, ReST-EM and held-out tasks a hidden cipher.
export {
  OPS, COLOUR_RULES, CIPHER_OPS, PRETRAIN_FAMILIES, EXTRA_FAMILIES, CIPHER_FAMILIES, familiesOf, getFamily, applyOp, applyColourMap, applyRule,
  isAmbiguous, generateTask, generateCipherTasks,
  type Op, type ColourRule, type Split, type Family, type ColourMap, type CipherWorldOptions, type CipherTaskMeta, type CipherWorld,
} from './world.ts';
