import { existsSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import type { KafkaConfig } from '../../config.js'
import { UserError } from '../../errors.js'
import { parseDuration } from '../../events/time.js'
import { readRegularFile } from '../../files/regular-file.js'
import { redactSecrets, redactUri } from '../redact-uri.js'

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512'
export const SASL_MECHANISMS: SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512']

export interface TlsOptions {
  ca?: string
  cert?: string
  key?: string
  rejectUnauthorized?: boolean
}

/** Everything needed to reach a cluster. `sasl.password` must never reach output or errors. */
export interface KafkaConnection {
  brokers: string[]
  clientId: string
  tls?: TlsOptions
  sasl?: { mechanism: SaslMechanism; username: string; password: string }
  timeoutMs: number
}

export interface KafkaTarget {
  topic: string
  connection: KafkaConnection
  /** The source as shown to users: kafka://BROKERS/TOPIC, never with credentials. */
  display: string
}

export const DEFAULT_TIMEOUT_MS = 10_000
export const KAFKA_URI_FORMS = 'kafka://HOST:PORT[,HOST:PORT]/TOPIC, or kafka:///TOPIC with brokers from --brokers, KAFKA_BROKERS or the config file\'s "kafka.brokers"'

/** `kafka://h1:9092,h2:9092/topic`, `kafka:///topic` or `kafka://topic`. */
export function parseKafkaUri(uri: string, options: { topicOptional?: boolean } = {}): { hosts: string[]; topic: string } {
  const shown = redactUri(uri)
  const rest = uri.replace(/^kafka:\/\//, '')
  const slash = rest.indexOf('/')
  let hostPart = ''
  let topic = rest
  if (slash !== -1) {
    hostPart = rest.slice(0, slash)
    topic = rest.slice(slash + 1)
  } else if (/[:,]/.test(rest)) {
    // `lag kafka://HOST:PORT` looks at every topic of the groups.
    if (options.topicOptional === true) return { hosts: splitBrokers(rest), topic: '' }
    throw new UserError(`${shown}: no topic; expected ${KAFKA_URI_FORMS}`)
  }
  if (options.topicOptional === true && topic.replace(/\/+$/, '') === '') return { hosts: splitBrokers(hostPart), topic: '' }
  if (hostPart.includes('@')) throw new UserError(`${shown}: credentials in the URI are not supported; use --sasl-username and KAFKA_SASL_PASSWORD`)
  topic = decodeURIComponent(topic.replace(/\/+$/, ''))
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw new UserError(`${shown}: "${redactUri(topic)}" is not a Kafka topic name (letters, digits, ".", "_", "-"); expected ${KAFKA_URI_FORMS}`)
  return { hosts: splitBrokers(hostPart), topic }
}

function splitBrokers(value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  const list = Array.isArray(value) ? value : value.split(',')
  return list.map((b) => b.trim()).filter((b) => b !== '')
}

function checkBroker(broker: string, from: string): string {
  const withPort = /:\d+$/.test(broker) ? broker : `${broker}:9092`
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/.test(withPort)) {
    // USER:PASSWORD@HOST in --brokers or KAFKA_BROKERS: no scheme for redactSecrets to see.
    const shown = broker.includes('@') ? `***@${broker.slice(broker.lastIndexOf('@') + 1)}` : broker
    const ipv6 = /^[0-9a-fA-F]*:[0-9a-fA-F:.]*$/.test(broker) ? '; an IPv6 address goes in brackets, as in [::1]:9092' : ''
    throw new UserError(`${from}: "${shown}" is not HOST:PORT${broker.includes('@') ? '; credentials go in --sasl-username and KAFKA_SASL_PASSWORD' : ipv6}`)
  }
  return withPort
}

/** A timeout: "10s", "500ms", or a number of seconds. */
export function parseTimeout(value: string | number, from: string): number {
  if (typeof value === 'number' || /^\d+(\.\d+)?$/.test(value.trim())) {
    const seconds = Number(value)
    if (seconds > 0) return seconds * 1000
  } else {
    const ms = parseDuration(value)
    if (ms !== undefined && ms > 0) return ms
  }
  throw new UserError(`${from} "${value}": expected a duration such as "10s" or "500ms", or a number of seconds`)
}

const truthy = (value: string | undefined) => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim())

/** `env:NAME` in the config file reads a secret from the environment instead of the file. */
function fromEnvReference(value: string | undefined, env: NodeJS.ProcessEnv, where: string): string | undefined {
  if (value === undefined) return undefined
  const match = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(value)
  if (!match) return value
  const resolved = env[match[1]]
  if (resolved === undefined) throw new UserError(`${where} refers to the environment variable ${match[1]}, which is not set`)
  return resolved
}

/** A PEM given as a file path (relative to `dir`) or inline PEM text. */
function readPem(value: string | undefined, what: string, dir: string): string | undefined {
  if (value === undefined || value === '') return undefined
  if (value.includes('-----BEGIN')) return value
  const file = isAbsolute(value) ? value : resolve(dir, value)
  if (!existsSync(file)) throw new UserError(`${what}: no such file ${value}`)
  return readRegularFile(file, { shown: `${what} ${value}`, expected: 'a PEM file', maxBytes: 2 ** 20 })
}

export interface ConnectionInputs {
  flags: Record<string, unknown>
  config?: KafkaConfig
  /** Directory of the config file (relative TLS paths there). */
  configDir?: string
  env?: NodeJS.ProcessEnv
}

/**
 * Brokers, TLS, SASL and timeout from, in order of precedence: flags, the URI (brokers only),
 * KAFKA_* environment variables, and the config file's "kafka" section.
 */
export function resolveKafkaTarget(uri: string, inputs: ConnectionInputs, options: { topicOptional?: boolean } = {}): KafkaTarget {
  const { flags } = inputs
  // An empty variable counts as unset (KAFKA_SASL_PASSWORD= in a shell).
  const env = Object.fromEntries(Object.entries(inputs.env ?? process.env).filter(([, v]) => v !== undefined && v.trim() !== ''))
  const config = inputs.config ?? {}
  const configDir = inputs.configDir ?? process.cwd()
  const flag = (name: string) => (flags[name] === undefined || flags[name] === '' ? undefined : flags[name])
  const { hosts, topic } = parseKafkaUri(uri, options)

  let brokers: string[]
  let from: string
  if (flag('brokers') !== undefined) [brokers, from] = [splitBrokers(flag('brokers') as string), '--brokers']
  else if (hosts.length > 0) [brokers, from] = [hosts, redactUri(uri)]
  else if (env.KAFKA_BROKERS?.trim()) [brokers, from] = [splitBrokers(env.KAFKA_BROKERS), 'KAFKA_BROKERS']
  else [brokers, from] = [splitBrokers(config.brokers), 'config "kafka.brokers"']
  if (brokers.length === 0) throw new UserError(`${redactUri(uri)}: no Kafka brokers given; expected ${KAFKA_URI_FORMS}`)
  brokers = brokers.map((b) => checkBroker(b, from))

  const timeoutSpec = (flag('timeout') as string | undefined) ?? env.KAFKA_TIMEOUT ?? config.timeout
  const timeoutMs = timeoutSpec === undefined ? DEFAULT_TIMEOUT_MS : parseTimeout(timeoutSpec, flag('timeout') !== undefined ? '--timeout' : env.KAFKA_TIMEOUT !== undefined ? 'KAFKA_TIMEOUT' : 'config "kafka.timeout"')

  // TLS: on when asked for anywhere, or when a CA / client certificate is given.
  const configTls = typeof config.ssl === 'object' ? config.ssl : {}
  const ca = readPem(flag('tls-ca') as string | undefined, '--tls-ca', process.cwd()) ?? readPem(env.KAFKA_TLS_CA, 'KAFKA_TLS_CA', process.cwd()) ?? readPem(configTls.ca, 'config "kafka.ssl.ca"', configDir)
  const cert = readPem(flag('tls-cert') as string | undefined, '--tls-cert', process.cwd()) ?? readPem(env.KAFKA_TLS_CERT, 'KAFKA_TLS_CERT', process.cwd()) ?? readPem(configTls.cert, 'config "kafka.ssl.cert"', configDir)
  const key = readPem(flag('tls-key') as string | undefined, '--tls-key', process.cwd()) ?? readPem(env.KAFKA_TLS_KEY, 'KAFKA_TLS_KEY', process.cwd()) ?? readPem(configTls.key, 'config "kafka.ssl.key"', configDir)
  const insecure = flag('tls-insecure') === true || truthy(env.KAFKA_TLS_INSECURE) || configTls.rejectUnauthorized === false
  const tlsOn = flag('tls') === true || truthy(env.KAFKA_TLS) || config.ssl === true || typeof config.ssl === 'object' || ca !== undefined || cert !== undefined || insecure
  if ((cert === undefined) !== (key === undefined)) throw new UserError('mutual TLS needs both a client certificate and its key (--tls-cert and --tls-key)')
  const tls: TlsOptions | undefined = tlsOn ? { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }), ...(insecure && { rejectUnauthorized: false }) } : undefined

  // SASL: mechanism, user and password each from the first place that has it.
  const mechanismText = (flag('sasl-mechanism') as string | undefined) ?? env.KAFKA_SASL_MECHANISM ?? config.sasl?.mechanism
  const username = (flag('sasl-username') as string | undefined) ?? env.KAFKA_SASL_USERNAME ?? config.sasl?.username
  const password = (flag('sasl-password') as string | undefined) ?? env.KAFKA_SASL_PASSWORD ?? fromEnvReference(config.sasl?.password, env, 'config "kafka.sasl.password"')
  let sasl: KafkaConnection['sasl']
  if (mechanismText !== undefined || username !== undefined || password !== undefined) {
    const mechanism = (mechanismText ?? 'plain').toLowerCase() as SaslMechanism
    if (!SASL_MECHANISMS.includes(mechanism)) throw new UserError(`SASL mechanism "${mechanismText}" is not supported; expected one of ${SASL_MECHANISMS.join(', ')}`)
    if (username === undefined || password === undefined) {
      throw new UserError(`SASL ${mechanism} needs a user name and a password (--sasl-username / KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD)`)
    }
    sasl = { mechanism, username, password }
  }

  const clientId = env.KAFKA_CLIENT_ID ?? config.clientId ?? 'rewind'
  return {
    topic,
    connection: { brokers, clientId, tls, sasl, timeoutMs },
    display: `kafka://${brokers.join(',')}/${topic}`,
  }
}

/** Removes secrets from text that may reach a user (error messages from the client). */
export function redact(text: string, connection: KafkaConnection): string {
  const secret = connection.sasl?.password
  const masked = redactSecrets(text)
  if (secret === undefined || secret === '') return masked
  return masked.split(secret).join('***')
}
