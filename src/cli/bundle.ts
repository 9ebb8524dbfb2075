import { build, type BuildOptions, type Plugin } from 'esbuild'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NARROW_CHARACTERS } from '../ui/narrow-characters.js'

/**
 * Bundles the compiled CLI (dist/) with esbuild into dist/bundle/, run after tsc by `npm run build`.
 * Starting node on ~300 small files (oclif and its dependencies, our own modules) cost more than
 * the command itself; a few bundled files load in a fraction of that.
 *
 * - cli-HASH.cjs: oclif and main() (src/cli/main.ts), CommonJS so that load-cli.cjs can run it
 *   with a V8 code cache (cli-HASH.cjs.cache, written by the first run); enough for --version and --help.
 * - load-cli.cjs: what bin/run.js requires (src/cli/load-cli.cts).
 * - commands/: one ES module per command, where package.json's "oclif" finds them (through
 *   oclif.manifest.json), so a run loads only its own command; their `@oclif/core` is the cli
 *   bundle's, through load-cli.cjs.
 * - workers/: thread entry points that must start fast (see timeline-thread.ts); folding-thread.js
 *   starts one of them from bin/run.js.
 * - chunks/: what commands share, and each `await import()` target (Kafka, the ink views, ...),
 *   so that what a command loads lazily stays lazy.
 * kafkajs, jiti and better-sqlite3 (native) stay in node_modules, loaded when needed. ink and React
 * are bundled into chunks of their own, loaded by the TTY views only: from node_modules, ink alone
 * opened ~500 files (es-toolkit) and took 0.5-0.7 s before `state -i` could draw.
 *
 * `node dist/src/cli/bundle.js --if-stale` rebundles only when dist/ changed since the last bundle
 * (the test setup runs it, so a plain `tsc` before the tests is enough).
 */
const root = fileURLToPath(new URL('../../../', import.meta.url))
const dist = join(root, 'dist')
const outdir = join(dist, 'bundle')
const commandsDir = join(dist, 'commands')
/** Written last. */
const stamp = join(outdir, 'meta.json')

const EXTERNAL = [
  'better-sqlite3', // native addon
  'kafkajs', // large; loaded only for kafka:// sources (and deep-required by kafka-client.ts)
  'react-devtools-core', // ink's DEV=true debugging only (not a dependency)
  'ink-testing-library', // tests only
  'jiti', // only for reducers and upcasters written in TypeScript
  're2js', // only for matches() in expressions (src/events/linear-regex.ts)
  'typescript', 'ts-node', 'tsx', // oclif's optional TypeScript support, turned off in main.ts
]

// absWorkingDir: the paths in esbuild's comments, and so the cli bundle's hash, do not depend on where it runs.
const COMMON: BuildOptions = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', legalComments: 'none', logLevel: 'warning', write: false }

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? walk(path) : [path]
  })
}

/** One entry per command file (oclif skips files named _*): `commands/upcast/check` for upcast:check. */
function commandEntries(): Record<string, string> {
  const files = walk(commandsDir).filter((file) => file.endsWith('.js') && !/(^|[\\/])_[^\\/]*$/.test(file))
  return Object.fromEntries(files.map((file) => [join('commands', relative(commandsDir, file)).replace(/\.js$/, '').split(sep).join('/'), file]))
}

function isStale(): boolean {
  if (!existsSync(stamp)) return true
  const built = statSync(stamp).mtimeMs
  const inputs = [join(root, 'package.json'), ...walk(join(dist, 'src')), ...walk(commandsDir)].filter((f) => /\.(c?js|json)$/.test(f))
  return inputs.some((file) => statSync(file).mtimeMs > built)
}

/** A module whose source is the given text, resolved from dist/. */
function virtual(name: string, contents: string): Plugin {
  return {
    name,
    setup(builder) {
      builder.onResolve({ filter: new RegExp(`^${name}$`) }, () => ({ path: name, namespace: 'rewind' }))
      builder.onLoad({ filter: new RegExp(`^${name}$`), namespace: 'rewind' }, () => ({ contents, resolveDir: dist, loader: 'js' }))
    },
  }
}

/**
 * ink measures every line of every text with string-width on each frame, and a line with one
 * character beyond ASCII (an ellipsis, a border) goes through Intl.Segmenter and emoji regexes:
 * ~0.1 ms a line here, about a third of a key's frame in `state -i`. So ink's string-width is
 * given a cache (most lines are the same from frame to frame; cleared at 4,096 lines), and lines
 * of printable ASCII and characters string-width itself counts as one column on their own (the
 * ellipsis, the row marker, box lines) are counted by length: the same results, ~50x faster.
 * The same goes for the copy cli-truncate (ink's text truncation) has of its own.
 */
const MEASURED_BY = /[\\/]node_modules[\\/](ink|cli-truncate)[\\/]/

const cachedStringWidth: Plugin = {
  name: 'cached-string-width',
  setup(builder) {
    builder.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real' || !MEASURED_BY.test(args.importer)) return undefined
      const real = await builder.resolve('string-width', { importer: args.importer, resolveDir: args.resolveDir, kind: args.kind, pluginData: 'real' })
      if (real.errors.length > 0) return { errors: real.errors }
      return { path: real.path, namespace: 'cached-string-width' }
    })
    builder.onLoad({ filter: /.*/, namespace: 'cached-string-width' }, (args) => ({
      contents: [
        `import stringWidth from ${JSON.stringify(args.path)}`,
        "import stripAnsi from 'strip-ansi'",
        'const cache = new Map()',
        // Each one column wide (narrow-characters.ts); any other character takes string-width's path.
        `const NARROW = new Set(${JSON.stringify(NARROW_CHARACTERS)})`,
        'function narrowWidth(text) {',
        "  const plain = text.includes('\\u001B') || text.includes('\\u009B') ? stripAnsi(text) : text",
        '  for (let i = 0; i < plain.length; i++) {',
        '    const c = plain.charCodeAt(i)',
        '    if ((c < 0x20 || c > 0x7e) && !NARROW.has(plain[i])) return undefined',
        '  }',
        '  return plain.length',
        '}',
        'export default function cachedStringWidth(text, options) {',
        "  if (options !== undefined || typeof text !== 'string') return stringWidth(text, options)",
        '  let width = cache.get(text)',
        '  if (width === undefined) {',
        '    if (cache.size >= 4096) cache.clear()',
        '    width = narrowWidth(text) ?? stringWidth(text)',
        '    cache.set(text, width)',
        '  }',
        '  return width',
        '}',
      ].join('\n'),
      resolveDir: dirname(args.path),
      loader: 'js',
    }))
  },
}

/**
 * yoga-layout (ink's layout engine) loads its WebAssembly from a data: URL with fetch() when
 * there is one, which in Node loads undici first: ~25 ms of every ink view's start. The same
 * module decodes the base64 itself when there is no fetch; it is made to, always.
 */
const YOGA_WITHOUT_FETCH = { from: 'function ya(){return w||"function"!=typeof fetch?', to: 'function ya(){return true?' }
const yogaWithoutFetch: Plugin = {
  name: 'yoga-without-fetch',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8')
      if (!text.includes(YOGA_WITHOUT_FETCH.from)) throw new Error(`${args.path}: no ${YOGA_WITHOUT_FETCH.from}; has yoga-layout changed? Update src/cli/bundle.ts.`)
      return { contents: text.replace(YOGA_WITHOUT_FETCH.from, YOGA_WITHOUT_FETCH.to), loader: 'js' }
    })
  },
}

/**
 * React's packages choose their production or development build by NODE_ENV when loaded; the
 * views always load the production one (state-app.ts sets NODE_ENV for them). Chosen here at
 * build time, the development builds (~750 KB, react-reconciler's alone 700 KB) leave the bundle,
 * and every view's start stops compiling them.
 */
const REACT_ENTRY = /[\\/]node_modules[\\/](react|react-reconciler|scheduler)[\\/][\w-]+\.js$/
const PRODUCTION_TEST = "process.env.NODE_ENV === 'production'"
const reactProductionOnly: Plugin = {
  name: 'react-production-only',
  setup(builder) {
    builder.onLoad({ filter: REACT_ENTRY }, (args) => {
      const text = readFileSync(args.path, 'utf8')
      if (!text.includes(PRODUCTION_TEST)) return undefined
      return { contents: text.replaceAll(PRODUCTION_TEST, 'true'), loader: 'js' }
    })
  },
}

/**
 * ink's Output (the grid each frame is drawn into) is replaced by src/ui/terminal-output.ts, the
 * same frames faster, built on the packages ink's own uses (resolved from ink's directory).
 */
const fasterInkOutput: Plugin = {
  name: 'faster-ink-output',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/output\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]ink[\\/]build[\\/]renderer\.js$/.test(args.importer)) return undefined
      return { path: join(args.resolveDir, 'output.js'), namespace: 'faster-ink-output' }
    })
    builder.onLoad({ filter: /.*/, namespace: 'faster-ink-output' }, (args) => ({
      contents: [
        "import stringWidth from 'string-width'",
        "import sliceAnsi from 'slice-ansi'",
        "import { tokenize, styledCharsFromTokens, reduceAnsiCodesIncremental, diffAnsiCodes, ansiCodesToString } from '@alcalzone/ansi-tokenize'",
        `import { terminalOutput } from ${JSON.stringify(join(dist, 'src', 'ui', 'terminal-output.js'))}`,
        'export default terminalOutput({ stringWidth, sliceAnsi, tokenize, styledCharsFromTokens, reduceAnsiCodesIncremental, diffAnsiCodes, ansiCodesToString })',
      ].join('\n'),
      resolveDir: dirname(args.path),
      loader: 'js',
    }))
  },
}

/** The package root's URL, as an expression in any file of the bundle (which esbuild may put in commands/ or chunks/). */
const ROOT_URL = "import.meta.url.slice(0, import.meta.url.lastIndexOf('/dist/bundle/') + 1)"

/**
 * Bundled code keeps the meaning of `import.meta.url`: the URL of the module's own compiled file
 * in dist/, so that `new URL('../../../fixtures/demo/', import.meta.url)` and the replay worker's
 * URL resolve as they do unbundled.
 */
const keepImportMetaUrl: Plugin = {
  name: 'keep-import-meta-url',
  setup(builder) {
    builder.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(dist + sep) || args.path.startsWith(outdir + sep)) return undefined
      const text = readFileSync(args.path, 'utf8')
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' }
      const fromRoot = relative(root, args.path).split(sep).join('/')
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromRoot)}, ${ROOT_URL}).href`), loader: 'js' }
    })
  },
}

/**
 * Changes to oclif's code in the cli bundle. Each must match: if an oclif upgrade changes the code,
 * the build fails here instead of quietly losing the change (or loading commands wrongly).
 */
const OCLIF_PATCHES: Array<{ why: string; from: RegExp; to: string }> = [
  {
    why: 'The cli bundle runs from a code cache, where import() has no loader: load-cli.cjs passes its own as __rewindImport.',
    from: /(?<![\w$.'"`])import\(/g,
    to: '__rewindImport(',
  },
  {
    why: "Sorting the commands with localeCompare sets up ICU's collator, ~10 ms of every run; command ids are ASCII.",
    from: /\.sort\(\(a, b\) => a\.id\.localeCompare\(b\.id\)\)/g,
    to: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))',
  },
]

function patchOclif(text: string): string {
  return OCLIF_PATCHES.reduce((patched, { why, from, to }) => {
    if (patched.search(from) === -1) throw new Error(`cli bundle: no match for ${from} (${why}); has @oclif/core changed? Update src/cli/bundle.ts.`)
    return patched.replace(from, to)
  }, text)
}

/**
 * Writes the files in the order given, each by rename, so that a CLI started meanwhile sees a whole
 * bundle: what is imported before what imports it. Then removes what this bundle does not use (old
 * chunks, old cli bundles and their caches); `keep` is what it uses without writing.
 */
function writeOutputs(files: Array<{ path: string; contents: Uint8Array }>, keep: string[]): void {
  for (const file of files) {
    if (!file.path.startsWith(outdir + sep)) throw new Error(`bundle output outside ${outdir}: ${file.path}`)
    mkdirSync(dirname(file.path), { recursive: true })
    const temporary = `${file.path}.${process.pid}.tmp`
    writeFileSync(temporary, file.contents)
    renameSync(temporary, file.path)
  }
  const kept = new Set([...files.map((f) => f.path), ...keep])
  // A .tmp file may be another bundling's, about to be renamed (the CLI and the tests may both bundle).
  for (const file of walk(outdir)) if (!kept.has(file) && !file.endsWith('.tmp')) rmSync(file, { force: true })
  for (const dir of [join(outdir, 'commands'), join(outdir, 'chunks')]) removeEmptyDirectories(dir)
}

function removeEmptyDirectories(dir: string): void {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeEmptyDirectories(join(dir, entry.name))
  if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true })
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0)

const started = Date.now()
const oclifExports = Object.keys(createRequire(import.meta.url)('@oclif/core') as object)
const commands = commandEntries()

const cli = await build({
  ...COMMON,
  entryPoints: ['rewind-cli'],
  plugins: [virtual('rewind-cli', "export * from '@oclif/core'\nexport { main } from './src/cli/main.js'\n")],
  format: 'cjs',
  outfile: join(outdir, 'cli.cjs'),
  external: EXTERNAL,
})
const cliText = patchOclif(cli.outputFiles![0].text)
const cliFile = `cli-${createHash('sha256').update(cliText).digest('hex').slice(0, 12)}.cjs`
const loader = await build({
  ...COMMON,
  entryPoints: [join(dist, 'src', 'cli', 'load-cli.cjs')],
  define: { REWIND_CLI_FILE: JSON.stringify(cliFile) },
  format: 'cjs',
  outfile: join(outdir, 'load-cli.cjs'),
})
// Threads that must start fast (state -i reads while the view loads) load from one file too;
// bin/run.js starts state -i's before oclif loads, with folding-thread.js.
const workers = { 'workers/timeline-worker': join(dist, 'src', 'ui', 'timeline-worker.js'), 'folding-thread': join(dist, 'src', 'ui', 'folding-thread.js') }
const esm = await build({
  ...COMMON,
  entryPoints: { ...commands, ...workers },
  plugins: [
    // One oclif for bin/run.js and the commands: the one load-cli.cjs loaded.
    virtual('@oclif/core', [
      "import { createRequire } from 'node:module'",
      "import { fileURLToPath } from 'node:url'",
      `const oclif = createRequire(import.meta.url)(fileURLToPath(new URL('dist/bundle/load-cli.cjs', ${ROOT_URL})))`,
      `export const { ${oclifExports.join(', ')} } = oclif`,
    ].join('\n')),
    keepImportMetaUrl,
    cachedStringWidth,
    yogaWithoutFetch,
    fasterInkOutput,
    reactProductionOnly,
  ],
  format: 'esm',
  splitting: true,
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  external: EXTERNAL,
  // Bundled CommonJS dependencies (junit-report-builder, ...) require() node built-ins: give them a require.
  banner: { js: "import { createRequire as __rewindCreateRequire } from 'node:module'; const require = __rewindCreateRequire(import.meta.url);" },
  metafile: true,
})

const isChunk = (file: { path: string }) => file.path.startsWith(join(outdir, 'chunks') + sep)
const outputs = [
  ...esm.outputFiles!.filter(isChunk),
  { path: join(outdir, cliFile), contents: Buffer.from(cliText) },
  ...loader.outputFiles!,
  ...esm.outputFiles!.filter((file) => !isChunk(file)),
  // What went where and why, for https://esbuild.github.io/analyze/
  { path: stamp, contents: Buffer.from(JSON.stringify(esm.metafile)) },
]
writeOutputs(outputs, [join(outdir, `${cliFile}.cache`)])
const bytes = outputs.reduce((sum, f) => sum + f.contents.length, 0)
process.stderr.write(`bundled ${Object.keys(commands).length} commands into ${relative(root, outdir)} (${outputs.length} files, ${(bytes / 1024).toFixed(0)} KiB, ${Date.now() - started} ms)\n`)
