import {Flags} from '@oclif/core'

import {GatlingCommand, appArg, appFlag, connectionFlags, lockFlags} from '../base-command.js'
import {lockWait} from '../operation.js'
import {deployContext} from '../config/app-target.js'
import {runPipeline} from '../pipeline/runner.js'
import {restartPipeline} from '../pipelines/restart.js'

export default class Start extends GatlingCommand {
  static summary = 'Start the current release again after "gatling stop" (asks first).'

  static description = `Ends the maintenance "gatling stop" began: the current release starts, is health-checked on its own port, and nginx sends it traffic again. On an app that is running it is the same as "gatling restart". Asks for confirmation on a terminal; --yes for scripts (without a terminal and without --yes it refuses, and nothing changes).`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --yes']

  static args = appArg

  static flags = {
    ...connectionFlags,
    ...appFlag,
    ...lockFlags,
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (scripts, CI)'}),
    'dry-run': Flags.boolean({description: 'print the steps and the exact remote commands without changing anything'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Start)
    if (!flags['dry-run']) this.requireConfirmation('gatling start', flags.yes)
    await this.withApp(flags, args.app, async (target, connection) => {
      if (!flags['dry-run']) await this.confirmAction(`Start ${target.app} on ${target.host.address}?`, flags.yes)
      const run = () => runPipeline(restartPipeline, deployContext(target, {rev: 'HEAD'}), connection, {plain: this.plainOutput, dryRun: flags['dry-run'], print: (line) => this.log(line)})
      const summary = flags['dry-run'] ? await run() : await this.operate(connection, target.app, {event: 'start', command: 'start', lockWait: lockWait(flags['lock-wait'])}, run)
      if (!flags['dry-run']) this.printSummary(summary, `Started ${target.app} on ${target.host.address}`)
    })
  }
}
