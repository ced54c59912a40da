import {Flags} from '@oclif/core'

import {GatlingCommand, appArg, appFlag, connectionFlags, lockFlags} from '../base-command.js'
import {lockWait} from '../operation.js'
import {deployContext} from '../config/app-target.js'
import {runPipeline} from '../pipeline/runner.js'
import {stopPipeline} from '../pipelines/restart.js'

export default class Stop extends GatlingCommand {
  static summary = 'Stop the app for maintenance (asks first): nginx answers 502 until "gatling start".'

  static description = `Every instance of the app stops and stays stopped across a reboot of the server; nginx answers its visitors 502 Bad Gateway. The releases, the env file and the site stay: "gatling start" brings the current release back. Asks for confirmation on a terminal; --yes for scripts (without a terminal and without --yes it refuses, and nothing changes).`

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
    const {args, flags} = await this.parse(Stop)
    if (!flags['dry-run']) this.requireConfirmation('gatling stop', flags.yes)
    await this.withApp(flags, args.app, async (target, connection) => {
      if (!flags['dry-run']) await this.confirmAction(`Stop ${target.app} on ${target.host.address}? Visitors get 502 until "gatling start".`, flags.yes)
      const run = () => runPipeline(stopPipeline, deployContext(target, {rev: 'HEAD'}), connection, {plain: this.plainOutput, dryRun: flags['dry-run'], print: (line) => this.log(line)})
      const summary = flags['dry-run'] ? await run() : await this.operate(connection, target.app, {event: 'stop', command: 'stop', lockWait: lockWait(flags['lock-wait'])}, run)
      if (!flags['dry-run']) this.printSummary(summary, `Stopped ${target.app} on ${target.host.address}`)
    })
  }
}
