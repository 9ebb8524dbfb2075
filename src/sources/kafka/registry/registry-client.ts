/**
 * Schemas from a Confluent-compatible registry (Confluent's API; Apicurio's ccompat API):
 * `GET /schemas/ids/{id}` or `/schemas/guids/{guid}`, then each reference as
 * `GET /subjects/{subject}/versions/{version}`. A schema an id names never changes, so each one is
 * kept on disk per registry once resolved, and a later run needs no registry for it.
 * Credentials go in request headers only; the registry is shown without them.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { refText, type Part, type SchemaRef } from './framing.js'
import { refKey, schemaTypeOf, type NamedSchema, type ResolvedSchema, type SchemaProvider } from './schema.js'

/** Plain data (it crosses to worker threads). */
export interface RegistryOptions {
  url: string
  username?: string
  password?: string
  token?: string
  ca?: string
  insecure?: boolean
  /** Directory of the on-disk schema cache (default: $XDG_CACHE_HOME or ~/.cache, then rewind/registry). */
  cacheDir?: string
  timeoutMs?: number
}

/** The URL as it may be shown: no user info, no query (a token may hide there). */
export function registryDisplay(url: string): string {
  try {
    const parsed = new URL(url)
    parsed.username = ''
    parsed.password = ''
    parsed.search = ''
    return parsed.toString().replace(/\/$/, '')
  } catch {
    return '(registry URL that does not parse)'
  }
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REWIND_CACHE_DIR) return join(env.REWIND_CACHE_DIR, 'registry')
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rewind', 'registry')
}

interface RegistryAnswer {
  schema?: unknown
  schemaType?: unknown
  references?: Array<{ name?: unknown; subject?: unknown; version?: unknown }>
}

class HttpFailure extends Error {
  constructor(message: string, readonly unreachable: boolean) {
    super(message)
  }
}

export class RegistryClient implements SchemaProvider {
  readonly display: string
  private readonly base: URL
  private readonly cacheDir: string
  private readonly known = new Map<string, ResolvedSchema | { missing: string }>()
  /** Set once the registry cannot be reached: no more tries this run. */
  private unreachable?: string

  constructor(private readonly options: RegistryOptions, private readonly onWarning: (message: string) => void = () => {}) {
    this.base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`)
    this.display = registryDisplay(options.url)
    const key = createHash('sha256').update(this.display).digest('hex').slice(0, 16)
    this.cacheDir = join(options.cacheDir ?? defaultCacheDir(), key)
  }

  lookup(ref: SchemaRef): ResolvedSchema | { missing: string } {
    return this.known.get(refKey(ref)) ?? { missing: `${refText(ref)} was not looked up` }
  }

  async load(wanted: Array<{ ref: SchemaRef; topic: string; part: Part }>): Promise<void> {
    for (const { ref } of wanted) {
      const key = refKey(ref)
      if (this.known.has(key)) continue
      this.known.set(key, await this.resolve(ref))
    }
  }

  private cacheFile(ref: SchemaRef): string {
    return join(this.cacheDir, `${refKey(ref)}.json`)
  }

  private async resolve(ref: SchemaRef): Promise<ResolvedSchema | { missing: string }> {
    try {
      const cached = JSON.parse(readFileSync(this.cacheFile(ref), 'utf8')) as ResolvedSchema
      return { ...cached, origin: `${cached.origin} (cached)` }
    } catch {
      // not cached (or unreadable): ask the registry
    }
    if (this.unreachable !== undefined) return { missing: `${refText(ref)} is not cached and ${this.unreachable}` }
    try {
      const path = ref.kind === 'id' ? `schemas/ids/${ref.id}` : `schemas/guids/${encodeURIComponent(ref.guid)}`
      const answer = await this.get(path)
      const schemaType = schemaTypeOf(answer.schemaType)
      if (typeof answer.schema !== 'string' || schemaType === undefined) return { missing: `the registry ${this.display} answered ${refText(ref)} with no schema it can use` }
      const references: NamedSchema[] = []
      await this.addReferences(answer.references, references, new Set())
      const resolved: ResolvedSchema = { schemaType, schema: answer.schema, references, origin: `registry ${this.display}` }
      this.store(ref, resolved)
      return resolved
    } catch (error) {
      if (error instanceof HttpFailure && error.unreachable) {
        this.unreachable = error.message.startsWith('the registry') ? error.message : `the registry ${this.display} cannot be reached (${error.message})`
        this.onWarning(`${this.unreachable}; only schemas cached before are used`)
        return { missing: `${refText(ref)} is not cached and ${this.unreachable}` }
      }
      return { missing: `${refText(ref)}: ${(error as Error).message}` }
    }
  }

  /** Each reference and its own references, dependencies first, each once. */
  private async addReferences(refs: RegistryAnswer['references'], into: NamedSchema[], seen: Set<string>): Promise<void> {
    for (const reference of refs ?? []) {
      const { name, subject, version } = reference
      if (typeof name !== 'string' || typeof subject !== 'string') continue
      const key = `${subject}@${String(version)}`
      if (seen.has(key)) continue
      seen.add(key)
      const answer = await this.get(`subjects/${encodeURIComponent(subject)}/versions/${encodeURIComponent(String(version ?? 'latest'))}`)
      await this.addReferences(answer.references, into, seen)
      const schemaType = schemaTypeOf(answer.schemaType)
      if (typeof answer.schema === 'string' && schemaType !== undefined) into.push({ name, schemaType, schema: answer.schema })
    }
  }

  private store(ref: SchemaRef, resolved: ResolvedSchema): void {
    try {
      mkdirSync(this.cacheDir, { recursive: true })
      const file = this.cacheFile(ref)
      const temporary = `${file}.${process.pid}.tmp`
      writeFileSync(temporary, JSON.stringify(resolved))
      renameSync(temporary, file)
    } catch (error) {
      this.onWarning(`cannot cache ${refText(ref)} in ${this.cacheDir}: ${(error as Error).message}`)
    }
  }

  private get(path: string): Promise<RegistryAnswer> {
    const url = new URL(path, this.base)
    const { username, password, token } = this.options
    const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json, application/json' }
    const user = username ?? (this.base.username === '' ? undefined : decodeURIComponent(this.base.username))
    const secret = password ?? (this.base.password === '' ? undefined : decodeURIComponent(this.base.password))
    if (token !== undefined) headers.authorization = `Bearer ${token}`
    else if (user !== undefined) headers.authorization = `Basic ${Buffer.from(`${user}:${secret ?? ''}`).toString('base64')}`
    url.username = ''
    url.password = ''
    const shown = `${this.display}/${path}`
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise((resolve, reject) => {
      const req = send(url, { headers, timeout: this.options.timeoutMs ?? 10_000, ca: this.options.ca, rejectUnauthorized: this.options.insecure !== true }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', (error) => reject(new HttpFailure(error.message, true)))
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8')
          const status = res.statusCode ?? 0
          if (status === 401 || status === 403) return reject(new HttpFailure(`the registry ${this.display} refused the credentials (HTTP ${status})`, true))
          if (status === 404) return reject(new HttpFailure(`not found in the registry ${this.display} (GET ${shown}: HTTP 404)`, false))
          if (status < 200 || status >= 300) return reject(new HttpFailure(`GET ${shown}: HTTP ${status}`, status >= 500))
          try {
            resolve(JSON.parse(body) as RegistryAnswer)
          } catch {
            reject(new HttpFailure(`GET ${shown}: the answer is not JSON`, false))
          }
        })
      })
      req.on('timeout', () => req.destroy(new Error(`no answer within ${(this.options.timeoutMs ?? 10_000) / 1000}s`)))
      req.on('error', (error: NodeJS.ErrnoException) => reject(new HttpFailure(error.code ?? error.message, true)))
      req.end()
    })
  }
}
