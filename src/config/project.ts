// gatling.json: the project's deploy configuration, committed with the app (no secrets in it).
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {GatlingError} from '../errors.js'

export interface HostConfig {
  /** Address or ~/.ssh/config alias of the server. */
  address: string
  port?: number
  /** The server's SSH host key ("ssh-ed25519 AAAA…"), pinned by `setup`. */
  hostKey?: string
}

export interface ProjectConfig {
  /** Defaults to the app name in mix.exs. */
  app?: string
  hosts: HostConfig[]
  /** server_name(s) of the nginx site; none = the server's default site. */
  domains?: string[]
  /** Path nginx must answer 200 on before a release is marked current. */
  healthCheck?: string
  /** Releases kept on the server. */
  keepReleases?: number
  /** Local dotenv file with the app's secrets, pushed to the server (0600). */
  envFile?: string
}

export const CONFIG_FILE = 'gatling.json'

export function configPath(dir = process.cwd()): string {
  return join(dir, CONFIG_FILE)
}

export function readProjectConfig(dir = process.cwd()): ProjectConfig | undefined {
  const file = configPath(dir)
  if (!existsSync(file)) return undefined
  let parsed: ProjectConfig
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as ProjectConfig
  } catch (error) {
    throw new GatlingError(`${file} is not valid JSON: ${(error as Error).message}.`)
  }
  if (!Array.isArray(parsed.hosts)) throw new GatlingError(`${file} has no "hosts" list. Run "gatling setup USER@HOST" or add {"hosts": [{"address": "HOST"}]}.`)
  return parsed
}

/** Add or update one host, keeping everything else as the user wrote it. */
export function recordHost(host: HostConfig, dir = process.cwd()): string {
  const config = readProjectConfig(dir) ?? {hosts: []}
  const index = config.hosts.findIndex((h) => h.address === host.address)
  if (index === -1) config.hosts.push(host)
  else config.hosts[index] = {...config.hosts[index], ...host}
  const file = configPath(dir)
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`)
  return file
}
