// Hot upgrades end to end (issue: hot upgrades). Each test proves one gap fix: same OS process,
// state migrated by code_change/3, runtime.exs config surviving, consolidated protocols
// reloaded, a restart booting the new version, a hot downgrade, the restart path for changes
// that cannot be hot, and zero failed requests under load. Bookworm gets the full sequence;
// trixie one end-to-end hot upgrade.
import {expect} from 'chai'
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {TestApp, body, describeRun, httpGet, info, loadDuring, waitFor} from '../helpers/app.js'
import {shutdownAll, type TestHost} from '../helpers/hosts.js'
import {deployV1, expectHot, expectRestart, printLoad} from '../helpers/upgrade.js'

after(shutdownAll)

/** v1 -> v2 hot, checked from the outside; returns the pid and vsn before */
async function hotUpgradeToV2(host: TestHost, app: TestApp) {
  const before = await info(host)
  expect(before.greeting).to.equal('bonjour')
  for (let i = 0; i < 3; i++) await httpGet(`http://${host.address}/`)
  const stateBefore = await body(host, '/state')
  const proto = await httpGet(`http://${host.address}/proto?x=abc`)
  expect(proto.status, 'v1 has no protocol impl for strings').to.equal(500)

  await app.overlay('hello-v2')
  const r = await app.push(host)
  console.log(`      [${host.suite}] hot upgrade push: ${r.ms} ms`)
  expectHot(r)
  // the counter's new code_change/3 ran on a copy of its state first (code-change.test.ts)
  expect(r.stdout).to.match(/dry run: Hello\.Counter code_change on a copy of the state of #PID<[\d.]+> -> ok/)

  const after = await info(host)
  expect(after.pid, 'same OS process').to.equal(before.pid)
  expect(after.vsn).to.not.equal(before.vsn)
  // install_release saw the runtime config in sys.config; the build-time file (no secrets) is back, with the
  // mode the unpacked release gave it (that of vm.args beside it), and its directory is open to the app's group again
  const sysConfig = await host.ssh('root', `f=/srv/gatling/hello/slots/${after.port}/releases/${after.vsn}/sys.config; built=/srv/gatling/hello/releases/${after.vsn}/releases/${after.vsn}/sys.config; cmp "$f" "$built" && echo same; [ "$(stat -c %a "$f")" = "$(stat -c %a "$(dirname "$f")/vm.args")" ] && echo mode; [ "$(stat -c %a "$(dirname "$f")")" != 700 ] && echo dir; ls "$(dirname "$f")" | grep -c gatling-build; grep -c bonjour "$f" || true`)
  expect(sysConfig.stdout.trim().split('\n'), sysConfig.stderr).to.deep.equal(['same', 'mode', 'dir', '0', '0'])
  expect(await body(host, '/')).to.equal('bonjour from v2')
  const state = await body(host, '/state')
  expect(state, `state before: ${stateBefore}`).to.include('migrated_from')
  expect(after.greeting, 'runtime.exs value survived').to.equal('bonjour')
  expect(after.port).to.match(/^\d+$/)
  expect(after.port).to.equal(before.port)
  const proto2 = await httpGet(`http://${host.address}/proto?x=abc`)
  expect(proto2.status, proto2.body).to.equal(200)
  expect(proto2.body.trim()).to.equal('string "abc"')
  return {before, after}
}

describe('hot upgrades (bookworm)', function () {
  this.timeout(600_000)
  let host: TestHost
  let app: TestApp
  let vsn1: string

  const root = async (cmd: string) => {
    const r = await host.ssh('root', cmd)
    expect(r.code, `${cmd}\n${r.stdout}\n${r.stderr}`).to.equal(0)
    return r.stdout.trim()
  }

  before(async () => {
    ;({host, app} = await deployV1('e2e-hot', 'bookworm'))
    vsn1 = (await info(host)).vsn
  })
  after(async () => {
    await host?.down()
    await app?.cleanup()
  })

  it('hot-upgrades v1 to v2 in the same process; a restart then boots v2 with its config', async () => {
    const {after} = await hotUpgradeToV2(host, app)
    await root(`systemctl restart hello@${after.port}`)
    // Type=exec: systemctl returns once the VM is started, before it listens
    const restarted = await waitFor('the restarted node to answer', async () => {
      const i = await info(host)
      return i.pid !== after.pid ? i : undefined
    }, 60_000, 250)
    expect(restarted.pid).to.not.equal(after.pid)
    expect(restarted.vsn).to.equal(after.vsn)
    expect(restarted.greeting).to.equal('bonjour')
    expect(await body(host, '/')).to.equal('bonjour from v2')
  })

  it('rolls back to the first release with a hot downgrade in the same process', async () => {
    const before = await info(host)
    const r = await app.gatling(['rollback', '-i', host.keyPath, '--to', vsn1])
    expect(r.code, describeRun(r)).to.equal(0)
    expect(r.stdout).to.include('trying a hot downgrade')
    expect(r.stdout).to.include(`GATLING_RESULT ok ${before.vsn} -> ${vsn1}`)
    const after = await info(host)
    expect(after.pid, 'same OS process').to.equal(before.pid)
    expect(after.vsn).to.equal(vsn1)
    expect(after.greeting).to.equal('bonjour')
    expect(await body(host, '/')).to.equal('bonjour from v1')
    expect(await root('basename "$(readlink /srv/gatling/hello/current)"')).to.equal(vsn1)
  })

  it('rolls back with a zero-downtime restart where the node never had that release', async () => {
    await app.overlay('hello-vmargs', 'vm.args change, then back')
    const pushed = await app.push(host)
    expectRestart(pushed, 'vm.args')
    const before = await info(host)
    const r = await app.gatling(['rollback', '-i', host.keyPath])
    expect(r.code, describeRun(r)).to.equal(0)
    expect(r.stdout).to.include('Switch traffic to the new release')
    const after = await info(host)
    expect(after.pid).to.not.equal(before.pid)
    expect(after.vsn).to.not.equal(before.vsn)
    expect(await body(host, '/')).to.equal('bonjour from v2')
    await app.git('revert', '--no-edit', 'HEAD')
  })

  it('takes the restart path when vm.args changes', async () => {
    const before = await info(host)
    await app.overlay('hello-vmargs')
    const r = await app.push(host)
    expectRestart(r, 'vm.args')
    const after = await info(host)
    expect(after.pid).to.not.equal(before.pid)
    expect(await body(host, '/')).to.equal('bonjour from v2')
    expect(after.greeting).to.equal('bonjour')
  })

  it('takes the restart path when the application children change (start/2)', async () => {
    const before = await info(host)
    await app.overlay('hello-children')
    const r = await app.push(host)
    expectRestart(r, 'start/2')
    const after = await info(host)
    expect(after.pid).to.not.equal(before.pid)
    expect(await body(host, '/')).to.equal('bonjour from v2')
  })

  it('restarts when asked with --restart', async () => {
    const before = await info(host)
    await app.commitAll('nothing changed')
    const r = await app.push(host, '--restart')
    expectRestart(r, '--restart')
    const after = await info(host)
    expect(after.pid).to.not.equal(before.pid)
    expect(await body(host, '/')).to.equal('bonjour from v2')
  })

  it('serves every request during a hot upgrade under load', async () => {
    const before = await info(host)
    const path = join(app.dir, 'lib/hello.ex')
    await writeFile(path, (await readFile(path, 'utf8')).replace('"v2"', '"v3"'))
    await app.commitAll('v3')
    const push = app.push(host)
    const report = await loadDuring(`http://${host.address}/`, push)
    const r = await push
    printLoad('hot upgrade', report)
    expectHot(r)
    expect((await info(host)).pid).to.equal(before.pid)
    expect(await body(host, '/')).to.equal('bonjour from v3')
    expect(report.requests).to.be.greaterThan(50)
    expect(report.lastedUntilStop, `the load lasted the whole push (${report.requests} requests)`).to.equal(true)
    expect(report.failed, report.failures.join('\n')).to.equal(0)
    // every answer came from a node with its runtime config: no "hello from" mid-upgrade
    const wrong = [...report.bodies.keys()].filter((b) => !['bonjour from v2', 'bonjour from v3'].includes(b))
    expect(wrong, 'answers other than v2/v3 with GREETING=bonjour').to.deep.equal([])
    expect([...report.bodies.keys()].sort(), 'the load saw the old code, then the new').to.deep.equal(['bonjour from v2', 'bonjour from v3'])
  })

  it('keeps in the running node only the version it runs and the one it came from', async () => {
    const before = await info(host)
    const path = join(app.dir, 'lib/hello.ex')
    await writeFile(path, (await readFile(path, 'utf8')).replace('"v3"', '"v4"'))
    await app.commitAll('v4')
    expectHot(await app.push(host))
    const after = await info(host)
    expect(after.pid).to.equal(before.pid)
    const slot = `/srv/gatling/hello/slots/${after.port}`
    const listing = await host.ssh('root', `ls ${slot}/releases; echo --; ls -d ${slot}/lib/hello-*`)
    const [releases, libs] = listing.stdout.split('--\n').map((part) => part.trim().split('\n').map((l) => l.replace(/.*\//, '')))
    expect(releases.filter((f) => /^\d/.test(f)), listing.stdout).to.deep.equal([before.vsn, after.vsn].sort())
    expect(libs, listing.stdout).to.deep.equal([`hello-${before.vsn}`, `hello-${after.vsn}`].sort())
    await app.git('reset', '-q', '--hard', 'HEAD~1')
  })

  it('serves every request during a zero-downtime restart under load', async () => {
    const before = await info(host)
    await app.commitAll('restart under load')
    const push = app.push(host, '--restart')
    const report = await loadDuring(`http://${host.address}/`, push)
    const r = await push
    printLoad('restart', report)
    expectRestart(r)
    expect((await info(host)).pid).to.not.equal(before.pid)
    expect(await body(host, '/')).to.equal('bonjour from v3')
    expect(report.requests).to.be.greaterThan(50)
    expect(report.lastedUntilStop, `the load lasted the whole push, through the switch (${report.requests} requests)`).to.equal(true)
    expect(report.failed, report.failures.join('\n')).to.equal(0)
  })
})

describe('hot upgrades (trixie)', function () {
  this.timeout(600_000)
  let host: TestHost
  let app: TestApp

  before(async () => {
    ;({host, app} = await deployV1('e2e-hot-trixie', 'trixie'))
  })
  after(async () => {
    await host?.down()
    await app?.cleanup()
  })

  it('hot-upgrades v1 to v2 in the same process on Debian 13', async () => {
    await hotUpgradeToV2(host, app)
  })
})
