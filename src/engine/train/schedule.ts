/** Linear warm-up from 0 to the peak, then linear decay to 0 at the last step (BERT, §A.2). */
export function learningRateAt(step: number, peak: number, warmupSteps: number, totalSteps: number): number {
  if (warmupSteps > 0 && step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  return peak * Math.max(0, 1 - (step - warmupSteps) / decaySteps);
}
