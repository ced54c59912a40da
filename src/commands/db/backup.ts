import {Flags} from '@oclif/core'
import {closeSync, createWriteStream, openSync, readSync, rmSync, type WriteStream} from 'node:fs'
import {resolve} from 'node:path'

import {DbCommand, PG_DUMP_MAGIC, appArg, dbFlags, formatBytes} from '../../db-command.js'
import {GatlingError, shownName} from '../../errors.js'
import {formatDuration} from '../../pipeline/runner.js'

/** The file the dump goes to, opened (and so known to be writable) before the dump starts. */
function openOutput(file: string): Promise<WriteStream> {
  return new Promise((resolvePromise, reject) => {
    const out = createWriteStream(file, {flags: 'w', mode: 0o600})
    out.once('open', () => resolvePromise(out))
    out.once('error', (error: NodeJS.ErrnoException) => {
      const why = {ENOENT: 'its directory does not exist', EACCES: 'permission denied', EISDIR: 'it is a directory', EROFS: 'the file system is read-only'}[error.code ?? ''] ?? error.message
      reject(new GatlingError(`Cannot write the backup to ${shownName(file)}: ${why}. Nothing was dumped.`))
    })
  })
}

export default class DbBackup extends DbCommand {
  static summary = "Dump the app's database (pg_dump, custom format) to a file on this machine."

  static description = `pg_dump -Fc runs on the server as the app's role and streams over the SSH connection into FILE (default: APP-DATE.dump here, mode 0600), with progress. The output file is opened before the dump starts: a path that cannot be written is an error, and nothing is dumped. "gatling db restore" takes the file back.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> -o backups/before-migration.dump']

  static args = appArg

  static flags = {...dbFlags, output: Flags.string({char: 'o', description: 'the file to write (default: APP-YYYYMMDDTHHMMSSZ.dump in the current directory)'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(DbBackup)
    const session = await this.openSession(args.app, flags)
    const {app} = session.ctx
    const file = resolve(flags.output ?? `${app}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.dump`)
    let opened = false
    let complete = false
    try {
      const out = await openOutput(file)
      opened = true
      const started = Date.now()
      let shownAt = 0
      const progress = (bytes: number, last = false) => {
        const now = Date.now()
        if (!last && now - shownAt < (this.plainOutput ? 2000 : 200)) return
        shownAt = now
        const rate = formatBytes(Math.round(bytes / Math.max(0.001, (now - started) / 1000)))
        const line = `${app}: received ${formatBytes(bytes)} (${rate}/s)`
        if (this.plainOutput) this.logToStderr(line)
        else process.stderr.write(`\r${line}\u001B[K${last ? '\n' : ''}`)
      }
      let total = 0
      await this.helperStream(session, 'pg_dump', ['db-dump'], {stdout: out, onBytes: (bytes) => progress((total = bytes)), onLine: (line) => this.logToStderr(line)})
      progress(total, true)
      if (!startsWithMagic(file)) throw new GatlingError(`The server sent no pg_dump archive for ${app}: ${shownName(file)} was removed.`)
      complete = true
      this.log(`Backed up the database of ${app} (${formatBytes(total)}) to ${shownName(file)} in ${formatDuration(Date.now() - started)}.`)
    } finally {
      session.connection.close()
      if (opened && !complete) rmSync(file, {force: true})
    }
  }
}

/** The file begins like every pg_dump custom archive. */
export function startsWithMagic(file: string): boolean {
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(PG_DUMP_MAGIC.length)
    return readSync(fd, head, 0, head.length, 0) === head.length && head.toString('latin1') === PG_DUMP_MAGIC
  } finally {
    closeSync(fd)
  }
}
