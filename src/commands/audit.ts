import {Flags} from '@oclif/core'

import {GatlingCommand, appArg, appFlag, connectionFlags} from '../base-command.js'
import {GatlingError} from '../errors.js'
import {type AuditEntry, auditLogCommand, parseAuditLog} from '../operation.js'

/** `gatling audit --json`: this shape is stable (new fields may be added, none removed or renamed). */
export interface AuditReport {
  app: string
  host: string
  /** Oldest first. */
  entries: AuditEntry[]
}

export default class Audit extends GatlingCommand {
  static summary = "Show the app's audit log: every setup, deploy, rollback, env change, restart, lock break and destroy."

  static description = `Each line: when (UTC, the server's clock), what, the result, the release version, who (the local user and machine that ran gatling, or "git-push"), from where (the SSH client's address) and the command. The log is root's (/var/log/gatling/APP.log): the deploy user adds lines only through gatling-root and can neither rewrite nor truncate it; it outlives "gatling destroy".`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> -n 50 --json']

  static enableJsonFlag = true

  static args = appArg

  static flags = {
    ...connectionFlags,
    ...appFlag,
    lines: Flags.integer({char: 'n', description: 'how many of the last entries (default 20)', default: 20, min: 1, max: 100_000}),
  }

  async run(): Promise<AuditReport> {
    const {args, flags} = await this.parse(Audit)
    return this.withApp(flags, args.app, async (target, connection) => {
      const r = await connection.exec(auditLogCommand(target.app, flags.lines))
      if (r.code !== 0 && !/No such file/.test(r.stderr)) throw new GatlingError(`Cannot read the audit log of ${target.app} on ${target.host.address}: ${r.stderr.trim().split('\n').at(-1) ?? `exit status ${r.code}`}.`)
      const entries = r.code === 0 ? parseAuditLog(r.stdout) : []
      if (entries.length === 0) this.log(`The audit log of ${target.app} on ${target.host.address} is empty.`)
      for (const e of entries) this.log([e.time, e.event, e.result, e.version, e.who, e.from, e.command].join('  '))
      return {app: target.app, host: target.host.address, entries}
    })
  }
}
