export interface KafkaCoordinates {
  topic: string
  partition: number
  offset: string
  key?: string
  headers?: Record<string, string>
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
