import {Flags} from '@oclif/core'

import {GatlingCommand, appArg, connectionFlags, lockFlags} from '../base-command.js'
import {lockWait} from '../operation.js'
import {appTarget, deployContext} from '../config/app-target.js'
import {DEPLOY_USER} from '../server/layout.js'
import {RULES, isValid} from '../server/rules.js'
import {GatlingError, shown} from '../errors.js'
import {runPipeline} from '../pipeline/runner.js'
import {rollbackPipeline} from '../pipelines/rollback.js'

export default class Rollback extends GatlingCommand {
  static summary = 'Go back to an earlier release: a hot downgrade where the node can, else a zero-downtime restart.'

  static description = `Without a version, goes back to the release deployed before the current one. When the running node has that version installed (it was hot-upgraded from it), the node downgrades in place with the down script of its relup, keeping its OS process; otherwise the kept release starts beside the running one, is health-checked, and nginx switches to it. Releases are kept per "keepReleases" in gatling.json.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --to 0.1.0+3']

  static args = appArg

  static flags = {
    ...connectionFlags,
    ...lockFlags,
    to: Flags.string({description: 'the release version to go back to, as shown by a deploy (e.g. 0.1.0+3)'}),
    'dry-run': Flags.boolean({description: 'print the steps and the exact remote commands without changing anything'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Rollback)
    this.verbose = flags.verbose
    if (flags.to !== undefined && !isValid('version', flags.to)) throw new GatlingError(`--to ${shown(flags.to)} is not ${RULES.version.description}.`)
    const target = appTarget(process.cwd(), args.app, (message) => this.warn(message))
    const connection = await this.connect(target.host.address, {...flags, port: flags.port ?? target.host.port}, {user: DEPLOY_USER, pinnedKey: target.host.hostKey})
    try {
      const ctx = deployContext(target, {rev: 'HEAD', rollbackTo: flags.to, rollback: true})
      const options = {plain: this.plainOutput, dryRun: flags['dry-run'], print: (line: string) => this.log(line)}
      const run = () => runPipeline(rollbackPipeline, ctx, connection, options)
      const summary = flags['dry-run'] ? await run() : await this.operate(connection, target.app, {event: 'rollback', command: flags.to ? `rollback --to ${flags.to}` : 'rollback', lockWait: lockWait(flags['lock-wait'])}, run)
      if (!flags['dry-run']) this.printSummary(summary, `Rolled ${target.app} back on ${target.host.address}`)
    } finally {
      connection.close()
    }
  }
}
