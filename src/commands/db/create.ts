import {Flags} from '@oclif/core'

import {lockWait} from '../../operation.js'
import {DbCommand, appArg, dbFlags} from '../../db-command.js'
import {runPipeline} from '../../pipeline/runner.js'
import {createDatabase} from '../../steps/create-database.js'
import {scheduleBackups} from '../../steps/schedule-backups.js'

export default class DbCreate extends DbCommand {
  static summary = "Create the app's PostgreSQL role and database on its server (the first push with \"database\" does it too)."

  static description = `The app gets a role of its own with a random password made on the server, and a database owned by that role that no other role may connect to. DATABASE_URL (postgres://APP:…@localhost/APP) and POOL_SIZE (10) reach the app's environment from a root-owned file beside its env file; they are never printed. A DATABASE_URL in the app's env file wins: then nothing is made. PostgreSQL itself is installed by "gatling setup" when gatling.json has "database". A role or database of the app's name that gatling did not make for it is refused, and nothing changes. Running it again changes nothing.`

  static examples = ['<%= config.bin %> <%= command.id %>']

  static args = appArg

  static flags = {...dbFlags, 'dry-run': Flags.boolean({description: 'print the steps and the exact remote commands without changing anything'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(DbCreate)
    const session = await this.openSession(args.app, flags)
    try {
      const ctx = {...session.ctx, database: session.ctx.database ?? {}}
      const run = () => runPipeline([createDatabase, scheduleBackups], ctx, session.connection, {plain: this.plainOutput, dryRun: flags['dry-run'], print: (line) => this.log(line)})
      const summary = flags['dry-run'] ? await run() : await this.operate(session.connection, ctx.app, {event: 'database', command: 'db create', lockWait: lockWait(undefined)}, run)
      if (!flags['dry-run']) this.printSummary(summary, `The database of ${ctx.app} is ready on ${session.target.host.address}`)
    } finally {
      session.connection.close()
    }
  }
}
