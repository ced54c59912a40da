import {Args, Flags} from '@oclif/core'
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {GatlingCommand, connectionFlags} from '../base-command.js'
import {envFileName, ignoreEnvFile, readLocalEnv, renderEnvFile} from '../config/app.js'
import {mergeLocalEnv, renderServerEnv} from '../config/server-env.js'
import {appName, appTarget, deployContext} from '../config/app-target.js'
import {auditCommand} from '../operation.js'
import {databaseSettings, pinnedHostKey, readProjectConfig, recordHost} from '../config/project.js'
import {tlsSettings} from '../config/tls.js'
import {elixirRequirement, readToolchain} from '../config/toolchain.js'
import type {SetupContext} from '../context.js'
import {DEPLOY_USER} from '../server/layout.js'
import {GatlingError} from '../errors.js'
import {runPipeline} from '../pipeline/runner.js'
import {httpsPipeline} from '../pipelines/deploy.js'
import {setupPipeline} from '../pipelines/setup.js'
import {installToolchain} from '../steps/install-toolchain.js'
import {writeEnvFile} from '../steps/write-env-file.js'
import {parseTarget} from '../remote/endpoint.js'
import {formatHostKey} from '../remote/host-keys.js'

export default class Setup extends GatlingCommand {
  static summary = 'Turn a fresh Debian or Ubuntu server into a deploy target.'

  static description = `Installs nginx, git, Erlang and Elixir from the distribution (and Node.js with npm for a project with assets/package.json), tries once to install Hex for the deploy user, creates the unprivileged "${DEPLOY_USER}" user that owns the apps and receives git pushes (with your public key), installs gatling-root with a sudo rule scoped to it, binds epmd to loopback, replaces nginx's default site and lets only SSH, HTTP and HTTPS through the firewall.

Log in as root or as a user with passwordless sudo. Running it again changes nothing and says so. The server's address and its host key are recorded in ./gatling.json, so later commands need no address. Run from an Elixir project, it also creates the app on the server and a "gatling" git remote: the first plain "git push gatling main" deploys; and when the project pins Erlang/OTP and Elixir (.tool-versions, mise.toml or elixir_buildpack.config), it installs exactly those (docs/toolchains.md).`

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
    const dir = process.cwd()
    const config = readProjectConfig(dir, (message) => this.warn(message))
    // from a project, the app is created once the server is set up: its name and env file are checked first
    // and its pinned toolchain (refused here when the pin cannot work: before any connection)
    const project = existsSync(join(dir, 'mix.exs'))
      ? {envFile: renderEnvFile(appName(dir, config), dir, config?.envFile), envFileName: envFileName(config?.envFile), toolchain: readToolchain(dir, config?.toolchains)}
      : undefined
    // HTTPS settings and local certificate files are checked before anything changes
    const tls = config ? tlsSettings(config, dir) : undefined
    // a server pinned in gatling.json accepts only that key: running setup again must not trust another one
    const connection = await this.connect(args.target, flags, {pinnedKey: pinnedHostKey(config, parseTarget(args.target).host)})
    try {
      const ctx: SetupContext = {
        host: connection.endpoint.alias,
        sshPort: connection.endpoint.port,
        loginUser: connection.endpoint.user,
        deployUser: DEPLOY_USER,
        authorizedKeys: publicKeys(connection.endpoint.identityFiles),
        // from a project: Hex is installed with its build environment, Node.js when its assets need npm
        ...(project ? {buildEnv: config?.build?.env, needsNode: existsSync(join(dir, 'assets', 'package.json')), toolchain: project.toolchain, elixirRequirement: elixirRequirement(dir)} : {}),
        certbot: tls?.acme !== undefined,
        // a DATABASE_URL of the app's own (a managed database elsewhere) wins: then no local server
        postgres: project !== undefined && databaseSettings(config) !== undefined && !setsDatabaseUrl(project.envFile),
        ...(project && tls?.acmeCa !== undefined ? {acmeCa: {app: appName(dir, config), pem: tls.acmeCa}} : {}),
      }
      const summary = await runPipeline(setupPipeline, ctx, connection, {plain: this.plainOutput, dryRun: flags['dry-run'], print: (line) => this.log(line)})
      if (flags['dry-run']) return
      const hostKey = formatHostKey(connection.hostKey!)
      const file = recordHost({address: connection.endpoint.alias, port: connection.endpoint.port === 22 ? undefined : connection.endpoint.port, hostKey})
      this.printSummary(summary, `${ctx.host} is ready for deploys as ${DEPLOY_USER}@${ctx.host} (recorded in ${file})`, `Nothing to change: ${ctx.host} was already set up`)
      if (project) {
        await this.prepareApp(args.target, flags, hostKey, project.envFile)
        const ignored = ignoreEnvFile(dir, project.envFileName)
        if (ignored) this.log(`Added ${ignored} to .gitignore: the env file holds secrets, and gatling reads it from your working tree.`)
      }
    } finally {
      connection.close()
    }
  }

  /**
   * Run from an Elixir project, setup also creates the app (repository, hook, env file) and a "gatling"
   * git remote, so that the very first plain `git push gatling` deploys. This logs in as the deploy user.
   */
  private async prepareApp(target: string, flags: {identity?: string; port?: number; verbose: boolean}, hostKey: string, envFile: string | undefined): Promise<void> {
    const dir = process.cwd()
    const app = appTarget(dir)
    const login = () => this.connect(target, flags, {user: DEPLOY_USER, pinnedKey: hostKey})
    let connection = await login()
    try {
      // an app set up before keeps what "gatling env set" set, as a push does
      const server = await this.readServerEnv(connection, app.app).catch(() => undefined)
      const local = readLocalEnv(dir, app.config.envFile)
      const ctx = deployContext(app, {rev: 'HEAD', envFile: server && local ? renderServerEnv(app.app, local.source, mergeLocalEnv(local.entries, server).env) : envFile})
      const options = {plain: this.plainOutput, dryRun: false, print: (line: string) => this.log(line)}
      // with "tls", the site and its certificate too: the first push then finds HTTPS serving
      connection = await this.createApp(connection, login, ctx, options, [installToolchain, writeEnvFile, ...(ctx.tls ? httpsPipeline : [])])
      const audited = await connection.exec(auditCommand(app.app, {event: 'setup', command: 'setup', lockWait: 0}, 'ok'))
      if (audited.code !== 0) this.warn(`The setup could not be written to the audit log of ${app.app}: ${audited.tail.at(-1) ?? `exit status ${audited.code}`}.`)
      const {endpoint} = connection
      const url = endpoint.port === 22 ? `${DEPLOY_USER}@${endpoint.alias}:${ctx.paths.repo}` : `ssh://${DEPLOY_USER}@${endpoint.alias}:${endpoint.port}${ctx.paths.repo}`
      const remote = addGitRemote(dir, 'gatling', url)
      this.log(`App ${app.app} is ready: "gatling push", or "git push ${remote ?? url} main", deploys it.`)
    } finally {
      connection.close()
    }
  }
}

/** The rendered env file sets DATABASE_URL itself. */
export const setsDatabaseUrl = (envFile: string | undefined): boolean => envFile !== undefined && /^DATABASE_URL=/m.test(envFile)

/** Add a git remote unless the project is not a git repository or already has one by that name. */
function addGitRemote(dir: string, name: string, url: string): string | undefined {
  try {
    const remotes = execFileSync('git', ['remote'], {cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).split('\n')
    if (!remotes.includes(name)) execFileSync('git', ['remote', 'add', name, url], {cwd: dir, stdio: 'ignore'})
    return name
  } catch {
    return undefined
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
