import { build, type BuildOptions, type Plugin } from 'esbuild'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Bundles the compiled CLI (dist/) with esbuild into dist/bundle/, run after tsc by `npm run build`.
 * Starting node on ~300 small files (oclif and its dependencies, our own modules) cost more than
 * the command itself; a few bundled files load in a fraction of that.
 *
 * - cli-HASH.cjs: oclif and main() (src/cli/main.ts), CommonJS so that load-cli.cjs can run it
 *   with a V8 code cache (cli-HASH.cjs.cache, written by the first run); enough for --version and --help.
 * - load-cli.cjs: what bin/run.js requires (src/cli/load-cli.cts).
 * - commands.js: every command, for oclif's "explicit" command discovery (package.json "oclif");
 *   its `@oclif/core` is the cli bundle's, through load-cli.cjs.
 * - chunk-*.js: what commands share, and each `await import()` target (Kafka, the ink views, ...),
 *   so that what a command loads lazily stays lazy.
 * kafkajs, ink, react, jiti and better-sqlite3 (native) stay in node_modules, loaded when needed.
 *
 * `node dist/src/cli/bundle.js --if-stale` rebundles only when dist/ changed since the last bundle
 * (the test setup runs it, so a plain `tsc` before the tests is enough).
 */
const root = fileURLToPath(new URL('../../../', import.meta.url))
const dist = join(root, 'dist')
const outdir = join(dist, 'bundle')
const commandsDir = join(dist, 'commands')
const stamp = join(outdir, 'commands.js')

const EXTERNAL = [
  'better-sqlite3', // native addon
  'kafkajs', // large; loaded only for kafka:// sources (and deep-required by kafka-client.ts)
  'ink', 'react', 'react/*', 'ink-testing-library', // the TTY views only
  'jiti', // only for reducers and upcasters written in TypeScript
  'typescript', 'ts-node', 'tsx', // oclif's optional TypeScript support, turned off in main.ts
]

const COMMON: BuildOptions = { bundle: true, platform: 'node', target: 'node20', legalComments: 'none', logLevel: 'warning', write: false }

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? walk(path) : [path]
  })
}

/** Command files the way oclif's default pattern finds them: `upcast/check.js` is `upcast:check`. */
function commandFiles(): Array<{ id: string; file: string }> {
  return walk(commandsDir)
    .filter((file) => file.endsWith('.js') && !/(^|[\\/])_[^\\/]*$/.test(file) && !/\.(test|spec|helpers)\.js$/.test(file))
    .map((file) => {
      const parts = relative(commandsDir, file).replace(/\.js$/, '').split(sep)
      if (parts.at(-1) === 'index') parts.pop()
      return { id: parts.join(':'), file }
    })
    .sort((a, b) => (a.id < b.id ? -1 : 1))
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
 * Bundled code keeps the meaning of `import.meta.url`: the URL of the module's own compiled file
 * in dist/, so that `new URL('../../../fixtures/demo/', import.meta.url)` and the replay worker's
 * URL resolve as they do unbundled. Every output is directly in dist/bundle, so the path from
 * there is known before esbuild decides which chunk a module lands in.
 */
const keepImportMetaUrl: Plugin = {
  name: 'keep-import-meta-url',
  setup(builder) {
    builder.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(dist + sep) || args.path.startsWith(outdir + sep)) return undefined
      const text = readFileSync(args.path, 'utf8')
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' }
      const fromBundle = relative(outdir, args.path).split(sep).join('/')
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`), loader: 'js' }
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
 * Writes shared chunks first and the entries last, each by rename: a CLI started meanwhile sees a
 * whole bundle. Then removes what this bundle does not use: old chunks, old cli bundles and caches.
 */
function writeOutputs(files: Array<{ path: string; contents: Uint8Array }>, entries: string[], keep: string[]): void {
  mkdirSync(outdir, { recursive: true })
  const isEntry = (file: { path: string }) => entries.includes(file.path)
  for (const file of [...files.filter((f) => !isEntry(f)), ...files.filter(isEntry)]) {
    if (dirname(file.path) !== outdir) throw new Error(`bundle output outside ${outdir}: ${file.path}`)
    const temporary = `${file.path}.${process.pid}.tmp`
    writeFileSync(temporary, file.contents)
    renameSync(temporary, file.path)
  }
  const kept = new Set([...files.map((f) => f.path), ...keep])
  for (const name of readdirSync(outdir)) if (!kept.has(join(outdir, name))) rmSync(join(outdir, name), { force: true })
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0)

const started = Date.now()
const oclifExports = Object.keys(createRequire(import.meta.url)('@oclif/core') as object)
const commands = commandFiles()

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
const esm = await build({
  ...COMMON,
  entryPoints: { commands: 'rewind-commands' },
  plugins: [
    virtual('rewind-commands', [
      ...commands.map(({ file }, i) => `import C${i} from ${JSON.stringify(`./${relative(dist, file).split(sep).join('/')}`)}`),
      `export const COMMANDS = { ${commands.map(({ id }, i) => `${JSON.stringify(id)}: C${i}`).join(', ')} }`,
    ].join('\n')),
    // One oclif for bin/run.js and the commands: the one load-cli.cjs loaded.
    virtual('@oclif/core', [
      "import { createRequire } from 'node:module'",
      "const oclif = createRequire(import.meta.url)('./load-cli.cjs')",
      `export const { ${oclifExports.join(', ')} } = oclif`,
    ].join('\n')),
    keepImportMetaUrl,
  ],
  format: 'esm',
  splitting: true,
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  external: EXTERNAL,
  // Bundled CommonJS dependencies (cli-table3, lilconfig, ...) require() node built-ins: give them a require.
  banner: { js: "import { createRequire as __rewindCreateRequire } from 'node:module'; const require = __rewindCreateRequire(import.meta.url);" },
  metafile: true,
})

const outputs = [
  { path: join(outdir, cliFile), contents: Buffer.from(cliText) },
  ...loader.outputFiles!,
  ...esm.outputFiles!,
  // What went where and why, for https://esbuild.github.io/analyze/
  { path: join(outdir, 'meta.json'), contents: Buffer.from(JSON.stringify(esm.metafile)) },
]
writeOutputs(outputs, [join(outdir, cliFile), join(outdir, 'load-cli.cjs'), stamp], [join(outdir, `${cliFile}.cache`)])
const bytes = outputs.reduce((sum, f) => sum + f.contents.length, 0)
process.stderr.write(`bundled ${commands.length} commands into ${relative(root, outdir)} (${outputs.length} files, ${(bytes / 1024).toFixed(0)} KiB, ${Date.now() - started} ms)\n`)
