// Operating deployed apps (issue 12, the second half): gatling env, the deploy lock, the audit log and
// gatling destroy, end to end on one bookworm host with two apps from the hello fixture: "hello" (the
// server's default site) and "other" (other.test). One setup and two first pushes; the tests then run in
// order on the same server, each checking from outside: the values inside the running node (bin/APP rpc
// through gatling-root run), HTTP through nginx under load, the node's OS pid, the exit code and the error.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {join} from 'node:path'

import {TestApp, body, describeRun, info, loadDuring, systemGitPush, waitFor, type RunResult} from '../helpers/app.js'
import {HELPER, Server, createRenamedApp, q} from '../helpers/attacks.js'
import {buildCli} from '../helpers/cli.js'
import {asFileText, hostileStrings} from '../helpers/hostile.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'
import {printLoad} from '../helpers/upgrade.js'

after(shutdownAll)

/** The hostile values an environment variable can hold (no NUL, no CR: systemd's file ends a line there) and argv can carry. */
const HOSTILE = hostileStrings().filter(({value}) => !/[\0\r]/.test(value) && !/\p{Cs}/u.test(value))

describe('operations: env, lock, audit, destroy (issue 12)', function () {
  this.timeout(900_000)
  let host: TestHost
  let srv: Server
  let hello: TestApp
  let other: TestApp
  let cliDir: string

  const gatling = (app: TestApp, ...args: string[]) => app.gatling([...args, '-i', host.keyPath])
  const ok = (r: RunResult) => {
    expect(r.code, describeRun(r)).to.equal(0)
    return r
  }
  /** The variables as the running node of APP sees them (System.get_env in the node, base64 back). */
  async function nodeEnv(app: string, keys: string[]): Promise<Record<string, string | null>> {
    const expr = `for k <- ~w(${keys.join(' ')}), do: IO.puts(k <> "=" <> if(v = System.get_env(k), do: Base.encode64(v), else: "-"))`
    const r = await srv.root(`${HELPER} run ${app} "$(${HELPER} serving ${app} | cut -d' ' -f1)" rpc ${q(expr)}`)
    expect(r.code, `${r.stdout}${r.stderr}`).to.equal(0)
    const seen: Record<string, string | null> = {}
    for (const line of r.stdout.split('\n').filter((l) => /^[A-Z_0-9]+=/.test(l))) {
      const [k, v] = line.split('=', 2)
      seen[k] = v === '-' ? null : Buffer.from(v, 'base64').toString('utf8')
    }
    return seen
  }
  const lockStatus = async (app: TestApp) => JSON.parse(ok(await gatling(app, 'lock', '--json')).stdout)
  /** gatling push in the background, as a process of its own (to kill it). */
  function pushInBackground(app: TestApp) {
    const child = spawn(process.execPath, ['--', join(cliDir, 'bin/run.js'), 'push', '-i', host.keyPath], {cwd: app.dir, env: {...app.env}, stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const done = new Promise<{code: number | null; output: string}>((resolve) => child.on('close', (code) => resolve({code, output})))
    return {child, done}
  }

  before(async () => {
    cliDir = await buildCli()
    host = await bootHost('e2e-ops')
    srv = new Server(host)
    hello = await TestApp.create()
    ok(await hello.setup(host))
    await hello.write('.gitignore', '.env.production\n')
    await hello.write('.env.production', 'GREETING=bonjour\nFROM_FILE=local\n')
    await hello.commitAll('production config')
    ok(await hello.push(host))
    other = await createRenamedApp(hello, 'other', 'API_TOKEN=other-token\n')
    ok(await other.push(host))
    expect(await body(host, '/')).to.equal('bonjour from v1')
  })
  after(async () => {
    await host?.down()
    await hello?.cleanup()
    await other?.cleanup()
  })

  it('env set: hostile values byte for byte in the running node, with a zero-downtime restart said first; never printed', async () => {
    const assignments = HOSTILE.map(({value}, i) => `H${i}=${value}`)
    const before = await info(host)
    let r!: RunResult
    const load = await loadDuring(`http://${host.address}/`, (async () => (r = await gatling(hello, 'env', 'set', ...assignments)))())
    printLoad('env set (restart)', load)
    ok(r)
    expect(r.stdout).to.match(/Applying with a zero-downtime restart: H0, H1/)
    expect(r.stdout.indexOf('Applying with a zero-downtime restart')).to.be.below(r.stdout.indexOf('Switch traffic'))
    expect(load.failed, load.failures.join('\n')).to.equal(0)
    expect(load.lastedUntilStop).to.equal(true)
    expect((await info(host)).pid).to.not.equal(before.pid)
    const seen = await nodeEnv('hello', HOSTILE.map((_, i) => `H${i}`))
    for (const [i, {what, value}] of HOSTILE.entries()) expect(seen[`H${i}`], what).to.equal(asFileText(value))
    // never printed: not by set, not by list
    const list = ok(await gatling(hello, 'env', 'list'))
    for (const out of [r.stdout + r.stderr, list.stdout + list.stderr]) expect(out).to.not.include('漢字').and.not.include('gatling-pwned').and.not.include('bonjour')
    expect(list.stdout).to.include('GREETING\n').and.include('H0  (kept: gatling env set)')
    const json = JSON.parse(ok(await gatling(hello, 'env', '--json')).stdout)
    expect(json.variables.find((v: {name: string}) => v.name === 'H1')).to.deep.equal({name: 'H1', kept: true})
    const revealed = JSON.parse(ok(await gatling(hello, 'env', 'list', '--reveal', '--json')).stdout)
    for (const [i, {value}] of HOSTILE.entries()) expect(revealed.variables.find((v: {name: string}) => v.name === `H${i}`).value).to.equal(asFileText(value))
    expect(await srv.rootOk('stat -c %a:%U /etc/gatling/hello/app.env')).to.equal('600:hello')
  })

  it('env set of a key read only through config/runtime.exs: applied in the running node, same pid, no restart', async () => {
    const before = await info(host)
    const r = ok(await gatling(hello, 'env', 'set', 'GREETING=howdy partner'))
    expect(r.stdout).to.include('Applying in the running node, with no restart: GREETING is read only through config/runtime.exs')
    expect(r.stdout).to.include('Applied with no restart').and.include('config_change/3 for hello')
    expect(r.stdout).to.not.include('Switch traffic')
    expect(await body(host, '/')).to.equal('howdy partner from v1')
    const after = await info(host)
    expect(after.pid).to.equal(before.pid)
    expect(after.port).to.equal(before.port)
  })

  it('env set --no-restart and env unset: stored for the next start; unset goes from the node', async () => {
    const before = await info(host)
    const r = ok(await gatling(hello, 'env', 'set', 'LATER=soon', '--no-restart'))
    expect(r.stdout).to.include('Stored (--no-restart)')
    expect((await nodeEnv('hello', ['LATER'])).LATER).to.equal(null)
    expect((await info(host)).pid).to.equal(before.pid)
    const unset = ok(await gatling(hello, 'env', 'unset', ...HOSTILE.map((_, i) => `H${i}`)))
    expect(unset.stdout).to.include('zero-downtime restart')
    const seen = await nodeEnv('hello', ['H0', 'H1', 'LATER', 'GREETING'])
    expect(seen).to.deep.equal({H0: null, H1: null, LATER: 'soon', GREETING: 'howdy partner'})
  })

  it('bad input: a clear error, a non-zero exit, nothing changed', async () => {
    const envBefore = ok(await gatling(hello, 'env', '--reveal', '--json')).stdout
    const cases: Array<[string[], RegExp]> = [
      [['env', 'set', 'NOEQUALS'], /"NOEQUALS" has no "=": give KEY=VALUE/],
      [['env', 'set', 'GOOD=1', '1BAD=x'], /"1BAD" is not an environment variable name/],
      [['env', 'set', 'PORT=1'], /PORT is set by gatling itself/],
      [['env', 'set', 'CR=a\rb'], /carriage return/],
      [['env', 'unset', 'A=B'], /takes names only/],
      [['env', 'set', 'A=1', '--lock-wait=-5'], /lock-wait/],
      [['env', 'set', 'A=1', '--app', 'nosuchapp'], /Unknown app "nosuchapp"/],
      [['destroy', 'nosuchapp', '--yes'], /Unknown app "nosuchapp"/],
    ]
    for (const [args, error] of cases) {
      const r = await gatling(hello, ...args)
      expect(r.code, describeRun(r)).to.not.equal(0)
      expect(r.stderr, describeRun(r)).to.match(error)
    }
    expect(ok(await gatling(hello, 'env', '--reveal', '--json')).stdout).to.equal(envBefore)
  })

  it('the lock: a second push (CLI or git push) fails naming the holder, --lock-wait waits; a push keeps env set keys', async () => {
    await hello.commitAll('a second deploy')
    const first = pushInBackground(hello)
    const held = await waitFor('the lock held by the push', async () => {
      const s = await lockStatus(hello)
      return s.held && s.holder?.command === 'push' ? s : undefined
    }, 180_000, 500)
    expect(held.holder.who).to.match(/^[A-Za-z0-9_.+-]+@/)
    const second = await hello.push(host)
    expect(second.code, describeRun(second)).to.not.equal(0)
    expect(second.stderr).to.match(/hello is locked by \S+@\S+ \(push, from [0-9a-f.:]+, since \d{4}-\d\d-\d\dT/)
    await hello.commitAll('a plain git push while locked')
    const git = await systemGitPush(hello, host, [`gatling@${host.address}:/srv/gatling/hello/repo.git`, 'main'])
    expect(git.code, describeRun(git)).to.not.equal(0)
    expect(git.stderr).to.match(/remote: gatling: hello is locked by \S+@\S+ \(push, from/)
    const waited = ok(await hello.gatling(['env', 'set', 'AFTER_PUSH=1', '--no-restart', '--lock-wait', '600', '-i', host.keyPath], {timeoutMs: 700_000}))
    const firstDone = await first.done
    expect(firstDone.code, firstDone.output).to.equal(0)
    expect(waited.stdout).to.match(/waiting up to 600 s for the lock of hello, held by \S+@\S+ \(push, from/)
    // the push wrote .env.production, and kept what env set set that the file does not set; GREETING is the file's again
    expect(firstDone.output.replace(/[\s›]+/g, ' ')).to.include('GREETING, set on the server with gatling env set, is set by .env.production too')
    const seen = await nodeEnv('hello', ['GREETING', 'FROM_FILE'])
    expect(seen).to.deep.equal({GREETING: 'bonjour', FROM_FILE: 'local'})
    const names = JSON.parse(ok(await gatling(hello, 'env', '--json')).stdout).variables.map((v: {name: string}) => v.name)
    expect(names).to.include.members(['GREETING', 'FROM_FILE', 'LATER', 'AFTER_PUSH'])
    expect((await lockStatus(hello)).held).to.equal(false)
  })

  it('the lock of a killed holder is free at once, and the next command takes it', async () => {
    await hello.commitAll('a push that is killed')
    const push = pushInBackground(hello)
    await waitFor('the lock held by the push', async () => (await lockStatus(hello)).held, 180_000, 500)
    push.child.kill('SIGKILL')
    await push.done
    const free = await waitFor('the lock free again', async () => {
      const s = await lockStatus(hello)
      return s.held ? undefined : s
    }, 30_000, 500)
    expect(free.holder.command).to.equal('push')
    ok(await gatling(hello, 'env', 'set', 'AFTER_KILL=1', '--no-restart'))
    expect(await body(host, '/')).to.equal('bonjour from v1')
  })

  it('lock release stops a stuck holder (a plain git push here) and is audited', async () => {
    // the killed push's build may still run on the server: let it end first
    await waitFor('no build left', async () => (await srv.root("pgrep -u gatling -f 'mix|elixir|beam' >/dev/null")).code !== 0, 300_000, 2000)
    await hello.commitAll('a git push that gets stuck')
    const git = systemGitPush(hello, host, [`gatling@${host.address}:/srv/gatling/hello/repo.git`, 'main'])
    await waitFor('the lock held by git push', async () => {
      const s = await lockStatus(hello)
      return s.held && s.holder?.who === 'git-push'
    }, 180_000, 500)
    const released = ok(await gatling(hello, 'lock', 'release'))
    expect(released.stdout).to.include('stopping the holder of the lock: git-push (git push, from').and.include('released the lock of hello')
    const pushed = await git
    expect(pushed.code, describeRun(pushed)).to.not.equal(0)
    expect((await lockStatus(hello)).held).to.equal(false)
    expect(await body(host, '/')).to.equal('bonjour from v1')
  })

  it('audit lists the operations with who, from where, version and result; the deploy user cannot rewrite or truncate it', async () => {
    const {entries} = JSON.parse(ok(await gatling(hello, 'audit', '-n', '100', '--json')).stdout)
    const events = entries.map((e: {event: string; result: string; command: string}) => `${e.event} ${e.result} ${e.command}`)
    expect(events).to.include.members(['setup ok setup', 'deploy ok push', 'env ok env set', 'env ok env unset', 'lock-break ok lock release'])
    expect(events.filter((e: string) => e.startsWith('deploy ok git push')), 'the stopped git push').to.deep.equal([])
    expect(events.filter((e: string) => e === 'deploy ok push')).to.have.length(2)
    const push = entries.find((e: {event: string}) => e.event === 'deploy')
    expect(push.who).to.match(/@/)
    expect(push.from).to.match(/^[0-9a-f.:]+$/)
    expect(push.version).to.match(/^0\.1\.0\+\d+$/)
    expect(push.user).to.equal('gatling')
    const plain = ok(await gatling(hello, 'audit', '-n', '3'))
    expect(plain.stdout.trim().split('\n')).to.have.length(3)

    const log = '/var/log/gatling/hello.log'
    const lines = await srv.rootOk(`wc -l < ${log}`)
    for (const attack of [`: > ${log}`, `truncate -s 0 ${log}`, `echo forged >> ${log}`, `rm -f ${log}`, `mv ${log} /tmp/x`, `chmod 666 ${log}`,
      `sudo -n ${HELPER} audit hello deploy ok - "$(printf 'a\\tb')" - push`, `sudo -n ${HELPER} audit hello deploy ok - who - "$(printf 'push\\nforged')"`,
      `sudo -n ${HELPER} audit hello deploy ok - who - push extra`, `sudo -n ${HELPER} audit nosuchapp deploy ok - who - push`]) {
      const r = await srv.deploy(attack)
      expect(r.code, `${attack}: ${r.stdout}${r.stderr}`).to.not.equal(0)
    }
    expect(await srv.rootOk(`wc -l < ${log}`)).to.equal(lines)
    expect(await srv.rootOk(`stat -c %a:%U:%G ${log}; grep -c forged ${log} || true`)).to.equal('640:root:gatling\n0')
  })

  it('destroy: refused without a confirmation; then app "other" is gone entirely while "hello" keeps serving', async () => {
    const refused = await gatling(other, 'destroy', 'other')
    expect(refused.code, describeRun(refused)).to.not.equal(0)
    expect(refused.stderr).to.include('Destroying other needs a confirmation: type its name on a terminal, or pass --yes. Nothing was changed.')
    expect(await srv.rootOk("curl -s -o /dev/null -w '%{http_code}' -H 'Host: other.test' http://127.0.0.1/")).to.equal('200')

    let r!: RunResult
    const load = await loadDuring(`http://${host.address}/`, (async () => (r = await gatling(other, 'destroy', 'other', '--yes')))())
    printLoad('destroy other', load)
    ok(r)
    expect(load.failed, load.failures.join('\n')).to.equal(0)
    expect(r.stdout).to.include('Destroyed other')
    const left = await srv.rootOk([
      'systemctl list-units --all --no-legend "other@*" | wc -l',
      'ls /etc/systemd/system /etc/systemd/system/multi-user.target.wants | grep -c "^other@" || true',
      'ls /etc/nginx/sites-enabled /etc/nginx/sites-available /etc/nginx/gatling | grep -c other || true',
      'for d in /srv/gatling/other /etc/gatling/other /var/lib/gatling/other; do [ -e $d ] && echo $d; done; true',
      'id other >/dev/null 2>&1 && echo user; getent group other && echo group; id -nG gatling | tr " " "\\n" | grep -x other; true',
    ].join('; echo --; '))
    expect(left).to.equal('0\n--\n0\n--\n0\n--\n--')
    // hello untouched: serving, its unit, site and files
    expect(await body(host, '/')).to.equal('bonjour from v1')
    expect(await srv.rootOk('systemctl list-units --state=active --no-legend "hello@*" | wc -l; ls /srv/gatling; test -s /etc/nginx/sites-enabled/gatling-hello && echo site')).to.equal('1\nhello\nsite')
    // the audit log of the destroyed app stays, and records the destroy
    expect(await srv.rootOk("tail -n 1 /var/log/gatling/other.log | cut -f2,3,7")).to.equal('destroy\tok\tdestroy')
  })
})
