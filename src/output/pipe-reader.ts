import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

/**
 * Tells whether anyone still reads the pipe on our standard output, without writing to it:
 * `rewind tail -f | head -1` must end when head does, even while no event comes to write.
 *
 * The kernel reports a pipe without readers only to a write (EPIPE) or to poll(2), which Node
 * does not offer for a descriptor it only writes. So this looks, on Linux, for the processes that
 * hold the pipe's read end in /proc (as `fuser` does): once none does, the pipe is closed. Where
 * no reader can be seen (another OS, another user's process) it never says closed.
 */
export class PipeReaders {
  private readers: string[]

  private constructor(private readonly pipe: string, readers: string[]) {
    this.readers = readers
  }

  /** A watch on fd 1 when it is a pipe whose reader can be seen; otherwise undefined. */
  static ofStdout(): PipeReaders | undefined {
    let pipe: string
    try {
      pipe = readlinkSync('/proc/self/fd/1')
    } catch {
      return undefined
    }
    if (!/^pipe:\[\d+\]$/.test(pipe)) return undefined
    const { readers, complete } = findReaders(pipe)
    // No reader seen: gone already, or one we may not see (another user's); only the first is sure.
    return readers.length === 0 && !complete ? undefined : new PipeReaders(pipe, readers)
  }

  /** True once no process holds the read end. Cheap while the readers seen last are alive. */
  closed(): boolean {
    if (this.readers.some((link) => linksTo(link, this.pipe))) return false
    // The readers seen are gone: a child may have inherited the read end, so look again.
    this.readers = findReaders(this.pipe).readers
    return this.readers.length === 0
  }
}

function linksTo(link: string, pipe: string): boolean {
  try {
    return readlinkSync(link) === pipe
  } catch {
    return false
  }
}

/**
 * /proc/PID/fd/N of every descriptor open for reading on `pipe` that this user may see, and
 * whether every process could be looked at.
 */
function findReaders(pipe: string): { readers: string[]; complete: boolean } {
  const found: string[] = []
  let complete = true
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return { readers: found, complete: false }
  }
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') complete = false
      continue
    }
    for (const fd of fds) {
      const link = `/proc/${pid}/fd/${fd}`
      if (!linksTo(link, pipe)) continue
      try {
        const flags = /flags:\s*([0-7]+)/.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1]
        // O_ACCMODE: 0 read-only, 1 write-only, 2 read-write.
        if (flags !== undefined && (parseInt(flags, 8) & 3) !== 1) found.push(link)
      } catch {
        // The process ended meanwhile.
      }
    }
  }
  return { readers: found, complete }
}
