// Weighted choice among a provider's keys, so traffic spreads by the configured weights.

export interface WeightedKey {
  value: string;
  weight: number;
}

export function pickKey(keys: readonly WeightedKey[], random: () => number): string | undefined {
  if (keys.length === 0) return undefined;
  if (keys.length === 1) return keys[0]!.value;
  let total = 0;
  for (const k of keys) total += k.weight;
  let point = random() * total;
  for (const k of keys) {
    point -= k.weight;
    if (point < 0) return k.value;
  }
  return keys[keys.length - 1]!.value;
}
