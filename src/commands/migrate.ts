import {Flags} from '@oclif/core'

import {lockFlags} from '../base-command.js'
import {DbCommand, dbFlags} from '../db-command.js'
import {lockWait} from '../operation.js'
import {runPipeline} from '../pipeline/runner.js'
import {runCurrentMigrations} from '../steps/run-migrations.js'

export default class Migrate extends DbCommand {
  static summary = "Run the migrations of the app's current release (APP.Release.migrate/0) on its server."

  static description = `Every push already runs them from the new release before it takes traffic; this runs them again from the release marked current, as the app's user in its unit's sandbox with its environment (DATABASE_URL included), without a running node. Its output is the migration's own; a failure exits non-zero.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> -a hello']

  static flags = {
    ...dbFlags,
    ...lockFlags,
    'dry-run': Flags.boolean({description: 'print the steps and the exact remote commands without changing anything'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Migrate)
    const session = await this.openSession(undefined, flags)
    try {
      const run = () => runPipeline([runCurrentMigrations], session.ctx, session.connection, {plain: this.plainOutput, dryRun: flags['dry-run'], print: (line) => this.log(line)})
      const summary = flags['dry-run'] ? await run() : await this.operate(session.connection, session.ctx.app, {event: 'migrate', command: 'migrate', lockWait: lockWait(flags['lock-wait'])}, run)
      if (!flags['dry-run']) this.printSummary(summary, `Migrated ${session.ctx.app} on ${session.target.host.address}`)
    } finally {
      session.connection.close()
    }
  }
}
