/**
 * Freezes a value and everything reachable from it, so an upcaster that writes to its input
 * throws. Being frozen marks a visited object, so cycles end.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value
  Object.freeze(value)
  for (const key in value) deepFreeze((value as Record<string, unknown>)[key])
  return value
}

/** The TypeError strict-mode code throws when it writes to a frozen object. */
export function isFrozenWrite(error: unknown): error is TypeError {
  return error instanceof TypeError && /read[- ]only|not extensible|Cannot (assign|add|delete|define|redefine)/i.test(error.message)
}

/** A copy that later mutations cannot reach; values structuredClone refuses are kept as they are. */
export function snapshot<T>(value: T): T {
  try {
    return structuredClone(value)
  } catch {
    return value
  }
}
