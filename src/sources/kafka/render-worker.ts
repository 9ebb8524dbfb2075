/** A worker thread of render-pool.ts: renders the units it is sent, one at a time, in order. */
import { parentPort, workerData } from 'node:worker_threads'
import type { RenderRequest, RenderResult } from './render-pool.js'
import { unitRenderer, type RenderInput } from './render-unit.js'

const render = unitRenderer(workerData as RenderInput)

let queue = Promise.resolve()
parentPort!.on('message', ({ seq, unit }: RenderRequest) => {
  queue = queue.then(async () => {
    let result: RenderResult
    try {
      result = { seq, ...(await render(unit)) }
    } catch (error) {
      result = { seq, error: (error as Error).message ?? String(error) }
    }
    parentPort!.postMessage(result, 'bytes' in result ? [result.bytes.buffer as ArrayBuffer] : [])
  })
})
