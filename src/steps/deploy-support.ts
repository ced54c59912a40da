// Shared pieces of the deploy steps: privileged helper calls, the deploy tool, state files, mix invocations.
import type {DeployContext} from '../context.js'
import {type Arg, type RemoteCommand, and, cmd, raw, sh} from '../remote/shell.js'
import {HELPER, toolchainPath} from '../server/layout.js'
import {BUILD_ENV_KEYS, isValid} from '../server/rules.js'
import {type StateKey, statePath} from '../server/state.js'

/** gatling-root SUBCOMMAND APP ARGS…, the deploy user's only way to act as root. */
export const helper = (ctx: DeployContext, subcommand: string, ...args: Arg[]): string => sh('sudo', '-n', HELPER, subcommand, ctx.app, ...args)

/** The deploy tool (tools/gatling-deploy): the deploy steps that take more than one line of shell. */
export const DEPLOY_TOOL = 'gatling-deploy'
const deployToolPath = (ctx: DeployContext): string => `${ctx.paths.tools}/${DEPLOY_TOOL}`
export const deployTool = (ctx: DeployContext, subcommand: string, ...args: Arg[]): RemoteCommand =>
  cmd(ctx.toolchain ? sh('env', ...toolchainEnv(ctx), deployToolPath(ctx), subcommand, ...args) : sh(deployToolPath(ctx), subcommand, ...args))

/** A pinned toolchain's bin directories first in PATH (its elixir, mix and erl): for every command that runs Elixir. */
export const toolchainEnv = (ctx: {toolchain?: DeployContext['toolchain']}): string[] => (ctx.toolchain ? [`PATH=${toolchainPath(ctx.toolchain)}`] : [])

/** The value an earlier step left in a state file, read on the server when the command runs. */
export const fromState = (ctx: DeployContext, key: StateKey): Arg => raw(`"$(cat ${sh(statePath(ctx.paths, key))})"`)

/** The distribution's rebar3 (setup installs it): mix never downloads one. */
export const REBAR3 = '/usr/bin/rebar3'

const BUILD_ENV: Record<(typeof BUILD_ENV_KEYS)[number], string> = {MIX_ENV: 'prod', LANG: 'C.UTF-8', MIX_REBAR3: REBAR3}

/** `env` arguments of the build: gatling.json's build.env (mirrors, local asset tools), then gatling's own. */
export const buildEnv = (env: Record<string, string> = {}): string[] =>
  [...Object.entries(env), ...Object.entries(BUILD_ENV)].map(([key, value]) => `${key}=${value}`)

/** PROGRAM ARGS… in the build checkout, in the build's environment. */
const inBuild = (ctx: DeployContext, program: string, ...args: Arg[]): RemoteCommand =>
  cmd(and(sh('cd', ctx.paths.build), sh('env', ...buildEnv(ctx.buildEnv), ...toolchainEnv(ctx), program, ...args)))

/** MIX_ENV=prod mix ARGS… in the build checkout. */
export const mix = (ctx: DeployContext, ...args: Arg[]): RemoteCommand => inBuild(ctx, 'mix', ...args)

/** A deploy tool subcommand that runs mix itself (deps-get, assets): in the build checkout and its environment. */
export const buildTool = (ctx: DeployContext, subcommand: string, ...args: Arg[]): RemoteCommand => inBuild(ctx, deployToolPath(ctx), subcommand, ...args)

/** The module name Elixir derives from the app name: my_app -> MyApp. */
export const moduleName = (app: string): string => app.split('_').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('')

/**
 * The host name a visitor's requests carry, for the health checks: the first domain (a wildcard's www
 * name), else the server's address (the default site takes any name); never "localhost", which apps
 * exempt from their HTTPS redirect.
 */
export const hostHeader = (ctx: DeployContext): string => ctx.domains[0]?.replace(/^\*\./, 'www.') ?? (isValid('hostName', ctx.host) ? ctx.host : 'localhost')

/** gatling-root site's arguments: HSTS when asked for, then the app's domains. */
export const siteArgs = (ctx: DeployContext): string[] => [...(ctx.tls?.hsts ? ['--hsts'] : []), ...ctx.domains]

/** How visitors reach the app: https once it has TLS settings (the certificate step runs before any health check through nginx). */
export const visitorScheme = (ctx: DeployContext): 'http' | 'https' => (ctx.tls ? 'https' : 'http')
