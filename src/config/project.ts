// gatling.json: the project's deploy configuration, committed with the app (no secrets in it).
// Every value is checked here, when the file is read, before any connection.
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {closestMatch} from 'leven'
import {z} from 'zod'

import {GatlingError, shown} from '../errors.js'
import {SSH_PORT, isHostAddress} from '../remote/endpoint.js'
import {fingerprint, formatHostKey, parseHostKey, readHostKey} from '../remote/host-keys.js'
import {BUILD_ENV_RESERVED, RULES, type RuleName, domainLength, isValid} from '../server/rules.js'

// Each value's error message says what a valid one looks like, for a wrong type and a wrong value alike.
const text = (what: string, valid: (s: string) => boolean) => z.string({error: what}).refine(valid, {error: what})
const whole = (what: string, valid: (n: number) => boolean) => z.number({error: what}).refine((n) => Number.isInteger(n) && valid(n), {error: what})
const ruled = (name: RuleName) => text(RULES[name].description, (s) => isValid(name, s))

const hostSchema = z.object(
  {
    /** Address or ~/.ssh/config alias of the server. */
    address: text('a host name, an IP address or a Host alias from ~/.ssh/config', isHostAddress),
    port: whole(`an SSH port (a whole number from ${SSH_PORT.min} to ${SSH_PORT.max})`, (n) => n >= SSH_PORT.min && n <= SSH_PORT.max),
    /** The server's SSH host key ("ssh-ed25519 AAAA…"), pinned by `setup`. */
    hostKey: text('an SSH host key like "ssh-ed25519 AAAA…"', (s) => readHostKey(s) !== undefined),
  },
  {error: 'a server like {"address": "203.0.113.10"}'},
).partial({port: true, hostKey: true})

const buildEnvKey = `${RULES.envKey.description}, not one gatling sets for the build (${BUILD_ENV_RESERVED.join(', ')})`
const buildSchema = z.object(
  {
    /**
     * Environment of every mix command of the build on the server (HEX_MIRROR, HEX_BUILDS_URL,
     * MIX_ESBUILD_PATH…). Committed with the project: never a secret.
     */
    env: z.record(
      text(buildEnvKey, (s) => isValid('envKey', s) && !(BUILD_ENV_RESERVED as readonly string[]).includes(s)),
      // a line break or NUL cannot be one argument of a command line, nor a lone surrogate be UTF-8
      text('a text on one line', (s) => !/[\n\r\0\p{Cs}]/u.test(s)),
      {error: 'an object of environment variables like {"HEX_MIRROR": "https://hex.example.com"}'},
    ),
  },
  {error: 'an object like {"env": {"HEX_MIRROR": "https://hex.example.com"}}'},
).partial()

const toolchainsSchema = z.object(
  {
    /** Where Erlang/OTP and Elixir builds are downloaded from (the builds.hex.pm layout below it). */
    mirror: ruled('mirrorUrl'),
    /** Where Erlang/OTP source releases come from when no upstream build fits the server (OTP-VSN/otp_src_VSN.tar.gz). */
    otpSource: ruled('mirrorUrl'),
  },
  {error: 'an object like {"mirror": "https://builds.hex.pm"}'},
).partial()

const filePath = (what: string) => text(`${what}: a file path on one line`, (s) => s !== '' && !/[\n\r\0]/.test(s))

const tlsSchema = z.object(
  {
    /** Given to the ACME server (Let's Encrypt mails expiry warnings there); with a domain, turns HTTPS on. */
    email: ruled('email'),
    /** The ACME directory: Let's Encrypt (default), "staging" (Let's Encrypt's staging) or a URL. */
    acme: text(`"letsencrypt", "staging" or ${RULES.acmeUrl.description}`, (s) => s === 'letsencrypt' || s === 'staging' || isValid('acmeUrl', s)),
    /** Strict-Transport-Security on the HTTPS answers (opt-in: browsers then refuse HTTP for two years). */
    hsts: z.boolean({error: 'true or false'}),
    /** PEM file with the CA certificate(s) of a private ACME server (step-ca, pebble), trusted on the server. */
    acmeCa: filePath('a PEM file with the CA certificates of a private ACME server'),
    /** Your own certificate (PEM, the full chain) instead of ACME. */
    certificate: filePath('a PEM file with your certificate and its chain'),
    /** The private key of tls.certificate (PEM). */
    key: filePath("a PEM file with the certificate's private key"),
  },
  {error: 'an object like {"email": "ops@example.com"}'},
).partial()

const databaseObject = z.object(
  {
    /** The only engine: PostgreSQL from the distribution, on the app's server. */
    engine: z.literal('postgres', {error: '"postgres"'}),
    /** Days the daily dumps of the app's database are kept on the server (a systemd timer); none without it. */
    backups: whole(RULES.backupDays.description, (n) => isValid('backupDays', String(n))),
  },
  {error: 'an object like {"backups": 7}'},
).partial()
const databaseSchema = z.union([z.literal('postgres'), databaseObject], {error: '"postgres" or an object like {"engine": "postgres", "backups": 7}'})

const projectSchema = z.object(
  {
    /** Defaults to the app name in mix.exs. */
    app: ruled('app'),
    hosts: z.array(hostSchema, {error: 'a list of servers like [{"address": "203.0.113.10"}]'}),
    /** server_name(s) of the nginx site; none = the server's default site. */
    domains: z.array(text(`${RULES.domain.description}, at most ${domainLength} characters`, (s) => isValid('domain', s) && s.length <= domainLength), {error: 'a list of host names like ["example.com"]'}),
    /** Path nginx must answer 200 on before a release is marked current. */
    healthCheck: ruled('healthPath'),
    /** Releases kept on the server. */
    keepReleases: whole(RULES.keepReleases.description, (n) => isValid('keepReleases', String(n))),
    /** Local dotenv file with the app's secrets, pushed to the server (0600). */
    envFile: text('a file path on one line', (s) => s !== '' && !/[\n\r\0]/.test(s)),
    /** How the server builds the release. */
    build: buildSchema,
    /** HTTPS for the domains: a certificate over ACME (tls.email) or your own (tls.certificate, tls.key). */
    tls: tlsSchema,
    /** A PostgreSQL database of its own for the app on its server (DATABASE_URL), with optional daily backups. */
    database: databaseSchema,
    /** Where a pinned Erlang/OTP and Elixir (.tool-versions, mise.toml, elixir_buildpack.config) come from. */
    toolchains: toolchainsSchema,
  },
  {error: 'a JSON object like {"hosts": [{"address": "203.0.113.10"}]}'},
).partial()

export type HostConfig = z.infer<typeof hostSchema>
export type TlsConfig = z.infer<typeof tlsSchema>
export type DatabaseConfig = z.infer<typeof databaseSchema>
export type ProjectConfig = z.infer<typeof projectSchema>

export const CONFIG_FILE = 'gatling.json'

export function configPath(dir = process.cwd()): string {
  return join(dir, CONFIG_FILE)
}

const keyPath = (path: PropertyKey[]): string => path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('')

function describe(value: unknown): string {
  if (typeof value === 'string') return shown(value)
  if (Array.isArray(value)) return 'a list'
  if (value !== null && typeof value === 'object') return 'an object'
  return String(value)
}

const valueAt = (root: unknown, path: PropertyKey[]): unknown => path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], root)

/** Keys nobody reads: a warning each, with the closest known key (case, _ and - aside). */
function unknownKeys(raw: unknown): string[] {
  const simple = (key: string) => key.toLowerCase().replace(/[-_]/g, '')
  const check = (object: unknown, known: string[], where: string): string[] => {
    if (object === null || typeof object !== 'object' || Array.isArray(object)) return []
    return Object.keys(object).filter((key) => !known.includes(key)).map((key) => {
      const match = closestMatch(simple(key), known.map(simple), {maxDistance: Math.max(2, Math.floor(key.length / 3))})
      const guess = match === undefined ? '' : `: did you mean ${known[known.map(simple).indexOf(match)]}?`
      return `${CONFIG_FILE}: unknown key ${shown(`${where}${key}`)} is ignored${guess}`
    })
  }
  const {hosts, build} = raw as {hosts?: unknown; build?: unknown}
  return [
    ...check(raw, Object.keys(projectSchema.shape), ''),
    ...check(build, Object.keys(buildSchema.shape), 'build.'),
    ...check((raw as {tls?: unknown}).tls, Object.keys(tlsSchema.shape), 'tls.'),
    ...check((raw as {database?: unknown}).database, Object.keys(databaseObject.shape), 'database.'),
    ...check((raw as {toolchains?: unknown}).toolchains, Object.keys(toolchainsSchema.shape), 'toolchains.'),
    ...(Array.isArray(hosts) ? hosts.flatMap((host, i) => check(host, Object.keys(hostSchema.shape), `hosts[${i}].`)) : []),
  ]
}

/** Check a parsed gatling.json: every wrong value in one message; a warning for each unknown key. */
export function validateProjectConfig(raw: unknown, warn: (message: string) => void): ProjectConfig {
  const result = projectSchema.safeParse(raw)
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const value = valueAt(raw, issue.path)
      // a record's key (build.env): the key's own rule, not the record's
      if (issue.code === 'invalid_key') return `${shown(keyPath(issue.path.slice(0, -1)))} has the key ${shown(String(issue.path.at(-1)))}: a key must be ${issue.issues[0]?.message ?? issue.message}`
      if (issue.path.length === 0) return `it must be ${issue.message}, not ${describe(value)}`
      const key = shown(keyPath(issue.path))
      return value === undefined ? `${key} is missing: it must be ${issue.message}` : `${key} must be ${issue.message}, not ${describe(value)}`
    })
    throw new GatlingError(`${CONFIG_FILE}: ${problems.join('; ')}.`)
  }
  for (const warning of unknownKeys(raw)) warn(warning)
  return result.data
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new GatlingError(`${file} is not valid JSON: ${(error as Error).message}.`)
  }
}

export function readProjectConfig(dir = process.cwd(), warn: (message: string) => void = () => {}): ProjectConfig | undefined {
  const file = configPath(dir)
  return existsSync(file) ? validateProjectConfig(readJson(file), warn) : undefined
}

/** The key gatling.json pins for a server, if any. */
export function pinnedHostKey(config: ProjectConfig | undefined, address: string): string | undefined {
  return config?.hosts?.find((h) => h.address === address)?.hostKey
}

/**
 * Add or update one host, keeping everything else as the user wrote it (unknown keys too). A pin
 * is never replaced by another key: the pinned key is the only one a connection accepts, so a
 * different one here means something skipped that check.
 */
export function recordHost(host: HostConfig, dir = process.cwd()): string {
  const file = configPath(dir)
  const raw = (existsSync(file) ? readJson(file) : {}) as {hosts?: Array<Record<string, unknown>>}
  validateProjectConfig(raw, () => {})
  const hosts = (raw.hosts ??= [])
  const index = hosts.findIndex((h) => h.address === host.address)
  const pinned = index === -1 ? undefined : (hosts[index] as HostConfig).hostKey
  if (pinned && host.hostKey && formatHostKey(parseHostKey(pinned)) !== formatHostKey(parseHostKey(host.hostKey))) {
    const [was, now] = [pinned, host.hostKey].map((k) => `${parseHostKey(k).type} ${fingerprint(parseHostKey(k))}`)
    throw new GatlingError(`${file} pins the host key ${was} for ${host.address}, not ${now}: the pin was left as it is.`)
  }
  if (index === -1) hosts.push(host)
  else hosts[index] = {...hosts[index], ...host, ...(pinned ? {hostKey: pinned} : {})}
  writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`)
  return file
}

/** Set the app's domains, keeping everything else as the user wrote it (unknown keys too). */
export function recordDomains(domains: string[], dir = process.cwd()): string {
  const file = configPath(dir)
  const raw = readJson(file) as Record<string, unknown>
  raw.domains = domains
  validateProjectConfig(raw, () => {})
  writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`)
  return file
}

/** The app's database settings: "postgres" and {...} alike; undefined without a database. */
export function databaseSettings(config: ProjectConfig | undefined): {backups?: number} | undefined {
  const database = config?.database
  if (database === undefined) return undefined
  return database === 'postgres' ? {} : {backups: database.backups}
}
