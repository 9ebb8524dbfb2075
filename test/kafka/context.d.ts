// Values that test/kafka/global-setup.ts provides to tests (read them with `inject`).
// The import makes this an augmentation of vitest's own module (also for `vitest/node`'s
// TestProject.provide), not a new ambient module.
import 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Kafka bootstrap servers, `host:port[,host:port]`; '' when REWIND_KAFKA_SKIP=1. */
    kafkaBrokers: string
  }
}
