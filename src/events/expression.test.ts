import { describe, it, expect } from 'vitest'
import { compileExpression } from './expression.js'
import { UserError } from '../errors.js'

const deposit = {
  position: 17,
  stream: 'account-42',
  version: 3,
  type: 'MoneyDeposited',
  schemaVersion: 1,
  time: '2024-05-01T10:10:00.000Z',
  data: { amount: 1500, currency: 'EUR', tags: ['atm', 'night'], reference: '0042' },
  meta: { correlationId: 'req-7', 'causation-id': 'cmd-9' },
}

/** The UserError that compiling `source` throws (fails the test if it compiles). */
function compileError(source: string, options?: { allowedRoots?: string[] }): UserError {
  try {
    compileExpression(source, options)
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return error as UserError
  }
  throw new Error(`expected ${JSON.stringify(source)} to be rejected`)
}

const evaluate = (source: string, scope: Record<string, unknown> = deposit) => compileExpression(source).evaluate(scope)
const test = (source: string, scope: Record<string, unknown> = deposit) => compileExpression(source).test(scope)

describe('tail --where examples', () => {
  it('selects by field values and reports the names it reads', () => {
    const where = compileExpression('data.amount > 1000 && meta.correlationId == "req-7"')
    expect(where.source).toBe('data.amount > 1000 && meta.correlationId == "req-7"')
    expect(where.identifiers).toEqual(['data', 'meta'])
    expect(where.test(deposit)).toBe(true)
    expect(where.test({ ...deposit, data: { amount: 999 } })).toBe(false)
    expect(where.test({ ...deposit, meta: { correlationId: 'req-8' } })).toBe(false)
  })

  it('filters by type with a plain ==', () => {
    const where = compileExpression('type == "MoneyDeposited"')
    expect(where.test(deposit)).toBe(true)
    expect(where.test({ ...deposit, type: 'MoneyWithdrawn' })).toBe(false)
  })

  it('reads fields with brackets, list indexes and .length', () => {
    expect(evaluate('meta["causation-id"]')).toBe('cmd-9')
    expect(evaluate("data['currency']")).toBe('EUR')
    expect(evaluate('data.tags[1]')).toBe('night')
    expect(evaluate('data.tags.length')).toBe(2)
    expect(evaluate('stream.length')).toBe(10)
    expect(evaluate('data[type == "MoneyDeposited" ? "currency" : "amount"]')).toBe('EUR')
  })

  it('compares ISO times as strings', () => {
    expect(test('time >= "2024-05-01" && time < "2024-05-02"')).toBe(true)
    expect(test('time > "2024-06-01"')).toBe(false)
  })
})

describe('state --stop-when examples', () => {
  const roots = { allowedRoots: ['state', 'event'] }

  it('stops when the balance goes negative', () => {
    const stop = compileExpression('state.balance < 0', roots)
    expect(stop.identifiers).toEqual(['state'])
    expect(stop.test({ state: { balance: -5 }, event: deposit })).toBe(true)
    expect(stop.test({ state: { balance: 10 }, event: deposit })).toBe(false)
  })

  it('stops at a large withdrawal', () => {
    const stop = compileExpression('event.type == "MoneyWithdrawn" && event.data.amount > 500', roots)
    const withdrawal = (amount: number) => ({ state: {}, event: { ...deposit, type: 'MoneyWithdrawn', data: { amount } } })
    expect(stop.test(withdrawal(501))).toBe(true)
    expect(stop.test(withdrawal(500))).toBe(false)
    expect(stop.test({ state: {}, event: deposit })).toBe(false)
  })

  it('rejects a name that is not allowed, listing the allowed ones and a likely fix', () => {
    const error = compileError('evnt.type == "MoneyWithdrawn"', roots)
    expect(error.message).toContain("unknown name 'evnt'")
    expect(error.message).toContain("did you mean 'event'?")
    expect(error.message).toContain('state, event')
    expect(error.message.split('\n')[0]).toContain('column 1')
    expect(error.suggestions).toEqual(['event.type == "MoneyWithdrawn"'])
    expect(compileError('data.amount > 1', roots).message).toContain("unknown name 'data'")
  })
})

describe('missing fields', () => {
  it('reads missing fields and fields of missing values as undefined, without throwing', () => {
    expect(evaluate('data.nothing.deeper.still')).toBeUndefined()
    expect(evaluate('nowhere.at.all')).toBeUndefined()
    expect(evaluate('data.amount.value')).toBeUndefined()
    expect(evaluate('data.tags[7].name')).toBeUndefined()
    expect(evaluate('data.nothing[0]', { data: { nothing: null } })).toBeUndefined()
  })

  it('makes comparisons with a missing field false', () => {
    for (const source of ['data.fee > 0', 'data.fee < 0', 'data.fee >= 0', 'data.fee <= 0', 'data.fee == 0', 'data.fee == ""']) {
      expect(test(source), source).toBe(false)
    }
    expect(test('data.fee != 10')).toBe(true)
    expect(test('data.fee == null')).toBe(true)
    expect(evaluate('data.fee + 1')).toBeUndefined()
    expect(evaluate('data.fee * 2')).toBeUndefined()
  })

  it('reads only own fields, never inherited ones', () => {
    expect(evaluate('data.toString')).toBeUndefined()
    expect(evaluate('data.hasOwnProperty')).toBeUndefined()
    expect(evaluate('toString')).toBeUndefined()
    expect(evaluate('data.tags.map')).toBeUndefined()
    expect(evaluate('type.charAt')).toBeUndefined()
  })
})

describe('numbers and numeric strings', () => {
  it('compares a number with a numeric string as numbers under == and ordering', () => {
    expect(test('version == "3"')).toBe(true)
    expect(test('version == "3.0"')).toBe(true)
    expect(test('data.reference == 42')).toBe(true)
    expect(test('data.reference > 41')).toBe(true)
    expect(test('version != "3"')).toBe(false)
  })

  it('keeps === strict and never equates text with numbers', () => {
    expect(test('version === "3"')).toBe(false)
    expect(test('version === 3')).toBe(true)
    expect(test('type == 0')).toBe(false)
    expect(test('data.currency == 0')).toBe(false)
  })

  it('does arithmetic, with numeric strings counting as numbers', () => {
    expect(evaluate('data.amount * 2 - 1')).toBe(2999)
    expect(evaluate('data.amount % 7')).toBe(2)
    expect(evaluate('-data.amount')).toBe(-1500)
    expect(evaluate('data.reference * 1')).toBe(42)
    expect(evaluate('data.amount + data.reference')).toBe(1542)
    expect(evaluate('stream + "/" + version')).toBe('account-42/3')
    expect(test('state.balance < -100', { state: { balance: -101 } })).toBe(true)
  })

  it('supports logic and the conditional operator', () => {
    expect(evaluate('data.amount > 1000 ? "big" : "small"')).toBe('big')
    expect(test('!(type == "MoneyWithdrawn") && (version > 5 || data.amount > 1000)')).toBe(true)
    expect(evaluate('data.note || "none"')).toBe('none')
  })
})

describe('functions', () => {
  it('contains: substring of a string or element of a list', () => {
    expect(test('contains(stream, "42")')).toBe(true)
    expect(test('contains(data.tags, "atm")')).toBe(true)
    expect(test('contains(data.tags, "branch")')).toBe(false)
    expect(test('contains(["MoneyDeposited", "MoneyWithdrawn"], type)')).toBe(true)
    expect(test('contains([1, 2, 3], version)')).toBe(true)
    expect(test('contains(data.missing, "x")')).toBe(false)
  })

  it('startsWith, endsWith, lower and upper', () => {
    expect(test('startsWith(stream, "account-")')).toBe(true)
    expect(test('endsWith(type, "Deposited")')).toBe(true)
    expect(test('startsWith(data.missing, "a")')).toBe(false)
    expect(evaluate('lower(type)')).toBe('moneydeposited')
    expect(evaluate('upper(data.currency)')).toBe('EUR')
    expect(evaluate('lower(data.missing)')).toBeUndefined()
  })

  it('matches: a regular expression, with optional flags', () => {
    expect(test('matches(stream, "^account-\\\\d+$")')).toBe(true)
    expect(test('matches(type, "^money")')).toBe(false)
    expect(test('matches(type, "^money", "i")')).toBe(true)
    expect(test('matches(version, "^3$")')).toBe(true)
    expect(test('matches(data.missing, ".*")')).toBe(false)
    expect(test('matches(stream, meta.pattern)', { stream: 'account-1', meta: { pattern: '-1$' } })).toBe(true)
    expect(() => test('matches(stream, meta.pattern)', { stream: 'a', meta: { pattern: '(' } })).toThrow(UserError)
  })

  it('matches: an invalid regular expression is reported when compiling', () => {
    const error = compileError('matches(stream, "(")')
    expect(error.message).toMatch(/^invalid expression at column 17: invalid regular expression/)
    expect(compileError('matches(stream, "a", "g")').message).toContain('i, m, s, u')
  })

  it('len, exists, abs, number and string', () => {
    expect(evaluate('len(data.tags)')).toBe(2)
    expect(evaluate('len(type)')).toBe(14)
    expect(evaluate('len(data)')).toBe(4)
    expect(evaluate('len(data.missing)')).toBe(0)
    expect(test('exists(meta.correlationId)')).toBe(true)
    expect(test('exists(meta.tenant)')).toBe(false)
    expect(test('exists(x)', { x: null })).toBe(false)
    expect(test('exists(x)', { x: 0 })).toBe(true)
    expect(evaluate('abs(-3)')).toBe(3)
    expect(evaluate('abs(x)', { x: '-2.5' })).toBe(2.5)
    expect(evaluate('number(data.reference) + 1')).toBe(43)
    expect(evaluate('number("abc")')).toBeUndefined()
    expect(evaluate('string(version) + "x"')).toBe('3x')
    expect(evaluate('string(data.tags)')).toBe('["atm","night"]')
  })

  it('rejects other functions and wrong argument counts', () => {
    const unknown = compileError('lowr(type) == "x"')
    expect(unknown.message).toContain("unknown function 'lowr' (did you mean 'lower'?)")
    expect(unknown.message).toContain('contains, startsWith, endsWith, matches, lower, upper, len, exists, abs, number, string')
    expect(compileError('eval("1")').message).toContain("unknown function 'eval'")
    expect(compileError('contains(type)').message).toContain('contains() takes 2 arguments, got 1')
    expect(compileError('lower(type, 1)').message).toContain('lower() takes 1 argument, got 2')
  })

  it('rejects method calls, suggesting the function to use', () => {
    const error = compileError('type.toLowerCase() == "x"')
    expect(error.message).toContain("method calls are not supported ('.toLowerCase(...)'); use lower(x) instead")
    expect(compileError('Math.max(1, 2)').message).toContain('method calls are not supported')
    expect(compileError('data.constructor("x")').message).toContain("method calls are not supported ('.constructor(...)')")
    expect(compileError('data.constructor.constructor("return process")()').message).toContain('only these functions can be called')
  })
})

describe('rejected constructs', () => {
  const cases: Array<[string, string]> = [
    ['data.amount = 5', "assignment ('=') is not supported; use '==' to compare"],
    ['data.amount += 5', "'+=' is not supported"],
    ['version++', "'++' is not supported"],
    ['this.type', "'this' is not supported"],
    ['new Date()', "'new' is not supported"],
    ['(x) => x.amount > 1', 'arrow functions (=>) are not supported'],
    ['data.tags.some(t => t == "atm")', 'arrow functions (=>) are not supported'],
    ['`${type}`', 'template literals are not supported'],
    ['typeof data == "object"', "'typeof' is not supported"],
    ['"x" in data', "'in' is not supported; use contains(list, value)"],
    ['delete data.amount', "'delete' is not supported"],
    ['version | 1', "'|' is not supported; use '||'"],
    ['version & 1', "'&' is not supported; use '&&'"],
    ['version ^ 1', "'^' (bitwise xor) is not supported"],
    ['~version', "'~' (bitwise not) is not supported"],
    ['version << 1', "'<<' (bit shift) is not supported"],
    ['version ** 2', "'**' is not supported"],
    ['data.fee ?? 0', "'??' is not supported"],
    ['+data.reference', "unary '+' is not supported; use number(x)"],
    ['({ a: 1 })', "'{' is not supported"],
    ['type == "A"; version > 1', "';' is not supported"],
    ['(type, version)', "',' can only separate function arguments or list items"],
    ['type "MoneyDeposited"', 'expected an operator (such as &&, || or ==) before this'],
    ['x == undefined', "'undefined' is not a value here"],
    ['version > ()', "empty parentheses '()'"],
  ]
  for (const [source, message] of cases) {
    it(`rejects ${source}`, () => {
      const error = compileError(source)
      expect(error.message).toContain(message)
      expect(error.message.split('\n')[0]).toMatch(/^invalid expression at column \d+: /)
      expect(error.exitCode).toBe(2)
    })
  }

  it('rejects an empty expression', () => {
    expect(compileError('   ').message).toBe('invalid expression: the expression is empty')
  })
})

describe('prototype access', () => {
  for (const source of [
    'data.__proto__',
    'data.constructor',
    'data.amount.constructor.name',
    'data["__proto__"].polluted',
    "data['prototype']",
    '__proto__',
    'constructor',
  ]) {
    it(`rejects ${source} when compiling`, () => {
      expect(compileError(source).message).toMatch(/'(__proto__|constructor|prototype)' cannot be read in an expression/)
    })
  }

  it('points at the forbidden field', () => {
    expect(compileError('meta.a.__proto__').message).toBe(
      "invalid expression at column 8: the field '__proto__' cannot be read in an expression\n" +
        '  meta.a.__proto__\n' +
        '         ^',
    )
  })

  it('refuses a forbidden field name computed at run time', () => {
    const read = compileExpression('data[key]')
    expect(read.evaluate({ data: { a: 1 }, key: '__proto__' })).toBeUndefined()
    expect(read.evaluate({ data: { a: 1 }, key: 'constructor' })).toBeUndefined()
    expect(read.evaluate({ data: { a: 1 }, key: 'a' })).toBe(1)
  })

  it('does not read a polluting own __proto__ key from parsed JSON either', () => {
    const data = JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>
    expect(compileExpression('data[key].admin').evaluate({ data, key: '__proto__' })).toBeUndefined()
  })
})

describe('syntax errors', () => {
  it('names the column and points a caret at it', () => {
    const error = compileError('data.amount > && x')
    expect(error.message).toBe(
      "invalid expression at column 15: expected an operand after '>'\n" +
        '  data.amount > && x\n' +
        '                ^',
    )
  })

  it('points at the end when the expression stops early', () => {
    expect(compileError('data.amount > 1 &&').message).toBe(
      "invalid expression at column 19: expected an operand after '&&'\n" +
        '  data.amount > 1 &&\n' +
        '                    ^',
    )
  })

  it('points at the opening quote of an unterminated string', () => {
    const error = compileError('type == "MoneyDeposited')
    expect(error.message.split('\n')[0]).toBe('invalid expression at column 9: unterminated string: missing closing quote')
    expect(error.message.split('\n')[2]).toBe('          ^')
  })

  it('explains unbalanced brackets and an incomplete conditional', () => {
    expect(compileError('(data.amount > 1').message).toContain("missing ')'")
    expect(compileError('contains(data.tags, "a"').message).toContain("missing ')'")
    expect(compileError('data.tags[0').message).toContain("missing ']'")
    expect(compileError('data.amount)').message).toContain("unexpected ')' without a matching '('")
    expect(compileError('version > 1 ? "a"').message).toContain("expected ':'")
    expect(compileError('data.').message).toContain("expected a field name after '.'")
  })

  it('gives line and column for an expression written over several lines', () => {
    const error = compileError('data.amount > 1000\n  && type ==')
    expect(error.message).toBe(
      "invalid expression at line 2, column 13: expected an operand after '=='\n" +
        '    && type ==\n' +
        '              ^',
    )
  })
})

describe('compiled once, evaluated many times', () => {
  it('gives the same answers on every call, scope after scope', () => {
    const where = compileExpression('data.amount > 1000 && type == "MoneyDeposited"')
    const events = Array.from({ length: 1000 }, (_, i) => ({ type: i % 2 ? 'MoneyDeposited' : 'MoneyWithdrawn', data: { amount: i * 3 } }))
    const selected = events.filter((e) => where.test(e))
    expect(selected).toHaveLength(events.filter((e) => e.type === 'MoneyDeposited' && e.data.amount > 1000).length)
    expect(selected.length).toBeGreaterThan(0)
  })
})
