import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** One measured figure, printed as a row of the bench table. */
export interface BenchRow {
  measure: string
  value: number
  unit: string
  /** The goal, in words ("≥ 0.8x floor", "< 250 MiB"). */
  goal?: string
  pass?: boolean
}

export interface BenchContext {
  /** The 1,000,000-event, 10,000-stream SQLite store (simple preset). */
  store: string
  /** A reducer module equivalent to the floor's hand-written fold. */
  reducer: string
  /** Scratch directory for a section's files. */
  dir: string
  /** Runs `bin/run.js ARGS` and measures it. stdout is discarded unless `capture`. */
  rewind(args: string[], options?: { capture?: boolean; env?: NodeJS.ProcessEnv }): Promise<CommandRun>
  log(message: string): void
}

export interface CommandRun {
  code: number | null
  seconds: number
  peakRssMiB: number
  stdout: string
  stderr: string
}

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url))

/**
 * Runs a command and measures wall time and peak RSS. Peak RSS is the kernel's high-water mark
 * (VmHWM in /proc/PID/status), polled while the process runs: it only grows, so the last read is
 * within one poll of the true peak.
 */
export function measureCommand(command: string, args: string[], options: { capture?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(command, args, {
      stdio: ['ignore', options.capture ? 'pipe' : 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      cwd: options.cwd ?? ROOT,
    })
    let stdout = ''
    let stderr = ''
    let peakKiB = 0
    const poll = setInterval(() => {
      try {
        const match = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
        if (match) peakKiB = Math.max(peakKiB, Number(match[1]))
      } catch {
        // exited between polls
      }
    }, 10)
    child.stdout?.setEncoding('utf8').on('data', (c) => (stdout += c))
    child.stderr?.setEncoding('utf8').on('data', (c) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(poll)
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      resolve({ code, seconds, peakRssMiB: peakKiB / 1024, stdout, stderr })
    })
  })
}

export function rewindRunner(): BenchContext['rewind'] {
  return (args, options = {}) => measureCommand(process.execPath, [BIN, ...args], options)
}
