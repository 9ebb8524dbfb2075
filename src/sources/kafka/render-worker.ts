/** A worker thread of render-pool.ts: renders the units it is sent, one at a time, in order. */
import { workerData } from 'node:worker_threads'
import { UserError } from '../../errors.js'
import { serveRequests } from '../../threads/ordered-pool.js'
import type { RecordUnit } from './kafka-client.js'
import { unitRenderer, type RenderedUnit, type RenderInput } from './render-unit.js'

const input = workerData as RenderInput
const render = unitRenderer(input)

serveRequests<RecordUnit, RenderedUnit>(async (unit) => {
  try {
    const result = await render(unit)
    return { result, transfer: [result.bytes.buffer as ArrayBuffer] }
  } catch (error) {
    throw new UserError(`kafka ${input.decoder.topic}: rendering failed: ${(error as Error)?.message ?? String(error)}`)
  }
})
