import type { ChalkInstance } from 'chalk'
import type { StreamState } from '../fold/replay.js'
import { inlineValue } from './json.js'
import { renderTable } from './table.js'
import { visible } from '../events/terminal-text.js'

const MAX_FIELD_COLUMNS = 6

/** Every stream as a row (in the map's order), with its first top-level fields as columns. */
export function renderReplayTable(states: Map<string, StreamState>, chalk: ChalkInstance): string {
  const fields: string[] = []
  for (const { state } of states.values()) {
    if (state === null || typeof state !== 'object' || Array.isArray(state)) continue
    for (const key of Object.keys(state)) if (!fields.includes(key) && fields.length < MAX_FIELD_COLUMNS) fields.push(key)
    if (fields.length >= MAX_FIELD_COLUMNS) break
  }
  const rows = [...states].map(([stream, entry]) => {
    const state = entry.state as Record<string, unknown> | null
    const cells = fields.map((f) => (state !== null && typeof state === 'object' ? inlineValue(state[f], 30) : ''))
    return [visible(stream), entry.version, ...cells]
  })
  return renderTable([chalk.bold('STREAM'), chalk.bold('VERSION'), ...fields.map((f) => chalk.bold(visible(f).toUpperCase()))], rows)
}
