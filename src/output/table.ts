import Table from 'cli-table3'

/** A borderless, aligned table (like kubectl or git's column output). */
export function renderTable(head: string[], rows: Array<Array<string | number>>, options: { align?: Array<'left' | 'right'> } = {}): string {
  const table = new Table({
    head,
    colAligns: options.align ?? [],
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 },
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
      'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
    },
  })
  for (const row of rows) table.push(row.map(String))
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n')
}
