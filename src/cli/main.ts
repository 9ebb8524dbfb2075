import { Config, flush, handle, run, settings } from '@oclif/core'
import { fileURLToPath } from 'node:url'
import { guardStyledText } from '../events/terminal-text.js'
import { printDiagnostic, printJson } from '../output/terminal.js'
import { redactError, redactSecrets } from '../sources/redact-uri.js'
import { unknownCommand } from './unknown-command.js'

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
  await run(argv, binUrl)
    .then(() => flush())
    .catch(async (error) => {
      if (error instanceof Error && /^command \S+ not found\.?$/i.test(error.message) && (await reportUnknownCommand(argv, binUrl))) return
      return handle(redactError(error))
    })
}

/** A typo in the command: the word as typed and the nearest commands, exit 2 (the cost of loading the config again falls on this path only). */
async function reportUnknownCommand(argv: string[], binUrl: string): Promise<boolean> {
  const config = await Config.load(fileURLToPath(binUrl))
  const unknown = unknownCommand(argv, config.commandIDs, config.bin)
  if (unknown === undefined) return false
  // The line as typed may quote a URI with credentials.
  const headline = redactSecrets(unknown.headline)
  const detail = redactSecrets(unknown.detail)
  if (argv.includes('--json')) printJson(`${JSON.stringify({ error: { message: `${headline}\n${detail}`, exitCode: 2 } })}\n`)
  printDiagnostic(`${config.bin}: ${headline}`)
  process.stderr.write(`${guardStyledText(detail)}\n`)
  process.exitCode = 2
  return true
}
