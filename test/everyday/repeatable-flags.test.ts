import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers.js'

/** Issue #16 item 4: oclif's default repeatable flag takes every word up to the next flag, the source included. */
const files = readdirSync(join(ROOT, 'commands'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'))

describe('every repeatable flag takes one value each time', () => {
  it.each(files)('%s', async (file) => {
    const command = (await import(join(ROOT, 'commands', file))).default as { flags: Record<string, { multiple?: boolean; multipleNonGreedy?: boolean }> }
    const greedy = Object.entries(command.flags).filter(([, flag]) => flag.multiple === true && flag.multipleNonGreedy !== true).map(([name]) => name)
    expect(greedy).toEqual([])
  })
})
