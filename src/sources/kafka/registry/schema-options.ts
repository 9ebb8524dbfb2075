/**
 * --registry, --schemas and --schema-id-size, from (in order) flags, KAFKA_SCHEMA_REGISTRY_*
 * variables and the config file's "kafka.registry" / "kafka.schemas" / "kafka.schemaIdSize".
 * Registry credentials: the URL's user info, KAFKA_SCHEMA_REGISTRY_USER/_PASSWORD, or
 * KAFKA_SCHEMA_REGISTRY_TOKEN (bearer); never shown (registryDisplay drops them).
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import type { KafkaConfig } from '../../../config.js'
import { UserError } from '../../../errors.js'
import { fromEnvReference } from '../connection.js'
import type { SchemaOptions } from './chain.js'
import { registryDisplay, type RegistryOptions } from './registry-client.js'

type RegistryConfig = Exclude<KafkaConfig['registry'], string | undefined>

export interface SchemaInputs {
  flags: Record<string, unknown>
  config?: KafkaConfig
  configDir?: string
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
}

function checkUrl(url: string, from: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UserError(`${from} "${registryDisplay(url)}": not a URL; expected http(s)://HOST:PORT[/PATH]`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UserError(`${from} ${registryDisplay(url)}: expected an http:// or https:// URL`)
  return url
}

/** Undefined when no schema source is given anywhere: the topic is decoded as before. */
export function resolveSchemaOptions(inputs: SchemaInputs): SchemaOptions | undefined {
  const env = Object.fromEntries(Object.entries(inputs.env ?? process.env).filter(([, v]) => v !== undefined && v.trim() !== '')) as Record<string, string>
  const flag = (name: string) => (inputs.flags[name] === undefined || inputs.flags[name] === '' ? undefined : String(inputs.flags[name]))
  const configDir = inputs.configDir ?? process.cwd()
  const fromConfig = inputs.config
  const configRegistry: RegistryConfig | undefined = typeof fromConfig?.registry === 'string' ? { url: fromConfig.registry } : fromConfig?.registry

  let registry: RegistryOptions | undefined
  const url = flag('registry') ?? env.KAFKA_SCHEMA_REGISTRY_URL ?? configRegistry?.url
  if (url !== undefined) {
    const from = flag('registry') !== undefined ? '--registry' : env.KAFKA_SCHEMA_REGISTRY_URL !== undefined ? 'KAFKA_SCHEMA_REGISTRY_URL' : 'config "kafka.registry"'
    registry = { url: checkUrl(url, from), timeoutMs: inputs.timeoutMs }
    const username = env.KAFKA_SCHEMA_REGISTRY_USER ?? configRegistry?.username
    const password = env.KAFKA_SCHEMA_REGISTRY_PASSWORD ?? fromEnvReference(configRegistry?.password, env, 'config "kafka.registry.password"')
    const token = env.KAFKA_SCHEMA_REGISTRY_TOKEN ?? fromEnvReference(configRegistry?.token, env, 'config "kafka.registry.token"')
    if (username !== undefined) registry.username = username
    if (password !== undefined) registry.password = password
    if (token !== undefined) registry.token = token
    const ca = env.KAFKA_SCHEMA_REGISTRY_CA ?? configRegistry?.ca
    if (ca !== undefined) {
      if (ca.includes('-----BEGIN')) registry.ca = ca
      else {
        const file = isAbsolute(ca) ? ca : resolve(env.KAFKA_SCHEMA_REGISTRY_CA !== undefined ? process.cwd() : configDir, ca)
        if (!existsSync(file)) throw new UserError(`registry CA: no such file ${ca}`)
        registry.ca = readFileSync(file, 'utf8')
      }
    }
    if (configRegistry?.rejectUnauthorized === false || /^(1|true|yes|on)$/i.test(env.KAFKA_SCHEMA_REGISTRY_INSECURE ?? '')) registry.insecure = true
  }

  let schemasDir = flag('schemas')
  if (schemasDir === undefined && fromConfig?.schemas !== undefined) schemasDir = resolve(configDir, fromConfig.schemas)
  if (schemasDir !== undefined && (!existsSync(schemasDir) || !statSync(schemasDir).isDirectory())) {
    throw new UserError(`--schemas ${schemasDir}: no such directory; expected a directory of .avsc, .proto and JSON Schema files`)
  }

  const sizeText = flag('schema-id-size') ?? (fromConfig?.schemaIdSize === undefined ? undefined : String(fromConfig.schemaIdSize))
  if (sizeText !== undefined && sizeText !== '4' && sizeText !== '8') throw new UserError(`--schema-id-size ${sizeText}: expected 4 (Confluent, Apicurio 3.x) or 8 (Apicurio 2.x global ids)`)
  let readerSchema: string | undefined
  const readerFile = flag('reader-schema')
  if (readerFile !== undefined) {
    try {
      readerSchema = readFileSync(readerFile, 'utf8')
      JSON.parse(readerSchema)
    } catch (error) {
      throw new UserError(`--reader-schema ${readerFile}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not an Avro schema in JSON (${(error as Error).message})`}`)
    }
    if (registry === undefined && schemasDir === undefined) throw new UserError('--reader-schema resolves the schemas values were written with: give --registry URL or --schemas DIR too')
  }
  if (registry === undefined && schemasDir === undefined) return undefined
  return { ...(registry && { registry }), ...(schemasDir !== undefined && { schemasDir }), idSize: sizeText === '8' ? 8 : 4, ...(readerSchema !== undefined && { readerSchema }) }
}
