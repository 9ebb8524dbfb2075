/**
 * Expressions for `rewind tail --where`, `rewind state --stop-when` and `rewind lag` rules.
 *
 * An expression is a small, side-effect-free subset of JavaScript. It is parsed with jsep and
 * compiled by our own interpreter; user text is never handed to eval, `new Function` or `vm`.
 *
 *   Values       numbers (12, -3.5, 1e6), strings ("x" or 'x'), true, false, null,
 *                and lists such as ["MoneyDeposited", "MoneyWithdrawn"] (for contains)
 *   Fields       type   data.amount   meta["correlation-id"]   data.items[0]   stream.length
 *                A missing field, or a field of a missing value, is simply missing: never an error.
 *                Only an object's own fields are read.
 *   Comparison   == != === !== < <= > >=
 *                == compares exactly, except that a number and a numeric string compare as numbers
 *                (version == "3"), and null == a missing field. != is the opposite of ==.
 *                === and !== never convert. < <= > >= compare numbers (and numeric strings) as
 *                numbers and two strings alphabetically (so ISO times work: time >= "2024-05-01");
 *                any other ordering, e.g. with a missing field, is false.
 *   Logic        a && b   a || b   !a   cond ? a : b
 *                false, 0, "", null, NaN and missing values count as false; everything else as true.
 *   Arithmetic   + - * / % and unary minus. - * / % treat numeric strings as numbers; + adds two
 *                numbers (or a number and a numeric string) and joins anything else with a string:
 *                use number(x) to add two numeric strings. A missing operand gives a missing result.
 *   Functions    contains(haystack, needle)  substring of a string, or element of a list
 *                startsWith(s, prefix)   endsWith(s, suffix)
 *                matches(s, regex [, flags])   regular expression (RE2 syntax, linear time), e.g.
 *                                              matches(stream, "^account-4"), flags from "imsu"
 *                lower(s)   upper(s)
 *                len(x)      length of a string or list, number of fields of an object, 0 if missing
 *                exists(x)   true unless x is missing or null
 *                abs(n)   number(x)   string(x)
 *   Not allowed  assignment, other function or method calls, this, new, arrow functions, template
 *                literals, bitwise operators, ??, **, in, typeof, and the fields __proto__,
 *                constructor and prototype.
 *
 * Examples
 *   rewind tail bank.db --where 'data.amount > 1000 && meta.correlationId == "req-7"'
 *   rewind tail bank.db --where 'contains(["MoneyDeposited", "MoneyWithdrawn"], type)'
 *   rewind state bank.db account-42 --stop-when 'state.balance < 0'
 *   rewind state bank.db account-42 --stop-when 'event.type == "MoneyWithdrawn" && event.data.amount > 500'
 */
import jsep from 'jsep'
import { UserError } from '../errors.js'
import { linearRegex, type LinearRegex } from './linear-regex.js'

export interface CompiledExpression {
  /** The text the expression was compiled from. */
  source: string
  /**
   * The value of the expression. Missing or oddly typed data never throws; the one runtime error
   * is a UserError for a matches() pattern, read from the data, that is not a valid regex.
   */
  evaluate(scope: Record<string, unknown>): unknown
  /** Whether the value is truthy (see the module documentation). */
  test(scope: Record<string, unknown>): boolean
  /** The top-level names the expression reads, in order of first use, e.g. ['data', 'meta']. */
  identifiers: string[]
}

export interface CompileOptions {
  /** The only top-level names the expression may use, e.g. ['state', 'event']. */
  allowedRoots?: string[]
}

type Scope = Record<string, unknown>
type Fn = (scope: Scope) => unknown
type Node = jsep.Expression

/** A compiled node: its closure, and its value when it does not depend on the scope. */
interface Compiled {
  fn: Fn
  constant: boolean
  value?: unknown
}

// ---------------------------------------------------------------------------------------------
// Parser configuration. jsep is configured globally; this module owns it. Only the operators the
// language supports are registered, so anything else is a syntax error with a position.

jsep.removeAllBinaryOps()
for (const [op, precedence] of [
  ['||', 1], ['&&', 2],
  ['==', 6], ['!=', 6], ['===', 6], ['!==', 6],
  ['<', 7], ['>', 7], ['<=', 7], ['>=', 7],
  ['+', 9], ['-', 9],
  ['*', 10], ['/', 10], ['%', 10],
] as const) {
  jsep.addBinaryOp(op, precedence)
}
jsep.removeAllUnaryOps()
jsep.addUnaryOp('-')
jsep.addUnaryOp('!')
jsep.removeAllLiterals()
jsep.addLiteral('true', true)
jsep.addLiteral('false', false)
jsep.addLiteral('null', null)

// jsep nodes carry no positions. These hooks record where each token starts so that errors found
// after parsing (unknown names, forbidden fields, ...) can point at the text too.
// jsep is one instance per process while this module may be loaded more than once (vitest loads
// it per test file), so the hooks are installed once and their stack lives on jsep itself.
const HOOKS = Symbol.for('rewind.expression.tokenStarts')
const shared = jsep as typeof jsep & { [HOOKS]?: number[] }
const tokenStarts: number[] = shared[HOOKS] ?? installPositionHooks()

function installPositionHooks(): number[] {
  const starts: number[] = []
  shared[HOOKS] = starts
  jsep.hooks.add('gobble-token', function (this: jsep.HookScope, env: { node?: Node }) {
    starts.push(this.index)
    // jsep returns numeric literals without running 'after-token'; parse them here so it always runs.
    const code = this.code
    if ((code >= 48 && code <= 57) || code === 46) env.node = this.gobbleNumericLiteral()
  })
  jsep.hooks.add('after-token', function (this: jsep.HookScope, env: { node?: Node }) {
    const start = starts.pop()
    // jsep drops an empty group silently, so `1 ()` would mean `1`.
    if (!env.node && start !== undefined && this.index > start) {
      this.index = start
      this.throwError('Empty parentheses')
    }
    let node: Node | undefined = env.node || undefined
    while (node && start !== undefined && node.start === undefined) {
      node.start = start
      node = node.type === 'MemberExpression' ? (node.object as Node)
        : node.type === 'CallExpression' ? (node.callee as Node)
          : undefined
    }
  })
  return starts
}

// ---------------------------------------------------------------------------------------------
// Runtime helpers. Each compiled node is a closure; these are the shared pieces they call.

const hasOwn = Object.hasOwn
const FORBIDDEN_FIELDS = new Set(['__proto__', 'constructor', 'prototype'])
const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/

function readField(value: unknown, key: string | number): unknown {
  if (typeof value === 'object') {
    return value !== null && hasOwn(value, key) ? (value as Record<string | number, unknown>)[key] : undefined
  }
  if (typeof value === 'string') {
    if (key === 'length') return value.length
    const i = typeof key === 'number' ? key : NaN
    return Number.isInteger(i) && i >= 0 && i < value.length ? value[i] : undefined
  }
  return undefined
}

function isNumericString(value: unknown): value is string {
  return typeof value === 'string' && NUMERIC.test(value)
}

/** A number, or a numeric string as a number; undefined otherwise. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (isNumericString(value)) return Number(value)
  return undefined
}

function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === undefined || a === null) return b === undefined || b === null
  if (typeof a === 'number') return isNumericString(b) && Number(b) === a
  if (typeof b === 'number') return isNumericString(a) && Number(a) === b
  return false
}

/** Negative, zero or positive when a and b can be ordered; NaN when they cannot. */
function order(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'number' && isNumericString(b)) return a - Number(b)
  if (typeof b === 'number' && isNumericString(a)) return Number(a) - b
  return NaN
}

function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b
  if (a === undefined || a === null || b === undefined || b === null) return undefined
  if (typeof a === 'number' && isNumericString(b)) return a + Number(b)
  if (typeof b === 'number' && isNumericString(a)) return Number(a) + b
  if (typeof a === 'string' && isScalar(b)) return a + String(b)
  if (typeof b === 'string' && isScalar(a)) return String(a) + b
  return undefined
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
}

function arithmetic(op: string): (a: number, b: number) => number {
  switch (op) {
    case '-': return (a, b) => a - b
    case '*': return (a, b) => a * b
    case '/': return (a, b) => a / b
    default: return (a, b) => a % b
  }
}

function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Whitelisted functions.

interface FunctionSpec {
  min: number
  max: number
  usage: string
  call: (...args: unknown[]) => unknown
}

const FUNCTIONS: Record<string, FunctionSpec> = {
  contains: {
    min: 2, max: 2, usage: 'contains(haystack, needle)',
    call: (haystack, needle) => {
      if (typeof haystack === 'string') {
        const text = toText(needle)
        return text !== undefined && haystack.includes(text)
      }
      if (Array.isArray(haystack)) {
        for (const item of haystack) if (looseEquals(item, needle)) return true
      }
      return false
    },
  },
  startsWith: {
    min: 2, max: 2, usage: 'startsWith(s, prefix)',
    call: (s, prefix) => {
      const text = toText(prefix)
      return typeof s === 'string' && text !== undefined && s.startsWith(text)
    },
  },
  endsWith: {
    min: 2, max: 2, usage: 'endsWith(s, suffix)',
    call: (s, suffix) => {
      const text = toText(suffix)
      return typeof s === 'string' && text !== undefined && s.endsWith(text)
    },
  },
  // `matches` is compiled specially (see compileMatches); this entry gives its arity and usage.
  matches: { min: 2, max: 3, usage: 'matches(s, regex, flags?)', call: () => false },
  lower: { min: 1, max: 1, usage: 'lower(s)', call: (s) => (typeof s === 'string' ? s.toLowerCase() : undefined) },
  upper: { min: 1, max: 1, usage: 'upper(s)', call: (s) => (typeof s === 'string' ? s.toUpperCase() : undefined) },
  len: {
    min: 1, max: 1, usage: 'len(x)',
    call: (x) => {
      if (typeof x === 'string' || Array.isArray(x)) return x.length
      if (x === undefined || x === null) return 0
      if (typeof x === 'object') return Object.keys(x).length
      return undefined
    },
  },
  exists: { min: 1, max: 1, usage: 'exists(x)', call: (x) => x !== undefined && x !== null },
  abs: {
    min: 1, max: 1, usage: 'abs(n)',
    call: (n) => {
      const value = toNumber(n)
      return value === undefined ? undefined : Math.abs(value)
    },
  },
  number: {
    min: 1, max: 1, usage: 'number(x)',
    call: (x) => {
      if (typeof x === 'boolean') return x ? 1 : 0
      const value = toNumber(x)
      return value === undefined || Number.isNaN(value) ? undefined : value
    },
  },
  string: {
    min: 1, max: 1, usage: 'string(x)',
    call: (x) => {
      if (x === undefined) return undefined
      const text = toText(x)
      if (text !== undefined) return text
      try {
        return JSON.stringify(x)
      } catch {
        return undefined
      }
    },
  },
}
const FUNCTION_NAMES = Object.keys(FUNCTIONS)

/** Methods people reach for out of JavaScript habit, and the function to use instead. */
const METHOD_HINTS: Record<string, string> = {
  toLowerCase: 'lower(x)', toUpperCase: 'upper(x)', includes: 'contains(x, y)', indexOf: 'contains(x, y)',
  startsWith: 'startsWith(x, prefix)', endsWith: 'endsWith(x, suffix)', match: 'matches(x, regex)',
  test: 'matches(x, regex)', toString: 'string(x)', trim: 'matches(x, regex)',
}

const REGEX_FLAGS = /^[imsu]*$/

const KEYWORDS: Record<string, string> = {
  new: "'new' is not supported: expressions cannot create objects",
  typeof: "'typeof' is not supported; use exists(x) to test for a field",
  instanceof: "'instanceof' is not supported",
  in: "'in' is not supported; use contains(list, value) or exists(obj.field)",
  delete: "'delete' is not supported: expressions cannot change data",
  void: "'void' is not supported",
  function: 'functions cannot be defined in an expression',
  class: "'class' is not supported",
  var: 'variables cannot be declared in an expression',
  let: 'variables cannot be declared in an expression',
  const: 'variables cannot be declared in an expression',
  return: "'return' is not supported: the expression's value is its result",
  await: "'await' is not supported",
  async: "'async' is not supported",
  yield: "'yield' is not supported",
  import: "'import' is not supported",
  require: "'require' is not supported",
  undefined: "'undefined' is not a value here; use exists(x), or x == null, to test for a missing field",
}

// ---------------------------------------------------------------------------------------------
// Errors.

function caretBlock(source: string, index: number): { where: string; excerpt: string } {
  const at = Math.max(0, Math.min(index, source.length))
  const lineStart = source.lastIndexOf('\n', at - 1) + 1
  let lineEnd = source.indexOf('\n', at)
  if (lineEnd === -1) lineEnd = source.length
  const line = source.slice(lineStart, lineEnd).replace(/\r$/, '').replace(/[\t\r]/g, ' ')
  const column = at - lineStart + 1
  const lineNumber = source.slice(0, lineStart).split('\n').length
  const where = source.includes('\n') ? `line ${lineNumber}, column ${column}` : `column ${column}`
  return { where, excerpt: `  ${line}\n  ${' '.repeat(column - 1)}^` }
}

/** A UserError whose first line names the column and whose next two lines point at it. */
function positionedError(source: string, index: number | undefined, message: string, suggestions: string[] = []): UserError {
  if (index === undefined) {
    return new UserError(`invalid expression: ${message}`, { suggestions, detail: `  ${source}` })
  }
  const { where, excerpt } = caretBlock(source, index)
  return new UserError(`invalid expression at ${where}: ${message}`, { suggestions, detail: excerpt })
}

function previousNonSpace(source: string, index: number): number {
  let i = index - 1
  while (i >= 0 && /\s/.test(source[i])) i--
  return i
}

function unclosedQuoteStart(source: string): number | undefined {
  let quote = ''
  let start: number | undefined
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = ''
    } else if (c === '"' || c === "'") {
      quote = c
      start = i
    }
  }
  return quote ? start : undefined
}

/** Turns jsep's error into one that says what is wrong in the user's terms. */
function syntaxError(source: string, index: number, description: string): UserError {
  const c = source[index] ?? ''
  const next = source[index + 1] ?? ''
  const before = source[index - 1] ?? ''
  const prevIndex = previousNonSpace(source, index)
  const prev = prevIndex >= 0 ? source[prevIndex] : ''
  const fail = (message: string, at = index) => positionedError(source, at, message)

  if (/^Unclosed quote/.test(description)) {
    return fail('unterminated string: missing closing quote', unclosedQuoteStart(source) ?? index)
  }
  switch (c) {
    case '`': return fail('template literals are not supported; use "..." or \'...\' strings')
    case '=':
      if (next === '>') return fail('arrow functions (=>) are not supported')
      if ('+-*/%'.includes(before) && before !== '') return fail(`'${before}=' is not supported: expressions cannot change data`, index - 1)
      return fail("assignment ('=') is not supported; use '==' to compare")
    case '{': return fail("'{' is not supported: no objects or blocks in an expression")
    case '|': if (next !== '|' && before !== '|') return fail("'|' is not supported; use '||' for \"or\""); break
    case '&': if (next !== '&' && before !== '&') return fail("'&' is not supported; use '&&' for \"and\""); break
    case '^': return fail("'^' (bitwise xor) is not supported")
    case '~': return fail("'~' (bitwise not) is not supported")
    case '*': if (before === '*') return fail("'**' is not supported; multiply instead (a * a)", index - 1); break
    case '?': if (before === '?') return fail("'??' is not supported; use exists(a) ? a : b", index - 1); break
    case '>': if (before === '>') return fail("'>>' (bit shift) is not supported", index - 1); break
    case '<': if (before === '<') return fail("'<<' (bit shift) is not supported", index - 1); break
    case '+':
      if (before === '+') return fail("'++' is not supported: expressions cannot change data", index - 1)
      return fail("unary '+' is not supported; use number(x) to turn a string into a number")
    case '-':
      if (before === '-') return fail("'--' is not supported: expressions cannot change data", index - 1)
      break
  }

  const afterOperator = /^Expected expression after (.+)$/.exec(description)
  if (afterOperator) return fail(`expected an operand after '${afterOperator[1]}'`)
  if (description === 'missing unaryOp argument' || description === 'Expected expression') {
    return fail(prev ? `expected an operand after '${prev}'` : 'expected an operand')
  }
  if (description === 'Empty parentheses') return fail("empty parentheses '()'")
  if (description === 'Expected :') return fail("expected ':' to complete 'condition ? a : b'")
  if (description === 'Unclosed (' || description === 'Expected )') return fail("missing ')'")
  if (description === 'Unclosed [' || description === 'Expected ]') return fail("missing ']'")
  if (description === 'Expected comma') return fail("expected ',' between arguments")
  if (/^Unexpected token ,/.test(description)) return fail("unexpected ','")
  if (/^Unexpected token \)/.test(description)) return fail("unexpected ')' after ','")
  if (/^Variable names cannot start with a number/.test(description)) return fail('a name cannot start with a digit')
  if (description === 'Unexpected period') return fail("unexpected '.'")
  if (/^Expected exponent/.test(description)) return fail('malformed number')
  if (/^Unexpected /.test(description)) {
    if (prev === '.' && prevIndex === index - 1) return fail("expected a field name after '.'")
    if (index >= source.length) return fail('unexpected end of expression')
    if (c === ')') return fail("unexpected ')' without a matching '('")
    return fail(`unexpected '${c}'`)
  }
  return fail(description.charAt(0).toLowerCase() + description.slice(1))
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const nextRow = [i]
    for (let j = 1; j <= b.length; j++) {
      nextRow[j] = Math.min(row[j] + 1, nextRow[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    row = nextRow
  }
  return row[b.length]
}

// ---------------------------------------------------------------------------------------------
// AST helpers.

function startOf(node: Node | null | undefined): number | undefined {
  if (!node) return undefined
  if (typeof node.start === 'number') return node.start
  switch (node.type) {
    case 'BinaryExpression': return startOf(node.left as Node)
    case 'ConditionalExpression': return startOf(node.test as Node)
    case 'MemberExpression': return startOf(node.object as Node)
    case 'CallExpression': return startOf(node.callee as Node)
    case 'Compound': return startOf((node.body as Node[])[0])
    case 'SequenceExpression': return startOf((node.expressions as Node[])[0])
    default: return undefined
  }
}

function childrenOf(node: Node): Node[] {
  switch (node.type) {
    case 'Compound': return node.body as Node[]
    case 'SequenceExpression': return node.expressions as Node[]
    case 'MemberExpression': return node.computed ? [node.object as Node, node.property as Node] : [node.object as Node]
    case 'CallExpression': return [node.callee as Node, ...(node.arguments as Node[])]
    case 'UnaryExpression': return [node.argument as Node]
    case 'BinaryExpression': return [node.left as Node, node.right as Node]
    case 'ConditionalExpression': return [node.test as Node, node.consequent as Node, node.alternate as Node]
    case 'ArrayExpression': return (node.elements as Array<Node | null>).filter((e): e is Node => e !== null)
    default: return []
  }
}

function constant(value: unknown): Compiled {
  return { fn: () => value, constant: true, value }
}

/** Folds a node whose inputs are all constant into its value. */
function folded(fn: Fn, parts: Compiled[]): Compiled {
  return parts.every((p) => p.constant) ? constant(fn({})) : { fn, constant: false }
}

// ---------------------------------------------------------------------------------------------
// The compiler: one closure per node, built once.

class Compiler {
  readonly identifiers: string[] = []

  constructor(
    private readonly source: string,
    private readonly allowedRoots: readonly string[] | undefined,
  ) {}

  fail(node: Node | null | undefined, message: string, suggestions?: string[], at?: number): never {
    throw positionedError(this.source, at ?? startOf(node), message, suggestions)
  }

  /** Position of `text` at or after the start of `node`, for errors about a part of it. */
  find(node: Node, text: string): number | undefined {
    const from = startOf(node) ?? 0
    const i = this.source.indexOf(text, from)
    return i === -1 ? undefined : i
  }

  checkKeywords(node: Node): void {
    if (node.type === 'Identifier' && Object.hasOwn(KEYWORDS, node.name as string)) {
      this.fail(node, KEYWORDS[node.name as string])
    }
    if (node.type === 'ThisExpression') {
      this.fail(node, "'this' is not supported; refer to fields by name, e.g. data.amount")
    }
    for (const child of childrenOf(node)) this.checkKeywords(child)
  }

  compile(node: Node): Compiled {
    switch (node.type) {
      case 'Literal': return this.literal(node)
      case 'Identifier': return this.identifier(node)
      case 'MemberExpression': return this.member(node)
      case 'CallExpression': return this.call(node)
      case 'UnaryExpression': return this.unary(node)
      case 'BinaryExpression': return this.binary(node)
      case 'ConditionalExpression': return this.conditional(node)
      case 'ArrayExpression': return this.array(node)
      case 'ThisExpression':
        return this.fail(node, "'this' is not supported; refer to fields by name, e.g. data.amount")
      case 'Compound': return this.compound(node)
      case 'SequenceExpression': {
        const second = (node.expressions as Node[])[1]
        return this.fail(second, "',' can only separate function arguments or list items")
      }
      default:
        return this.fail(node, `unsupported syntax (${node.type})`)
    }
  }

  compound(node: Node): never {
    const body = node.body as Node[]
    if (body.length === 0) return this.fail(undefined, 'the expression is empty')
    const second = body[1]
    const at = startOf(second)
    const separatorAt = at === undefined ? -1 : previousNonSpace(this.source, at)
    const separator = separatorAt >= 0 ? this.source[separatorAt] : ''
    if (separator === ';') {
      this.fail(second, "';' is not supported: write one expression, joining conditions with && or ||", [], separatorAt)
    }
    if (separator === ',') {
      this.fail(second, "',' can only separate function arguments or list items", [], separatorAt)
    }
    return this.fail(second, 'expected an operator (such as &&, || or ==) before this')
  }

  literal(node: Node): Compiled {
    const value = node.value
    if (value instanceof RegExp) return this.fail(node, 'regular expression literals are not supported; use matches(s, "regex")')
    return constant(value)
  }

  identifier(node: Node): Compiled {
    const name = node.name as string
    if (FORBIDDEN_FIELDS.has(name)) this.fail(node, `'${name}' cannot be read in an expression`)
    if (this.allowedRoots && !this.allowedRoots.includes(name)) {
      const guess = closest(name, this.allowedRoots)
      const list = this.allowedRoots.join(', ')
      const at = startOf(node)
      const hint = Object.hasOwn(FUNCTIONS, name) ? ` ('${name}' is a function: call it as ${FUNCTIONS[name].usage})` : ''
      this.fail(
        node,
        `unknown name '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}; the names available here are: ${list}${hint}`,
        guess && at !== undefined ? [this.source.slice(0, at) + guess + this.source.slice(at + name.length)] : [],
      )
    }
    if (!this.identifiers.includes(name)) this.identifiers.push(name)
    return { fn: (s) => (hasOwn(s, name) ? s[name] : undefined), constant: false }
  }

  fieldName(node: Node, name: string, at: number | undefined): void {
    if (FORBIDDEN_FIELDS.has(name)) this.fail(node, `the field '${name}' cannot be read in an expression`, [], at)
  }

  /** The field name of `a.b` or `a["b"]` / `a[0]`, checked; undefined for a computed `a[x]`. */
  constantKey(node: Node): string | number | undefined {
    const propertyNode = node.property as Node
    if (!node.computed) {
      const key = propertyNode.name as string
      const dot = this.find(node, `.${key}`)
      this.fieldName(node, key, dot === undefined ? this.find(node, key) : dot + 1)
      return key
    }
    if (propertyNode.type !== 'Literal') return undefined
    const value = propertyNode.value
    if (typeof value !== 'string' && typeof value !== 'number') {
      return this.fail(propertyNode, 'a field name in [...] must be a string or a number')
    }
    if (typeof value === 'string') this.fieldName(propertyNode, value, startOf(propertyNode))
    return value
  }

  member(node: Node): Compiled {
    const objectNode = node.object as Node
    const propertyNode = node.property as Node
    const key = this.constantKey(node)

    const path = key === undefined ? undefined : this.fieldPath(node)
    if (path) return path

    const object = this.compile(objectNode)
    const get = object.fn
    if (key !== undefined) {
      const k = key
      if (object.constant) return constant(readField(object.value, k))
      // Paths of plain fields (data.amount, meta.correlationId) are read by one closure.
      return {
        fn: (s) => {
          const o = get(s)
          return typeof o === 'object' && o !== null ? (hasOwn(o, k) ? (o as Scope)[k] : undefined) : readField(o, k)
        },
        constant: false,
      }
    }

    const property = this.compile(propertyNode).fn
    return {
      fn: (s) => {
        const o = get(s)
        const k = property(s)
        if (typeof k === 'number') return readField(o, k)
        if (typeof k !== 'string' || FORBIDDEN_FIELDS.has(k)) return undefined
        return readField(o, k)
      },
      constant: false,
    }
  }

  /**
   * `data.amount`, `event.data.amount`, `meta["x"]`: a name followed by constant field names is
   * read by a single closure, the hottest shape in filters.
   */
  fieldPath(node: Node): Compiled | undefined {
    const members: Node[] = []
    let n = node
    while (n.type === 'MemberExpression') {
      const property = n.property as Node
      if (n.computed && property.type !== 'Literal') return undefined
      members.push(n)
      n = n.object as Node
    }
    if (n.type !== 'Identifier' || Object.hasOwn(KEYWORDS, n.name as string)) return undefined
    this.identifier(n) // checks the name and records it
    const root = n.name as string
    const keys = members.reverse().map((m) => this.constantKey(m) as string | number)
    const field = (o: unknown, k: string | number): unknown =>
      typeof o === 'object' && o !== null ? (hasOwn(o, k) ? (o as Scope)[k] : undefined) : readField(o, k)
    if (keys.length === 1) {
      const [a] = keys
      return { fn: (s) => field(hasOwn(s, root) ? s[root] : undefined, a), constant: false }
    }
    if (keys.length === 2) {
      const [a, b] = keys
      return { fn: (s) => field(field(hasOwn(s, root) ? s[root] : undefined, a), b), constant: false }
    }
    return {
      fn: (s) => {
        let o: unknown = hasOwn(s, root) ? s[root] : undefined
        for (let i = 0; i < keys.length; i++) o = field(o, keys[i])
        return o
      },
      constant: false,
    }
  }

  call(node: Node): Compiled {
    const callee = node.callee as Node
    const args = node.arguments as Node[]
    if (callee.type === 'MemberExpression') {
      const method = callee.computed ? undefined : ((callee.property as Node).name as string)
      const hint = method && Object.hasOwn(METHOD_HINTS, method) ? `; use ${METHOD_HINTS[method]} instead` : `; the functions available are: ${FUNCTION_NAMES.join(', ')}`
      const at = method ? this.find(callee, `.${method}`) : undefined
      return this.fail(callee, `method calls are not supported${method ? ` ('.${method}(...)')` : ''}${hint}`, [], at !== undefined ? at + 1 : undefined)
    }
    if (callee.type !== 'Identifier') {
      return this.fail(callee, `only these functions can be called: ${FUNCTION_NAMES.join(', ')}`)
    }
    const name = callee.name as string
    if (!Object.hasOwn(FUNCTIONS, name)) {
      const guess = closest(name, FUNCTION_NAMES)
      return this.fail(
        callee,
        `unknown function '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}; the functions available are: ${FUNCTION_NAMES.join(', ')}`,
      )
    }
    const spec = FUNCTIONS[name]
    if (args.length < spec.min || args.length > spec.max) {
      const expected = spec.min === spec.max ? `${spec.min}` : `${spec.min} or ${spec.max}`
      return this.fail(callee, `${name}() takes ${expected} argument${spec.max === 1 ? '' : 's'}, got ${args.length}: ${spec.usage}`)
    }
    if (name === 'matches') return this.matches(args)

    const parts = args.map((a) => this.compile(a))
    const f = spec.call
    if (parts.length === 1) {
      const a = parts[0].fn
      return folded((s) => f(a(s)), parts)
    }
    const [a, b] = [parts[0].fn, parts[1].fn]
    return folded((s) => f(a(s), b(s)), parts)
  }

  matches(args: Node[]): Compiled {
    const [subjectNode, patternNode, flagsNode] = args
    let flags = ''
    if (flagsNode) {
      if (flagsNode.type !== 'Literal' || typeof flagsNode.value !== 'string' || !REGEX_FLAGS.test(flagsNode.value)) {
        this.fail(flagsNode, 'the flags of matches() must be a string of the letters i, m, s, u, e.g. "i"')
      }
      flags = flagsNode.value as string
    }
    const subject = this.compile(subjectNode)
    const pattern = this.compile(patternNode)
    const get = subject.fn
    if (pattern.constant) {
      if (typeof pattern.value !== 'string') this.fail(patternNode, 'the pattern of matches() must be a string, e.g. "^account-"')
      let regex: LinearRegex
      try {
        regex = linearRegex(pattern.value as string, flags)
      } catch (error) {
        return this.fail(patternNode, (error as Error).message)
      }
      return folded((s) => {
        const text = toText(get(s))
        return text !== undefined && regex.test(text)
      }, [subject])
    }
    // A pattern computed from the data: compile it when it changes.
    const getPattern = pattern.fn
    let lastSource: string | undefined
    let lastRegex: LinearRegex | undefined
    return {
      fn: (s) => {
        const text = toText(get(s))
        const source = getPattern(s)
        if (text === undefined || typeof source !== 'string') return false
        if (source !== lastSource) {
          try {
            lastRegex = linearRegex(source, flags)
          } catch (error) {
            throw new UserError(`matches(): ${(error as Error).message}`)
          }
          lastSource = source
        }
        return lastRegex!.test(text)
      },
      constant: false,
    }
  }

  unary(node: Node): Compiled {
    const operator = node.operator as string
    const argument = this.compile(node.argument as Node)
    const a = argument.fn
    switch (operator) {
      case '!': return folded((s) => !a(s), [argument])
      case '-': return folded((s) => {
        const v = a(s)
        if (typeof v === 'number') return -v
        const n = toNumber(v)
        return n === undefined ? undefined : -n
      }, [argument])
      default: return this.fail(node, `the operator '${operator}' is not supported`)
    }
  }

  binary(node: Node): Compiled {
    const operator = node.operator as string
    const left = this.compile(node.left as Node)
    const right = this.compile(node.right as Node)
    const l = left.fn
    const r = right.fn
    const parts = [left, right]
    switch (operator) {
      case '&&': return folded((s) => {
        const v = l(s)
        return v ? r(s) : v
      }, parts)
      case '||': return folded((s) => {
        const v = l(s)
        return v ? v : r(s)
      }, parts)
      case '===': return folded((s) => l(s) === r(s), parts)
      case '!==': return folded((s) => l(s) !== r(s), parts)
      case '==':
      case '!=': {
        const equals = this.equality(left, right)
        return operator === '==' ? equals : folded((s) => !equals.fn(s), parts)
      }
      case '<': case '<=': case '>': case '>=': return this.comparison(operator, left, right)
      case '+': return folded((s) => add(l(s), r(s)), parts)
      case '-': case '*': case '/': case '%': {
        const op = arithmetic(operator)
        return folded((s) => {
          const a = l(s)
          const b = r(s)
          if (typeof a === 'number' && typeof b === 'number') return op(a, b)
          const x = toNumber(a)
          const y = toNumber(b)
          return x === undefined || y === undefined ? undefined : op(x, y)
        }, parts)
      }
      default: {
        const at = this.find(node.right as Node, operator)
        return this.fail(node, `the operator '${operator}' is not supported`, [], at)
      }
    }
  }

  /** `==`, specialised when one side is a constant (the usual `type == "MoneyDeposited"`). */
  equality(left: Compiled, right: Compiled): Compiled {
    const parts = [left, right]
    const side = right.constant ? left : left.constant ? right : undefined
    if (side && !side.constant) {
      const c = right.constant ? right.value : left.value
      const get = side.fn
      if (c === null || c === undefined) return { fn: (s) => get(s) == null, constant: false }
      if (typeof c === 'number') {
        return { fn: (s) => {
          const v = get(s)
          return v === c || (typeof v === 'string' && isNumericString(v) && Number(v) === c)
        }, constant: false }
      }
      if (typeof c === 'string' && !isNumericString(c)) return { fn: (s) => get(s) === c, constant: false }
      if (typeof c === 'string') {
        const n = Number(c)
        return { fn: (s) => {
          const v = get(s)
          return v === c || (typeof v === 'number' && v === n)
        }, constant: false }
      }
      return { fn: (s) => get(s) === c, constant: false }
    }
    const l = left.fn
    const r = right.fn
    return folded((s) => looseEquals(l(s), r(s)), parts)
  }

  /** `< <= > >=`, specialised for a constant number on the right (`data.amount > 1000`). */
  comparison(operator: string, left: Compiled, right: Compiled): Compiled {
    const l = left.fn
    const r = right.fn
    if (!left.constant && right.constant && typeof right.value === 'number') {
      const c = right.value
      switch (operator) {
        case '<': return { fn: (s) => { const v = l(s); return typeof v === 'number' ? v < c : order(v, c) < 0 }, constant: false }
        case '<=': return { fn: (s) => { const v = l(s); return typeof v === 'number' ? v <= c : order(v, c) <= 0 }, constant: false }
        case '>': return { fn: (s) => { const v = l(s); return typeof v === 'number' ? v > c : order(v, c) > 0 }, constant: false }
        default: return { fn: (s) => { const v = l(s); return typeof v === 'number' ? v >= c : order(v, c) >= 0 }, constant: false }
      }
    }
    const parts = [left, right]
    switch (operator) {
      case '<': return folded((s) => order(l(s), r(s)) < 0, parts)
      case '<=': return folded((s) => order(l(s), r(s)) <= 0, parts)
      case '>': return folded((s) => order(l(s), r(s)) > 0, parts)
      default: return folded((s) => order(l(s), r(s)) >= 0, parts)
    }
  }

  conditional(node: Node): Compiled {
    const test = this.compile(node.test as Node)
    const consequent = this.compile(node.consequent as Node)
    const alternate = this.compile(node.alternate as Node)
    const t = test.fn
    const a = consequent.fn
    const b = alternate.fn
    if (test.constant) return test.value ? consequent : alternate
    return { fn: (s) => (t(s) ? a(s) : b(s)), constant: false }
  }

  array(node: Node): Compiled {
    const elements = node.elements as Array<Node | null>
    const hole = elements.indexOf(null)
    if (hole !== -1) this.fail(node, 'a list cannot have empty items (two commas in a row)')
    const parts = (elements as Node[]).map((e) => this.compile(e))
    if (parts.every((p) => p.constant)) return constant(Object.freeze(parts.map((p) => p.value)))
    const fns = parts.map((p) => p.fn)
    return { fn: (s) => fns.map((f) => f(s)), constant: false }
  }
}

/**
 * Compiles `source` (see the language at the top of this file) once, for evaluation on many
 * scopes. Throws a UserError that points at the problem when the text is not a valid expression.
 */
export function compileExpression(source: string, options: CompileOptions = {}): CompiledExpression {
  if (source.trim() === '') throw new UserError('invalid expression: the expression is empty')

  let ast: Node
  tokenStarts.length = 0
  try {
    ast = jsep(source)
  } catch (error) {
    const e = error as { index?: unknown; description?: unknown }
    if (typeof e.index === 'number' && typeof e.description === 'string') {
      throw syntaxError(source, e.index, e.description)
    }
    throw error
  } finally {
    tokenStarts.length = 0
  }

  const compiler = new Compiler(source, options.allowedRoots)
  compiler.checkKeywords(ast)
  const { fn } = compiler.compile(ast)
  return {
    source,
    evaluate: fn,
    test: (scope) => !!fn(scope),
    identifiers: compiler.identifiers,
  }
}
