// `gatling setup` against an in-process SSH server (ssh2's Server): the host key pinned in gatling.json
// is the only one it accepts, so re-running setup cannot trust a man in the middle.
import {captureOutput} from '@oclif/test'
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import ssh2 from 'ssh2'

import Setup from '../../../src/commands/setup.js'
import {fingerprint, parseHostKey} from '../../../src/remote/host-keys.js'
import {fakeHostKey, tempDir} from '../support.js'

describe('setup with a host key pinned in gatling.json', () => {
  let dir: string
  let cleanup: () => void
  let server: ssh2.Server
  let port: number
  let serverKey: string
  let logins = 0
  const saved = {cwd: process.cwd(), home: process.env.HOME, agent: process.env.SSH_AUTH_SOCK}

  before(async function () {
    this.timeout(30_000)
    ;({dir, cleanup} = tempDir('gatling-unit-setup-pin-'))
    for (const name of ['host_key', 'client_key']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)])
    serverKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim()
    server = new ssh2.Server({hostKeys: [readFileSync(join(dir, 'host_key'))]}, (client) => {
      client.on('authentication', (ctx) => {
        logins++
        ctx.reject()
      })
      client.on('error', () => {})
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  after(() => {
    server.close()
    cleanup()
  })

  beforeEach(() => {
    logins = 0
    process.chdir(dir)
    process.env.HOME = dir
    delete process.env.SSH_AUTH_SOCK
  })
  afterEach(() => {
    process.chdir(saved.cwd)
    process.env.HOME = saved.home
    if (saved.agent) process.env.SSH_AUTH_SOCK = saved.agent
  })

  it('refuses a server whose key differs from the pin, even with --accept-new-host-key: both fingerprints, nothing run, the pin kept', async () => {
    const pinned = fakeHostKey(7)
    const config = `${JSON.stringify({hosts: [{address: '127.0.0.1', port, hostKey: pinned}]}, null, 2)}\n`
    writeFileSync(join(dir, 'gatling.json'), config)
    const {error, stderr} = await captureOutput(() => Setup.run([`root@127.0.0.1:${port}`, '-i', join(dir, 'client_key'), '--accept-new-host-key'], import.meta.url))
    expect(error?.oclif?.exit, stderr).to.equal(1)
    expect(stderr).to.include('has CHANGED')
    expect(stderr).to.include(fingerprint(parseHostKey(pinned))).and.include(fingerprint(parseHostKey(serverKey)))
    expect(stderr).to.include('the key pinned in gatling.json').and.include('Nothing was run')
    expect(logins, 'gatling tried to log in').to.equal(0)
    expect(readFileSync(join(dir, 'gatling.json'), 'utf8')).to.equal(config)
    expect(existsSync(join(dir, '.ssh', 'known_hosts')), 'the presented key was remembered').to.equal(false)
  })

  it('is checked before connecting: a wrong value in gatling.json stops setup with no connection', async () => {
    writeFileSync(join(dir, 'gatling.json'), JSON.stringify({keepReleases: 'five', hosts: []}))
    let connections = 0
    server.once('connection', () => connections++)
    const {error, stderr} = await captureOutput(() => Setup.run([`root@127.0.0.1:${port}`, '-i', join(dir, 'client_key'), '--accept-new-host-key'], import.meta.url))
    expect(error?.oclif?.exit, stderr).to.equal(1)
    expect(stderr).to.include('gatling.json: "keepReleases" must be a whole number from 1 to 100, not "five".')
    expect(connections).to.equal(0)
  })
})
