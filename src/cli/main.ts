import { flush, handle, run, settings } from '@oclif/core'

/**
 * What bin/run.js runs: oclif itself, bundled with esbuild into dist/bundle/cli.js (see bundle.ts).
 * The commands are in a second bundle, dist/bundle/commands.js, which oclif imports only when a
 * command runs (`--version` and `--help` read oclif.manifest.json instead).
 */

// rewind always runs compiled JavaScript. Without this, NODE_ENV=development or test (vitest sets
// it for the processes the tests spawn) makes oclif look for the TypeScript sources on each run:
// it loads the typescript package (~9 MB) to read tsconfig.json and warns when it maps no source.
settings.enableAutoTranspile = false

export async function main(argv: string[], binUrl: string): Promise<void> {
  await run(argv, binUrl).then(() => flush()).catch((error) => handle(error))
}
