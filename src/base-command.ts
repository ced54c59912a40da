// What every command shares: connection flags, plain/live output, and one-paragraph errors.
import {confirm} from '@inquirer/prompts'
import {Args, Command, Flags} from '@oclif/core'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {GatlingError} from './errors.js'
import {Connection} from './remote/connection.js'
import {type Endpoint, SSH_PORT, resolveEndpoint} from './remote/endpoint.js'
import {parseHostKey} from './remote/host-keys.js'
import type {DeployContext} from './context.js'
import {type AppTarget, appTarget, deployContext} from './config/app-target.js'
import {recordDomains} from './config/project.js'
import {tlsSettings} from './config/tls.js'
import {DEPLOY_USER} from './server/layout.js'
import {RULES, domainLength, isValid} from './server/rules.js'
import {shown} from './errors.js'
import {type RunOptions, formatDuration, type RunSummary, runPipeline} from './pipeline/runner.js'
import type {Pipeline} from './pipeline/step.js'
import {appFilesPipeline, httpsPipeline, prepareAppPipeline} from './pipelines/deploy.js'
import {installNginxSite} from './steps/install-nginx-site.js'
import {type Operation, auditCommand, lockWait, takeLock} from './operation.js'
import {type ServerEnv, changedKeys, parseServerEnv, renderServerEnv} from './config/server-env.js'
import {reloadRuntimeConfig} from './steps/reload-runtime-config.js'
import {envReadsCommand, readEnvCommand, servingCommand, writeEnvCommand} from './pipelines/env.js'
import {restartPipeline} from './pipelines/restart.js'

export const connectionFlags = {
  identity: Flags.string({char: 'i', description: 'private key to log in with (default: ssh-agent, ~/.ssh/config IdentityFile, ~/.ssh/id_*)'}),
  port: Flags.integer({char: 'p', description: 'SSH port (default: from ~/.ssh/config, else 22)', min: SSH_PORT.min, max: SSH_PORT.max}),
  'accept-new-host-key': Flags.boolean({description: 'trust a server seen for the first time without asking (first contact from CI); a changed key is still refused'}),
  verbose: Flags.boolean({char: 'v', description: 'plain line output with every remote line, and stack traces on errors'}),
}

/** How long a command that changes the app waits for another one's lock on the server. */
export const lockFlags = {
  'lock-wait': Flags.integer({description: 'seconds to wait for the app\'s lock when another command holds it (default 0: fail naming the holder)', min: 0, max: 3600}),
}

/** The app a day-two command acts on: "-a/--app" (Heroku's flag) or the positional APP, else the project's. */
export const appArg = {
  app: Args.string({description: "the app (default: gatling.json's \"app\", else the app in mix.exs)"}),
}

export const appFlag = {
  app: Flags.string({char: 'a', description: "the app (default: gatling.json's \"app\", else the app in mix.exs)"}),
}

type AppFlags = {app?: string; identity?: string; port?: number; 'accept-new-host-key'?: boolean; verbose?: boolean}
export interface EnvChangeFlags {
  app?: string
  identity?: string
  port?: number
  'accept-new-host-key'?: boolean
  verbose?: boolean
  'no-restart'?: boolean
  'lock-wait'?: number
}

/** What gatling env set/unset/push did: the keys whose value changed (never a value) and how the app got them. */
export interface EnvChange {
  app: string
  host: string
  changed: string[]
  /** runtime: in the running node, no restart; restart: zero-downtime restart; stored: at the next start; unchanged */
  applied: 'runtime' | 'restart' | 'stored' | 'unchanged'
}

export abstract class GatlingCommand extends Command {
  protected verbose = false

  protected get plainOutput(): boolean {
    return this.verbose || !process.stdout.isTTY || (process.stdout.columns ?? 0) === 0
  }

  protected async connect(target: string, flags: {identity?: string; port?: number; 'accept-new-host-key'?: boolean}, options: {user?: string; pinnedKey?: string} = {}): Promise<Connection> {
    const endpoint: Endpoint = resolveEndpoint(target, {identity: flags.identity, port: flags.port, user: options.user})
    return Connection.open(endpoint, {
      knownHostsFile: join(homedir(), '.ssh', 'known_hosts'),
      pinned: options.pinnedKey ? parseHostKey(options.pinnedKey) : undefined,
      acceptNew: Boolean(flags['accept-new-host-key']),
      interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    })
  }

  /**
   * A command on a deployed app: its target from the project (APP from "-a/--app" or the positional
   * argument, which must agree), one login of the deploy user on its host, closed when `run` ends.
   */
  protected async withApp<T>(flags: AppFlags, positional: string | undefined, run: (target: AppTarget, connection: Connection) => Promise<T>): Promise<T> {
    const {target, connection} = await this.openApp(flags, positional)
    try {
      return await run(target, connection)
    } finally {
      connection.close()
    }
  }

  /** What withApp opens, for a command that closes the connection itself. */
  protected async openApp(flags: AppFlags, positional: string | undefined): Promise<{target: AppTarget; connection: Connection}> {
    this.verbose = Boolean(flags.verbose)
    if (flags.app !== undefined && positional !== undefined && flags.app !== positional) throw new GatlingError(`--app ${shown(flags.app)} and the argument ${shown(positional)} name different apps: give one.`)
    const target = appTarget(process.cwd(), flags.app ?? positional, (message) => this.warn(message))
    const connection = await this.connect(target.host.address, {...flags, port: flags.port ?? target.host.port}, {user: DEPLOY_USER, pinnedKey: target.host.hostKey})
    return {target, connection}
  }

  /**
   * A command that changes the app on the server: `run` holds the app's lock there, and the operation with
   * its result goes into root's audit log (a failure too) before the lock is let go. Not under --dry-run.
   */
  protected async operate<T>(connection: Connection, app: string, op: Operation, run: () => Promise<T>): Promise<T> {
    const lock = await takeLock(connection, app, op, (line) => this.log(line))
    let result: 'ok' | 'failed' = 'failed'
    try {
      const value = await run()
      result = 'ok'
      return value
    } finally {
      const audited = await connection.exec(auditCommand(app, op, result)).catch(() => undefined)
      if (audited?.code !== 0) this.warn(`The ${op.event} could not be written to the audit log of ${app}${audited ? `: ${audited.tail.at(-1) ?? `exit status ${audited.code}`}` : ''}.`)
      await lock.release().catch(() => {})
    }
  }

  /**
   * The app on the server (its user, group, directories), then its repository, hook and tools, then
   * `more`: on a login of the deploy user that has the app's group, which takes a new login when
   * prepare-app has just added it. Returns the connection to go on with.
   */
  protected async createApp(connection: Connection, login: () => Promise<Connection>, ctx: DeployContext, options: RunOptions, more: Pipeline<DeployContext> = []): Promise<Connection> {
    await runPipeline(prepareAppPipeline, ctx, connection, options)
    if (ctx.needsNewLogin) {
      connection.close()
      connection = await login()
    }
    await runPipeline([...appFilesPipeline(ctx), ...more], ctx, connection, options)
    return connection
  }

  /**
   * gatling domains add/remove: the app's new domains, checked first (the rule, and with "tls" a certificate
   * for each), then the site and certificate on the server without a rebuild, then gatling.json. When the
   * server refuses (a failed challenge), the site goes back to the old domains and gatling.json stays.
   */
  protected async changeDomains(appArg: string | undefined, flags: {identity?: string; port?: number; verbose: boolean; 'dry-run'?: boolean}, change: (domains: string[]) => string[], given: string[]): Promise<AppTarget> {
    this.verbose = flags.verbose
    for (const domain of given) {
      if (!isValid('domain', domain) || domain.length > domainLength) throw new GatlingError(`${shown(domain)} is not ${RULES.domain.description}, at most ${domainLength} characters: nothing was changed.`)
    }
    const dir = process.cwd()
    const target = appTarget(dir, appArg, (message) => this.warn(message))
    const before = target.config.domains ?? []
    const domains = change(before)
    const config = {...target.config, domains}
    const changed: AppTarget = {...target, config, tls: tlsSettings(config, dir)}
    const connection = await this.connect(target.host.address, {...flags, port: flags.port ?? target.host.port}, {user: DEPLOY_USER, pinnedKey: target.host.hostKey})
    const options = {plain: this.plainOutput, dryRun: Boolean(flags['dry-run']), print: (line: string) => this.log(line)}
    try {
      try {
        await runPipeline(httpsPipeline, deployContext(changed, {rev: 'HEAD'}), connection, options)
      } catch (error) {
        if (!options.dryRun) await runPipeline([installNginxSite], deployContext(target, {rev: 'HEAD'}), connection, {...options, print: () => {}}).catch(() => {})
        throw error
      }
    } finally {
      connection.close()
    }
    if (!options.dryRun) recordDomains(domains, dir)
    return changed
  }

  /**
   * A change that visitors notice (stop, start) needs a yes: --yes for scripts, else a terminal to ask on.
   * Checked before connecting: without either it is refused, and nothing is changed.
   */
  protected requireConfirmation(what: string, yes: boolean | undefined): void {
    if (!yes && !(process.stdin.isTTY && process.stdout.isTTY)) throw new GatlingError(`${what} needs a confirmation, and there is no terminal to ask on: pass --yes to do it from a script. Nothing was changed.`)
  }

  /** Asked on the terminal (after requireConfirmation), unless --yes. */
  protected async confirmAction(question: string, yes: boolean | undefined): Promise<void> {
    if (yes) return
    if (!(await confirm({message: question, default: false}))) throw new GatlingError('Not confirmed: nothing was changed.')
  }

  /** The app's environment on the server, as gatling wrote it (the values reach this process, never the terminal). */
  protected async readServerEnv(connection: Connection, app: string): Promise<ServerEnv> {
    const read = await connection.exec(readEnvCommand(app))
    if (read.code !== 0) throw new GatlingError(`Cannot read the environment of ${app} on ${connection.endpoint.host}: ${read.stderr.trim().split('\n').at(-1) ?? `exit status ${read.code}`}.`)
    return parseServerEnv(read.stdout)
  }

  /**
   * gatling env set/unset/push: under the app's lock (audited), the server's env file becomes `change` of
   * it; then, unless --no-restart, the change reaches the app, the way said before it is taken: in the
   * running node when every changed key is read only through config/runtime.exs, else a zero-downtime restart.
   */
  protected async changeEnv(flags: EnvChangeFlags, positional: string | undefined, command: string, change: (env: ServerEnv, target: AppTarget) => ServerEnv): Promise<EnvChange> {
    const wait = lockWait(flags['lock-wait'])
    return this.withApp(flags, positional, (target, connection) => this.operate(connection, target.app, {event: 'env', command, lockWait: wait}, async () => {
      const {app} = target
      const before = await this.readServerEnv(connection, app)
      const after = change(before, target)
      const keys = changedKeys(before, after)
      const report: EnvChange = {app, host: target.host.address, changed: keys, applied: 'unchanged'}
      if (keys.length === 0 && before.kept.join(' ') === after.kept.join(' ')) {
        this.log(`The environment of ${app} is unchanged: nothing to apply.`)
        return report
      }
      const written = await connection.exec(writeEnvCommand(app, renderServerEnv(app, `gatling ${command}`, after)))
      if (written.code !== 0) throw new GatlingError(`The environment of ${app} on ${target.host.address} was not written: ${written.tail.at(-1) ?? `exit status ${written.code}`}. Nothing was changed.`)
      this.log(keys.length > 0 ? `Changed ${keys.join(', ')} in the environment of ${app} on ${target.host.address}.` : `The environment of ${app} is unchanged.`)
      if (keys.length === 0) return {...report, applied: 'unchanged'}
      if (flags['no-restart']) {
        this.log('Stored (--no-restart): the app gets it when it next starts (gatling restart, or a push that restarts; a hot upgrade keeps the node\'s environment).')
        return {...report, applied: 'stored'}
      }
      return {...report, applied: await this.applyEnvChange(connection, target, keys)}
    }))
  }

  /**
   * Changed keys of the env file reach the running app, the way said before it is taken: in the running node
   * when every one is read only through config/runtime.exs (falling back to a restart if the node refuses),
   * else a zero-downtime restart. Nothing when the app is not running.
   */
  protected async applyEnvChange(connection: Connection, target: AppTarget, keys: string[]): Promise<EnvChange['applied']> {
    const {app} = target
    const serving = (await connection.exec(servingCommand(app))).stdout.trim()
    if (serving === '') {
      this.log(`${app} is not running: it gets the change when it starts.`)
      return 'stored'
    }
    const ctx = deployContext(target, {rev: 'HEAD'})
    const options = {plain: this.plainOutput, dryRun: false, print: (line: string) => this.log(line)}
    const reads = (await connection.exec(envReadsCommand(app, keys))).stdout.split('\n').filter(Boolean).map((line) => line.split(' '))
    const needRestart = keys.filter((key) => !reads.some(([how, k]) => how === 'runtime' && k === key))
    if (needRestart.length === 0) {
      this.log(`Applying in the running node, with no restart: ${keys.join(', ')} ${keys.length === 1 ? 'is' : 'are'} read only through config/runtime.exs (re-evaluated, then config_change/3).`)
      const [reload] = reloadRuntimeConfig(keys).commands(ctx)
      const ran = await connection.exec(reload).catch((error: Error) => ({code: 255, stdout: '', stderr: error.message, tail: [error.message]}))
      const outcome = ran.tail.find((line) => line.includes('GATLING_RELOAD')) ?? ran.tail.at(-1) ?? ''
      if (/GATLING_RELOAD ok/.test(outcome)) {
        this.log(`Applied with no restart: ${outcome.replace(/^.*GATLING_RELOAD ok /, '')}.`)
        return 'runtime'
      }
      this.warn(`The running node did not take the change (${outcome.replace(/^.*GATLING_RELOAD failed /, '') || 'no answer'}): restarting instead.`)
    } else {
      this.log(`Applying with a zero-downtime restart: ${needRestart.join(', ')} ${needRestart.length === 1 ? 'is' : 'are'} not read only through config/runtime.exs.`)
    }
    await runPipeline(restartPipeline, ctx, connection, options)
    return 'restart'
  }

  protected printSummary(summary: RunSummary, done: string, unchanged?: string): void {
    const total = formatDuration(summary.totalMs)
    this.log(!summary.changed && unchanged ? `${unchanged} (${total})` : `${done} in ${total}.`)
  }

  async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<void> {
    if (error.oclif?.exit !== undefined) throw error // oclif's own exits and usage errors
    this.logToStderr('')
    if (error instanceof GatlingError) {
      this.logToStderr(`Error: ${error.message}`)
      const {command, output} = error.details
      if (command) {
        const lines = command.split('\n')
        this.logToStderr(`  command: ${lines[0]}${lines.length > 1 ? ` … (${lines.length} lines; --dry-run prints it whole)` : ''}`)
      }
      if (output && output.length > 0) {
        this.logToStderr('  last lines of output:')
        for (const line of output.slice(-15)) this.logToStderr(`    ${line}`)
      }
    } else {
      this.logToStderr(`Error: ${error.message}`)
    }
    if (this.verbose && error.stack) this.logToStderr(error.stack)
    this.exit(1)
  }
}
