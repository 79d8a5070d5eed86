export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Median absolute deviation: the spread a few wild values cannot drag along with them. */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const m = median(values)
  return median(values.map((v) => Math.abs(v - m)))
}

/**
 * Iglewicz and Hoaglin's modified z-score, 0.6745 (x − median) / MAD: above 3.5 a value is an
 * outlier. A MAD of zero (identical amounts) counts as one fen, so any departure stands out.
 */
export function modifiedZScore(value: number, values: readonly number[]): number {
  return (0.6745 * (value - median(values))) / Math.max(medianAbsoluteDeviation(values), 1)
}
