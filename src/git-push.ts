// `git push` over SSH with the same key and the same verified host key as the CLI's own connection.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'

import {GatlingError} from './errors.js'
import type {Connection} from './remote/connection.js'
import {formatHostKey, knownHostsName} from './remote/host-keys.js'
import {sh} from './remote/shell.js'

export async function gitPush(dir: string, connection: Connection, repo: string, rev: string, branch: string): Promise<void> {
  const {endpoint} = connection
  const temp = mkdtempSync(join(tmpdir(), 'gatling-'))
  const knownHosts = join(temp, 'known_hosts')
  writeFileSync(knownHosts, `${knownHostsName(endpoint.host, endpoint.port)} ${formatHostKey(connection.hostKey!)}\n`, {mode: 0o600})
  // the server's key is the one the CLI verified; a jump host's comes from the user's known_hosts
  const ssh = ['ssh', '-p', String(endpoint.port), '-o', `UserKnownHostsFile=${knownHosts} ${join(homedir(), '.ssh', 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10']
  for (const identity of endpoint.identityFiles) ssh.push('-i', identity)
  const jump = endpoint.proxyJump
  if (jump) ssh.push('-J', `${jump.user}@${jump.host}:${jump.port}`)
  const url = `${endpoint.user}@${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${repo}`
  try {
    const output: string[] = []
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('git', ['push', '--force', '--quiet', '-o', 'gatling-cli', url, `${rev}:refs/heads/${branch}`], {
        cwd: dir,
        env: {...process.env, GIT_SSH_COMMAND: sh(...ssh), GIT_TERMINAL_PROMPT: '0'},
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
