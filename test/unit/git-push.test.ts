// The ssh that `git push` runs trusts only the keys the CLI verified: checked with the real ssh client
// against in-process SSH servers (ssh2's Server), one of them a jump host.
import {expect} from 'chai'
import {execFileSync, spawn} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {type AddressInfo, connect} from 'node:net'
import {join} from 'node:path'
import ssh2 from 'ssh2'

import {gitSshCommand, verifiedKnownHosts} from '../../src/git-push.js'
import type {Connection} from '../../src/remote/connection.js'
import type {Endpoint} from '../../src/remote/endpoint.js'
import {formatHostKey, knownHostsName, parseHostKey} from '../../src/remote/host-keys.js'
import {tempDir} from './support.js'

interface TestServer {
  port: number
  key: string
  logins: number
  forwards: string[]
  close(): void
}

/** An SSH server on 127.0.0.1: counts login attempts (a login means ssh accepted its host key); a jump host lets every key in and forwards -W. */
async function startServer(keyFile: string, role: 'target' | 'jump'): Promise<TestServer> {
  const state = {logins: 0, forwards: [] as string[]}
  const server = new ssh2.Server({hostKeys: [readFileSync(keyFile)]}, (client) => {
    client.on('error', () => {})
    client.on('authentication', (ctx) => {
      state.logins++
      if (role === 'jump' && ctx.method === 'publickey') ctx.accept()
      else ctx.reject(['publickey'])
    })
    client.on('ready', () => {
      client.on('tcpip', (accept, _reject, info) => {
        state.forwards.push(`${info.destIP}:${info.destPort}`)
        const channel = accept()
        const socket = connect(info.destPort, info.destIP)
        channel.pipe(socket).pipe(channel)
        socket.on('error', () => channel.close())
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    key: readFileSync(`${keyFile}.pub`, 'utf8').trim(),
    get logins() {
      return state.logins
    },
    forwards: state.forwards,
    close: () => server.close(),
  }
}

/** Run GIT_SSH_COMMAND as git does (through sh, destination and command appended). */
function runSsh(command: string, destination: string, env: NodeJS.ProcessEnv): Promise<{code: number; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', `${command} "$@"`, 'sh', destination, 'true'], {env, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({code: code ?? 255, stderr}))
  })
}

describe('git push: ssh trusts only the verified keys', () => {
  let dir: string
  let cleanup: () => void
  let target: TestServer
  let jump: TestServer
  let clientKey: string
  let other: string
  const env = {PATH: process.env.PATH}

  before(async function () {
    this.timeout(30_000)
    ;({dir, cleanup} = tempDir('gatling-unit-git-push-'))
    for (const name of ['target_key', 'jump_key', 'other_key', 'client_key']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)])
    clientKey = join(dir, 'client_key')
    other = readFileSync(join(dir, 'other_key.pub'), 'utf8')
    target = await startServer(join(dir, 'target_key'), 'target')
    jump = await startServer(join(dir, 'jump_key'), 'jump')
  })
  after(() => {
    target.close()
    jump.close()
    cleanup()
  })

  const endpoint = (proxyJump?: Endpoint): Endpoint => ({alias: 'web', host: '127.0.0.1', port: target.port, user: 'gatling', identityFiles: [clientKey], proxyJump})
  const jumpEndpoint = (): Endpoint => ({alias: 'bastion', host: '127.0.0.1', port: jump.port, user: 'jump', identityFiles: [clientKey]})
  const knownHostsFile = (text: string) => {
    const file = join(dir, `known_hosts_${Math.random().toString(36).slice(2)}`)
    writeFileSync(file, text)
    return file
  }
  const line = (server: TestServer, key = server.key) => `${knownHostsName('127.0.0.1', server.port)} ${formatHostKey(parseHostKey(key))}\n`

  describe('verifiedKnownHosts', () => {
    it("holds the server's key and the jump host's, under the names ssh looks up, and nothing else", () => {
      const keyOf = (server: TestServer) => parseHostKey(server.key)
      const jumpConnection = {endpoint: jumpEndpoint(), hostKey: keyOf(jump)} as unknown as Connection
      const connection = {endpoint: endpoint(jumpEndpoint()), hostKey: keyOf(target), jump: jumpConnection} as unknown as Connection
      expect(verifiedKnownHosts(connection)).to.equal(line(target) + line(jump))
      expect(verifiedKnownHosts({endpoint: endpoint(), hostKey: keyOf(target)} as unknown as Connection)).to.equal(line(target))
    })
  })

  describe('gitSshCommand', () => {
    it('reads no ssh config and no known_hosts but the temporary one, and never asks or learns a key', () => {
      const command = gitSshCommand(endpoint(), '/tmp/gatling-x/known_hosts')
      expect(command).to.match(/^ssh -F \/dev\/null /)
      expect(command).to.include(`'UserKnownHostsFile="/tmp/gatling-x/known_hosts"'`)
      for (const option of ['GlobalKnownHostsFile=/dev/null', 'StrictHostKeyChecking=yes', 'CheckHostIP=no', 'UpdateHostKeys=no', 'BatchMode=yes']) expect(command).to.include(`-o ${option}`)
      expect(command).to.not.include('known_hosts ').and.not.include('-J')
    })

    // Regression: UserKnownHostsFile also listed ~/.ssh/known_hosts, and /etc/ssh/ssh_known_hosts was
    // read too, so a key trusted there for the host (or a @cert-authority line) was accepted in place
    // of the one the CLI had verified. `ssh -G` prints the configuration ssh would connect with.
    it('leaves ssh no other source of trust (ssh -G)', () => {
      const command = gitSshCommand(endpoint(jumpEndpoint()), '/tmp/gatling-x/known_hosts').replace(/^ssh /, 'ssh -G ')
      const printed = execFileSync('/bin/sh', ['-c', `${command} gatling@127.0.0.1`], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim().split('\n')
      const config = new Map(printed.map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]))
      expect(config.get('userknownhostsfile')).to.equal('/tmp/gatling-x/known_hosts')
      expect(config.get('globalknownhostsfile')).to.equal('/dev/null')
      for (const unset of ['knownhostscommand', 'hostkeyalias', 'controlpath']) expect(config.has(unset), unset).to.equal(false)
      for (const [option, value] of [['stricthostkeychecking', 'true'], ['checkhostip', 'no'], ['updatehostkeys', 'false'], ['verifyhostkeydns', 'false'], ['batchmode', 'yes'], ['controlmaster', 'false']]) {
        expect(config.get(option), option).to.equal(value)
      }
      expect(config.get('proxycommand')).to.match(/^ssh -F \/dev\/null .*UserKnownHostsFile="\/tmp\/gatling-x\/known_hosts".*GlobalKnownHostsFile=\/dev\/null.*StrictHostKeyChecking=yes.* -W '\[%h\]:%p' jump@127\.0\.0\.1$/)
    })

    it('writes a literal % in a file name as %% (ssh expands tokens there)', () => {
      const command = gitSshCommand({...endpoint(), identityFiles: ['/keys/100%key']}, '/tmp/a%b/known_hosts')
      expect(command).to.include('UserKnownHostsFile="/tmp/a%%b/known_hosts"').and.include('-i /keys/100%%key')
    })
  })

  describe('with the real ssh client', () => {
    it("accepts the server's verified key", async function () {
      this.timeout(20_000)
      const before = target.logins
      const r = await runSsh(gitSshCommand(endpoint(), knownHostsFile(line(target))), 'gatling@127.0.0.1', env)
      expect(r.stderr).to.not.include('Host key verification failed')
      expect(target.logins, r.stderr).to.be.above(before)
    })

    it('refuses any other key', async function () {
      this.timeout(20_000)
      const before = target.logins
      const r = await runSsh(gitSshCommand(endpoint(), knownHostsFile(line(target, other))), 'gatling@127.0.0.1', env)
      expect(r.code).to.not.equal(0)
      expect(r.stderr).to.include('Host key verification failed')
      expect(target.logins).to.equal(before)
    })

    it("goes through a jump host whose verified key is in the temporary file, its own keys and user", async function () {
      this.timeout(20_000)
      const [loginsBefore, forwardsBefore] = [target.logins, jump.forwards.length]
      const r = await runSsh(gitSshCommand(endpoint(jumpEndpoint()), knownHostsFile(line(target) + line(jump))), 'gatling@127.0.0.1', env)
      expect(jump.forwards.slice(forwardsBefore), r.stderr).to.deep.equal([`127.0.0.1:${target.port}`])
      expect(target.logins, r.stderr).to.be.above(loginsBefore)
    })

    it('refuses a jump host whose key is not the verified one', async function () {
      this.timeout(20_000)
      const forwardsBefore = jump.forwards.length
      const r = await runSsh(gitSshCommand(endpoint(jumpEndpoint()), knownHostsFile(line(target) + line(jump, other))), 'gatling@127.0.0.1', env)
      expect(r.code).to.not.equal(0)
      expect(r.stderr).to.include('Host key verification failed')
      expect(jump.forwards.length).to.equal(forwardsBefore)
    })
  })
})
