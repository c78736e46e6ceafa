// Learning-rate multiplier of Hugging Face's get_cosine_schedule_with_warmup, for the optimizer step that
// follows `step` completed steps (so step 0 of a warm-up runs at lr 0, exactly as in transformers).
export function cosineWithWarmup(step: number, warmup: number, total: number): number {
  if (step < warmup) return step / Math.max(1, warmup);
  const progress = (step - warmup) / Math.max(1, total - warmup);
  return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
}
