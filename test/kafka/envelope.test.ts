// Kafka message -> Event decoding and connection settings (units; no broker needed).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseKafkaUri, redact, resolveKafkaTarget } from '../../src/sources/kafka/connection.js'
import { KafkaDecoder } from '../../src/sources/kafka/envelope.js'
import type { KafkaRecord } from '../../src/sources/kafka/kafka-client.js'

const TS = String(Date.parse('2024-06-01T12:00:00Z'))
const record = (value: string | Buffer | null, extra: Partial<KafkaRecord> = {}): KafkaRecord => ({
  partition: 1, offset: '42', key: Buffer.from('acc-1'), value: typeof value === 'string' ? Buffer.from(value) : value, headers: {}, timestamp: TS, ...extra,
})

describe('KafkaDecoder', () => {
  const decode = (value: string | Buffer | null, extra: Partial<KafkaRecord> = {}, streamPath?: string) => {
    const warnings: string[] = []
    const event = new KafkaDecoder({ topic: 'bank', streamPath, onWarning: (m) => warnings.push(m) }).decode(record(value, extra))
    return { event, warnings }
  }

  it('reads JSON envelopes under their usual names', () => {
    const { event, warnings } = decode(JSON.stringify({ event_type: 'Deposited', payload: { amount: 5 }, id: 'e1', occurredAt: '2024-01-02T03:04:05Z', version: '2', correlationId: 'req-1', metadata: { userId: 'u1' } }))
    expect(event).toEqual({
      position: '1:42', stream: 'acc-1', type: 'Deposited', schemaVersion: 2, time: '2024-01-02T03:04:05.000Z', data: { amount: 5 },
      meta: { userId: 'u1', correlationId: 'req-1', eventId: 'e1' }, kafka: { topic: 'bank', partition: 1, offset: '42', key: 'acc-1' },
    })
    expect(warnings).toEqual([])
  })

  it('a flat envelope keeps the other fields as data; time falls back to the Kafka timestamp', () => {
    const { event } = decode(JSON.stringify({ type: 'Opened', owner: 'Ada', currency: 'EUR' }))
    expect(event).toMatchObject({ type: 'Opened', data: { owner: 'Ada', currency: 'EUR' }, time: '2024-06-01T12:00:00.000Z', schemaVersion: 1 })
  })

  it('reads CloudEvents in structured and binary mode', () => {
    const structured = decode(JSON.stringify({ specversion: '1.0', type: 'com.x.Opened', id: 'c1', source: '/x', subject: 'acc-9', time: '2024-01-01T00:00:00Z', data: { a: 1 }, tenant: 't1' }), { key: null })
    expect(structured.event).toMatchObject({ type: 'com.x.Opened', stream: 'acc-9', data: { a: 1 }, meta: { eventId: 'c1', source: '/x', subject: 'acc-9', tenant: 't1' }, time: '2024-01-01T00:00:00.000Z' })
    const b64 = decode(JSON.stringify({ specversion: '1.0', type: 'T', id: 'c2', source: '/x', data_base64: Buffer.from('{"n":1}').toString('base64') }))
    expect(b64.event.data).toEqual({ n: 1 })
    const binary = decode(JSON.stringify({ amount: 3 }), { headers: { ce_specversion: Buffer.from('1.0'), ce_type: Buffer.from('com.x.Deposited'), ce_id: Buffer.from('c3'), ce_source: Buffer.from('/x'), ce_time: Buffer.from('2024-01-01T00:00:01Z') } })
    expect(binary.event).toMatchObject({ type: 'com.x.Deposited', data: { amount: 3 }, meta: { eventId: 'c3', source: '/x' }, time: '2024-01-01T00:00:01.000Z' })
    expect(binary.event.kafka!.headers).toMatchObject({ ce_type: 'com.x.Deposited' })
    const textCe = decode('plain words', { headers: { ce_type: 'Note', 'content-type': 'text/plain' } })
    expect(textCe.event).toMatchObject({ type: 'Note', data: 'plain words' })
    expect(textCe.warnings).toEqual([])
  })

  it('shows values that are not JSON as text or base64 with a warning, and never throws', () => {
    const text = decode('hello there')
    expect(text.event).toMatchObject({ type: '(text)', data: 'hello there', meta: { encoding: 'text' } })
    expect(text.warnings).toEqual(['bank 1:42: the value is not JSON; shown as text'])
    const bytes = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00])
    const binary = decode(bytes)
    expect(binary.event).toMatchObject({ type: '(binary)', data: bytes.toString('base64'), meta: { encoding: 'base64' } })
    const broken = decode('{"type": "A", ')
    expect(broken.event).toMatchObject({ type: '(text)', data: '{"type": "A", ' })
    const tombstone = decode(null)
    expect(tombstone.event).toMatchObject({ type: '(tombstone)', data: null, stream: 'acc-1' })
    const untyped = decode('[1,2]', { headers: { eventType: Buffer.from('Listed') } })
    expect(untyped.event).toMatchObject({ type: 'Listed', data: [1, 2] })
    const empty = decode('')
    expect(empty.event).toMatchObject({ type: '(text)', data: '', meta: { encoding: 'text' } })
    expect(empty.warnings).toEqual(['bank 1:42: the value is not JSON; shown as text'])
  })

  it('warns about the first few raw values only', () => {
    const warnings: string[] = []
    const decoder = new KafkaDecoder({ topic: 'bank', onWarning: (m) => warnings.push(m) })
    for (let i = 0; i < 20; i++) decoder.decode(record(`line ${i}`, { offset: String(i) }))
    expect(warnings).toHaveLength(6)
    expect(warnings[5]).toBe('further messages that are not JSON are shown without a warning')
  })

  it('--stream-path takes the stream from the event; the key otherwise', () => {
    const value = JSON.stringify({ type: 'Moved', data: { accountId: 'acc-77' } })
    expect(decode(value, {}, 'data.accountId').event.stream).toBe('acc-77')
    expect(decode(JSON.stringify({ type: 'Moved', data: {} }), {}, 'data.accountId').event.stream).toBe('acc-1')
    expect(decode(JSON.stringify({ type: 'Moved', streamId: 's-3', data: {} }), { key: null }).event.stream).toBe('s-3')
    expect(() => new KafkaDecoder({ topic: 't', streamPath: 'accountId' })).toThrow(/--stream-path "accountId": expected a path such as data.accountId/)
  })
})

describe('Kafka connection settings', () => {
  const env = {}
  it('parses kafka:// URIs', () => {
    expect(parseKafkaUri('kafka://a:9092,b:9093/orders')).toEqual({ hosts: ['a:9092', 'b:9093'], topic: 'orders' })
    expect(parseKafkaUri('kafka:///orders')).toEqual({ hosts: [], topic: 'orders' })
    expect(parseKafkaUri('kafka://orders')).toEqual({ hosts: [], topic: 'orders' })
    expect(() => parseKafkaUri('kafka://a:9092')).toThrow(/no topic; expected kafka:\/\/HOST:PORT/)
    expect(() => parseKafkaUri('kafka://a:9092/bad topic')).toThrow(/is not a Kafka topic name/)
    expect(() => parseKafkaUri('kafka://u:secret@a:9092/t')).toThrow(/credentials in the URI are not supported/)
    try {
      parseKafkaUri('kafka://u:secret@a:9092/t')
    } catch (error) {
      expect((error as Error).message).not.toContain('secret')
    }
  })

  it('brokers come from --brokers, then the URI, then KAFKA_BROKERS, then the config file', () => {
    const config = { brokers: ['cfg:1'] }
    expect(resolveKafkaTarget('kafka://uri:2/t', { flags: { brokers: 'flag:3' }, config, env: { KAFKA_BROKERS: 'env:4' } }).connection.brokers).toEqual(['flag:3'])
    expect(resolveKafkaTarget('kafka://uri:2/t', { flags: {}, config, env: { KAFKA_BROKERS: 'env:4' } }).connection.brokers).toEqual(['uri:2'])
    expect(resolveKafkaTarget('kafka:///t', { flags: {}, config, env: { KAFKA_BROKERS: 'env:4,env:5' } }).connection.brokers).toEqual(['env:4', 'env:5'])
    expect(resolveKafkaTarget('kafka:///t', { flags: {}, config, env }).connection.brokers).toEqual(['cfg:1'])
    expect(resolveKafkaTarget('kafka:///t', { flags: {}, config: { brokers: 'plainhost' }, env }).connection.brokers).toEqual(['plainhost:9092'])
    expect(() => resolveKafkaTarget('kafka:///t', { flags: {}, env })).toThrow(/no Kafka brokers given/)
  })

  it('SASL and TLS from flags, env and config; env:NAME keeps the password out of the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rewind-kafka-'))
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n')
    const target = resolveKafkaTarget('kafka://h:9093/t', {
      flags: {},
      config: { sasl: { mechanism: 'SCRAM-SHA-512', username: 'svc', password: 'env:BANK_KAFKA_PW' }, ssl: { ca: 'ca.pem' }, timeout: '3s' },
      configDir: dir,
      env: { BANK_KAFKA_PW: 'pw-from-env' },
    })
    expect(target.connection.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 'pw-from-env' })
    expect(target.connection.tls?.ca).toContain('BEGIN CERTIFICATE')
    expect(target.connection.timeoutMs).toBe(3000)
    expect(target.display).toBe('kafka://h:9093/t')
    expect(redact(`oops pw-from-env oops`, target.connection)).toBe('oops *** oops')

    const fromEnv = resolveKafkaTarget('kafka://h:1/t', { flags: { 'sasl-username': 'me' }, env: { KAFKA_SASL_PASSWORD: 'p', KAFKA_TLS: '1', KAFKA_TIMEOUT: '500ms' } })
    expect(fromEnv.connection).toMatchObject({ sasl: { mechanism: 'plain', username: 'me', password: 'p' }, tls: {}, timeoutMs: 500 })
    expect(() => resolveKafkaTarget('kafka://h:1/t', { flags: { 'sasl-username': 'me' }, env })).toThrow(/needs a user name and a password/)
    expect(() => resolveKafkaTarget('kafka://h:1/t', { flags: { 'sasl-mechanism': 'gssapi', 'sasl-username': 'a', 'sasl-password': 'b' }, env })).toThrow(/"gssapi" is not supported/)
    expect(() => resolveKafkaTarget('kafka://h:1/t', { flags: { 'tls-ca': '/nope/ca.pem' }, env })).toThrow(/--tls-ca: no such file \/nope\/ca.pem/)
    expect(() => resolveKafkaTarget('kafka://h:1/t', { flags: { timeout: 'soon' }, env })).toThrow(/--timeout "soon": expected a duration/)
    expect(() => resolveKafkaTarget('kafka://h:1/t', { flags: {}, config: { sasl: { mechanism: 'plain', username: 'a', password: 'env:MISSING_PW' } }, env })).toThrow(/MISSING_PW, which is not set/)
  })
})
