import {GatlingCommand, appFlag, connectionFlags} from '../base-command.js'
import {deployContext} from '../config/app-target.js'
import {GatlingError} from '../errors.js'
import {deployTool} from '../steps/deploy-support.js'

export default class Console extends GatlingCommand {
  static summary = 'Open a remote IEx shell attached to the running node.'

  static description = `An IEx shell on the server, connected to the serving node over loopback-only distribution (bin/APP remote, as the app, in its unit's sandbox), in a real terminal: the window size follows yours, and every key goes to IEx, so Ctrl-C opens its break menu as in a local IEx (Ctrl-C again, or a and Enter, leaves the shell). The node keeps running when the shell ends. Needs a terminal: for a script, use "gatling eval".`

  static examples = ['<%= config.bin %> <%= command.id %>']

  static flags = {...connectionFlags, ...appFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(Console)
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new GatlingError('gatling console needs a terminal (stdin and stdout are not both one): run it from an interactive shell, or use gatling eval \'EXPR\' from a script. Nothing was run.')
    }
    const code = await this.withApp(flags, undefined, (target, connection) =>
      connection.interactive(deployTool(deployContext(target, {rev: 'HEAD'}), 'console')))
    if (code !== 0) this.exit(code)
  }
}
