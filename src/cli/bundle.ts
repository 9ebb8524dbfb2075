import { build, type OutputFile, type Plugin } from 'esbuild'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Bundles the compiled CLI (dist/) with esbuild into dist/bundle/, run after tsc by `npm run build`.
 * Starting node on ~300 small files (oclif and its dependencies, our own modules) costs more than
 * the command itself: one file per bundle entry is compiled faster and resolves nothing.
 *
 * - cli.js: oclif (src/cli/main.ts), what bin/run.js imports; enough for --version and --help.
 * - commands.js: every command, for oclif's "explicit" command discovery (package.json "oclif").
 * - chunk-*.js: code shared by both, and each `await import()` target (Kafka, the ink views, ...),
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
    .sort((a, b) => a.id.localeCompare(b.id))
}

function isStale(): boolean {
  if (!existsSync(stamp)) return true
  const built = statSync(stamp).mtimeMs
  const inputs = [join(root, 'package.json'), ...walk(join(dist, 'src')), ...walk(commandsDir)].filter((f) => f.endsWith('.js') || f.endsWith('.json'))
  return inputs.some((file) => statSync(file).mtimeMs > built)
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

/** Writes shared chunks first and the entries last, each by rename: a CLI started meanwhile sees a whole bundle. */
function writeOutputs(files: Array<Pick<OutputFile, 'path' | 'contents'>>, entries: string[]): void {
  mkdirSync(outdir, { recursive: true })
  const isEntry = (file: { path: string }) => entries.includes(file.path)
  for (const file of [...files.filter((f) => !isEntry(f)), ...files.filter(isEntry)]) {
    if (dirname(file.path) !== outdir) throw new Error(`bundle output outside ${outdir}: ${file.path}`)
    const temporary = `${file.path}.${process.pid}.tmp`
    writeFileSync(temporary, file.contents)
    renameSync(temporary, file.path)
  }
  const kept = new Set(files.map((f) => f.path))
  for (const name of readdirSync(outdir)) if (!kept.has(join(outdir, name))) rmSync(join(outdir, name), { force: true })
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0)

const commands = commandFiles()
const commandsEntry = [
  ...commands.map(({ file }, i) => `import C${i} from ${JSON.stringify(`./${relative(dist, file).split(sep).join('/')}`)}`),
  `export const COMMANDS = { ${commands.map(({ id }, i) => `${JSON.stringify(id)}: C${i}`).join(', ')} }`,
].join('\n')

const started = Date.now()
const result = await build({
  entryPoints: { cli: join(dist, 'src', 'cli', 'main.js'), commands: 'rewind:commands' },
  plugins: [
    keepImportMetaUrl,
    {
      name: 'commands-entry',
      setup(builder) {
        builder.onResolve({ filter: /^rewind:commands$/ }, () => ({ path: 'commands', namespace: 'rewind' }))
        builder.onLoad({ filter: /.*/, namespace: 'rewind' }, () => ({ contents: commandsEntry, resolveDir: dist, loader: 'js' }))
      },
    },
  ],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  external: EXTERNAL,
  // oclif and its dependencies are CommonJS: their require() of node built-ins needs a real require.
  banner: { js: "import { createRequire as __rewindCreateRequire } from 'node:module'; const require = __rewindCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  write: false,
})
// What went where and why, for https://esbuild.github.io/analyze/
const metafile = { path: join(outdir, 'meta.json'), contents: Buffer.from(JSON.stringify(result.metafile)) }
writeOutputs([metafile, ...result.outputFiles], [join(outdir, 'cli.js'), join(outdir, 'commands.js')])
const bytes = result.outputFiles.reduce((sum, f) => sum + f.contents.length, 0)
process.stderr.write(`bundled ${commands.length} commands into ${relative(root, outdir)} (${result.outputFiles.length} files, ${(bytes / 1024).toFixed(0)} KiB, ${Date.now() - started} ms)\n`)
