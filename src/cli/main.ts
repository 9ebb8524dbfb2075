import { flush, handle, run, settings } from '@oclif/core'
import { redactError } from '../sources/redact-uri.js'

/**
 * What bin/run.js runs (through load-cli.cts): oclif and this, bundled by bundle.ts into
 * dist/bundle/cli-HASH.cjs. oclif then imports the one command a run names from
 * dist/bundle/commands/; `--version` and `--help` read oclif.manifest.json and import none.
 */
// rewind always runs compiled JavaScript. Without this, NODE_ENV=development or test (vitest sets
// it for the processes the tests spawn) makes oclif look for the TypeScript sources on each run:
// it loads the typescript package (~9 MB) to read tsconfig.json and warns when it maps no source.
settings.enableAutoTranspile = false

export async function main(argv: string[], binUrl: string): Promise<void> {
  // Errors no command caught (`rewind kafka://user:pass@host/t`: no such command) quote argv too.
  await run(argv, binUrl).then(() => flush()).catch((error) => handle(redactError(error)))
}
