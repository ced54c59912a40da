import {DbCommand, appArg, dbFlags, formatBytes} from '../../db-command.js'
import {type BackupEntry, parseBackupLine} from './backups.js'

/** `gatling db info --json`: this shape is stable (new fields may be added, none removed or renamed). */
export interface DbInfoReport {
  app: string
  host: string
  /** PostgreSQL's server_version */
  version: string
  database: string
  /** pg_database_size, bytes */
  sizeBytes: number
  /** sessions connected to the app's database now */
  connections: number
  /** days the scheduled dumps are kept; 0: no schedule */
  backupDays: number
  lastBackup: BackupEntry | null
}

export default class DbInfo extends DbCommand {
  static summary = "The app's database: PostgreSQL's version, its size, its connections, its last scheduled backup."

  static description = 'Read on the server by gatling-root (as PostgreSQL\'s superuser, fixed queries only). --json prints {app, host, version, database, sizeBytes, connections, backupDays, lastBackup: {name, bytes, time} | null}.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static enableJsonFlag = true

  static args = appArg

  static flags = dbFlags

  async run(): Promise<DbInfoReport> {
    const {args, flags} = await this.parse(DbInfo)
    const session = await this.openSession(args.app, flags)
    try {
      const values = new Map((await this.helperLines(session, 'Reading the database', ['db-info'])).map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]))
      const {app} = session.ctx
      const last = values.get('last_backup')
      const report: DbInfoReport = {
        app,
        host: session.target.host.address,
        version: values.get('version') ?? '',
        database: app,
        sizeBytes: Number(values.get('size') ?? 0),
        connections: Number(values.get('connections') ?? 0),
        backupDays: Number(values.get('backup_days') ?? 0),
        lastBackup: last ? parseBackupLine(last) : null,
      }
      this.log(`PostgreSQL ${report.version} on ${report.host}`)
      this.log(`database ${report.database}: ${formatBytes(report.sizeBytes)}, ${report.connections} connection${report.connections === 1 ? '' : 's'}`)
      this.log(`scheduled backups: ${report.backupDays > 0 ? `daily, kept ${report.backupDays} days` : 'none'}; last: ${report.lastBackup ? `${report.lastBackup.name} (${formatBytes(report.lastBackup.bytes)}, ${report.lastBackup.time})` : 'none'}`)
      return report
    } finally {
      session.connection.close()
    }
  }
}
