import type { DiffEntry } from './compare.js'

/** The checks `upcast check` runs, by the names the output uses. */
export const CHECK_NAMES = ['chain complete', 'purity', 'determinism', 'latest unchanged', 'envelope preserved'] as const
export type CheckName = (typeof CHECK_NAMES)[number]

/** "golden": a case's output against NAME.out.ndjson; "against": an event from --against SOURCE. */
export type FailureKind = 'golden' | CheckName | 'against'

export interface UpcastFailure {
  /** The case name, or what else failed: the upcaster file (chain), "SOURCE TYPE vN" (--against). */
  case: string
  check: FailureKind
  reason: string
  file?: string
  line?: number
  upcaster?: string
  expected?: unknown
  actual?: unknown
  diff?: DiffEntry[]
}

export interface CaseReport {
  name: string
  input: string
  golden: string
  inputEvents: number
  /** Absent when an upcaster failed on one of the inputs. */
  outputEvents?: number
  failures: UpcastFailure[]
}

export interface CheckSummary {
  name: CheckName
  passed: boolean
  failures: number
  /** What was checked, for the passing line: "12 events already at their latest version". */
  detail: string
}

export interface AgainstPair {
  type: string
  schemaVersion: number
  count: number
  failed: number
  /** Some fixture input has this type and version. */
  covered: boolean
  firstFailure?: { position: number | string; stream: string; reason: string; upcaster?: string }
}

export interface AgainstReport {
  source: string
  events: number
  failed: number
  pairs: AgainstPair[]
}

export interface GoldenUpdate {
  file: string
  status: 'created' | 'updated' | 'unchanged'
  /** What changed, one readable line each ("line 2: data.currency: was missing, now "EUR""). */
  changes: string[]
}

export interface UpcastCheckReport {
  dir: string
  upcasters: { file: string; count: number; latest: Record<string, number> }
  cases: CaseReport[]
  /** Problems found in the module itself (duplicates, gaps), not tied to a case. */
  chain: UpcastFailure[]
  checks: CheckSummary[]
  against?: AgainstReport
  updated?: GoldenUpdate[]
  warnings: string[]
  /** Every failure, in report order. */
  failures: UpcastFailure[]
}

/** The `--json` / `--reporter json` document (DESIGN.md: {cases, passed, failed: [{case, reason, expected?, actual?}]}). */
export interface UpcastCheckJson {
  cases: number
  passed: number
  failed: UpcastFailure[]
  checks: Array<{ name: CheckName; passed: boolean; failures: number }>
  upcasters: UpcastCheckReport['upcasters']
  against?: AgainstReport
  updated?: GoldenUpdate[]
  warnings: string[]
}
