// What the database commands share (gatling db …, gatling migrate): the app's server over one login of the
// deploy user, and gatling-root's db-* subcommands run there, their refusals turned into one-paragraph errors.

import {GatlingCommand, appArg, appFlag, connectionFlags} from './base-command.js'

export {appArg}
import {type AppTarget, deployContext} from './config/app-target.js'
import type {DeployContext} from './context.js'
import {GatlingError} from './errors.js'
import type {Connection, ExecResult, StreamOptions} from './remote/connection.js'
import {type Arg, cmd} from './remote/shell.js'
import {helper} from './steps/deploy-support.js'

export const dbFlags = {...connectionFlags, ...appFlag}

export interface AppSession {
  target: AppTarget
  ctx: DeployContext
  connection: Connection
}

export abstract class DbCommand extends GatlingCommand {
  /** The app (the argument or -a/--app) from the project in the current directory, and a login to its server as the deploy user. */
  protected async openSession(app: string | undefined, flags: {app?: string; identity?: string; port?: number; 'accept-new-host-key'?: boolean; verbose?: boolean}): Promise<AppSession> {
    const {target, connection} = await this.openApp(flags, app)
    return {target, ctx: deployContext(target, {rev: 'HEAD'}), connection}
  }

  /** gatling-root SUBCOMMAND APP ARGS… with byte streams; a non-zero exit is an error naming what the server said. */
  protected async helperStream(session: AppSession, what: string, args: [string, ...Arg[]], options: StreamOptions & {input?: string} = {}): Promise<ExecResult> {
    const command = cmd(helper(session.ctx, ...args), options.input === undefined ? {} : {input: options.input})
    const result = options.input === undefined ? await session.connection.stream(command, options) : await session.connection.exec(command, options.onLine)
    if (result.code !== 0) {
      const said = result.tail.filter((line) => line.startsWith('gatling-root: ')).map((line) => line.slice('gatling-root: '.length)).at(-1)
      throw new GatlingError(`${what} failed on ${session.target.host.address}${said ? `: ${said}` : ` (exit ${result.code})`}.`, {host: session.target.host.address, command: command.script, output: said ? [] : result.tail})
    }
    return result
  }

  /** The lines gatling-root printed, for the reports (`db info`, `db backups`). */
  protected async helperLines(session: AppSession, what: string, args: [string, ...Arg[]]): Promise<string[]> {
    const lines: string[] = []
    await this.helperStream(session, what, args, {onLine: (line, stream) => stream === 'stdout' && line !== '' && lines.push(line)})
    return lines
  }
}

/** Bytes as people read them: 12.3 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/** The first bytes of every pg_dump custom-format archive. */
export const PG_DUMP_MAGIC = 'PGDMP'
