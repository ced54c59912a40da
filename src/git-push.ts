// `git push` over SSH with the same key and the same verified host key as the CLI's own connection.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {GatlingError} from './errors.js'
import type {Connection} from './remote/connection.js'
import type {Endpoint} from './remote/endpoint.js'
import {formatHostKey, knownHostsName} from './remote/host-keys.js'
import {sh} from './remote/shell.js'

/** known_hosts holding only the keys the CLI verified: the server's, and the jump host's (no @cert-authority, nothing else). */
export function verifiedKnownHosts(connection: Connection): string {
  return [connection, connection.jump]
    .filter((c): c is Connection => c?.hostKey !== undefined)
    .map((c) => `${knownHostsName(c.endpoint.host, c.endpoint.port)} ${formatHostKey(c.hostKey!)}\n`)
    .join('')
}

/** ssh expands % tokens in file names (and in a ProxyCommand): a literal % is written %%. */
const literal = (text: string): string => text.replaceAll('%', '%%')

/**
 * Options under which ssh trusts only the keys in `knownHosts`. -F /dev/null: the endpoint is already
 * resolved from ~/.ssh/config (HostName, User, Port, IdentityFile, ProxyJump, as the CLI's own
 * connection used them), and the rest of that file (or /etc/ssh/ssh_config) could only widen what is
 * trusted: KnownHostsCommand, HostKeyAlias, VerifyHostKeyDNS, a ControlMaster session to the host
 * verified against other keys, a ProxyCommand. CheckHostIP=no: no lookup or note under the address;
 * UpdateHostKeys=no: no key learnt from the server.
 */
const strictSsh = (endpoint: Endpoint, knownHosts: string): string[] => [
  '-F', '/dev/null',
  '-o', `UserKnownHostsFile="${literal(knownHosts)}"`,
  '-o', 'GlobalKnownHostsFile=/dev/null',
  '-o', 'StrictHostKeyChecking=yes',
  '-o', 'CheckHostIP=no',
  '-o', 'UpdateHostKeys=no',
  '-o', 'BatchMode=yes',
  '-o', 'ConnectTimeout=10',
  '-p', String(endpoint.port),
  ...endpoint.identityFiles.flatMap((file) => ['-i', literal(file)]),
]

/**
 * The ssh command git runs (GIT_SSH_COMMAND). A jump host is reached with a ProxyCommand of the same
 * strict options (ssh -J would verify the jump host against ~/.ssh/known_hosts, and take its key files
 * from ~/.ssh/config).
 */
export function gitSshCommand(endpoint: Endpoint, knownHosts: string): string {
  const args = ['ssh', ...strictSsh(endpoint, knownHosts)]
  const jump = endpoint.proxyJump
  if (jump) args.push('-o', `ProxyCommand=${sh(...['ssh', ...strictSsh(jump, knownHosts)].map(literal), '-W', '[%h]:%p', literal(`${jump.user}@${jump.host}`))}`)
  return sh(...args)
}

export async function gitPush(dir: string, connection: Connection, repo: string, rev: string, branch: string): Promise<void> {
  const {endpoint} = connection
  const temp = mkdtempSync(join(tmpdir(), 'gatling-'))
  const knownHosts = join(temp, 'known_hosts')
  writeFileSync(knownHosts, verifiedKnownHosts(connection), {mode: 0o600})
  const url = `${endpoint.user}@${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${repo}`
  try {
    const output: string[] = []
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('git', ['push', '--force', '--quiet', '-o', 'gatling-cli', url, `${rev}:refs/heads/${branch}`], {
        cwd: dir,
        env: {...process.env, GIT_SSH_COMMAND: gitSshCommand(endpoint, knownHosts), GIT_TERMINAL_PROMPT: '0'},
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()))
      child.on('error', reject)
      child.on('close', (status) => resolve(status ?? 1))
    })
    if (code !== 0) {
      throw new GatlingError(`git push of ${branch} to ${connection.label} failed (exit status ${code}).`, {step: 'git push', host: connection.label, output: output.join('').trim().split('\n')})
    }
  } finally {
    rmSync(temp, {recursive: true, force: true})
  }
}
