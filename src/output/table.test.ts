import { describe, expect, it } from 'vitest'
import { displayWidth } from './display-width.js'
import { renderTable } from './table.js'

describe('renderTable', () => {
  it('aligns columns two spaces apart, right-aligned where asked, without trailing spaces', () => {
    expect(renderTable(['NAME', 'N', 'NOTE'], [['acc-1', 7, ''], ['account-22', 1234, 'x']], { align: ['left', 'right', 'left'] })).toBe(
      ['NAME           N  NOTE', 'acc-1          7', 'account-22  1234  x'].join('\n'),
    )
  })

  it('measures coloured and wide text by the columns it takes', () => {
    const table = renderTable(['\u001b[1mA\u001b[22m', 'B'], [['日本', 'x'], ['é', 'y']])
    expect(table.split('\n')).toEqual(['\u001b[1mA\u001b[22m     B', '日本  x', 'é     y'])
    expect(displayWidth('e\u0301')).toBe(1)
    expect(renderTable(['A', 'B'], [['two\nlines', 'x'], ['z', 'y']])).toBe('A      B\ntwo    x\nlines\nz      y')
  })

  it('renders 20,000 rows, the widest cell setting each column', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => [`account-${i}`, i, '"owner"', '"EUR"', 277])
    const lines = renderTable(['STREAM', 'VERSION', 'OWNER', 'CURRENCY', 'AMOUNT'], rows).split('\n')
    expect(lines).toHaveLength(20_001)
    expect(lines[20_000]).toBe('account-19999  19999    "owner"  "EUR"     277')
  })
})
