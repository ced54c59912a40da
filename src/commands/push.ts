import {Args, Flags} from '@oclif/core'
import {GatlingCommand, connectionFlags, lockFlags} from '../base-command.js'
import {envFileName, hasUncommittedChanges, isTrackedByGit, pushSource, readLocalEnv} from '../config/app.js'
import {changedKeys, mergeLocalEnv, renderServerEnv} from '../config/server-env.js'
import {cmd, sh} from '../remote/shell.js'
import {statePath} from '../server/state.js'
import {lockWait} from '../operation.js'
import {appTarget, deployContext} from '../config/app-target.js'
import {DEPLOY_USER} from '../server/layout.js'
import {gitPush} from '../git-push.js'
import {formatDuration, runPipeline} from '../pipeline/runner.js'
import {deployPipeline} from '../pipelines/deploy.js'

export default class Push extends GatlingCommand {
  static summary = 'Deploy the current branch: push it to the server, build a release and serve it behind nginx.'

  static description = `Run from your Elixir project. The first push creates the app on the server (its user, git repository, ports and cookie); every push then builds a mix release from exactly the pushed commit, installs it as a new versioned release, starts it beside the running one, checks its health, switches nginx to it and stops the old one.

The server comes from gatling.json (written by "gatling setup"). Secrets come from .env.production (or "envFile" in gatling.json): written to the server with mode 0600 and never printed. After the first push, a plain "git push" to the server's repository deploys the same way.`

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --branch release',
    '<%= config.bin %> <%= command.id %> --dry-run',
    'git push gatling@203.0.113.10:/srv/gatling/myapp/repo.git main   # same deploy, without gatling',
  ]

  static args = {
    app: Args.string({description: "the app to deploy (default: gatling.json's \"app\", else the app in mix.exs)"}),
  }

  static flags = {
    ...connectionFlags,
    ...lockFlags,
    branch: Flags.string({char: 'b', description: 'branch to deploy (default: the branch checked out)'}),
    'env-file': Flags.string({description: 'dotenv file with the app\'s secrets (default: "envFile" in gatling.json, else .env.production)'}),
    restart: Flags.boolean({description: 'take the zero-downtime restart even where a hot upgrade would do'}),
    'dry-run': Flags.boolean({description: 'print the steps and the exact remote commands without changing anything'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(this.constructor as typeof Push)
    this.verbose = flags.verbose
    const started = Date.now()
    const dir = process.cwd()
    const target = appTarget(dir, args.app, (message) => this.warn(message))
    const {app, host} = target
    const source = pushSource(dir, flags.branch)
    const named = flags['env-file'] ?? target.config.envFile
    const localEnv = readLocalEnv(dir, named)
    const wait = lockWait(flags['lock-wait'])
    const envName = envFileName(named)
    if (isTrackedByGit(dir, envName)) this.warn(`${envName} is tracked by git: its secrets are in your repository and in every checkout of it, the server's included. gatling reads it from your working tree: "git rm --cached ${envName}", add it to .gitignore, and change the secrets it held.`)
    if (hasUncommittedChanges(dir)) this.warn('You have uncommitted changes: gatling deploys the last commit, not your working tree.')

    const login = () => this.connect(host.address, {...flags, port: flags.port ?? host.port}, {user: DEPLOY_USER, pinnedKey: host.hostKey})
    let connection = await login()
    try {
      const ctx = deployContext(target, {
        rev: source.rev,
        forceRestart: flags.restart,
        // the local env file is rendered once the server's is read (its kept keys, set with gatling env set)
        envFile: localEnv && renderServerEnv(app, localEnv.source, {entries: localEnv.entries, kept: []}),
      })
      const options = {plain: this.plainOutput, dryRun: flags['dry-run'], print: (line: string) => this.log(line)}
      connection = await this.createApp(connection, login, ctx, options)
      if (flags['dry-run']) {
        this.log(`\ngit push --force -o gatling-cli ${DEPLOY_USER}@${host.address}:${ctx.paths.repo} ${source.rev}:refs/heads/${source.branch}`)
        await runPipeline(deployPipeline, ctx, connection, {...options, print: (line) => line.startsWith('Dry run') || this.log(line)})
        return
      }
      const deployed = connection
      await this.operate(deployed, app, {event: 'deploy', command: this.id === 'upgrade' ? 'upgrade' : 'push', lockWait: wait, version: 'built'}, async () => {
        let envChanged: string[] = []
        if (localEnv) {
          const server = await this.readServerEnv(deployed, app)
          const {env, overridden} = mergeLocalEnv(localEnv.entries, server)
          envChanged = changedKeys(server, env)
          if (overridden.length > 0) this.warn(`${overridden.join(', ')}, set on the server with gatling env set, ${overridden.length === 1 ? 'is' : 'are'} set by ${envName} too: its value wins (remove ${overridden.length === 1 ? 'it' : 'them'} there to keep the server's).`)
          ctx.envFile = renderServerEnv(app, localEnv.source, env)
        }
        const pushStarted = Date.now()
        await gitPush(dir, deployed, ctx.paths.repo, source.rev, source.branch)
        this.log(`Pushed ${source.branch} (${source.rev.slice(0, 12)}) in ${formatDuration(Date.now() - pushStarted)}`)
        await runPipeline(deployPipeline, ctx, deployed, options)
        // a hot upgrade keeps the node's OS environment: what the env file changed reaches it as gatling env does
        if (envChanged.length > 0 && (await deployed.exec(cmd(sh('cat', statePath(ctx.paths, 'path'))))).stdout.trim() === 'hot') {
          this.log(`The env file changed ${envChanged.join(', ')}, which the hot upgrade leaves out of the running node.`)
          await this.applyEnvChange(deployed, target, envChanged)
        }
      })
      this.log(`Deployed ${app} ${source.rev.slice(0, 12)} to ${host.address} in ${formatDuration(Date.now() - started)}: ${ctx.tls ? 'https' : 'http'}://${ctx.domains[0] ?? host.address}/`)
    } finally {
      connection.close()
    }
  }
}
