// Host-key checking against OpenSSH known_hosts files (plain and hashed entries).
import {createHash, createHmac} from 'node:crypto'
import {appendFileSync, existsSync, mkdirSync, readFileSync} from 'node:fs'
import {dirname} from 'node:path'
import ssh2 from 'ssh2'

export interface HostKey {
  type: string
  /** base64 of the key blob, as in known_hosts */
  base64: string
}

export interface KnownHostsEntry extends HostKey {
  marker?: '@revoked' | '@cert-authority'
  patterns: string
}

/** The key type is the first length-prefixed string of the blob. */
export function hostKeyFromBlob(blob: Buffer): HostKey {
  const length = blob.readUInt32BE(0)
  return {type: blob.subarray(4, 4 + length).toString('ascii'), base64: blob.toString('base64')}
}

/** "TYPE BASE64 [comment]" on one line, the blob's own type being TYPE; undefined for anything else. */
export function readHostKey(line: string): HostKey | undefined {
  const match = /^([A-Za-z0-9@.+-]+)[ \t]+([A-Za-z0-9+/]+={0,2})(?:[ \t][^\n\r\0]*)?$/.exec(line.trim())
  if (!match) return undefined
  const [, type, base64] = match
  const parsed = ssh2.utils.parseKey(`${type} ${base64}`) // a whole key of that type, not just a well-formed line
  return parsed instanceof Error || parsed.type !== type ? undefined : {type, base64}
}

export function parseHostKey(line: string): HostKey {
  const key = readHostKey(line)
  if (!key) throw new Error(`not an SSH public key: ${line}`)
  return key
}

export const formatHostKey = (key: HostKey): string => `${key.type} ${key.base64}`

/** OpenSSH's fingerprint: SHA256:<base64 without padding>. */
export function fingerprint(key: HostKey): string {
  const digest = createHash('sha256').update(Buffer.from(key.base64, 'base64')).digest('base64')
  return `SHA256:${digest.replace(/=+$/, '')}`
}

/** The name OpenSSH writes for a host: "host" on port 22, else "[host]:port". */
export const knownHostsName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`)

export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = []
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (!line || line.startsWith('#')) continue
    const fields = line.split(/\s+/)
    let marker: KnownHostsEntry['marker']
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostsEntry['marker']
    const [patterns, type, base64] = fields
    if (!patterns || !type || !base64) continue
    entries.push({marker, patterns, type, base64})
  }
  return entries
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')
  return new RegExp(`^${body}$`, 'i')
}

function matchesHashed(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split('|')
  if (!salt || !hash) return false
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash
}

/** Whether a host-pattern field (comma-separated, may be hashed or negated) names this host. */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return matchesHashed(patterns, name)
  let matched = false
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!')
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) {
      if (negated) return false
      matched = true
    }
  }
  return matched
}

export type Verdict =
  | {status: 'known'}
  | {status: 'unknown'}
  | {status: 'revoked'}
  | {status: 'changed'; expected: HostKey[]}

/**
 * Compare the key a server presented with what known_hosts says about that host name(s). Any known
 * key makes a different one a changed key, whatever its type: a man in the middle offering only RSA
 * to a client that knows the host's ed25519 key must not pass for a host seen the first time.
 */
export function checkHostKey(entries: KnownHostsEntry[], names: string[], presented: HostKey): Verdict {
  const forHost = entries.filter((e) => e.marker !== '@cert-authority' && names.some((n) => patternsMatch(e.patterns, n)))
  if (forHost.some((e) => e.marker === '@revoked' && e.base64 === presented.base64)) return {status: 'revoked'}
  const known = forHost.filter((e) => !e.marker)
  if (known.some((e) => sameKey(e, presented))) return {status: 'known'}
  if (known.length > 0) return {status: 'changed', expected: known}
  return {status: 'unknown'}
}

export const sameKey = (a: HostKey, b: HostKey): boolean => a.type === b.type && a.base64 === b.base64

/** Key types already known for a host: offered first so the server shows the key we can check. */
export function knownKeyTypes(entries: KnownHostsEntry[], names: string[]): string[] {
  return [...new Set(entries.filter((e) => !e.marker && names.some((n) => patternsMatch(e.patterns, n))).map((e) => e.type))]
}

export function readKnownHosts(file: string): KnownHostsEntry[] {
  return existsSync(file) ? parseKnownHosts(readFileSync(file, 'utf8')) : []
}

export function appendKnownHost(file: string, name: string, key: HostKey): void {
  mkdirSync(dirname(file), {recursive: true, mode: 0o700})
  appendFileSync(file, `${name} ${formatHostKey(key)}\n`, {mode: 0o600})
}
