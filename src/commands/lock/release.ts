
import {GatlingCommand, appArg, appFlag, connectionFlags} from '../../base-command.js'
import {GatlingError} from '../../errors.js'
import {auditCommand, lockReleaseCommand} from '../../operation.js'

export default class LockRelease extends GatlingCommand {
  static summary = "Break the app's lock: stop the command on the server that holds it."

  static description = 'For a holder that is stuck: its processes on the server (its SSH session) are stopped, which frees the lock, and the break is recorded in the audit log. A lock whose holder is gone is already free (nothing to do). A deploy stopped half-way leaves the release that was serving serving.'

  static examples = ['<%= config.bin %> <%= command.id %>']

  static args = appArg

  static flags = {...connectionFlags, ...appFlag}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(LockRelease)
    await this.withApp(flags, args.app, async (target, connection) => {
      const r = await connection.exec(lockReleaseCommand(target.app), (line) => this.log(line))
      const op = {event: 'lock-break' as const, command: 'lock release', lockWait: 0}
      if (!/is free$/.test(r.stdout.trim())) await connection.exec(auditCommand(target.app, op, r.code === 0 ? 'ok' : 'failed'))
      if (r.code !== 0) throw new GatlingError(`The lock of ${target.app} on ${target.host.address} was not released: ${r.tail.at(-1) ?? `exit status ${r.code}`}.`)
    })
  }
}
