
import {GatlingCommand, appArg, appFlag, connectionFlags} from '../../base-command.js'
import {GatlingError} from '../../errors.js'
import {type LockHolder, lockStatusCommand, parseLockStatus} from '../../operation.js'

/** `gatling lock --json`: this shape is stable (new fields may be added, none removed or renamed). */
export interface LockReport {
  app: string
  host: string
  held: boolean
  /** The holder; while free, the last one (its process gone), if any. */
  holder?: LockHolder
}

export const describeHolder = (h: LockHolder): string => `${h.who} (${h.command}, from ${h.from}, since ${h.since}, process ${h.pid})`

export default class Lock extends GatlingCommand {
  static summary = "Show the app's lock on the server: free, or who holds it, since when, from where and for which command."

  static description = `Every command that changes the app on the server (push, a plain git push, rollback, env set/unset/push, destroy…) holds the app's lock there while it runs: a second one fails naming the holder, or waits with --lock-wait SECONDS (git push -o lock-wait=SECONDS). The lock is flock(1) on a file, held by the command's own process on the server: when that process ends, however it ends (a killed CLI, a dropped connection), the lock is free again. "gatling lock release" stops a holder that is stuck.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static enableJsonFlag = true

  static args = appArg

  static flags = {...connectionFlags, ...appFlag}

  async run(): Promise<LockReport> {
    const {args, flags} = await this.parse(this.constructor as typeof Lock)
    return this.withApp(flags, args.app, async (target, connection) => {
      const r = await connection.exec(lockStatusCommand(target.app))
      if (r.code !== 0) throw new GatlingError(`Cannot read the lock of ${target.app} on ${target.host.address}: ${r.tail.at(-1) ?? `exit status ${r.code}`}${r.code === 127 ? ' (is the app pushed yet?)' : ''}.`)
      const status = parseLockStatus(r.stdout)
      if (status.held) this.log(`${target.app} is locked by ${status.holder ? describeHolder(status.holder) : 'an unrecorded holder'}.`)
      else this.log(`${target.app} is not locked${status.holder ? `; last held by ${describeHolder(status.holder)}` : ''}.`)
      return {app: target.app, host: target.host.address, ...status}
    })
  }
}
