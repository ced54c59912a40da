import {Args, Flags} from '@oclif/core'
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'

import {GatlingCommand, connectionFlags} from '../base-command.js'
import {recordHost} from '../config/project.js'
import {DEPLOY_USER, type SetupContext} from '../context.js'
import {GatlingError} from '../errors.js'
import {runPipeline} from '../pipeline/runner.js'
import {setupPipeline} from '../pipelines/setup.js'
import {formatHostKey} from '../remote/host-keys.js'

export default class Setup extends GatlingCommand {
  static summary = 'Turn a fresh Debian or Ubuntu server into a deploy target.'

  static description = `Installs nginx, git, Erlang and Elixir from the distribution, creates the unprivileged "${DEPLOY_USER}" user that owns the apps and receives git pushes (with your public key), installs gatling-root with a sudo rule scoped to it, binds epmd to loopback, replaces nginx's default site and lets only SSH, HTTP and HTTPS through the firewall.

Log in as root or as a user with passwordless sudo. Running it again changes nothing and says so. The server's address and its host key are recorded in ./gatling.json, so later commands need no address.`

  static examples = [
    '<%= config.bin %> <%= command.id %> root@203.0.113.10',
    '<%= config.bin %> <%= command.id %> ubuntu@my-server --identity ~/.ssh/deploy_ed25519',
    '<%= config.bin %> <%= command.id %> root@203.0.113.10 --dry-run',
    '<%= config.bin %> <%= command.id %> root@203.0.113.10 --accept-new-host-key   # first contact from CI',
  ]

  static args = {
    target: Args.string({description: 'the server: USER@HOST[:PORT], or a Host alias from ~/.ssh/config', required: true}),
  }

  static flags = {
    ...connectionFlags,
    'dry-run': Flags.boolean({description: 'print the steps and the exact remote commands without changing anything'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Setup)
    this.verbose = flags.verbose
    const connection = await this.connect(args.target, flags)
    try {
      const ctx: SetupContext = {
        host: connection.endpoint.alias,
        sshPort: connection.endpoint.port,
        loginUser: connection.endpoint.user,
        deployUser: DEPLOY_USER,
        authorizedKeys: publicKeys(connection.endpoint.identityFiles),
      }
      const summary = await runPipeline(setupPipeline, ctx, connection, {plain: this.plainOutput, dryRun: flags['dry-run'], print: (line) => this.log(line)})
      if (flags['dry-run']) return
      const file = recordHost({address: connection.endpoint.alias, port: connection.endpoint.port === 22 ? undefined : connection.endpoint.port, hostKey: formatHostKey(connection.hostKey!)})
      this.printSummary(summary, `${ctx.host} is ready for deploys as ${DEPLOY_USER}@${ctx.host} (recorded in ${file})`, `Nothing to change: ${ctx.host} was already set up`)
    } finally {
      connection.close()
    }
  }
}

/** The operator's public keys: beside the identity files, else from the ssh-agent. */
function publicKeys(identityFiles: string[]): string[] {
  const keys = identityFiles.filter((file) => existsSync(`${file}.pub`)).map((file) => readFileSync(`${file}.pub`, 'utf8').trim())
  if (keys.length === 0 && process.env.SSH_AUTH_SOCK) {
    try {
      keys.push(...execFileSync('ssh-add', ['-L'], {encoding: 'utf8'}).split('\n').filter((line) => line.startsWith('ssh-')))
    } catch {
      // no agent keys: reported below
    }
  }
  if (keys.length === 0) throw new GatlingError('No public key found to authorize for the deploy user: gatling looks for the .pub file beside your key (or in the ssh-agent). Pass --identity FILE with FILE.pub beside it.')
  return keys
}
