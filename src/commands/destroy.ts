import {input} from '@inquirer/prompts'
import {Flags} from '@oclif/core'

import {GatlingCommand, appArg, appFlag, connectionFlags, lockFlags} from '../base-command.js'
import {GatlingError, shown} from '../errors.js'
import {lockWait} from '../operation.js'
import {runPipeline} from '../pipeline/runner.js'
import {deployContext} from '../config/app-target.js'
import {destroyPipeline} from '../pipelines/destroy.js'

export default class Destroy extends GatlingCommand {
  static summary = 'Remove the app from the server: its instances, unit, nginx site, repository, releases, env, user and certificates.'

  static description = `Stops every instance of the app and removes its systemd unit, its nginx site (nginx reloads gracefully; other apps' sites are untouched), its certificate, its directories (repository, build, releases, slots, state, tools), its environment and cookie, its home, and its user and group. With --database, its database goes first (gatling-root db-drop). The audit log stays and records the destroy. Other apps on the server are untouched; gatling.json and your project are not changed.

Type the app's name to confirm; --yes confirms for scripts. Without a terminal and without --yes, nothing is done.`

  static examples = ['<%= config.bin %> <%= command.id %> myapp', '<%= config.bin %> <%= command.id %> myapp --yes --database']

  static args = appArg

  static flags = {
    ...connectionFlags,
    ...appFlag,
    ...lockFlags,
    yes: Flags.boolean({char: 'y', description: 'do not ask: destroy the app (for scripts)'}),
    database: Flags.boolean({description: "drop the app's database too (gatling-root db-drop)"}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Destroy)
    const wait = lockWait(flags['lock-wait'])
    await this.withApp(flags, args.app, async (target, connection) => {
      const {app} = target
      if (!flags.yes) {
        if (!process.stdin.isTTY || !process.stdout.isTTY) throw new GatlingError(`Destroying ${app} needs a confirmation: type its name on a terminal, or pass --yes. Nothing was changed.`)
        const typed = await input({message: `This removes ${app} from ${target.host.address} for good (its releases, repository and environment${flags.database ? ', and its database' : ''}). Type the app's name to confirm:`})
        if (typed.trim() !== app) throw new GatlingError(`${shown(typed.trim())} is not ${app}: nothing was changed.`)
      }
      const ctx = deployContext(target, {rev: 'HEAD'})
      const options = {plain: this.plainOutput, dryRun: false, print: (line: string) => this.log(line)}
      await this.operate(connection, app, {event: 'destroy', command: flags.database ? 'destroy --database' : 'destroy', lockWait: wait}, async () => {
        await runPipeline(destroyPipeline({database: flags.database}), ctx, connection, options)
      })
      this.log(`Destroyed ${app} on ${target.host.address}. gatling.json still names it: "gatling push" would create it again.`)
    })
  }
}
