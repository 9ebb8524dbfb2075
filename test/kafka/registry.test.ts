// Kafka payloads framed for a schema registry (issue #17), on the real broker. The messages are
// written by Confluent's own JavaScript serializers (@confluentinc/schemaregistry), not by rewind,
// against a small Confluent-compatible registry served here (tiny-registry.ts).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AvroSerializer, HeaderSchemaIdSerializer, JsonSerializer, ProtobufSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry'
import { create, createFileRegistry, fromBinary } from '@bufbuild/protobuf'
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt'
import avro from 'avsc'
import kafkajs from 'kafkajs'
import protobuf from 'protobufjs'
import descriptorModule from 'protobufjs/ext/descriptor/index.js'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runCli, tempDir } from '../helpers.js'
import { startRegistry, type TinyRegistry } from './tiny-registry.js'
import { createTopics } from './topics.js'

const { Kafka, logLevel } = kafkajs
const descriptor = descriptorModule as unknown as typeof import('protobufjs/ext/descriptor.js')

const brokers = inject('kafkaBrokers')
const run = Date.now().toString(36)
const avroTopic = `reg-avro-${run}`
const protoTopic = `reg-proto-${run}`
const jsonTopic = `reg-json-${run}`
const uri = (t: string) => `kafka://${brokers}/${t}`
const AUTH = { user: 'sr-user', password: 'sr-secret-4711', token: 'sr-token-0042' }

const MONEY = { type: 'record', name: 'Money', namespace: 'com.acme', fields: [{ name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } }, { name: 'currency', type: 'string' }] }
const TRANSACTION = {
  type: 'record',
  name: 'Transaction',
  namespace: 'com.acme',
  fields: [
    { name: 'accountId', type: 'string' },
    { name: 'money', type: 'com.acme.Money' },
    { name: 'sequence', type: 'long' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['DEPOSIT', 'WITHDRAWAL'] } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'channel', type: ['null', { type: 'record', name: 'Atm', fields: [{ name: 'atmId', type: 'string' }] }, { type: 'record', name: 'Branch', fields: [{ name: 'code', type: 'int' }] }], default: null },
    { name: 'raw', type: 'bytes' },
  ],
}

const ORDERS_PROTO = `syntax = "proto3";
package acme.orders;
message Envelope { string id = 1; }
message Order {
  message Line { string sku = 1; int64 qty = 2; }
  message Shipped { string orderId = 1; string carrier = 2; int64 big = 3; bytes blob = 4; Status status = 5; }
  string id = 1;
  repeated Line lines = 2;
}
enum Status { UNKNOWN = 0; SHIPPED = 1; }
`

/** The avsc long a user gives the serializer for longs beyond 2^53 (avsc's documented way). */
const bigLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8)
    buf.writeBigInt64LE(n)
    return buf
  },
  fromJSON: BigInt,
  toJSON: Number,
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
})

/** Unscaled two's-complement bytes of a decimal, as Avro's decimal stores it. */
function decimalBytes(unscaled: bigint): Buffer {
  const bytes = Buffer.alloc(8)
  bytes.writeBigInt64BE(unscaled)
  return bytes
}

/** A protobuf-es registry of a .proto text (protobufjs parses it; its descriptor carries full type names). */
function protoRegistry(text: string) {
  const root = protobuf.parse(text, new protobuf.Root(), { keepCase: true }).root
  root.resolveAll()
  const set = (root as unknown as { toDescriptor(syntax: string): { file: Array<Record<string, any>> } }).toDescriptor('proto3')
  const qualify = (messages: Array<Record<string, any>>, scope: string) => {
    for (const m of messages ?? []) {
      const type = root.lookupType(`${scope}.${m.name}`)
      for (const f of m.field ?? []) if (type.fields[f.name].resolvedType) f.typeName = type.fields[f.name].resolvedType!.fullName
      qualify(m.nestedType, type.fullName.slice(1))
    }
  }
  for (const file of set.file) qualify(file.messageType, file.package)
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptor.FileDescriptorSet.encode(set as never).finish()))
}

interface Line {
  position: string
  stream: string
  type: string
  data: any
  meta: Record<string, any>
  kafka: { key?: string; offset: string; partition: number }
}
const lines = (stdout: string): Line[] => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line)

describe.skipIf(!brokers)('Kafka payloads framed for a schema registry', () => {
  const kafka = new Kafka({ clientId: 'rewind-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  let registry: TinyRegistry
  const cache = tempDir('rewind-registry-cache-')
  const env = () => ({ KAFKA_SCHEMA_REGISTRY_URL: registry.url, KAFKA_SCHEMA_REGISTRY_USER: AUTH.user, KAFKA_SCHEMA_REGISTRY_PASSWORD: AUTH.password, REWIND_CACHE_DIR: cache })

  beforeAll(async () => {
    registry = await startRegistry(AUTH)
    await admin.connect()
    await createTopics(admin, [{ topic: avroTopic }, { topic: protoTopic }, { topic: jsonTopic }])
    await producer.connect()
    const client = new SchemaRegistryClient({ baseURLs: [registry.url], basicAuthCredentials: { credentialsSource: 'USER_INFO', userInfo: `${AUTH.user}:${AUTH.password}` } })

    // Avro: a schema with a reference, registered as users do, then serialized with the latest version.
    await client.register('acme-money', { schemaType: 'AVRO', schema: JSON.stringify(MONEY) })
    await client.register(`${avroTopic}-value`, { schemaType: 'AVRO', schema: JSON.stringify(TRANSACTION), references: [{ name: 'com.acme.Money', subject: 'acme-money', version: 1 }] })
    await client.register(`${avroTopic}-key`, { schemaType: 'AVRO', schema: '"string"' })
    // Every long as BigInt (avsc builds `{"type": "long", "logicalType": ...}` apart from "long").
    const avroConf = () => ({ useLatestVersion: true, typeHook: (schema: any) => (schema === 'long' || schema?.type === 'long' ? bigLong : undefined) })
    const values = new AvroSerializer(client, SerdeType.VALUE, avroConf() as never)
    const inHeaders = new AvroSerializer(client, SerdeType.VALUE, { ...avroConf(), schemaIdSerializer: HeaderSchemaIdSerializer } as never)
    const keys = new AvroSerializer(client, SerdeType.KEY, { useLatestVersion: true })
    const first = {
      accountId: 'acc-1', money: { amount: decimalBytes(123450n), currency: 'EUR' }, sequence: 9007199254740993n, at: 1709287200123456n,
      day: 19783, kind: 'DEPOSIT', note: null, channel: { 'com.acme.Atm': { atmId: 'atm-7' } }, raw: Buffer.from([0, 1, 2, 255]),
    }
    const second = { ...first, money: { amount: decimalBytes(-500n), currency: 'EUR' }, sequence: 42n, kind: 'WITHDRAWAL', note: 'rent', channel: { 'com.acme.Branch': { code: 12 } } }
    const headers: Record<string, Buffer> = {}
    const third = await inHeaders.serialize(avroTopic, { ...first, accountId: 'acc-2', sequence: -9007199254740993n }, headers as never)
    const truncated = (await values.serialize(avroTopic, first)).subarray(0, 12)
    await producer.send({
      topic: avroTopic,
      messages: [
        { key: await keys.serialize(avroTopic, 'acc-1'), value: await values.serialize(avroTopic, first) },
        { key: await keys.serialize(avroTopic, 'acc-1'), value: await values.serialize(avroTopic, second) },
        { key: await keys.serialize(avroTopic, 'acc-2'), value: third, headers },
        { key: await keys.serialize(avroTopic, 'acc-1'), value: truncated },
        { key: await keys.serialize(avroTopic, 'acc-1'), value: Buffer.from([0, 0, 0, 3, 231, 2, 4]) },
      ],
    })

    // Protobuf: Confluent's serializer registers the file and writes each message's index array.
    const protoTypes = protoRegistry(ORDERS_PROTO)
    const proto = new ProtobufSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true, registry: protoTypes as never })
    const msg = (name: string, init: Record<string, unknown>) => create(protoTypes.getMessage(name)!, init as never)
    await producer.send({
      topic: protoTopic,
      messages: [
        { key: 'o-1', value: await proto.serialize(protoTopic, msg('acme.orders.Order', { id: 'o-1', lines: [{ sku: 'tea', qty: 3n }] })) },
        { key: 'o-1', value: await proto.serialize(protoTopic, msg('acme.orders.Order.Shipped', { orderId: 'o-1', carrier: 'dhl', big: 9007199254740993n, blob: new Uint8Array([1, 2]), status: 1 })) },
        { key: 'o-1', value: await proto.serialize(protoTopic, msg('acme.orders.Envelope', { id: 'e-1' })) },
      ],
    })

    // JSON Schema: the serializer checks the payload against the registered schema.
    await client.register(`${jsonTopic}-value`, { schemaType: 'JSON', schema: JSON.stringify({ title: 'OrderPlaced', type: 'object', properties: { orderId: { type: 'string' }, total: { type: 'number' } } }) })
    const json = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true, validate: true })
    await producer.send({ topic: jsonTopic, messages: [{ key: 'o-9', value: await json.serialize(jsonTopic, { orderId: 'o-9', total: 12.5 }) }] })
  })

  afterAll(async () => {
    await producer.disconnect()
    await admin.deleteTopics({ topics: [avroTopic, protoTopic, jsonTopic] }).catch(() => {})
    await admin.disconnect()
    await registry.close().catch(() => {})
  })

  it('tail decodes Avro keys and values (prefix and header framing) with logical types, unions and longs beyond 2^53 exactly', async () => {
    const result = await runCli(['tail', uri(avroTopic), '--format', 'ndjson'], { env: env() })
    expect(result.code).toBe(0)
    const events = lines(result.stdout)
    expect(events.map((e) => [e.stream, e.type])).toEqual([
      ['acc-1', 'com.acme.Transaction'], ['acc-1', 'com.acme.Transaction'], ['acc-2', 'com.acme.Transaction'], ['acc-1', '(binary)'], ['acc-1', '(binary)'],
    ])
    expect(events[0].data).toEqual({
      accountId: 'acc-1', money: { amount: '1234.50', currency: 'EUR' }, sequence: '9007199254740993', at: '2024-03-01T10:00:00.123456Z',
      day: '2024-03-01', kind: 'DEPOSIT', note: null, channel: { 'com.acme.Atm': { atmId: 'atm-7' } }, raw: 'AAEC/w==',
    })
    expect(events[1].data).toMatchObject({ money: { amount: '-5.00' }, sequence: 42, kind: 'WITHDRAWAL', note: 'rent', channel: { 'com.acme.Branch': { code: 12 } } })
    expect(events[0].meta.schema).toMatchObject({ format: 'AVRO', name: 'com.acme.Transaction' })
    expect(events[0].meta.keySchema).toMatchObject({ format: 'AVRO' })
    // The id in the __value_schema_id header (a GUID), not in the value.
    expect(events[2].meta.schema.guid).toMatch(/^[0-9a-f-]{36}$/)
    expect(events[2].data).toMatchObject({ accountId: 'acc-2', sequence: '-9007199254740993' })
    // Bytes that do not match, and an id the registry does not know: base64, and a warning each naming where.
    expect(events[3].meta.encoding).toBe('base64')
    expect(events[4].data).toBe(Buffer.from([0, 0, 0, 3, 231, 2, 4]).toString('base64'))
    expect(result.stderr).toMatch(new RegExp(`${avroTopic} 0:3: the value cannot be decoded \\(the bytes do not match schema id \\d+ \\(prefix\\)`))
    expect(result.stderr).toMatch(new RegExp(`${avroTopic} 0:4: the value cannot be decoded \\(schema id 999: not found in the registry`))
    expect(result.stderr).not.toContain(AUTH.password)
  })

  it('tail --where filters on a decoded field; --skip-invalid leaves out what cannot be decoded', async () => {
    const where = await runCli(['tail', uri(avroTopic), '--format', 'ndjson', '--where', 'data.kind == "WITHDRAWAL"'], { env: env() })
    expect(where.code).toBe(0)
    expect(lines(where.stdout).map((e) => e.data.note)).toEqual(['rent'])
    const skipped = await runCli(['tail', uri(avroTopic), '--format', 'ndjson', '--skip-invalid'], { env: env() })
    expect(skipped.code).toBe(0)
    expect(lines(skipped.stdout).map((e) => e.kafka.offset)).toEqual(['0', '1', '2'])
    expect(skipped.stderr).toMatch(/0:3: the value \(schema id \d+\) is left out \(--skip-invalid\)/)
  })

  it('state folds the decoded values of an Avro key', async () => {
    const result = await runCli(['state', uri(avroTopic), 'acc-1', '--json', '--skip-invalid'], { env: env() })
    expect(result.code).toBe(0)
    const out = JSON.parse(result.stdout)
    expect(out.state).toMatchObject({ accountId: 'acc-1', money: { amount: '-5.00', currency: 'EUR' }, sequence: 42, kind: 'WITHDRAWAL', note: 'rent' })
  })

  it('tail decodes Protobuf messages by their message index (nested ones too)', async () => {
    const result = await runCli(['tail', uri(protoTopic), '--format', 'ndjson'], { env: env() })
    expect(result.code).toBe(0)
    const events = lines(result.stdout)
    expect(events.map((e) => e.type)).toEqual(['acme.orders.Order', 'acme.orders.Order.Shipped', 'acme.orders.Envelope'])
    expect(events[0].data).toEqual({ id: 'o-1', lines: [{ sku: 'tea', qty: 3 }] })
    expect(events[1].data).toEqual({ orderId: 'o-1', carrier: 'dhl', big: '9007199254740993', blob: 'AQI=', status: 'SHIPPED' })
    expect(result.stderr).toBe('')
  })

  it('--schemas DIR decodes without a registry: .proto text by TOPIC-value naming, .avsc by index.json', async () => {
    const dir = tempDir('rewind-schemas-')
    writeFileSync(join(dir, `${protoTopic}-value.proto`), ORDERS_PROTO)
    const proto = await runCli(['tail', uri(protoTopic), '--format', 'ndjson', '--schemas', dir], { env: { REWIND_CACHE_DIR: cache } })
    expect(proto.code).toBe(0)
    expect(lines(proto.stdout).map((e) => [e.type, e.data.carrier ?? e.data.id])).toEqual([['acme.orders.Order', 'o-1'], ['acme.orders.Order.Shipped', 'dhl'], ['acme.orders.Envelope', 'e-1']])

    const ids = lines((await runCli(['tail', uri(avroTopic), '--format', 'ndjson', '--limit', '1'], { env: env() })).stdout)[0]
    writeFileSync(join(dir, 'money.avsc'), JSON.stringify(MONEY))
    writeFileSync(join(dir, 'transaction.avsc'), JSON.stringify(TRANSACTION))
    writeFileSync(join(dir, `${avroTopic}-key.avsc`), '"string"')
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ [ids.meta.schema.id]: { file: 'transaction.avsc', references: ['money.avsc'] } }))
    const avroRun = await runCli(['tail', uri(avroTopic), '--format', 'ndjson', '--schemas', dir, '--where', 'data.kind == "DEPOSIT"'], { env: { REWIND_CACHE_DIR: cache } })
    expect(avroRun.code).toBe(0)
    // The third message names its schema by GUID, which the index does not list: shown as base64.
    expect(lines(avroRun.stdout).map((e) => [e.stream, e.data.money.amount])).toEqual([['acc-1', '1234.50']])
    expect(avroRun.stderr).toMatch(new RegExp(`${avroTopic} 0:2: the value cannot be decoded \\(schema guid [0-9a-f-]+ is neither in .*index.json nor in a file ${avroTopic}-value`))
  })

  it('tail decodes JSON Schema payloads; the type is the schema title', async () => {
    const result = await runCli(['tail', uri(jsonTopic), '--format', 'ndjson'], { env: env() })
    expect(result.code).toBe(0)
    expect(lines(result.stdout).map((e) => [e.type, e.data])).toEqual([['OrderPlaced', { orderId: 'o-9', total: 12.5 }]])
  })

  it('without --registry a framed value says so in its warning', async () => {
    const result = await runCli(['tail', uri(jsonTopic), '--format', 'ndjson'], { env: { REWIND_CACHE_DIR: cache } })
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/looks framed for a schema registry, schema id \d+: give --registry URL or --schemas DIR/)
  })

  it('tail decodes the same in worker threads (REWIND_THREADS=2): same lines, same warnings', async () => {
    const one = await runCli(['tail', uri(avroTopic), '--format', 'ndjson'], { env: { ...env(), REWIND_THREADS: '1' } })
    const two = await runCli(['tail', uri(avroTopic), '--format', 'ndjson'], { env: { ...env(), REWIND_THREADS: '2' } })
    expect(two.code).toBe(0)
    expect(two.stdout).toBe(one.stdout)
    expect(two.stderr).toBe(one.stderr)
    expect(lines(two.stdout)[0].data.sequence).toBe('9007199254740993')
  })

  it('credentials the registry refuses: one warning naming the registry, never the password; values shown as base64', async () => {
    const refused = await runCli(['tail', uri(jsonTopic), '--format', 'ndjson'], { env: { ...env(), KAFKA_SCHEMA_REGISTRY_PASSWORD: 'wrong-secret-0815', REWIND_CACHE_DIR: tempDir('rewind-registry-cache-') } })
    expect(refused.code).toBe(0)
    expect(refused.stderr).toContain(`the registry ${registry.url} refused the credentials (HTTP 401)`)
    expect(refused.stderr).not.toContain('wrong-secret-0815')
    expect(lines(refused.stdout)[0].meta.encoding).toBe('base64')
  })

  it('a bad --registry, --schemas or --schema-id-size is exit 2 with one line', async () => {
    const url = await runCli(['tail', uri(jsonTopic), '--registry', 'ftp://user:pw-9@host/x'])
    expect(url.code).toBe(2)
    expect(url.stderr.trim()).toBe('rewind: --registry ftp://host/x: expected an http:// or https:// URL')
    const dir = await runCli(['tail', uri(jsonTopic), '--schemas', '/nonexistent/schemas'])
    expect(dir.code).toBe(2)
    expect(dir.stderr).toMatch(/--schemas \/nonexistent\/schemas: no such directory/)
    const size = await runCli(['tail', uri(jsonTopic), '--registry', registry.url, '--schema-id-size', '6'])
    expect(size.code).toBe(2)
  })

  it('a bearer token (KAFKA_SCHEMA_REGISTRY_TOKEN) instead of a user and password', async () => {
    const result = await runCli(['tail', uri(jsonTopic), '--format', 'ndjson', '--registry', registry.url], { env: { KAFKA_SCHEMA_REGISTRY_TOKEN: AUTH.token, REWIND_CACHE_DIR: tempDir('rewind-registry-cache-') } })
    expect(result.code).toBe(0)
    expect(lines(result.stdout).map((e) => e.type)).toEqual(['OrderPlaced'])
  })

  it('the config file\'s "kafka.registry" gives the URL and credentials (password from env:NAME)', async () => {
    const dir = tempDir('rewind-registry-config-')
    writeFileSync(join(dir, '.rewindrc.json'), JSON.stringify({ kafka: { registry: { url: registry.url, username: AUTH.user, password: 'env:SR_PASSWORD' } } }))
    const result = await runCli(['tail', uri(jsonTopic), '--format', 'ndjson'], { cwd: dir, env: { SR_PASSWORD: AUTH.password, REWIND_CACHE_DIR: tempDir('rewind-registry-cache-') } })
    expect(result.code).toBe(0)
    expect(lines(result.stdout).map((e) => e.type)).toEqual(['OrderPlaced'])
    const unset = await runCli(['tail', uri(jsonTopic), '--format', 'ndjson'], { cwd: dir })
    expect(unset.code).toBe(2)
    expect(unset.stderr).toMatch(/config "kafka.registry.password" refers to the environment variable SR_PASSWORD, which is not set/)
  })

  it('schemas export writes a --schemas directory that decodes the topic as the registry does', async () => {
    const dir = join(tempDir('rewind-export-'), 'schemas')
    const exported = await runCli(['schemas', 'export', uri(avroTopic), dir, '--json'], { env: env() })
    expect(exported.code).toBe(0)
    const result = JSON.parse(exported.stdout)
    // The key schema, the value schema by id and by GUID (the header form); the reference beside them.
    expect(result.schemas.map((s: { format: string }) => s.format)).toEqual(['AVRO', 'AVRO', 'AVRO'])
    expect(result.schemas.flatMap((s: { references: string[] }) => s.references)).toContain('com.acme.Money.avsc')
    expect(result.missing).toEqual([expect.stringMatching(/schema id 999/)])
    const online = await runCli(['tail', uri(avroTopic), '--format', 'ndjson', '--skip-invalid'], { env: env() })
    const offline = await runCli(['tail', uri(avroTopic), '--format', 'ndjson', '--skip-invalid', '--schemas', dir], { env: { REWIND_CACHE_DIR: cache } })
    expect(offline.code).toBe(0)
    expect(offline.stdout).toBe(online.stdout)

    const protoDir = join(tempDir('rewind-export-'), 'proto')
    expect((await runCli(['schemas', 'export', uri(protoTopic), protoDir], { env: env() })).code).toBe(0)
    const proto = await runCli(['tail', uri(protoTopic), '--format', 'ndjson', '--schemas', protoDir], { env: { REWIND_CACHE_DIR: cache } })
    expect(lines(proto.stdout).map((e) => e.type)).toEqual(['acme.orders.Order', 'acme.orders.Order.Shipped', 'acme.orders.Envelope'])
  })

  it('--reader-schema reads values as the user\'s Avro schema (a field added with a default, fields dropped)', async () => {
    const dir = tempDir('rewind-reader-')
    const reader = {
      type: 'record', name: 'Transaction', namespace: 'com.acme',
      fields: [{ name: 'accountId', type: 'string' }, { name: 'money', type: MONEY }, { name: 'region', type: 'string', default: 'eu' }],
    }
    writeFileSync(join(dir, 'reader.avsc'), JSON.stringify(reader))
    const result = await runCli(['tail', uri(avroTopic), '--format', 'ndjson', '--skip-invalid', '--reader-schema', join(dir, 'reader.avsc')], { env: env() })
    expect(result.code).toBe(0)
    expect(lines(result.stdout).map((e) => e.data)).toEqual([
      { accountId: 'acc-1', money: { amount: '1234.50', currency: 'EUR' }, region: 'eu' },
      { accountId: 'acc-1', money: { amount: '-5.00', currency: 'EUR' }, region: 'eu' },
      { accountId: 'acc-2', money: { amount: '1234.50', currency: 'EUR' }, region: 'eu' },
    ])
    // Keys keep their own schema.
    expect(lines(result.stdout).map((e) => e.stream)).toEqual(['acc-1', 'acc-1', 'acc-2'])
    writeFileSync(join(dir, 'wrong.avsc'), JSON.stringify({ type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] }))
    const wrong = await runCli(['tail', uri(avroTopic), '--format', 'ndjson', '--limit', '1', '--reader-schema', join(dir, 'wrong.avsc')], { env: env() })
    expect(wrong.code).toBe(0)
    expect(wrong.stderr).toMatch(/the reader schema \(--reader-schema\) cannot read it/)
  })

  it('(last: stops the registry) a second run decodes from the on-disk cache when the registry is gone', async () => {
    const before = await runCli(['tail', uri(avroTopic), '--format', 'ndjson', '--skip-invalid'], { env: env() })
    // Another registry is another cache: nothing cached for it, so nothing decodes, and the run still ends well.
    const elsewhere = await runCli(['tail', uri(avroTopic), '--format', 'ndjson'], { env: { ...env(), KAFKA_SCHEMA_REGISTRY_URL: `http://${AUTH.user}:${AUTH.password}@127.0.0.1:1` } })
    expect(elsewhere.code).toBe(0)
    expect(elsewhere.stderr).toMatch(/the registry http:\/\/127\.0\.0\.1:1 cannot be reached \(ECONNREFUSED\)/)
    expect(elsewhere.stderr + elsewhere.stdout).not.toContain(AUTH.password)
    expect(lines(elsewhere.stdout).every((e) => e.meta.encoding === 'base64')).toBe(true)

    await registry.close()
    const again = await runCli(['tail', uri(avroTopic), '--format', 'ndjson', '--skip-invalid'], { env: env() })
    expect(again.code).toBe(0)
    expect(again.stdout).toBe(before.stdout)
    expect(lines(again.stdout)).toHaveLength(3)
  })
})
