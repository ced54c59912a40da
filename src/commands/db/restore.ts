import {confirm} from '@inquirer/prompts'
import {Args, Flags} from '@oclif/core'
import {createReadStream, existsSync, statSync} from 'node:fs'
import {resolve} from 'node:path'

import {lockWait} from '../../operation.js'
import {DbCommand, PG_DUMP_MAGIC, dbFlags, formatBytes} from '../../db-command.js'
import {GatlingError, shownName} from '../../errors.js'
import {formatDuration} from '../../pipeline/runner.js'
import {startsWithMagic} from './backup.js'

export default class DbRestore extends DbCommand {
  static summary = "Restore the app's database from a pg_dump custom archive (gatling db backup's file)."

  static description = `What the archive holds replaces the same objects in the app's database (pg_restore --clean --if-exists), in one transaction: a restore that fails anywhere changes nothing. The app keeps running. A file that is not a pg_dump custom archive is refused here (it must start with ${PG_DUMP_MAGIC}) and again on the server (pg_restore --list), before anything is dropped. Asks for a confirmation on a terminal; --yes for scripts.`

  static examples = ['<%= config.bin %> <%= command.id %> hello-20260101T120000Z.dump', '<%= config.bin %> <%= command.id %> hello backup.dump --yes']

  // [APP] FILE: with one argument it is the file
  static args = {
    first: Args.string({name: 'APP', description: "the app (default: gatling.json's \"app\", else the app in mix.exs)", required: true}),
    second: Args.string({name: 'FILE', description: 'the archive (from gatling db backup, or pg_dump -Fc)'}),
  }

  static flags = {...dbFlags, yes: Flags.boolean({char: 'y', description: 'restore without asking (for scripts)'})}

  async run(): Promise<void> {
    const {args: given, flags} = await this.parse(DbRestore)
    const args = given.second === undefined ? {app: undefined, file: given.first} : {app: given.first, file: given.second}
    const file = resolve(args.file)
    if (!existsSync(file) || !statSync(file).isFile()) throw new GatlingError(`There is no file ${shownName(args.file)} to restore from. Nothing was changed.`)
    if (!startsWithMagic(file)) throw new GatlingError(`${shownName(args.file)} is not a pg_dump custom-format archive (it does not start with ${PG_DUMP_MAGIC}; "gatling db backup" and "pg_dump -Fc" write one). Nothing was changed.`)
    const session = await this.openSession(args.app, flags)
    try {
      const {app} = session.ctx
      if (!flags.yes) {
        if (!(process.stdin.isTTY && process.stdout.isTTY)) throw new GatlingError(`Restoring replaces what ${shownName(args.file)} holds in the database of ${app}: pass --yes to do it without a terminal to ask on. Nothing was changed.`)
        const sure = await confirm({message: `Replace the data of ${app}'s database on ${session.target.host.address} with ${shownName(args.file)}?`, default: false})
        if (!sure) throw new GatlingError('Not restored: nothing was changed.')
      }
      const started = Date.now()
      await this.operate(session.connection, app, {event: 'database', command: 'db restore', lockWait: lockWait(undefined)}, () =>
        this.helperStream(session, 'The restore', ['db-restore'], {stdin: createReadStream(file), onLine: (line, stream) => (stream === 'stdout' ? this.log(line) : this.logToStderr(line))}))
      this.log(`Restored the database of ${app} from ${shownName(args.file)} (${formatBytes(statSync(file).size)}) in ${formatDuration(Date.now() - started)}.`)
    } finally {
      session.connection.close()
    }
  }
}
