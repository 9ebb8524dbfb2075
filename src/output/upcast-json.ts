import { upcastCheckJson } from '../upcast/check.js'
import type { UpcastCheckReport } from '../upcast/report.js'

/** `--reporter json`: the same document `--json` returns, indented. */
export function renderUpcastJson(report: UpcastCheckReport): string {
  return JSON.stringify(upcastCheckJson(report), null, 2)
}
