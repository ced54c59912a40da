// gatling push end to end (issue: first deploy), on one fresh bookworm host, in order:
// first deploy, what runs where, secrets, a plain git push, a broken build, a release that
// crashes at boot, a reboot, and bad input that must change nothing on the server.
import {expect} from 'chai'
import {copyFile} from 'node:fs/promises'
import {join} from 'node:path'

import {TestApp, body, describeRun, info, runProgram, systemGitPush, tcpProbe, waitFor, type RunResult} from '../helpers/app.js'
import {buildCli} from '../helpers/cli.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'

const SECRET = `tok-${Math.random().toString(36).slice(2)}-${Date.now()}`

after(shutdownAll)

describe('gatling push (first deploy and later pushes)', function () {
  this.timeout(600_000)
  let host: TestHost
  let app: TestApp
  /** every gatling / git output of this file, to prove the secret never shows */
  const outputs: RunResult[] = []
  let firstPush: RunResult

  const root = async (cmd: string) => {
    const r = await host.ssh('root', cmd)
    expect(r.code, `${cmd}: ${r.stderr}`).to.equal(0)
    return r.stdout.trim()
  }
  const current = () => root('readlink /srv/gatling/hello/current')

  before(async () => {
    await buildCli()
    host = await bootHost('e2e-push')
    app = await TestApp.create()
    const setup = await app.setup(host)
    outputs.push(setup)
    expect(setup.code, describeRun(setup)).to.equal(0)
    await app.write('.env.production', `GREETING=bonjour\nAPI_TOKEN=${SECRET}\n`)
    await app.commitAll('production config')
  })
  after(async () => {
    await host?.down()
    await app?.cleanup()
  })

  it('deploys a fresh server: the app answers through nginx with its env', async () => {
    firstPush = await app.push(host)
    outputs.push(firstPush)
    console.log(`      first push: ${firstPush.ms} ms`)
    expect(firstPush.code, describeRun(firstPush)).to.equal(0)
    for (const title of ['Prepare the app on the server', 'Check out the pushed commit', 'mix compile', 'mix release',
      'Health check of the new release', 'Switch traffic to the new release', 'Health check through nginx']) {
      expect(firstPush.stdout, title).to.include(title)
    }
    expect(firstPush.stdout).to.match(/Deployed hello [0-9a-f]{12} to /)
    expect(await body(host, '/')).to.equal('bonjour from v1')
    expect(await body(host, '/health')).to.equal('ok')
  })

  it('runs the app as its own user, with epmd and distribution on loopback only', async () => {
    const fields = await info(host)
    expect(fields.pid).to.match(/^\d+$/)
    expect(await root(`ps -o user= -p ${fields.pid}`)).to.equal('hello')

    const listening = await root('ss -ltnpH')
    const lines = listening.split('\n')
    const epmd = lines.filter((l) => /:4369\s/.test(l))
    expect(epmd, listening).to.have.length.greaterThan(0)
    for (const l of epmd) expect(l.split(/\s+/)[3], l).to.equal('127.0.0.1:4369')

    const beam = lines.filter((l) => l.includes(`pid=${fields.pid},`))
    const ports = beam.map((l) => l.split(/\s+/)[3])
    const dist = ports.filter((a) => !a.endsWith(`:${fields.port}`))
    expect(dist, listening).to.have.length.greaterThan(0)
    for (const a of ports) expect(a, listening).to.match(/^127\.0\.0\.1:\d+$/)

    // from outside: the firewall (policy drop) makes the connect time out, never connect
    for (const port of [4369, ...dist.map((a) => Number(a.split(':')[1])), Number(fields.port)]) {
      const result = await tcpProbe(host.address, port, 2000)
      expect(result, `port ${port} from outside`).to.be.oneOf(['refused', 'timeout', 'EHOSTUNREACH'])
      // from the server itself (no firewall on the way): nothing listens on the public address
      const own = await host.ssh('root', `timeout 3 bash -c 'echo > /dev/tcp/${host.address}/${port}' 2>&1; echo rc=$?`)
      expect(own.stdout, `port ${port} on ${host.address} from the server`).to.match(/Connection refused[\s\S]*rc=1/)
    }
  })

  it('keeps the env file private to the app and never prints the secrets', async () => {
    expect(await root('stat -c "%a %U" /etc/gatling/hello/app.env')).to.equal('600 hello')
    expect(await root('grep -c API_TOKEN /etc/gatling/hello/app.env')).to.equal('1')
    for (const r of outputs) {
      expect(r.stdout).to.not.include(SECRET)
      expect(r.stderr).to.not.include(SECRET)
    }
  })

  it('deploys with a plain git push: remote: step lines, then the new version', async () => {
    await app.overlay('hello-v2')
    const r = await systemGitPush(app, host, [`gatling@${host.address}:/srv/gatling/hello/repo.git`, 'main'])
    outputs.push(r)
    expect(r.code, describeRun(r)).to.equal(0)
    const remote = r.stderr.split('\n').filter((l) => l.startsWith('remote:'))
    expect(remote.length, r.stderr).to.be.greaterThan(5)
    for (const title of ['mix compile', 'mix release', 'Health check through nginx']) {
      expect(remote.some((l) => l.includes(title)), `remote: line with "${title}"\n${r.stderr}`).to.equal(true)
    }
    expect(await body(host, '/')).to.equal('bonjour from v2')
  })

  it('rejects code that does not compile and keeps serving the old version', async () => {
    const before = await current()
    await app.overlay('hello-broken')
    try {
      const r = await app.push(host)
      outputs.push(r)
      expect(r.code, describeRun(r)).to.not.equal(0)
      expect(r.stderr, describeRun(r)).to.include('mix compile')
      expect(r.stderr, describeRun(r)).to.include('this_variable_does_not_exist')
      expect(r.stderr).to.not.match(/^\s+at .+:\d+:\d+\)?$/m)
      expect(await body(host, '/')).to.equal('bonjour from v2')
      expect(await current()).to.equal(before)
    } finally {
      await app.git('reset', '-q', '--hard', 'HEAD~1')
    }
  })

  it('rejects a release that crashes at boot at the health check, keeping the old one current', async () => {
    const before = await current()
    const pidBefore = (await info(host)).pid
    await app.overlay('hello-crash')
    try {
      const r = await app.push(host)
      outputs.push(r)
      expect(r.code, describeRun(r)).to.not.equal(0)
      expect(r.stderr, describeRun(r)).to.include('Health check of the new release')
      expect(await current()).to.equal(before)
      expect(await body(host, '/')).to.equal('bonjour from v2')
      expect((await info(host)).pid).to.equal(pidBefore)
    } finally {
      await app.git('reset', '-q', '--hard', 'HEAD~1')
    }
  })

  it('comes back on its own after the server reboots', async () => {
    const bootId = await root('cat /proc/sys/kernel/random/boot_id')
    await host.ssh('root', 'systemctl reboot', {timeoutMs: 15_000})
    const t0 = Date.now()
    await waitFor('the server to come back with a new boot id', async () => {
      const r = await host.ssh('root', 'cat /proc/sys/kernel/random/boot_id', {timeoutMs: 10_000})
      return r.code === 0 && r.stdout.trim() !== bootId
    }, 180_000, 1000)
    const answer = await waitFor('the app to answer after the reboot', async () => {
      const b = await body(host, '/')
      return b === 'bonjour from v2' ? b : undefined
    }, 120_000, 1000)
    console.log(`      back after reboot in ${Date.now() - t0} ms`)
    expect(answer).to.equal('bonjour from v2')
    expect(await root('systemctl is-active hello@4000.service hello@4001.service || true')).to.match(/active/)
  })

  it('leaks the secret nowhere: no output of any command, no journal line, no file outside /etc/gatling', async () => {
    for (const args of [['push', '--restart'], ['rollback'], ['push'], ['push', '--dry-run']]) {
      const r = await app.gatling([...args, '-i', host.keyPath])
      outputs.push(r)
      expect(r.code, describeRun(r)).to.equal(0)
      // two deploys served (+1, +2); the compile error and the boot crash used up no number
      if (args.join(' ') === 'push --restart') expect(await current()).to.match(/\+3$/)
    }
    for (const r of outputs) {
      expect(r.stdout).to.not.include(SECRET)
      expect(r.stderr).to.not.include(SECRET)
    }
    const journal = await host.ssh('root', `journalctl --no-pager -o cat | grep -cF ${SECRET} || true`)
    expect(journal.stdout.trim(), 'journal lines with the secret').to.equal('0')
    // the app's env file is the one place it belongs; the app's process environment is the app's own
    const files = await host.ssh('root', `grep -rlF ${SECRET} / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null | grep -v '^/etc/gatling/hello/' || true`)
    expect(files.stdout.trim(), 'files holding the secret').to.equal('')
  })

  describe('bad input: a clear error, no stack trace, nothing changed on the server', () => {
    let currentBefore: string
    let pidBefore: string
    const others: TestApp[] = []

    before(async () => {
      currentBefore = await current()
      pidBefore = (await info(host)).pid
    })
    after(async () => {
      await Promise.all(others.map((o) => o.cleanup()))
      expect(await current()).to.equal(currentBefore)
      expect((await info(host)).pid).to.equal(pidBefore)
      expect(await body(host, '/')).to.equal('bonjour from v2')
    })

    function expectCleanError(r: RunResult, pattern: RegExp) {
      outputs.push(r)
      expect(r.code, describeRun(r)).to.not.equal(0)
      const err = r.stderr.trim()
      expect(err, describeRun(r)).to.match(pattern)
      expect(err, 'no stack trace').to.not.match(/^\s+at .+[:(]\d+/m)
      expect(err, 'one paragraph').to.not.match(/\n\s*\n/)
      expect(err.length, err).to.be.lessThan(800)
      expect(r.stdout, 'nothing deployed').to.not.include('Deployed')
      expect(r.stdout, 'nothing pushed').to.not.include('Pushed')
    }

    it('not an Elixir project (empty directory)', async () => {
      const empty = await TestApp.create({fixture: null, home: app.home})
      others.push(empty)
      await copyFile(join(app.dir, 'gatling.json'), join(empty.dir, 'gatling.json'))
      expectCleanError(await empty.push(host), /mix\.exs|Elixir/i)
    })

    it('no gatling.json', async () => {
      const fresh = await TestApp.create({home: app.home})
      others.push(fresh)
      expectCleanError(await fresh.push(host), /gatling\.json/)
    })

    it('unknown app', async () => {
      expectCleanError(await app.gatling(['push', 'other', '-i', host.keyPath]), /other/)
    })

    it('nothing committed', async () => {
      const uncommitted = await TestApp.create({fixture: null, home: app.home})
      others.push(uncommitted)
      await app.git('archive', '--format=tar', '-o', join(uncommitted.root, 'src.tar'), 'HEAD')
      await runProgram('tar', ['-xf', join(uncommitted.root, 'src.tar')], {cwd: uncommitted.dir})
      await copyFile(join(app.dir, 'gatling.json'), join(uncommitted.dir, 'gatling.json'))
      expectCleanError(await uncommitted.push(host), /commit/i)
    })

    it('detached HEAD', async () => {
      await app.git('checkout', '-q', '--detach')
      try {
        expectCleanError(await app.push(host), /detached|branch/i)
      } finally {
        await app.git('checkout', '-q', 'main')
      }
    })

    it('a branch that does not exist', async () => {
      expectCleanError(await app.push(host, '--branch', 'nope'), /nope/)
    })
  })
})

describe('a plain git push as the very first deploy', function () {
  this.timeout(600_000)
  let host: TestHost
  let app: TestApp

  before(async () => {
    await buildCli()
    host = await bootHost('e2e-gitfirst')
    app = await TestApp.create()
    await app.write('.env.production', 'GREETING=salut\n')
    await app.commitAll('production config')
  })
  after(async () => {
    await host?.down()
    await app?.cleanup()
  })

  it('setup in the project creates the app and a "gatling" remote; git push deploys it', async () => {
    const setup = await app.setup(host)
    expect(setup.code, describeRun(setup)).to.equal(0)
    expect(setup.stdout).to.include('git push gatling main')
    expect((await app.git('remote', 'get-url', 'gatling')).trim()).to.equal(`gatling@${host.address}:/srv/gatling/hello/repo.git`)

    const push = await systemGitPush(app, host, ['gatling', 'main'])
    const output = push.stdout + push.stderr
    expect(push.code, output).to.equal(0)
    for (const title of ['Check out the pushed commit', 'mix release', 'Health check through nginx']) expect(output).to.include(`remote: -----> ${title}`)
    expect(await body(host, '/')).to.equal('salut from v1')
  })
})
