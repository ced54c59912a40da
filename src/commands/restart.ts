import {Flags} from '@oclif/core'

import {GatlingCommand, appArg, appFlag, connectionFlags, lockFlags} from '../base-command.js'
import {lockWait} from '../operation.js'
import {deployContext} from '../config/app-target.js'
import {runPipeline} from '../pipeline/runner.js'
import {restartPipeline} from '../pipelines/restart.js'

export default class Restart extends GatlingCommand {
  static summary = 'Restart the current release with zero downtime, without a build.'

  static description = `The deploy's zero-downtime restart for the release that is current: a fresh copy starts on the app's other port beside the running instance, is health-checked, nginx switches to it, the old instance drains and stops. Requests keep being answered throughout; the node gets a new OS process (and a fresh state). When nothing runs (after "gatling stop"), it starts the current release.`

  static examples = ['<%= config.bin %> <%= command.id %>']

  static args = appArg

  static flags = {
    ...connectionFlags,
    ...appFlag,
    ...lockFlags,
    'dry-run': Flags.boolean({description: 'print the steps and the exact remote commands without changing anything'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Restart)
    await this.withApp(flags, args.app, async (target, connection) => {
      const run = () => runPipeline(restartPipeline, deployContext(target, {rev: 'HEAD'}), connection, {plain: this.plainOutput, dryRun: flags['dry-run'], print: (line) => this.log(line)})
      const summary = flags['dry-run'] ? await run() : await this.operate(connection, target.app, {event: 'restart', command: 'restart', lockWait: lockWait(flags['lock-wait'])}, run)
      if (!flags['dry-run']) this.printSummary(summary, `Restarted ${target.app} on ${target.host.address}`)
    })
  }
}
