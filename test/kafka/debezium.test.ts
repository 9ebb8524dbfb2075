// Debezium and Kafka Connect envelopes (issue #17, section 3), produced with kcat as a connector
// writes them. Shapes as documented for Debezium 2.7: the outbox event router (EventRouter SMT,
// default settings plus `table.fields.additional.placement=type:header:eventType`, a text payload
// column through the JSON converter) and a PostgreSQL connector change event with the JSON
// converter's schemas.enable=true.
import { spawnSync } from 'node:child_process'
import kafkajs from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runCli } from '../helpers.js'
import { createTopics } from './topics.js'

const { Kafka, logLevel } = kafkajs
const brokers = inject('kafkaBrokers')
const run = Date.now().toString(36)
const outbox = `outbox-${run}`
const cdc = `dbserver1.public.accounts-${run}`
const uri = (t: string) => `kafka://${brokers}/${t}`
const hasKcat = spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0

/** kcat -P: one message KEY|VALUE with these headers. */
function kcat(topic: string, key: string, value: string, headers: Record<string, string> = {}): void {
  const args = ['-P', '-b', brokers, '-t', topic, '-K', '\t', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`])]
  const result = spawnSync('kcat', args, { input: `${key}\t${value}\n`, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`kcat: ${result.stderr}`)
}

const keySchema = { type: 'struct', fields: [{ type: 'int32', optional: false, field: 'id' }], optional: false, name: 'dbserver1.public.accounts.Key' }
const source = (ts: number) => ({ version: '2.7.0.Final', connector: 'postgresql', name: 'dbserver1', ts_ms: ts, snapshot: 'false', db: 'bank', schema: 'public', table: 'accounts', txId: 556, lsn: 24023128 })
const change = (op: string, before: unknown, after: unknown, ts: number) => JSON.stringify({
  schema: { type: 'struct', fields: [], optional: false, name: 'dbserver1.public.accounts.Envelope' },
  payload: { before, after, source: source(ts), op, ts_ms: ts },
})

interface Line {
  stream: string
  type: string
  time: string
  data: any
  meta: Record<string, any>
}
const lines = (stdout: string): Line[] => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line)

describe.skipIf(!brokers || !hasKcat)('Debezium and Connect envelopes', () => {
  const kafka = new Kafka({ clientId: 'rewind-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
  const admin = kafka.admin()

  beforeAll(async () => {
    await admin.connect()
    await createTopics(admin, [{ topic: outbox }, { topic: cdc }])
    // Outbox: key = aggregateid, value = the payload column as a JSON string, headers id and eventType.
    kcat(outbox, 'acc-1', JSON.stringify(JSON.stringify({ accountId: 'acc-1', balance: 100 })), { id: '5b3f1c1e-0000-4000-8000-000000000001', eventType: 'Deposited' })
    kcat(outbox, 'acc-1', JSON.stringify(JSON.stringify({ accountId: 'acc-1', balance: 70 })), { id: '5b3f1c1e-0000-4000-8000-000000000002', eventType: 'Withdrawn' })
    // Change events: create, then an update that goes negative.
    const key = JSON.stringify({ schema: keySchema, payload: { id: 1 } })
    kcat(cdc, key, change('c', null, { id: 1, owner: 'ada', balance: 20 }, 1717236000000))
    kcat(cdc, key, change('u', { id: 1, owner: 'ada', balance: 20 }, { id: 1, owner: 'ada', balance: -5 }, 1717236060000))
  })

  afterAll(async () => {
    await admin.deleteTopics({ topics: [outbox, cdc] }).catch(() => {})
    await admin.disconnect()
  })

  it('an outbox topic: the payload parsed, the type and event id from the headers, the aggregate id as stream', async () => {
    const result = await runCli(['tail', uri(outbox), '--format', 'ndjson'])
    expect(result.code).toBe(0)
    expect(lines(result.stdout).map((e) => [e.stream, e.type, e.data.balance, e.meta.eventId])).toEqual([
      ['acc-1', 'Deposited', 100, '5b3f1c1e-0000-4000-8000-000000000001'],
      ['acc-1', 'Withdrawn', 70, '5b3f1c1e-0000-4000-8000-000000000002'],
    ])
    expect(result.stderr).toBe('')
  })

  it('state over an outbox topic folds the payloads', async () => {
    const result = await runCli(['state', uri(outbox), 'acc-1', '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).state).toEqual({ accountId: 'acc-1', balance: 70 })
  })

  it('Debezium change events are TABLE.OPERATION, timed by ts_ms, keyed by the row id; --where reaches data.after', async () => {
    const all = lines((await runCli(['tail', uri(cdc), '--format', 'ndjson'])).stdout)
    expect(all.map((e) => [e.stream, e.type, e.time])).toEqual([['1', 'accounts.create', '2024-06-01T10:00:00.000Z'], ['1', 'accounts.update', '2024-06-01T10:01:00.000Z']])
    const negative = await runCli(['tail', uri(cdc), '--format', 'ndjson', '--where', 'data.after.balance < 0'])
    expect(negative.code).toBe(0)
    expect(lines(negative.stdout).map((e) => [e.type, e.data.before.balance, e.data.after.balance])).toEqual([['accounts.update', 20, -5]])
  })
})
