// vitest globalSetup: the end-to-end tests run bin/run.js, which runs the bundle in dist/bundle/.
// Rebundle it when dist/ changed since, so that `npx tsc -p tsconfig.json` before the tests is
// enough, as it was before there was a bundle (src/cli/bundle.ts; about a second).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const BUNDLE = fileURLToPath(new URL('../dist/src/cli/bundle.js', import.meta.url))

export default function setup(): void {
  if (existsSync(BUNDLE)) execFileSync(process.execPath, [BUNDLE, '--if-stale'], { stdio: 'inherit' })
}
