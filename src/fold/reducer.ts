import { UserError } from '../errors.js'
import { describeEvent } from '../events/describe-event.js'
import { unqualifiedType, type Event } from '../events/event.js'
import { loadUserModule } from '../modules/load-user-module.js'
import { ExitCalled } from '../modules/user-code.js'

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

/** What apply() throws for a reducer that returned a promise (an async reducer). */
class ReturnedPromise extends Error {}

const isThenable = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'

/** Refuses a promise: folding on with one as the state would give {} or worse, silently. */
const synchronous = (fn: Handler): Handler => (state, event) => {
  const next = fn(state, event)
  if (isThenable(next)) throw new ReturnedPromise()
  return next
}

const initialFrom = (value: unknown, name: string): (() => unknown) => {
  if (typeof value !== 'function') return () => structuredClone(value)
  return () => {
    const state = (value as () => unknown)()
    if (isThenable(state)) throw new UserError(`${name}: init() returned a Promise: the initial state must be a plain value; remove "async" from init`)
    return state
  }
}

/**
 * Accepts what people write: a function (state, event) => state; `{init, on: {Type: fn}}`;
 * `{initialState, evolve}` (Emmett's names); or `{init, apply}`.
 */
export function toReducer(value: unknown, name: string): Reducer {
  if (typeof value === 'function') {
    return { name, init: () => undefined, apply: synchronous(value as Handler), handles: () => undefined }
  }
  if (!isRecord(value)) throw new UserError(`${name}: expected a reducer: a function (state, event) => state or { init, on: { EventType: (state, event) => state } }`)
  const init = initialFrom(value.init ?? value.initialState ?? {}, name)
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
      apply: synchronous((state, event) => {
        const handler = table.get(event.type) ?? handlerByShortName(event.type)
        if (handler !== undefined) return handler(state, event)
        return evolve === undefined ? state : evolve(state, event)
      }),
      handles: (type) => (table.has(type) || handlerByShortName(type) !== undefined ? true : evolve === undefined ? false : undefined),
    }
  }
  if (typeof evolve === 'function') return { name, init, apply: synchronous(evolve), handles: () => undefined }
  throw new UserError(`${name}: the reducer has neither "on" handlers nor an "evolve"/"apply" function`)
}

export async function loadReducer(file: string | undefined): Promise<Reducer> {
  if (file === undefined) return mergeReducer
  const module = await loadUserModule(file, 'reducer')
  const value = isRecord(module) && module.reducer !== undefined ? module.reducer : module
  return toReducer(value, file)
}

/** A reducer's exception (or promise, or process.exit), named by the event it failed on. */
export function reducerFailure(reducer: Reducer, event: Event, error: unknown): UserError {
  const where = describeEvent(event)
  if (error instanceof ReturnedPromise) {
    return new UserError(`${reducer.name} returned a Promise for ${where}: a reducer must return the next state synchronously; remove "async" and "await" from it`)
  }
  if (error instanceof ExitCalled) {
    return new UserError(`${reducer.name} ${error.message} on ${where}: a reducer must return the next state, not end the process; remove the call`)
  }
  if (error instanceof UserError) return error
  return new UserError(`${reducer.name} threw on ${where}: ${(error as Error)?.message ?? String(error)}`, { cause: error })
}
