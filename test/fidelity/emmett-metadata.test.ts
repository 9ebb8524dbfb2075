// Issue #15, item 5: an Emmett event's metadata is what Emmett's own reader returns
// (fixtures/real/emmett/read-metadata.json, written by eventStore.readStream() of
// emmett-sqlite 0.42.4 over emmett.db): the real streamPosition, and globalPosition added.
import { copyFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT, runCli, tempDir } from '../helpers.js'

const FIXTURE = join(ROOT, 'fixtures', 'real', 'emmett')
const library = JSON.parse(readFileSync(join(FIXTURE, 'read-metadata.json'), 'utf8')).streams as Record<string, Array<Record<string, unknown>>>
// rewind also names the message id eventId, as for every store (duplicate-event checks use it).
const asRewindShows = (meta: Record<string, unknown>) => ({ ...meta, eventId: meta.messageId })

let store: string
beforeAll(() => {
  store = join(tempDir('rewind-emmett-meta-'), 'emmett.db')
  copyFileSync(join(FIXTURE, 'emmett.db'), store)
})

const metas = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as { stream: string; meta: Record<string, unknown> })

describe('Emmett metadata as Emmett\'s reader shows it (issue #15, item 5)', () => {
  it('a whole range (the stored-text fast path) gives each event readStream()\'s metadata', async () => {
    const events = metas((await runCli(['tail', store, '--format', 'ndjson'])).stdout)
    for (const [stream, want] of Object.entries(library)) {
      expect(events.filter((e) => e.stream === stream).map((e) => e.meta)).toEqual(want.map(asRewindShows))
    }
  })

  it('a filtered read (decoded rows) gives the same', async () => {
    for (const [stream, want] of Object.entries(library)) {
      const events = metas((await runCli(['tail', store, '--stream', stream, '--format', 'ndjson'])).stdout)
      expect(events.map((e) => e.meta)).toEqual(want.map(asRewindShows))
    }
  })

  it('a stream appended to in several batches shows 1, 2, 3, ... as streamPosition, not the batch\'s stored value', async () => {
    const events = metas((await runCli(['tail', store, '--stream', 'bankAccount-acc-001', '--format', 'ndjson'])).stdout)
    expect(events.map((e) => e.meta.streamPosition)).toEqual(events.map((_, i) => i + 1))
  })
})
