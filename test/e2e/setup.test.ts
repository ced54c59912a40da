// End-to-end tests of `gatling setup USER@HOST` against real disposable Debian servers
// (test/helpers/hosts.ts). Everything is checked from outside, as a user would: the CLI's exit
// code and output, then ssh, HTTP and raw TCP against the server.
//
// Hosts (each boots in ~1 s):
//   root     bookworm: setup as root, then re-run, gatling-root, firewall, a firewalled port
//   sudo     bookworm: setup as "deploy" (passwordless sudo)
//   refusals bookworm, never set up: host-key and login refusals, sudo with a password, --dry-run
//   old      bullseye: unsupported OS
import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {readFile, writeFile} from 'node:fs/promises'
import {connect} from 'node:net'
import {join} from 'node:path'

import {buildCli, type CliResult, freshHome, removeCliBuild, removeTempDirs, runGatling, tempDir} from '../helpers/cli.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'

const DEFAULT_SITE_TEXT = 'No app is deployed for this host name yet (gatling).'

// ---------------------------------------------------------------- helpers

function sh(cmd: string, args: string[]): Promise<{stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve({stdout, stderr})))
  })
}

/** A new ed25519 key pair (FILE and FILE.pub) in a temp dir. */
async function newKey(name: string): Promise<string> {
  const file = join(await tempDir('key'), name)
  await sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file])
  return file
}

/** OpenSSH's own SHA256 fingerprint of a public key ("TYPE BASE64 [comment]"), not gatling's. */
async function fingerprint(publicKey: string): Promise<string> {
  const file = join(await tempDir('fp'), 'key.pub')
  await writeFile(file, `${publicKey}\n`)
  const {stdout} = await sh('ssh-keygen', ['-l', '-E', 'sha256', '-f', file])
  return stdout.split(/\s+/)[1]
}

/** "ssh-ed25519 AAAA..." of the server, from the guest's rootfs (no trust on first use). */
async function serverKey(host: TestHost): Promise<string> {
  return (await host.hostKeyLine()).split(' ').slice(1).join(' ')
}

/** A HOME whose known_hosts already holds the server's real key (as after a first, trusted contact). */
async function homeTrusting(host: TestHost): Promise<string> {
  const home = await freshHome()
  await writeFile(join(home, '.ssh/known_hosts'), `${await host.hostKeyLine()}\n`, {mode: 0o600})
  return home
}

type TcpOutcome = 'open' | 'refused' | 'timeout' | `error ${string}`

/** Plain TCP connect from the test machine (outside the server). */
function tcpProbe(address: string, port: number, timeoutMs = 3000): Promise<TcpOutcome> {
  return new Promise((resolve) => {
    const sock = connect({host: address, port})
    const done = (outcome: TcpOutcome) => {
      clearTimeout(timer)
      sock.destroy()
      resolve(outcome)
    }
    const timer = setTimeout(() => done('timeout'), timeoutMs)
    sock.once('connect', () => done('open'))
    sock.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'refused' : `error ${e.code ?? e.message}`))
  })
}

async function http(url: string): Promise<{status: number; body: string}> {
  const res = await fetch(url, {signal: AbortSignal.timeout(5000)})
  return {status: res.status, body: await res.text()}
}

const show = (r: CliResult) => `exit ${r.code} after ${r.ms} ms${r.timedOut ? ' (killed: timeout)' : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`

/**
 * Non-zero exit, one paragraph starting with "Error:" on stderr, no stack trace.
 * Without a terminal, listr2's plain renderer also logs a failed step as "[FAILED] <message>" on
 * stderr (a progress line, like the "[COMPLETED]" ones on stdout); those lines are set aside, and
 * everything else on stderr must be the one error paragraph.
 */
function expectCleanFailure(r: CliResult, message: RegExp): void {
  expect(r.timedOut, show(r)).to.equal(false)
  expect(r.code, show(r)).to.not.equal(0)
  const progress = r.stderr.split('\n').filter((l) => l.startsWith('[FAILED] '))
  expect(progress.length, `more than one failed step\n${show(r)}`).to.be.at.most(1)
  const text = r.stderr.split('\n').filter((l) => !l.startsWith('[FAILED] ')).join('\n').trim()
  expect(text, show(r)).to.match(/^Error: /)
  expect(text, show(r)).to.match(message)
  expect(text.split(/\n\s*\n/), `more than one paragraph on stderr\n${show(r)}`).to.have.length(1)
  expect(r.stderr, `stack trace on stderr\n${show(r)}`).to.not.match(/^\s+at .+/m)
  expect(r.stdout + r.stderr, show(r)).to.not.match(/\b(TypeError|ReferenceError|SyntaxError|UnhandledPromiseRejection)\b/)
}

/** Nothing of setup reached the server: no nginx package, no deploy user, no gatling-root. */
async function expectUntouched(host: TestHost): Promise<void> {
  const r = await host.ssh('root', 'dpkg -s nginx >/dev/null 2>&1 && echo nginx; id gatling >/dev/null 2>&1 && echo user; test -e /usr/local/sbin/gatling-root && echo helper; true')
  expect(r.code, r.stderr).to.equal(0)
  expect(r.stdout.trim(), 'setup left traces on a server it should not have touched').to.equal('')
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

// ---------------------------------------------------------------- suite

before(async function () {
  this.timeout(300_000)
  await buildCli()
})
after(shutdownAll)
after(removeTempDirs)
after(removeCliBuild)

describe('gatling setup', () => {
  describe('as root on a fresh bookworm server', () => {
    let host: TestHost
    let home: string
    let cwd: string
    let first: CliResult

    before(async function () {
      this.timeout(900_000)
      host = await bootHost('setup-root')
      home = await freshHome()
      cwd = await tempDir('project')
      first = await runGatling(['setup', `root@${host.address}`, '-i', host.keyPath, '--accept-new-host-key'], {cwd, home})
    })
    after(async () => host?.down())

    it('exits 0 and says the server is ready', () => {
      expect(first.code, show(first)).to.equal(0)
      expect(first.stdout, show(first)).to.include(`${host.address} is ready for deploys as gatling@${host.address}`)
      expect(first.stderr, show(first)).to.not.match(/^\s+at .+/m)
    })

    it('lets the deploy user "gatling" log in with the key (system ssh, strict host key checking)', async () => {
      const r = await host.ssh('gatling', 'id -un')
      expect(r.code, r.stderr).to.equal(0)
      expect(r.stdout.trim()).to.equal('gatling')
    })

    it("serves gatling's default site through nginx", async () => {
      const root = await http(`http://${host.address}/`)
      expect(root.status).to.equal(404)
      expect(root.body.trim()).to.equal(DEFAULT_SITE_TEXT)
      const status = await http(`http://${host.address}/gatling-status`)
      expect(status).to.deep.equal({status: 200, body: 'gatling ready\n'})
    })

    it('firewall: a port opened by a process on the server is reachable inside but not from outside', async function () {
      this.timeout(60_000)
      // erlang comes with setup; it listens on every interface, like a careless app would
      const start = await host.ssh('root', `systemd-run --quiet --unit=gatling-probe -- erl -noshell -eval '{ok,_}=gen_tcp:listen(8080,[{ip,{0,0,0,0}},{reuseaddr,true}]),timer:sleep(infinity).'`)
      expect(start.code, start.stderr).to.equal(0)
      await waitFor('the probe to listen on 0.0.0.0:8080', async () => (await host.ssh('root', 'ss -ltnH')).stdout.includes('0.0.0.0:8080'))
      // inside: connecting to the server's public address works (so the listener is real)
      const inside = await host.ssh('root', `timeout 3 bash -c 'exec 3<>/dev/tcp/${host.address}/8080' && echo open`)
      expect(inside.stdout.trim(), inside.stderr).to.equal('open')
      // outside: the same port does not answer, while nginx's port does (so the probe works)
      expect(await tcpProbe(host.address, 80)).to.equal('open')
      expect(await tcpProbe(host.address, 8080)).to.be.oneOf(['timeout', 'refused'])
      await host.ssh('root', 'systemctl stop gatling-probe')
    })

    it('epmd listens on loopback only and is not reachable from outside', async () => {
      const ss = await host.ssh('root', 'ss -ltnH')
      expect(ss.stdout).to.include('127.0.0.1:4369')
      expect(ss.stdout).to.not.match(/(0\.0\.0\.0|\[::\]|\*):4369\b/)
      expect(await tcpProbe(host.address, 4369)).to.be.oneOf(['timeout', 'refused'])
    })

    it('records the address and the real host key in ./gatling.json (and known_hosts)', async () => {
      const config = JSON.parse(await readFile(join(cwd, 'gatling.json'), 'utf8'))
      expect(config.hosts).to.have.length(1)
      expect(config.hosts[0].address).to.equal(host.address)
      expect(config.hosts[0].hostKey).to.match(/^ssh-ed25519 AAAA/)
      expect(config.hosts[0].hostKey).to.equal(await serverKey(host))
      expect(config.hosts[0]).to.not.have.property('port')
      const knownHosts = await readFile(join(home, '.ssh/known_hosts'), 'utf8')
      expect(knownHosts.trim().split('\n')).to.include(await host.hostKeyLine())
    })

    it('installs gatling-root, which gatling may run with sudo, and nothing else', async () => {
      const helper = await host.ssh('root', 'stat -c %a:%U /usr/local/sbin/gatling-root')
      expect(helper.stdout.trim(), helper.stderr).to.equal('755:root')
      // sudo lets it through: the helper itself answers (usage, as no subcommand was given)
      const allowed = await host.ssh('gatling', 'sudo -n /usr/local/sbin/gatling-root')
      expect(allowed.stderr).to.not.match(/^sudo:/m)
      expect(allowed.stderr).to.match(/gatling-root: usage/)
      const whoami = await host.ssh('gatling', 'sudo -n true')
      expect(whoami.code).to.not.equal(0)
      expect(whoami.stderr).to.match(/^sudo: /m)
      const shell = await host.ssh('gatling', 'sudo -n /bin/sh -c id')
      expect(shell.code).to.not.equal(0)
    })

    it('a second run changes nothing and says so', async function () {
      this.timeout(120_000)
      const again = await runGatling(['setup', `root@${host.address}`, '-i', host.keyPath], {cwd, home})
      expect(again.code, show(again)).to.equal(0)
      expect(again.stdout, show(again)).to.match(new RegExp(`^Nothing to change: ${host.address.replaceAll('.', '\\.')} was already set up`, 'm'))
      const stepLines = again.stdout.split('\n').filter((l) => /^\[(COMPLETED|SKIPPED|FAILED)\]/.test(l))
      expect(stepLines.length, show(again)).to.be.at.least(8)
      for (const line of stepLines) {
        // detecting the OS only reads the server: it has nothing to leave unchanged
        if (line.startsWith('[COMPLETED] Detect the operating system')) continue
        expect(line, show(again)).to.match(/\(unchanged\)|^\[SKIPPED\]/)
      }
      // still served, gatling.json still holds exactly one entry for the host
      expect((await http(`http://${host.address}/gatling-status`)).status).to.equal(200)
      const config = JSON.parse(await readFile(join(cwd, 'gatling.json'), 'utf8'))
      expect(config.hosts).to.deep.equal([{address: host.address, hostKey: await serverKey(host)}])
    })

    // Regression: setup connected without the pin and recordHost overwrote it, so re-running
    // setup with --accept-new-host-key trusted whatever key answered (a man in the middle).
    it('a re-run refuses a server whose key differs from the pin in gatling.json, even with --accept-new-host-key, and keeps the pin', async function () {
      this.timeout(120_000)
      const other = await newKey('pinned-elsewhere')
      const otherPub = (await readFile(`${other}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ')
      const config = JSON.parse(await readFile(join(cwd, 'gatling.json'), 'utf8'))
      expect(config.hosts[0].hostKey, 'the first run pinned the key').to.equal(await serverKey(host))
      config.hosts[0].hostKey = otherPub
      const project = await tempDir('project')
      const text = `${JSON.stringify(config, null, 2)}\n`
      await writeFile(join(project, 'gatling.json'), text)
      // a HOME that never saw the server (a new CI runner), and the first run's HOME (known_hosts has the real key)
      for (const runHome of [await freshHome(), home]) {
        const r = await runGatling(['setup', `root@${host.address}`, '-i', host.keyPath, '--accept-new-host-key'], {cwd: project, home: runHome})
        expectCleanFailure(r, /CHANGED/)
        expect(r.stderr).to.include(await fingerprint(otherPub))
        expect(r.stderr).to.include(await fingerprint(await serverKey(host)))
        expect(r.stderr).to.match(/pinned in gatling\.json/).and.match(/Nothing was run/)
        expect(await readFile(join(project, 'gatling.json'), 'utf8'), 'the pin was overwritten').to.equal(text)
      }
    })

    it('resolves a Host alias from ~/.ssh/config (HostName, User, IdentityFile)', async function () {
      this.timeout(120_000)
      const aliasHome = await homeTrusting(host)
      await writeFile(join(aliasHome, '.ssh/config'), `Host prod_web\n  HostName ${host.address}\n  User root\n  IdentityFile ${host.keyPath}\n`)
      const r = await runGatling(['setup', 'prod_web'], {cwd: await tempDir('project'), home: aliasHome})
      expect(r.code, show(r)).to.equal(0)
      expect(r.stdout, show(r)).to.match(/^Nothing to change: prod_web was already set up/m)
    })

    it('logs in with the ssh-agent when SSH_AUTH_SOCK is set and no key is given', async function () {
      this.timeout(120_000)
      const agent = await sh('ssh-agent', ['-s'])
      const sock = /SSH_AUTH_SOCK=([^;]+);/.exec(agent.stdout)![1]
      const pid = /SSH_AGENT_PID=(\d+);/.exec(agent.stdout)![1]
      try {
        await new Promise<void>((resolve, reject) => execFile('ssh-add', [host.keyPath], {env: {...process.env, SSH_AUTH_SOCK: sock}}, (e) => (e ? reject(e) : resolve())))
        const r = await runGatling(['setup', `root@${host.address}`], {cwd: await tempDir('project'), home: await homeTrusting(host), env: {SSH_AUTH_SOCK: sock}})
        expect(r.code, show(r)).to.equal(0)
        expect(r.stdout, show(r)).to.match(/^Nothing to change:/m)
      } finally {
        process.kill(Number(pid))
      }
    })

    it('on a terminal, shows the fingerprint of an unknown host key and asks before trusting it', async function () {
      this.timeout(120_000)
      const ttyHome = await freshHome()
      const session = `gatling-tty-${process.pid}`
      const cli = join(await buildCli(), 'bin/run.js')
      const command = `cd ${await tempDir('project')} && HOME=${ttyHome} ${process.execPath} ${cli} setup root@${host.address} -i ${host.keyPath}; echo EXIT=$?; sleep 30`
      await sh('tmux', ['new-session', '-d', '-s', session, '-x', '150', '-y', '40', command])
      try {
        const screen = () => sh('tmux', ['capture-pane', '-p', '-t', session]).then((r) => r.stdout)
        await waitFor('the host key question', async () => (await screen()).includes('Trust this host'), 30_000)
        const asked = await screen()
        expect(asked).to.include(`The authenticity of host '${host.address}' can't be established`)
        expect(asked).to.include(await fingerprint(await serverKey(host)))
        await sh('tmux', ['send-keys', '-t', session, 'y', 'Enter'])
        await waitFor('setup to finish', async () => (await screen()).includes('EXIT='), 60_000)
        expect(await screen()).to.include('EXIT=0')
        expect(await readFile(join(ttyHome, '.ssh/known_hosts'), 'utf8')).to.equal(`${host.address} ${await serverKey(host)}\n`)
      } finally {
        await sh('tmux', ['kill-session', '-t', session]).catch(() => undefined)
      }
    })

    it('fails within ~12 s with a clear message when the SSH port does not answer (dropped by the firewall)', async function () {
      this.timeout(60_000)
      const r = await runGatling(['setup', `root@${host.address}:2222`, '-i', host.keyPath, '--accept-new-host-key'], {cwd: await tempDir('project'), home: await freshHome(), timeoutMs: 30_000})
      expectCleanFailure(r, /did not answer within/)
      expect(r.stderr).to.include(`${host.address} port 2222`)
      expect(r.ms, show(r)).to.be.below(12_500)
    })
  })

  describe('as a sudo user on a fresh bookworm server', () => {
    let host: TestHost

    before(async function () {
      this.timeout(60_000)
      host = await bootHost('setup-sudo')
    })
    after(async () => host?.down())

    it('sets the server up as "deploy" (passwordless sudo)', async function () {
      this.timeout(900_000)
      const cwd = await tempDir('project')
      const r = await runGatling(['setup', `deploy@${host.address}`, '-i', host.keyPath, '--accept-new-host-key'], {cwd, home: await freshHome()})
      expect(r.code, show(r)).to.equal(0)
      expect(r.stdout, show(r)).to.include(`${host.address} is ready for deploys`)
      expect(await http(`http://${host.address}/gatling-status`)).to.deep.equal({status: 200, body: 'gatling ready\n'})
      expect((await http(`http://${host.address}/`)).body.trim()).to.equal(DEFAULT_SITE_TEXT)
      const login = await host.ssh('gatling', 'id -un')
      expect(login.stdout.trim(), login.stderr).to.equal('gatling')
      expect(existsSync(join(cwd, 'gatling.json'))).to.equal(true)
    })
  })

  describe('refusals on a fresh server (nothing may be run)', () => {
    let host: TestHost

    before(async function () {
      this.timeout(60_000)
      host = await bootHost('setup-refuse')
    })
    after(async () => host?.down())

    it('refuses a CHANGED host key, naming both fingerprints', async () => {
      const other = await newKey('other-host-key')
      const otherPub = (await readFile(`${other}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ')
      const home = await freshHome()
      const knownHosts = `${host.address} ${otherPub}\n`
      await writeFile(join(home, '.ssh/known_hosts'), knownHosts, {mode: 0o600})
      const cwd = await tempDir('project')

      const r = await runGatling(['setup', `root@${host.address}`, '-i', host.keyPath], {cwd, home})
      expectCleanFailure(r, /CHANGED/)
      expect(r.stderr).to.include(await fingerprint(otherPub))
      expect(r.stderr).to.include(await fingerprint(await serverKey(host)))
      expect(r.stderr).to.match(/Nothing was run/)
      // --accept-new-host-key does not override a changed key either
      const forced = await runGatling(['setup', `root@${host.address}`, '-i', host.keyPath, '--accept-new-host-key'], {cwd, home})
      expectCleanFailure(forced, /CHANGED/)

      expect(await readFile(join(home, '.ssh/known_hosts'), 'utf8')).to.equal(knownHosts)
      expect(existsSync(join(cwd, 'gatling.json'))).to.equal(false)
      await expectUntouched(host)
    })

    it('refuses an unknown host key without a terminal unless --accept-new-host-key', async () => {
      const home = await freshHome()
      const cwd = await tempDir('project')
      const r = await runGatling(['setup', `root@${host.address}`, '-i', host.keyPath], {cwd, home})
      expectCleanFailure(r, /--accept-new-host-key/)
      expect(r.stderr).to.include(await fingerprint(await serverKey(host)))
      expect(existsSync(join(home, '.ssh/known_hosts')), 'the unknown key was remembered').to.equal(false)
      expect(existsSync(join(cwd, 'gatling.json'))).to.equal(false)
      await expectUntouched(host)
    })

    it('reports a key the server does not accept', async () => {
      const stranger = await newKey('not-authorized')
      const r = await runGatling(['setup', `root@${host.address}`, '-i', stranger], {cwd: await tempDir('project'), home: await homeTrusting(host)})
      expectCleanFailure(r, /refused the login as root/)
      expect(r.stderr).to.include(stranger)
      await expectUntouched(host)
    })

    it('reports a user that does not exist as a refused login', async () => {
      const r = await runGatling(['setup', `nosuchuser@${host.address}`, '-i', host.keyPath], {cwd: await tempDir('project'), home: await homeTrusting(host)})
      expectCleanFailure(r, /refused the login as nosuchuser/)
      await expectUntouched(host)
    })

    it('explains that sudo must not ask for a password', async () => {
      const add = await host.ssh('root', [
        'useradd -m -s /bin/bash pw', 'usermod -aG sudo pw', 'echo pw:Secret-pw-123 | chpasswd',
        'install -d -m 700 -o pw -g pw /home/pw/.ssh', 'install -m 600 -o pw -g pw /root/.ssh/authorized_keys /home/pw/.ssh/authorized_keys',
      ].join(' && '))
      expect(add.code, add.stderr).to.equal(0)
      // the premise: pw may use sudo, but only with its password
      const premise = await host.ssh('pw', 'sudo -n true')
      expect(premise.stderr).to.match(/sudo: a password is required/)

      const cwd = await tempDir('project')
      const r = await runGatling(['setup', `pw@${host.address}`, '-i', host.keyPath], {cwd, home: await homeTrusting(host)})
      expectCleanFailure(r, /password/)
      expect(r.stderr).to.include('NOPASSWD')
      expect(existsSync(join(cwd, 'gatling.json'))).to.equal(false)
      await expectUntouched(host)
    })

    it('--dry-run prints the apt-get commands and changes nothing', async function () {
      this.timeout(120_000)
      const cwd = await tempDir('project')
      const r = await runGatling(['setup', `root@${host.address}`, '-i', host.keyPath, '--dry-run'], {cwd, home: await homeTrusting(host)})
      expect(r.code, show(r)).to.equal(0)
      expect(r.stdout, show(r)).to.match(/Dry run on root@/)
      expect(r.stdout, show(r)).to.match(/^\s+\$ .*apt-get .*update/m)
      expect(r.stdout, show(r)).to.match(/^\s+\$ .*apt-get .*install .*nginx/m)
      expect(existsSync(join(cwd, 'gatling.json')), 'a dry run recorded the host').to.equal(false)
      await expectUntouched(host)
      expect(await tcpProbe(host.address, 80, 2000)).to.not.equal('open')
    })
  })

  describe('bad input', () => {
    let cwd: string
    let home: string

    before(async () => {
      cwd = await tempDir('project')
      home = await freshHome()
    })

    it('without a target: oclif reports the missing argument', async () => {
      const r = await runGatling(['setup'], {cwd, home})
      expect(r.code, show(r)).to.not.equal(0)
      expect(r.stderr, show(r)).to.match(/Missing 1 required arg/)
      expect(r.stderr, show(r)).to.match(/target/)
      expect(r.stderr, show(r)).to.not.match(/^\s+at .+/m)
    })

    it('a garbled target: root@@x', async () => {
      const r = await runGatling(['setup', 'root@@x'], {cwd, home})
      expectCleanFailure(r, /"root@@x" is not a server address/)
    })

    it('a port out of range: root@host:99999', async () => {
      const r = await runGatling(['setup', 'root@host:99999'], {cwd, home})
      expectCleanFailure(r, /99999.*out of range/)
    })

    it('an address where no server is fails within ~12 s', async function () {
      this.timeout(60_000)
      const key = await newKey('unreachable')
      const r = await runGatling(['setup', 'root@10.231.250.2', '-i', key, '--accept-new-host-key'], {cwd, home, timeoutMs: 30_000})
      expectCleanFailure(r, /10\.231\.250\.2/)
      expect(r.ms, show(r)).to.be.below(12_500)
      expect(existsSync(join(cwd, 'gatling.json'))).to.equal(false)
    })
  })

  describe('when the connection drops in the middle of a step', () => {
    let host: TestHost

    before(async function () {
      this.timeout(300_000)
      host = await bootHost('setup-drop')
    })
    after(async () => host?.down())

    it('fails that step with a clear message and a non-zero exit, without crashing', async function () {
      this.timeout(120_000)
      const cwd = await tempDir('project')
      const setup = runGatling(['setup', `root@${host.address}`, '-i', host.keyPath, '--accept-new-host-key'], {cwd, home: await freshHome(), timeoutMs: 90_000})
      // once apt-get runs (a step of many seconds), kill gatling's sshd session on the server
      await waitFor('apt-get to run on the server', async () => (await host.ssh('root', 'pgrep -x apt-get >/dev/null')).code === 0, 60_000)
      await host.ssh('root', "pkill -KILL -o -f '^sshd: root@notty'")
      const r = await setup
      expectCleanFailure(r, /SSH connection to root@[\d.]+ was lost/)
      expect(r.stderr).to.not.match(/ECONNRESET|Unhandled|Error: read/)
    })
  })

  describe('on an unsupported OS (Debian 11)', () => {
    let host: TestHost

    before(async function () {
      this.timeout(300_000)
      host = await bootHost('setup-old', {suite: 'bullseye'})
    })
    after(async () => host?.down())

    it('refuses with "too old" and what to pin (no pinned toolchain), and installs nothing', async () => {
      const cwd = await tempDir('project')
      const r = await runGatling(['setup', `root@${host.address}`, '-i', host.keyPath, '--accept-new-host-key'], {cwd, home: await freshHome()})
      expectCleanFailure(r, /Debian GNU\/Linux 11/)
      expect(r.stderr).to.match(/too old/)
      expect(r.stderr).to.match(/pin Erlang\/OTP and Elixir in the project's \.tool-versions/)
      expect(r.stderr).to.match(/Nothing was changed/)
      expect(existsSync(join(cwd, 'gatling.json'))).to.equal(false)
      await expectUntouched(host)
    })
  })
})
