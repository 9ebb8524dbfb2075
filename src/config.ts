import { existsSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { UserError } from './errors.js'
import { readRegularFile } from './files/regular-file.js'
import { displayPath } from './output/display-path.js'
import type { ColumnMapping } from './sources/sqlite/layout.js'

export interface SourceConfig {
  uri: string
  mapping?: Partial<ColumnMapping>
  reducer?: string
  upcasters?: string
}

export interface KafkaConfig {
  brokers?: string[] | string
  clientId?: string
  ssl?: boolean | { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean }
  sasl?: { mechanism: string; username: string; password: string }
  timeout?: string | number
}

/** The config file (.rewindrc.json, rewind.config.json, or "rewind" in package.json). */
export interface RewindConfig {
  /** Directory of the config file: relative paths in it resolve from here. */
  dir: string
  file?: string
  sources: Record<string, SourceConfig>
  reducer?: string
  upcasters?: string
  mapping?: Partial<ColumnMapping>
  kafka?: KafkaConfig
}

export const CONFIG_FILES = ['.rewindrc', '.rewindrc.json', 'rewind.config.json', 'package.json']

const loadJson = (file: string, content: string): unknown => {
  try {
    return JSON.parse(content)
  } catch (error) {
    throw new UserError(`${displayPath(file)}: not valid JSON (${(error as Error).message})`)
  }
}

function normalize(raw: unknown, file: string): RewindConfig {
  const dir = dirname(file)
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UserError(`${displayPath(file)}: expected a JSON object`)
  const value = raw as Record<string, unknown>
  const sources: Record<string, SourceConfig> = {}
  // As given when absolute; else from the config's directory, shown from the working directory.
  const inDir = (path: string) => (isAbsolute(path) ? path : displayPath(resolve(dir, path)))
  for (const [name, entry] of Object.entries((value.sources ?? {}) as Record<string, unknown>)) {
    const source = typeof entry === 'string' ? { uri: entry } : (entry as SourceConfig)
    if (typeof source?.uri !== 'string') throw new UserError(`${displayPath(file)}: sources.${name} needs a "uri" (e.g. "sqlite:bank.db" or "kafka://host:9092/topic")`)
    sources[name] = {
      ...source,
      uri: resolveUriPath(source.uri, dir),
      reducer: source.reducer === undefined ? undefined : inDir(source.reducer),
      upcasters: source.upcasters === undefined ? undefined : inDir(source.upcasters),
    }
  }
  return {
    dir,
    file: displayPath(file),
    sources,
    reducer: typeof value.reducer === 'string' ? inDir(value.reducer) : undefined,
    upcasters: typeof value.upcasters === 'string' ? inDir(value.upcasters) : undefined,
    mapping: value.mapping as Partial<ColumnMapping> | undefined,
    kafka: value.kafka as KafkaConfig | undefined,
  }
}

/** A file path inside a source URI, relative to the config file, as seen from the working directory. */
function resolveUriPath(uri: string, dir: string): string {
  // kafka://, and URIs of kinds rewind does not read (postgres://): not paths, and kept whole.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !/^(sqlite|file):/.test(uri)) return uri
  const match = /^(sqlite:|file:)?(.*)$/.exec(uri)!
  const [, scheme = '', rest] = match
  const [path, fragment] = rest.split('#')
  const located = isAbsolute(path) ? path : displayPath(resolve(dir, path))
  return `${scheme}${located}${fragment === undefined ? '' : `#${fragment}`}`
}

const MAX_CONFIG_BYTES = 16 * 2 ** 20

function readConfigFile(file: string, shown = displayPath(file)): unknown {
  const text = readRegularFile(file, { shown, expected: 'a JSON config file', maxBytes: MAX_CONFIG_BYTES })
  return text.trim() === '' ? undefined : loadJson(file, text)
}

/**
 * The nearest config file from `cwd` up: the first of CONFIG_FILES in a directory (package.json
 * only with a "rewind" key). An empty file counts as found, with no settings.
 */
function findConfig(cwd: string): { file: string; config: unknown } | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILES) {
      const file = join(dir, name)
      if (!existsSync(file)) continue
      const config = readConfigFile(file)
      if (name !== 'package.json') return { file, config }
      const section = (config as Record<string, unknown> | undefined)?.rewind
      if (section !== undefined && section !== null) return { file, config: section }
    }
    if (dirname(dir) === dir) return undefined
  }
}

/** Loads --config FILE, or finds the nearest config file from the working directory up. */
export async function loadConfig(explicit?: string, cwd = process.cwd()): Promise<RewindConfig> {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit)
    // As with ssh -F and git: /dev/null is no config at all (and skips the search).
    if (file === '/dev/null') return { dir: cwd, sources: {} }
    if (!existsSync(file)) throw new UserError(`${explicit}: no such config file`)
    const config = readConfigFile(file, explicit)
    if (config === undefined) throw new UserError(`${explicit}: the config file is empty; expected a JSON object`)
    return normalize(config, file)
  }
  const found = findConfig(cwd)
  if (found === undefined || found.config === undefined) return { dir: cwd, sources: {} }
  return normalize(found.config, found.file)
}
