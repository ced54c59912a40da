import {Args} from '@oclif/core'

import {type EnvChange, GatlingCommand} from '../../base-command.js'
import {readLocalEnv} from '../../config/app.js'
import {mergeLocalEnv} from '../../config/server-env.js'
import {GatlingError, shownName} from '../../errors.js'
import {envChangeFlags} from './set.js'

export default class EnvPush extends GatlingCommand {
  static summary = "Write the local env file to the server as gatling push does, without a deploy, and apply it."

  static description = 'FILE (default: "envFile" in gatling.json, else .env.production) becomes the app\'s environment on the server, plus the keys set with "gatling env set" that it does not set: exactly what the next push would write. The app then gets the change as with "gatling env set".'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> .env.staging --no-restart']

  static args = {
    file: Args.string({description: 'the dotenv file (default: "envFile" in gatling.json, else .env.production)'}),
  }

  static flags = envChangeFlags

  async run(): Promise<EnvChange> {
    const {args, flags} = await this.parse(EnvPush)
    return this.changeEnv(flags, undefined, 'env push', (env, target) => {
      const named = args.file ?? target.config.envFile
      const local = readLocalEnv(process.cwd(), named ?? '.env.production')
      if (!local) throw new GatlingError(`There is no env file ${shownName(named ?? '.env.production')}: nothing was changed.`)
      const {env: merged, overridden} = mergeLocalEnv(local.entries, env)
      if (overridden.length > 0) this.warn(`${overridden.join(', ')}, set with gatling env set, ${overridden.length === 1 ? 'is' : 'are'} set by ${local.source} too: its value wins.`)
      return merged
    })
  }
}
