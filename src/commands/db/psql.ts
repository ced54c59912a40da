import {Flags} from '@oclif/core'

import {DbCommand, appArg, dbFlags} from '../../db-command.js'
import {GatlingError} from '../../errors.js'
import {cmd} from '../../remote/shell.js'
import {helper} from '../../steps/deploy-support.js'

export default class DbPsql extends DbCommand {
  static summary = "psql on the app's database, as the app's own role."

  static description = `Without -c: an interactive psql on a real terminal (line editing, \\d, Ctrl-C, the pager), over the SSH connection. With -c SQL: the SQL runs (stopping at the first error), its output is printed, and the exit code says whether it succeeded: for scripts. Either way psql connects as the app's role, which reaches only the app's database; its password never leaves the server.`

  static examples = ['<%= config.bin %> <%= command.id %>', `<%= config.bin %> <%= command.id %> -c 'select count(*) from users'`]

  static args = appArg

  static flags = {...dbFlags, command: Flags.string({char: 'c', description: 'run this SQL and exit, instead of an interactive psql'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(DbPsql)
    if (flags.command === undefined && !(process.stdin.isTTY && process.stdout.isTTY)) {
      throw new GatlingError('gatling db psql needs a terminal for an interactive psql: run it from one, or pass the SQL with -c.')
    }
    const session = await this.openSession(args.app, flags)
    try {
      if (flags.command !== undefined) {
        await this.helperStream(session, 'psql', ['db-psql', '-'], {input: flags.command, onLine: (line, stream) => (stream === 'stdout' ? this.log(line) : this.logToStderr(line))})
        return
      }
      const code = await session.connection.interactive(cmd(helper(session.ctx, 'db-psql')))
      if (code !== 0) this.exit(code)
    } finally {
      session.connection.close()
    }
  }
}
