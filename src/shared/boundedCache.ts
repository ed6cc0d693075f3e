/**
 * Remembers the last `max` answers of a pure function of a string, so a text customers
 * send again and again ("thanks", "where is my order?") is worked out once. `args` are
 * what computing the answer needs besides the key; the key must determine them. Oldest
 * entries go first; memory stays bounded whatever the traffic.
 */
export function boundedCache<V, A extends unknown[] = []>(max: number, compute: (key: string, ...args: A) => V): (key: string, ...args: A) => V {
  const entries = new Map<string, V>();
  return (key, ...args) => {
    const hit = entries.get(key);
    if (hit !== undefined) {
      // Recently used moves to the back of the eviction order.
      entries.delete(key);
      entries.set(key, hit);
      return hit;
    }
    const value = compute(key, ...args);
    entries.set(key, value);
    if (entries.size > max) entries.delete(entries.keys().next().value!);
    return value;
  };
}

/** The last `max` keys added, oldest forgotten first. */
export function boundedSet(max: number) {
  const keys = new Set<string>();
  return {
    has: (key: string) => keys.has(key),
    add(key: string) {
      keys.add(key);
      if (keys.size > max) keys.delete(keys.values().next().value!);
    },
  };
}
export type BoundedSet = ReturnType<typeof boundedSet>;
