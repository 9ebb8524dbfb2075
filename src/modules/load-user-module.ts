import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { UserError } from '../errors.js'
import { otherFileKind } from '../files/regular-file.js'

const cache = new Map<string, unknown>()

/**
 * Imports a user's reducer or upcaster module: .js/.mjs natively, .ts/.mts/.cts through jiti
 * (no build step). Returns the default export when there is one.
 */
export async function loadUserModule(file: string, what: string): Promise<unknown> {
  const path = resolve(file)
  if (cache.has(path)) return cache.get(path)
  if (!existsSync(path)) throw new UserError(`${file}: no such ${what} file`)
  // import() of a pipe or a device waits for ever (or reads /dev/zero until memory runs out).
  const kind = otherFileKind(statSync(path))
  if (kind !== undefined) throw new UserError(`${file}: is ${kind}; the ${what} must be a .js, .mjs or .ts file`)
  let module: Record<string, unknown>
  try {
    if (/\.[mc]?ts$/.test(path)) {
      const { createJiti } = await import('jiti')
      const jiti = createJiti(import.meta.url, { moduleCache: false, interopDefault: false })
      module = (await jiti.import(path)) as Record<string, unknown>
    } else {
      module = (await import(pathToFileURL(path).href)) as Record<string, unknown>
    }
  } catch (error) {
    const message = (error as Error).message?.split('\n').find((line) => line.trim() !== '') ?? String(error)
    throw new UserError(`${file}: the ${what} does not load: ${message}`, { cause: error })
  }
  const value = module.default !== undefined ? module.default : module
  cache.set(path, value)
  return value
}
