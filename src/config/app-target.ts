// The app a command acts on, and the server it lives on, from mix.exs and gatling.json.
import {join} from 'node:path'

import type {DeployContext} from '../context.js'
import {GatlingError, shown} from '../errors.js'
import {appPaths} from '../server/layout.js'
import {RULES, isValid} from '../server/rules.js'
import {mixAppName} from './app.js'
import {operatorName} from './operator.js'
import {type HostConfig, type ProjectConfig, databaseSettings, readProjectConfig} from './project.js'
import {type TlsSettings, tlsSettings} from './tls.js'
import {type Toolchain, readToolchain} from './toolchain.js'

export interface AppTarget {
  app: string
  config: ProjectConfig
  host: HostConfig
  tls?: TlsSettings
  toolchain?: Toolchain
}

/** The app's name on the server: "app" in gatling.json (checked when it was read), else the one in mix.exs. */
export function appName(dir: string, config: ProjectConfig | undefined): string {
  const app = config?.app ?? mixAppName(dir)
  if (!isValid('app', app)) throw new GatlingError(`${shown(app)}, the app in mix.exs, cannot be an app name on the server: set "app" in gatling.json to ${RULES.app.description}.`)
  return app
}

export function appTarget(dir: string, appArg?: string, warn?: (message: string) => void): AppTarget {
  mixAppName(dir) // an Elixir project, whatever gatling.json names it
  const config = readProjectConfig(dir, warn)
  const host = config?.hosts?.[0]
  if (!config || !host) throw new GatlingError(`No server is configured: ${join(dir, 'gatling.json')} is missing or lists no host. Run "gatling setup USER@HOST" from this directory first.`)
  const app = appName(dir, config)
  if (appArg !== undefined && appArg !== app) throw new GatlingError(`Unknown app ${shown(appArg)}: this project deploys "${app}" (${config.app ? 'gatling.json' : 'mix.exs'}).`)
  return {app, config, host, tls: tlsSettings(config, dir), toolchain: readToolchain(dir, config.toolchains)}
}

/** The context every app pipeline starts from; commands add what is theirs (the commit, the env file…). */
export function deployContext(target: AppTarget, extra: Partial<DeployContext> & Pick<DeployContext, 'rev'>): DeployContext {
  return {
    app: target.app,
    host: target.host.address,
    healthPath: target.config.healthCheck ?? '/',
    domains: target.config.domains ?? [],
    tls: target.tls,
    toolchain: target.toolchain,
    keepReleases: target.config.keepReleases ?? 5,
    buildEnv: target.config.build?.env ?? {},
    database: databaseSettings(target.config),
    paths: appPaths(target.app),
    operator: operatorName(process.cwd()),
    ...extra,
  }
}
