import { spawn } from 'node:child_process'
import { guardStyledText } from '../events/terminal-text.js'
import { OutputWriter } from './writer.js'

/**
 * Long human-readable output through a pager, as git does: only when stdout is a terminal, with
 * REWIND_PAGER, else PAGER, else `less`; an empty value or `cat` turns it off, as does
 * --no-pager. LESS defaults to FRX (quit when it fits, keep colours, leave the screen as it is).
 */
export function pagerCommand(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const command = (env.REWIND_PAGER ?? env.PAGER ?? 'less').trim()
  return command === '' || command === 'cat' ? undefined : command
}

/** Whether `text` goes through the pager: a terminal, a pager, and more lines than the screen has. */
export function wantsPager(text: string, options: { enabled: boolean; stream?: NodeJS.WriteStream; env?: NodeJS.ProcessEnv }): string | undefined {
  const stream = options.stream ?? process.stdout
  if (!options.enabled || stream.isTTY !== true) return undefined
  const command = pagerCommand(options.env)
  if (command === undefined) return undefined
  let lines = 0
  for (let i = text.indexOf('\n'); i !== -1 && lines < 10_000; i = text.indexOf('\n', i + 1)) lines++
  return lines >= (stream.rows || 24) ? command : undefined
}

/** Prints human-readable `text` on stdout, paged when `wantsPager` says so. */
export async function printPaged(text: string, options: { enabled: boolean }): Promise<void> {
  const command = wantsPager(text, options)
  if (command === undefined || !(await runPager(command, guardStyledText(text)))) {
    const out = new OutputWriter('text')
    await out.write(text)
    await out.flush()
  }
}

/** false when the pager could not start (the shell found no such command): the caller prints instead. */
function runPager(command: string, text: string): Promise<boolean> {
  // The pager owns the terminal now: Ctrl-C is for it (less stops a search), not for us.
  const interrupts = process.listeners('SIGINT')
  process.removeAllListeners('SIGINT')
  const ignore = () => undefined
  process.on('SIGINT', ignore)
  return new Promise<boolean>((resolve) => {
    const child = spawn('sh', ['-c', command], {
      stdio: ['pipe', 'inherit', 'inherit'],
      env: { ...process.env, LESS: process.env.LESS ?? 'FRX', LV: process.env.LV ?? '-c' },
    })
    let finished = false
    const finish = (started: boolean) => {
      if (finished) return
      finished = true
      process.removeListener('SIGINT', ignore)
      for (const listener of interrupts) process.on('SIGINT', listener as NodeJS.SignalsListener)
      resolve(started)
    }
    // The user may quit the pager before reading everything: that is not an error.
    child.stdin.on('error', () => undefined)
    child.on('error', () => finish(false))
    child.on('close', (code) => finish(code !== 127))
    child.stdin.end(text)
  })
}
