import { spawnSync } from 'node:child_process'

/**
 * A command a test needs (kcat, java): CI installs them (.ci/run), so a test that needs one fails
 * without it, naming what to install, instead of passing without having run.
 */
export function requireCommand(command: string, versionArgs: string[], install: string): void {
  if (spawnSync(command, versionArgs, { stdio: 'ignore' }).status !== 0) {
    throw new Error(`this test needs ${command}, which is not installed (${install})`)
  }
}

export const requireKcat = () => requireCommand('kcat', ['-V'], 'apt-get install kcat; CI installs it')
export const requireJava = () => requireCommand('java', ['-version'], 'apt-get install default-jre-headless; CI installs it')
