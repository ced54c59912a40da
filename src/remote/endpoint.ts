// Where to connect: a USER@HOST[:PORT] target, completed by ~/.ssh/config.
import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import SSHConfig from 'ssh-config'

import {GatlingError, shown} from '../errors.js'

export interface Endpoint {
  /** What the user wrote (alias or address), used in messages and as the known_hosts name. */
  alias: string
  host: string
  port: number
  user: string
  identityFiles: string[]
  proxyJump?: Endpoint
}

export interface TargetOverrides {
  user?: string
  port?: number
  identity?: string
}

/** SSH ports: the --port flag, HOST:PORT and "port" in gatling.json. */
export const SSH_PORT = {min: 1, max: 65_535}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*$|^\d{1,3}(?:\.\d{1,3}){3}$|^\[?[0-9A-Fa-f:]+\]?$/
const USER = /^[a-z_][a-z0-9_.-]{0,31}$/i

/** A host name, IPv4 or IPv6 address, or ~/.ssh/config alias (which may contain _). */
export const isHostAddress = (host: string): boolean => HOST.test(host)

/** Parse USER@HOST[:PORT]; the host may be an alias from ~/.ssh/config. */
export function parseTarget(target: string): {user?: string; host: string; port?: number} {
  // blanks around a pasted target are dropped; nothing else is (trim() would also drop a byte-order mark)
  const match = /^(?:([^@\s]+)@)?([^@\s:]+|\[[^\]]+\])(?::(\d+))?$/.exec(target.replace(/^[ \t]+|[ \t]+$/g, ''))
  if (!match) throw new GatlingError(`${shown(target)} is not a server address. Write it as USER@HOST, HOST or HOST:PORT, for example root@203.0.113.10.`)
  const [, user, host, port] = match
  if (user !== undefined && !USER.test(user)) throw new GatlingError(`${shown(user)} is not a valid user name in ${shown(target)}.`)
  if (!isHostAddress(host)) throw new GatlingError(`${shown(host)} is not a valid host name or address in ${shown(target)}.`)
  const portNumber = port === undefined ? undefined : Number(port)
  if (portNumber !== undefined && (portNumber < SSH_PORT.min || portNumber > SSH_PORT.max)) throw new GatlingError(`Port ${port} in ${shown(target)} is out of range (${SSH_PORT.min}-${SSH_PORT.max}).`)
  return {user, host: host.replace(/^\[|\]$/g, ''), port: portNumber}
}

const expandHome = (path: string): string => (path.startsWith('~/') ? join(homedir(), path.slice(2)) : path)

export function defaultIdentityFiles(): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(homedir(), '.ssh', name)).filter((file) => existsSync(file))
}

function readSshConfig(file: string): SSHConfig | undefined {
  return existsSync(file) ? SSHConfig.parse(readFileSync(file, 'utf8')) : undefined
}

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value)

/** Resolve a target the way `ssh` would: explicit values win over ~/.ssh/config, which wins over defaults. */
export function resolveEndpoint(target: string, overrides: TargetOverrides = {}, sshConfigFile = join(homedir(), '.ssh', 'config'), depth = 0): Endpoint {
  const parsed = parseTarget(target)
  const computed = readSshConfig(sshConfigFile)?.compute(parsed.host) ?? {}
  const configured = (key: string) => first(computed[key])
  const identityFromConfig = ([] as string[]).concat(computed.IdentityFile ?? []).map(expandHome)
  const identityFiles = overrides.identity ? [overrides.identity] : identityFromConfig.length > 0 ? identityFromConfig : defaultIdentityFiles()
  const hostName = configured('HostName')
  if (hostName !== undefined && !isHostAddress(hostName)) throw new GatlingError(`${sshConfigFile} gives ${shown(parsed.host)} the HostName ${shown(hostName)}, which is not a host name or address gatling can use (tokens like %h are not supported).`)
  const jump = configured('ProxyJump')
  if (jump && depth > 0) throw new GatlingError(`ProxyJump chains longer than one hop are not supported (${target}).`)
  return {
    alias: parsed.host,
    host: hostName ?? parsed.host,
    port: overrides.port ?? parsed.port ?? Number(configured('Port') ?? 22),
    user: overrides.user ?? parsed.user ?? configured('User') ?? 'root',
    identityFiles,
    proxyJump: jump && jump !== 'none' ? resolveEndpoint(jump, {identity: overrides.identity}, sshConfigFile, depth + 1) : undefined,
  }
}

export const describeEndpoint = (e: Endpoint): string => `${e.user}@${e.alias}${e.port === 22 ? '' : `:${e.port}`}`
