import { existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { UserError } from '../errors.js'
import { otherFileKind } from '../files/regular-file.js'
import { ExitCalled, runUserCode } from './user-code.js'

const cache = new Map<string, unknown>()

/** Node < 20.19 cannot require() an ES module; with top-level await, no Node can. Those are imported. */
const NEEDS_IMPORT = new Set(['ERR_REQUIRE_ESM', 'ERR_REQUIRE_ASYNC_MODULE'])

/**
 * Imports a user's reducer or upcaster module: .js/.mjs/.cjs natively, .ts/.mts/.cts through jiti
 * (no build step). Returns the default export when there is one.
 *
 * It is loaded synchronously (require() of ES modules, jiti's synchronous loader) so that a top
 * level that never ends runs inside runUserCode, where Ctrl-C stops it; a module with top-level
 * await is imported instead.
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
    const typescript = /\.[mc]?ts$/.test(path)
    const jiti = typescript ? (await import('jiti')).createJiti(import.meta.url, { moduleCache: false, interopDefault: false }) : undefined
    const doing = () => `${file} was still running its top-level code (loading the ${what})`
    try {
      module = runUserCode(() => (jiti === undefined ? createRequire(import.meta.url)(path) : jiti(path)) as Record<string, unknown>, doing)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException)?.code
      const topLevelAwait = typescript && /top-level await|await is only valid|\bawait\b.*(async|module)/i.test((error as Error)?.message ?? '')
      if (!(code !== undefined && NEEDS_IMPORT.has(code)) && !topLevelAwait) throw error
      module = (await (jiti === undefined ? import(pathToFileURL(path).href) : jiti.import(path))) as Record<string, unknown>
    }
  } catch (error) {
    if (error instanceof UserError) throw error
    if (error instanceof ExitCalled) throw new UserError(`${file}: the ${what} ${error.message} while it loaded: a module must not end the process; remove the call`)
    const message = (error as Error).message?.split('\n').find((line) => line.trim() !== '') ?? String(error)
    throw new UserError(`${file}: the ${what} does not load: ${message}`, { cause: error })
  }
  const value = module.default !== undefined ? module.default : module
  cache.set(path, value)
  return value
}
