/**
 * Loads dist/bundle/cli-HASH.cjs (oclif and main(), see bundle.ts) with a V8 code cache beside it.
 * Compiling oclif's ~700 KB of JavaScript costs ~35 ms of every run; Node 20 caches compiled code
 * only through vm.Script's cachedData. bin/run.js and the commands bundle both require this file,
 * so they share one oclif.
 *
 * The cache is written when this run found none, or V8 rejected it (another Node version, other
 * V8 flags): at exit, so that it holds the functions the run compiled, and only where we may write.
 * V8 checks a cache against the source's length only, so the file name carries a hash of the
 * content: a cache is never used for code other than its own.
 */
import { accessSync, constants, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { Script } from 'node:vm'

/** Replaced by bundle.ts with the file name of this build's cli bundle. */
declare const REWIND_CLI_FILE: string

const file = join(__dirname, REWIND_CLI_FILE)
const cacheFile = `${file}.cache`

function readCache(): Buffer | undefined {
  try {
    return readFileSync(cacheFile)
  } catch {
    return undefined
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK)
    return true
  } catch {
    return false
  }
}

function load(): unknown {
  const cachedData = readCache()
  // Code compiled from a cache loses its dynamic-import callback (nodejs/node#35375 and others), so
  // bundle.ts turns the bundle's import() calls into __rewindImport(), this file's own import().
  const source = `(function (exports, require, module, __filename, __dirname, __rewindImport) {${readFileSync(file, 'utf8')}\n})`
  const script = new Script(source, { filename: file, cachedData })
  const loaded = { exports: {} }
  const importModule = (specifier: string) => import(specifier)
  script.runInThisContext()(loaded.exports, createRequire(file), loaded, file, __dirname, importModule)
  if ((cachedData === undefined || script.cachedDataRejected) && writable(__dirname)) {
    process.once('exit', () => {
      try {
        const temporary = `${cacheFile}.${process.pid}`
        writeFileSync(temporary, script.createCachedData())
        renameSync(temporary, cacheFile)
      } catch {
        // A cache is an optimisation: never fail a command over it.
      }
    })
  }
  return loaded.exports
}

module.exports = load()
