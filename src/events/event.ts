export interface KafkaCoordinates {
  topic: string
  partition: number
  offset: string
  key?: string
  headers?: Record<string, string>
}

/**
 * The name after the module of a qualified type (`crm:Account.Opened` -> `Account.Opened`, as
 * Python eventsourcing writes its topics), else undefined. Types stay whole, so two modules'
 * `Account.Opened` stay two types; reducers, upcasters and --type also answer to this name.
 */
export function unqualifiedType(type: string): string | undefined {
  const colon = type.lastIndexOf(':')
  return colon === -1 ? undefined : type.slice(colon + 1)
}

/** The one shape every source yields (see DESIGN.md). */
export interface Event {
  position: string | number
  stream: string
  version?: number
  type: string
  schemaVersion: number
  time: string
  data: unknown
  meta: Record<string, unknown>
  kafka?: KafkaCoordinates
}
