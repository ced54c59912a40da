// The app a command acts on, and the server it lives on, from mix.exs and gatling.json.
import {join} from 'node:path'

import type {DeployContext} from '../context.js'
import {appPaths} from '../server/layout.js'
import {GatlingError} from '../errors.js'
import {APP_NAME, mixAppName} from './app.js'
import {type HostConfig, type ProjectConfig, readProjectConfig} from './project.js'

export interface AppTarget {
  app: string
  config: ProjectConfig
  host: HostConfig
}

export function appTarget(dir: string, appArg?: string): AppTarget {
  const projectApp = mixAppName(dir)
  const config = readProjectConfig(dir)
  if (!config || config.hosts.length === 0) throw new GatlingError(`No server is configured: ${join(dir, 'gatling.json')} is missing or lists no host. Run "gatling setup USER@HOST" from this directory first.`)
  const app = config.app ?? projectApp
  if (appArg && appArg !== app) throw new GatlingError(`Unknown app "${appArg}": this project deploys "${app}" (${config.app ? 'gatling.json' : 'mix.exs'}).`)
  if (!APP_NAME.test(app)) throw new GatlingError(`"${app}" cannot be an app name on the server: use lower-case letters, digits and _ (at most 31), starting with a letter.`)
  const health = config.healthCheck ?? '/'
  if (!/^\/[A-Za-z0-9/_.~-]*$/.test(health)) throw new GatlingError(`"healthCheck" in gatling.json must be a plain path like /health (letters, digits, / _ . ~ -), not "${health}".`)
  for (const domain of config.domains ?? []) {
    if (!/^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(domain)) throw new GatlingError(`"${domain}" in "domains" of gatling.json is not a host name.`)
  }
  return {app, config, host: config.hosts[0]}
}

/** The context every app pipeline starts from; commands add what is theirs (the commit, the env file…). */
export function deployContext(target: AppTarget, extra: Partial<DeployContext> & Pick<DeployContext, 'rev'>): DeployContext {
  return {
    app: target.app,
    host: target.host.address,
    healthPath: target.config.healthCheck ?? '/',
    domains: target.config.domains ?? [],
    keepReleases: target.config.keepReleases ?? 5,
    paths: appPaths(target.app),
    ...extra,
  }
}
