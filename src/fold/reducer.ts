import { UserError } from '../errors.js'
import { unqualifiedType, type Event } from '../events/event.js'
import { loadUserModule } from '../modules/load-user-module.js'

export type Handler = (state: any, event: Event) => unknown

export interface Reducer {
  /** "default merge" or the file it came from; used in messages. */
  name: string
  init(): unknown
  apply(state: unknown, event: Event): unknown
  /** False when the reducer has no handler for the type; undefined when it cannot tell. */
  handles(type: string): boolean | undefined
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** Without --reducer: each event's data is merged into the state, so any store folds. */
export const mergeReducer: Reducer = {
  name: 'default merge',
  init: () => ({}),
  apply: (state, event) => (isRecord(event.data) ? { ...(state as object), ...event.data } : state),
  handles: () => true,
}

const initialFrom = (value: unknown): (() => unknown) =>
  typeof value === 'function' ? (value as () => unknown) : () => structuredClone(value)

/**
 * Accepts what people write: a function (state, event) => state; `{init, on: {Type: fn}}`;
 * `{initialState, evolve}` (Emmett's names); or `{init, apply}`.
 */
export function toReducer(value: unknown, name: string): Reducer {
  if (typeof value === 'function') {
    const fn = value as Handler
    return { name, init: () => undefined, apply: fn, handles: () => undefined }
  }
  if (!isRecord(value)) throw new UserError(`${name}: expected a reducer: a function (state, event) => state or { init, on: { EventType: (state, event) => state } }`)
  const init = initialFrom(value.init ?? value.initialState ?? {})
  const handlers = (value.on ?? value.handlers) as Record<string, Handler> | undefined
  const evolve = (value.evolve ?? value.apply ?? value.reduce) as Handler | undefined
  if (handlers !== undefined) {
    if (!isRecord(handlers) || Object.values(handlers).some((h) => typeof h !== 'function')) {
      throw new UserError(`${name}: "on" must map event types to functions (state, event) => state`)
    }
    const table = new Map(Object.entries(handlers))
    // A handler named `Account.Opened` folds `crm:Account.Opened` too, unless one names it whole.
    const handlerByShortName = (type: string): Handler | undefined => {
      const short = unqualifiedType(type)
      return short === undefined ? undefined : table.get(short)
    }
    return {
      name,
      init,
      apply: (state, event) => {
        const handler = table.get(event.type) ?? handlerByShortName(event.type)
        if (handler !== undefined) return handler(state, event)
        return evolve === undefined ? state : evolve(state, event)
      },
      handles: (type) => (table.has(type) || handlerByShortName(type) !== undefined ? true : evolve === undefined ? false : undefined),
    }
  }
  if (typeof evolve === 'function') return { name, init, apply: evolve, handles: () => undefined }
  throw new UserError(`${name}: the reducer has neither "on" handlers nor an "evolve"/"apply" function`)
}

export async function loadReducer(file: string | undefined): Promise<Reducer> {
  if (file === undefined) return mergeReducer
  const module = await loadUserModule(file, 'reducer')
  const value = isRecord(module) && module.reducer !== undefined ? module.reducer : module
  return toReducer(value, file)
}

/** A reducer's exception, named by the event it failed on. */
export function reducerFailure(reducer: Reducer, event: Event, error: unknown): UserError {
  const where = `event at position ${event.position} (${event.type}, ${event.stream}${event.version === undefined ? '' : ` v${event.version}`})`
  return new UserError(`${reducer.name} threw on ${where}: ${(error as Error)?.message ?? String(error)}`, { cause: error })
}
