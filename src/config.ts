import { lilconfig } from 'lilconfig'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { UserError } from './errors.js'
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
  /** A schema registry: its URL, or the URL with credentials (password/token may be "env:NAME") and TLS. */
  registry?: string | { url: string; username?: string; password?: string; token?: string; ca?: string; rejectUnauthorized?: boolean }
  /** A directory of schema files (--schemas), relative to the config file. */
  schemas?: string
  /** 4 or 8 (--schema-id-size). */
  schemaIdSize?: number | string
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
    throw new UserError(`${file}: not valid JSON (${(error as Error).message})`)
  }
}

function normalize(raw: unknown, file: string): RewindConfig {
  const dir = dirname(file)
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UserError(`${file}: expected a JSON object`)
  const value = raw as Record<string, unknown>
  const sources: Record<string, SourceConfig> = {}
  const inDir = (path: string) => (isAbsolute(path) ? path : resolve(dir, path))
  for (const [name, entry] of Object.entries((value.sources ?? {}) as Record<string, unknown>)) {
    const source = typeof entry === 'string' ? { uri: entry } : (entry as SourceConfig)
    if (typeof source?.uri !== 'string') throw new UserError(`${file}: sources.${name} needs a "uri" (e.g. "sqlite:bank.db" or "kafka://host:9092/topic")`)
    sources[name] = {
      ...source,
      uri: resolveUriPath(source.uri, dir),
      reducer: source.reducer === undefined ? undefined : inDir(source.reducer),
      upcasters: source.upcasters === undefined ? undefined : inDir(source.upcasters),
    }
  }
  return {
    dir,
    file,
    sources,
    reducer: typeof value.reducer === 'string' ? inDir(value.reducer) : undefined,
    upcasters: typeof value.upcasters === 'string' ? inDir(value.upcasters) : undefined,
    mapping: value.mapping as Partial<ColumnMapping> | undefined,
    kafka: value.kafka as KafkaConfig | undefined,
  }
}

/** Makes a file path inside a source URI absolute, relative to the config file. */
function resolveUriPath(uri: string, dir: string): string {
  if (uri.startsWith('kafka://')) return uri
  const match = /^(sqlite:|file:)?(.*)$/.exec(uri)!
  const [, scheme = '', rest] = match
  const [path, fragment] = rest.split('#')
  const absolute = isAbsolute(path) ? path : resolve(dir, path)
  return `${scheme}${absolute}${fragment === undefined ? '' : `#${fragment}`}`
}

/** Loads --config FILE, or finds the nearest config file from the working directory up. */
export async function loadConfig(explicit?: string, cwd = process.cwd()): Promise<RewindConfig> {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit)
    if (!existsSync(file)) throw new UserError(`${explicit}: no such config file`)
    return normalize(loadJson(file, readFileSync(file, 'utf8')), file)
  }
  const found = await lilconfig('rewind', {
    searchPlaces: CONFIG_FILES,
    loaders: { '.json': loadJson, noExt: loadJson },
    stopDir: resolve('/'),
  }).search(cwd)
  if (found === null || found.isEmpty || found.config === undefined) return { dir: cwd, sources: {} }
  return normalize(found.config, found.filepath)
}
