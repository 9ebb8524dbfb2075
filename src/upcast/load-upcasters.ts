import { UserError } from '../errors.js'
import { loadUserModule } from '../modules/load-user-module.js'
import { EMPTY_CHAIN, UpcastChain, type Upcaster } from './chain.js'
import { displayPath } from '../output/display-path.js'

/**
 * Reads an upcaster module (a default-exported array of {type, from, to, up}) and validates each
 * entry, without building a chain: `upcast check` reports duplicates itself instead of stopping.
 */
export async function loadUpcasterList(file: string): Promise<Upcaster[]> {
  const module = await loadUserModule(file, 'upcaster module')
  const list = Array.isArray(module) ? module : (module as Record<string, unknown>)?.upcasters
  if (!Array.isArray(list)) throw new UserError(`${file}: expected a default export that is an array of { type, from, to, up(event) }`)
  return list.map((item, i): Upcaster => {
    const u = item as Partial<Upcaster>
    if (typeof u?.type !== 'string' || !Number.isInteger(u.from) || !Number.isInteger(u.to) || typeof u.up !== 'function') {
      throw new UserError(`${file}: upcaster #${i + 1} needs { type: string, from: integer, to: integer, up: function }`)
    }
    if (u.to! <= u.from!) throw new UserError(`${file}: upcaster #${i + 1} (${u.type}) goes from v${u.from} to v${u.to}; "to" must be greater than "from"`)
    return { type: u.type, from: u.from!, to: u.to!, up: u.up, label: `${displayPath(file)} #${i + 1} (${u.type} v${u.from}->v${u.to})` }
  })
}

/** The chain for a module file; no file, no upcasting. Two upcasters for one type and `from` is an error. */
export async function loadUpcasters(file: string | undefined): Promise<UpcastChain> {
  if (file === undefined) return EMPTY_CHAIN
  return new UpcastChain(await loadUpcasterList(file))
}
