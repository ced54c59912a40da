import {DbCommand, appArg, dbFlags, formatBytes} from '../../db-command.js'
import {DB_BACKUPS} from '../../server/layout.js'

/** One dump of the scheduled backups. */
export interface BackupEntry {
  name: string
  bytes: number
  /** ISO 8601, UTC */
  time: string
}

/** `gatling db backups --json`: this shape is stable (new fields may be added, none removed or renamed). */
export interface BackupsReport {
  app: string
  host: string
  /** the server's directory of the dumps (root's) */
  directory: string
  backups: BackupEntry[]
}

/** gatling-root's "NAME BYTES EPOCH" lines. */
export const parseBackupLine = (line: string): BackupEntry => {
  const [name, bytes, epoch] = line.split(' ')
  return {name, bytes: Number(bytes), time: new Date(Number(epoch) * 1000).toISOString()}
}

export default class DbBackups extends DbCommand {
  static summary = "List the dumps of the app's scheduled database backups on its server."

  static description = `With "database": {"backups": DAYS} in gatling.json, a systemd timer on the server dumps the app's database every day into a root-owned directory and keeps each dump DAYS days. This lists them, oldest first (name, size, time). Copy one here with "gatling db backup" for a fresh dump instead.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static enableJsonFlag = true

  static args = appArg

  static flags = dbFlags

  async run(): Promise<BackupsReport> {
    const {args, flags} = await this.parse(DbBackups)
    const session = await this.openSession(args.app, flags)
    try {
      const backups = (await this.helperLines(session, 'Listing the backups', ['db-backups'])).map(parseBackupLine)
      const {app} = session.ctx
      if (backups.length === 0) this.log(`${app} has no scheduled backups on ${session.target.host.address} (set "database": {"backups": DAYS} in gatling.json and push).`)
      for (const b of backups) this.log(`${b.name}  ${formatBytes(b.bytes)}  ${b.time}`)
      return {app, host: session.target.host.address, directory: `${DB_BACKUPS}/${app}`, backups}
    } finally {
      session.connection.close()
    }
  }
}
