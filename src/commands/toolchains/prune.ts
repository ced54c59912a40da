import {Flags} from '@oclif/core'

import {GatlingCommand, appArg, appFlag, connectionFlags} from '../../base-command.js'
import {deployContext} from '../../config/app-target.js'
import {runPipeline} from '../../pipeline/runner.js'
import {pruneToolchains} from '../../steps/prune-toolchains.js'

export default class ToolchainsPrune extends GatlingCommand {
  static summary = 'Remove the toolchains no app on the server builds with.'

  static description = 'A toolchain is in use while an app on the server builds with it (its last push or setup chose it); releases carry their own ERTS and need none. What an interrupted install left is removed too.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --dry-run']

  static args = appArg

  static flags = {
    ...connectionFlags,
    ...appFlag,
    'dry-run': Flags.boolean({description: 'print the steps and the exact remote commands without changing anything'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ToolchainsPrune)
    await this.withApp(flags, args.app, (target, connection) =>
      runPipeline([pruneToolchains], deployContext(target, {rev: 'HEAD'}), connection, {plain: this.plainOutput, dryRun: flags['dry-run'], print: (line) => this.log(line)}))
  }
}
