import { UserError } from '../errors.js'
import { joinPath } from './changes.js'

/**
 * Where a state refers back to an object that contains it ("state.owner.account"), which JSON
 * cannot print; undefined for a tree. A shared object that is not its own ancestor is fine.
 */
export function cyclePath(value: unknown, root = 'state'): string | undefined {
  const open = new Set<object>()
  const walk = (node: unknown, path: string): string | undefined => {
    if (node === null || typeof node !== 'object') return undefined
    if (open.has(node)) return path
    open.add(node)
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const found = walk(node[i], joinPath(path, i))
        if (found !== undefined) return found
      }
    } else {
      for (const key of Object.keys(node)) {
        const found = walk((node as Record<string, unknown>)[key], joinPath(path, key))
        if (found !== undefined) return found
      }
    }
    open.delete(node)
    return undefined
  }
  try {
    return walk(value, root)
  } catch (error) {
    if (error instanceof RangeError) return undefined // too deep to walk here; JSON says so itself
    throw error
  }
}

/** What to tell the author of a reducer whose state has a cycle. */
export const cycleAdvice = (path: string): string =>
  `${path} refers back to an object that contains it (a circular reference), which JSON cannot show: return plain data (copy the object instead of linking to it)`

/** The first stream whose state has a cycle, as an error naming the reducer, the stream and its last event. */
export function stateCycleError(states: Map<string, { state: unknown; position: number | string }>, reducer: string): UserError | undefined {
  for (const [stream, entry] of states) {
    const cycle = cyclePath(entry.state)
    if (cycle !== undefined) return new UserError(`${reducer} returned a state with a cycle for stream ${stream}, as of its event at position ${entry.position}: ${cycleAdvice(cycle)}`)
  }
  return undefined
}
