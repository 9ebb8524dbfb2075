import { Args, Flags } from '@oclif/core'
import { relative } from 'node:path'
import { RewindCommand } from '../src/cli/base-command.js'
import { DUPLICATED_ACCOUNT } from '../src/demo/bank-events.js'
import { DRIFTED_ACCOUNT, writeDemo, type DemoFiles } from '../src/demo/write-demo.js'
import { commandName } from '../src/demo/invocation.js'
import { chalkFor } from '../src/output/colors.js'
import { printText } from '../src/output/terminal.js'

export default class Demo extends RewindCommand {
  static summary = 'Write a demo bank store with a planted bug, its read model, a reducer and upcasters, and print what to try'

  static examples = ['<%= config.bin %> demo', '<%= config.bin %> demo /tmp/bank --force']

  static args = { dir: Args.string({ description: 'Directory to write into', default: 'rewind-demo' }) }

  static flags = { force: Flags.boolean({ description: 'Overwrite an existing demo in DIR' }) }

  async run(): Promise<DemoFiles> {
    const { args, flags } = await this.parse(Demo)
    const files = await writeDemo(args.dir, { force: flags.force })
    if (!this.jsonEnabled()) {
      const chalk = chalkFor()
      const dir = relative(process.cwd(), files.dir) || '.'
      const rewind = commandName(files.dir)
      const cmd = (text: string) => `  ${chalk.cyan(text.replace(/^rewind /, `${rewind} `))}`
      printText([
        files.refreshed ? `Refreshed the demo in ${dir}/ (it was there already): ${files.files.join(', ')}` : `Wrote ${files.files.join(', ')} to ${dir}/`,
        '',
        `A customer says the balance of ${DUPLICATED_ACCOUNT} is too high, and the account_view read model disagrees with the store.`,
        `The config file ${dir}/.rewindrc.json names the store (@bank), the reducer and the upcasters. Try:`,
        '',
        cmd(`cd ${dir}`),
        cmd('rewind inspect @bank'),
        cmd(`rewind state @bank ${DUPLICATED_ACCOUNT} --trace`),
        cmd(`rewind state @bank ${DUPLICATED_ACCOUNT} --blame`),
        cmd(`rewind state @bank ${DUPLICATED_ACCOUNT} --at 2026-11-03T12:00`),
        cmd(`rewind state @bank ${DRIFTED_ACCOUNT} --stop-when "state.balance > 1000"`),
        cmd('rewind replay @bank --at 2026-11-04'),
        cmd('rewind replay @bank --out sqlite:rebuilt.db#account_view'),
        cmd('rewind diff @bank --projection sqlite:read.db#account_view --key account_id --at-checkpoint account_view'),
        cmd('rewind lag @bank'),
        cmd('rewind tail @bank --type "Money*" --where "data.amount.value > 400"'),
        cmd('rewind upcast check upcaster-fixtures --upcasters upcasters.ts'),
        '',
      ].join('\n'))
    }
    return files
  }
}
