import {Args} from '@oclif/core'

import {type EnvChange, GatlingCommand} from '../../base-command.js'
import {readLocalEnv} from '../../config/app.js'
import {checkEnvKey, unsetEnv} from '../../config/server-env.js'
import {GatlingError} from '../../errors.js'
import {envChangeFlags} from './set.js'

export default class EnvUnset extends GatlingCommand {
  static summary = "Remove variables from the app's environment on the server, and apply that without a rebuild."

  static description = 'Each KEY goes from /etc/gatling/APP/app.env; the app then gets the change as with "gatling env set" (in the running node, or a zero-downtime restart; --no-restart only stores it). A key the local env file sets comes back at the next push.'

  static examples = ['<%= config.bin %> <%= command.id %> OLD_FLAG', '<%= config.bin %> <%= command.id %> A B --no-restart']

  static strict = false

  static args = {
    key: Args.string({description: 'a variable name (several may follow)', required: true}),
  }

  static flags = envChangeFlags

  async run(): Promise<EnvChange> {
    const {argv, flags} = await this.parse(EnvUnset)
    const keys = argv as string[]
    for (const key of keys) {
      if (key.includes('=')) throw new GatlingError(`${key.slice(0, 40)} has a "=": env unset takes names only (KEY, not KEY=VALUE): nothing was changed.`)
      checkEnvKey(key)
    }
    return this.changeEnv(flags, undefined, 'env unset', (env, target) => {
      const missing = keys.filter((key) => !env.entries.some(([k]) => k === key))
      if (missing.length > 0) this.warn(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in the environment of ${target.app}.`)
      const local = readLocalEnv(process.cwd(), target.config.envFile)
      const back = keys.filter((key) => local?.entries.some(([k]) => k === key))
      if (back.length > 0) this.warn(`${back.join(', ')} ${back.length === 1 ? 'is' : 'are'} in ${local!.source}: the next push sets ${back.length === 1 ? 'it' : 'them'} again.`)
      return unsetEnv(env, keys)
    })
  }
}
