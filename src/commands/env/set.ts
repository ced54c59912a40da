import {Args, Flags} from '@oclif/core'

import {type EnvChange, GatlingCommand, appFlag, connectionFlags, lockFlags} from '../../base-command.js'
import {readLocalEnv} from '../../config/app.js'
import {parseAssignments, setEnv} from '../../config/server-env.js'

/** Flags of every command that changes the app's environment. */
export const envChangeFlags = {
  ...connectionFlags,
  ...appFlag,
  ...lockFlags,
  'no-restart': Flags.boolean({description: 'only store the change: the app gets it when it next starts'}),
}

export default class EnvSet extends GatlingCommand {
  static summary = "Set variables in the app's environment on the server, and apply them without a rebuild."

  static description = `Each KEY=VALUE (the first "=" ends the key; the value is the rest, byte for byte: quotes, spaces, "#", newlines) replaces or adds the key in /etc/gatling/APP/app.env. Values travel on stdin, never on a command line, and are never printed. The change then reaches the app, as said before it is taken: in the running node with no restart when the app reads every changed key only through config/runtime.exs (evaluated again, then config_change/3), else with a zero-downtime restart. --no-restart only stores it.

Keys set here are kept by "gatling push", which writes the local env file: unless that file sets the same key, whose value then wins (gatling warns here and at the push).`

  static examples = ['<%= config.bin %> <%= command.id %> GREETING=howdy', '<%= config.bin %> <%= command.id %> API_TOKEN="$(cat token)" --no-restart']

  static strict = false

  static args = {
    assignment: Args.string({description: 'KEY=VALUE (several may follow)', required: true}),
  }

  static flags = envChangeFlags

  async run(): Promise<EnvChange> {
    const {argv, flags} = await this.parse(EnvSet)
    const assignments = parseAssignments(argv as string[])
    return this.changeEnv(flags, undefined, 'env set', (env, target) => {
      const local = readLocalEnv(process.cwd(), target.config.envFile)
      const shadowed = assignments.map(([key]) => key).filter((key) => local?.entries.some(([k]) => k === key))
      if (shadowed.length > 0) this.warn(`${shadowed.join(', ')} ${shadowed.length === 1 ? 'is' : 'are'} also in ${local!.source}, which gatling push writes: the next push sets ${shadowed.length === 1 ? 'it' : 'them'} back to that file's value (remove ${shadowed.length === 1 ? 'it' : 'them'} there to keep this one).`)
      return setEnv(env, assignments)
    })
  }
}
