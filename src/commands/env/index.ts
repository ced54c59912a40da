import {Flags} from '@oclif/core'

import {GatlingCommand, appArg, appFlag, connectionFlags} from '../../base-command.js'

/** `gatling env --json`: this shape is stable (new fields may be added, none removed or renamed). */
export interface EnvReport {
  app: string
  host: string
  /** In the file's order; `value` only with --reveal; `kept`: set with "gatling env set", kept by pushes. */
  variables: Array<{name: string; kept: boolean; value?: string}>
}

/** A value on one line as the terminal shows it: as it is when plain, else JSON-quoted (newlines, quotes, control characters). */
const shownValue = (value: string): string => (/^[^\s"'`\\\p{C}]([^"'`\\\p{C}]*[^\s"'`\\\p{C}])?$/u.test(value) ? value : JSON.stringify(value))

export default class Env extends GatlingCommand {
  static summary = "List the app's environment on the server: names only, values with --reveal."

  static description = `The app's environment file on the server (/etc/gatling/APP/app.env, mode 0600, the app's), as "gatling push" writes it from the local env file and "gatling env set", "unset" and "push" change it. Values stay hidden unless --reveal; a name marked "kept" was set with "gatling env set" and survives pushes unless the local env file sets it too.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --reveal', '<%= config.bin %> <%= command.id %> --json']

  static enableJsonFlag = true

  static args = appArg

  static flags = {
    ...connectionFlags,
    ...appFlag,
    reveal: Flags.boolean({description: 'show the values too (they are secrets: mind who sees your terminal)'}),
  }

  async run(): Promise<EnvReport> {
    const {args, flags} = await this.parse(this.constructor as typeof Env)
    return this.withApp(flags, args.app, async (target, connection) => {
      const env = await this.readServerEnv(connection, target.app)
      const variables = env.entries.map(([name, value]) => ({name, kept: env.kept.includes(name), ...(flags.reveal ? {value} : {})}))
      if (variables.length === 0) this.log(`${target.app} has no environment variables on ${target.host.address}.`)
      for (const v of variables) this.log(`${v.name}${v.value === undefined ? '' : `=${shownValue(v.value)}`}${v.kept ? '  (kept: gatling env set)' : ''}`)
      return {app: target.app, host: target.host.address, variables}
    })
  }
}
