// Attacks on the privilege boundaries (issue 7), end to end on one real bookworm host: one setup,
// a first push of `hello` and of a second app `other`, then each attack in order. Every attack
// tries all the ways it has (a plant that fails with EACCES is fine: it never throws), then
// checks the OUTCOME from outside, as root: scratch victims (/opt/victim-*) unchanged, nothing new
// in /etc/cron.d, no secret readable by the wrong user, and so on. Each test restores what it
// planted, so the next one starts from a server that deploys normally.
//
// Users: root; the deploy user "gatling" (ssh, sudo -n gatling-root only); the apps' users
// "hello" and "other" (runuser from root stands in for a compromised app).
//
// What these tests assume of the server (keep it, or change the tests with it):
//   /usr/local/sbin/gatling-root SUBCOMMAND APP ARGS: app-init, ports (two ports), serving ("PORT VSN"),
//     install-release APP VSN, start APP PORT VSN, stop, eval APP VSN EXPR, stage-upgrade APP PORT VSN
//     (package at state/upgrade/APP-VSN.tar.gz), prune APP KEEP, logs APP PORT [LINES], run APP PORT rpc EXPR;
//     refused arguments say "invalid argument"
//   /srv/gatling/APP/{releases,slots,state,tools,build,current}, build/_build/prod/rel/APP, slots/PORT/bin/APP,
//     slots/PORT/releases/{start_erl.data,VSN/env.sh,VSN/sys.config}; /var/lib/gatling/APP/tmp is the app's home's tmp
//   units APP@PORT.service, nodes APP_PORT@127.0.0.1, /etc/sudoers.d/gatling parsed after 00-*
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {TestApp, body, describeRun} from '../helpers/app.js'
import {APPS, DEPLOY_USER, HELPER, Server, createRenamedApp, out, q} from '../helpers/attacks.js'
import {buildCli} from '../helpers/cli.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'

const tag = randomBytes(6).toString('hex')
const SECRET = `hello-secret-${tag}`
const OTHER_SECRET = `other-secret-${tag}`
const SHADOW_MARK = `shadow-mark-${tag}`
const HELLO = `${APPS}/hello`
/** where a user might find something it must not read (grep -r as that user) */
const LOOT_ROOTS = ['/srv/gatling', '/var/lib/gatling', '/tmp', '/var/tmp', '/run', '/home', '/dev/shm']

after(shutdownAll)

/** lines only in a / only in b */
function diffLines(a: string, b: string): string[] {
  const A = new Set(a.split('\n'))
  const B = new Set(b.split('\n'))
  return [...[...A].filter((l) => !B.has(l)).map((l) => `- ${l}`), ...[...B].filter((l) => !A.has(l)).map((l) => `+ ${l}`)]
}

describe('security: attacks on the privilege boundaries (issue 7)', function () {
  this.timeout(600_000)
  let host: TestHost
  let srv: Server
  let hello: TestApp
  let other: TestApp

  before(async () => {
    await buildCli()
    host = await bootHost('e2e-sec')
    srv = new Server(host)
    hello = await TestApp.create()
    const setup = await hello.setup(host)
    expect(setup.code, describeRun(setup)).to.equal(0)
    // the secrets stay out of git (and so out of repo.git and build/, which the deploy user owns)
    await hello.write('.gitignore', '.env.production\n')
    await hello.write('.env.production', `GREETING=bonjour\nAPI_TOKEN=${SECRET}\n`)
    // the secret becomes runtime config (runtime.exs), so a hot upgrade writes it into the runtime sys.config
    await hello.write('config/runtime.exs', `${await readFile(join(hello.dir, 'config/runtime.exs'), 'utf8')}config :hello, api_token: System.get_env("API_TOKEN")\n`)
    await hello.commitAll('production config')
    const push = await hello.push(host)
    expect(push.code, describeRun(push)).to.equal(0)
    other = await createRenamedApp(hello, 'other', `API_TOKEN=${OTHER_SECRET}\n`)
    const pushOther = await other.push(host)
    expect(pushOther.code, describeRun(pushOther)).to.equal(0)
    expect(await body(host, '/')).to.equal('bonjour from v1')
    // a line of /etc/shadow nobody could guess
    await srv.rootOk(`useradd -M -s /usr/sbin/nologin gatling-shadow-probe && usermod -p ${q(SHADOW_MARK)} gatling-shadow-probe && grep -c ${q(SHADOW_MARK)} /etc/shadow`)
  })
  after(async () => {
    await host?.down()
    await hello?.cleanup()
    await other?.cleanup()
  })

  describe('1. deploy user -> root', () => {
    it('1a app-init: releases/, slots/, state/, tools/, build/ or the app directory swapped for a link: no root-owned directory outside the app changes owner or mode', async () => {
      expect(await srv.rootOk('stat -c "%U:%G %a" /usr/local/sbin')).to.equal('root:root 755')
      const failures: string[] = []
      for (const name of ['releases', 'slots', 'state', 'tools', 'build', '']) {
        const path = name ? `${HELLO}/${name}` : HELLO
        const victim = `/opt/victim-init-${name || 'app'}`
        await srv.makeVictim(victim)
        const before = await srv.victimState(victim)
        let planted = ''
        let r
        try {
          planted = await srv.plant(DEPLOY_USER, [[path, victim]])
          r = await srv.helper('app-init', 'hello')
        } finally {
          await srv.unplant(path)
        }
        const after = await srv.victimState(victim)
        if (after !== before) failures.push(`${planted}\napp-init: ${out(r!)}\nvictim ${victim} changed:\n${diffLines(before, after).join('\n')}`)
      }
      expect(await srv.rootOk('stat -c "%U:%G %a" /usr/local/sbin'), '/usr/local/sbin').to.equal('root:root 755')
      expect(failures.length, failures.join('\n\n')).to.equal(0)
    })

    it('1b install-release: releases/, releases/VSN.tmp or the built release as links: nothing appears in /etc/cron.d or /root/.ssh, no root-owned file outside releases/ changes', async () => {
      const victim = '/opt/victim-install'
      await srv.makeVictim(victim)
      // a "release" the helper would accept as a source: bin/hello is executable
      await srv.rootOk(`install -d -m 0755 ${victim}/bin && printf '#!/bin/sh\\n' >${victim}/bin/hello && chmod 0755 ${victim}/bin/hello`)
      const watched = ['/etc', '/root', '/usr/local', '/var/spool', '/boot', '/opt']
      const before = await srv.manifest(watched)
      const rel = `${HELLO}/build/_build/prod/rel/hello`
      const attempts: Array<{user: string; links: Array<[string, string]>; vsn: string}> = [
        {user: DEPLOY_USER, links: [[`${HELLO}/releases`, '/etc/cron.d']], vsn: 'pwned-cron'},
        {user: DEPLOY_USER, links: [[`${HELLO}/releases`, '/root/.ssh']], vsn: 'pwned-ssh'},
        {user: DEPLOY_USER, links: [[`${HELLO}/releases/pwned-tmp.tmp`, '/etc/cron.d/pwned-tmp']], vsn: 'pwned-tmp'},
        // the app (today the owner of releases/) plants it for the deploy user
        {user: 'hello', links: [[`${HELLO}/releases/pwned-tmp2.tmp`, '/etc/cron.d/pwned-tmp2']], vsn: 'pwned-tmp2'},
        {user: DEPLOY_USER, links: [[rel, victim]], vsn: 'pwned-src'},
        // the built release holding links out (a copy that follows them writes or reads outside)
        {user: DEPLOY_USER, links: [[`${rel}/pwned-cron`, '/etc/cron.d'], [`${rel}/pwned-ssh`, '/root/.ssh']], vsn: 'pwned-inner'},
      ]
      const log: string[] = []
      let after = ''
      try {
        for (const a of attempts) {
          try {
            const planted = await srv.plant(a.user, a.links)
            const r = await srv.helper('install-release', 'hello', a.vsn)
            log.push(`${planted}\ninstall-release hello ${a.vsn}: ${out(r)}`)
          } finally {
            await srv.unplant(...a.links.map(([p]) => p))
          }
        }
        after = await srv.manifest(watched)
      } finally {
        // what the attempts left: only entries named pwned-*, never anything else
        await srv.rootOk(`rm -rf /etc/cron.d/pwned-* /root/.ssh/pwned-* ${HELLO}/releases/pwned-* ${rel}/pwned-*`)
      }
      const changed = diffLines(before, after)
      // the topmost changed paths only (a copied release is a thousand files)
      const pathOf = (l: string) => l.slice(2).split(' ')[0]
      const removed = new Set(changed.filter((l) => l.startsWith('-')).map(pathOf))
      const added = new Set(changed.filter((l) => l.startsWith('+')).map(pathOf).filter((p) => !removed.has(p)))
      const top = changed.filter((l) => !added.has(pathOf(l).slice(0, pathOf(l).lastIndexOf('/'))))
      const shown = [...top.slice(0, 30), ...(top.length > 30 ? [`… ${top.length - 30} more`] : []), `(${changed.length} lines in all)`]
      expect(changed.length, `${log.join('\n\n')}\n\nchanged outside releases/:\n${shown.join('\n')}`).to.equal(0)
    })

    it('1c stage-upgrade and serving: the package (or start_erl.data) a link to /etc/shadow: its content never becomes readable by the deploy user or the app', async () => {
      const {port} = await srv.serving('hello')
      const vsn = 'shadow1'
      const tar = `${HELLO}/state/upgrade/hello-${vsn}.tar.gz`
      const startErl = `${HELLO}/slots/${port}/releases/start_erl.data`
      const outputs: string[] = []
      try {
        await srv.as(DEPLOY_USER, `mkdir -p ${HELLO}/state/upgrade 2>/dev/null; true`)
        // a symlink, else a hard link (refused where fs.protected_hardlinks=1)
        outputs.push(await srv.plant(DEPLOY_USER, [[tar, '/etc/shadow']], `[ -L ${q(tar)} ] || ln -f /etc/shadow ${q(tar)} 2>&1; true`))
        const staged = await srv.helper('stage-upgrade', 'hello', port, vsn)
        outputs.push(`stage-upgrade: ${out(staged)}`)
        // the app points its start_erl.data (which gatling-root serving reads as root) at /etc/shadow
        outputs.push(await srv.plant('hello', [[startErl, '/etc/shadow']]))
        const serving = await srv.helper('serving', 'hello')
        outputs.push(`serving: ${out(serving)}`)
        const problems: string[] = []
        for (const user of [DEPLOY_USER, 'hello']) {
          for (const f of await srv.readableWith(user, SHADOW_MARK, LOOT_ROOTS)) problems.push(`${user} can read /etc/shadow content in ${f}`)
        }
        if (staged.stdout.includes(SHADOW_MARK) || staged.stderr.includes(SHADOW_MARK)) problems.push('stage-upgrade printed /etc/shadow content')
        if (serving.stdout.includes(SHADOW_MARK) || serving.stderr.includes(SHADOW_MARK)) problems.push('serving printed /etc/shadow content to the deploy user')
        expect(problems.length, `${problems.join('\n')}\n\n${outputs.join('\n')}`).to.equal(0)
      } finally {
        await srv.unplant(startErl)
        await srv.rootOk(`rm -f ${q(tar)} ${HELLO}/slots/${port}/releases/hello-${vsn}.tar.gz`)
      }
    })

    it("1d start: releases/ or releases/VSN a link into /etc/gatling: neither hello's user nor the deploy user can read other's secret", async () => {
      const {spare} = await srv.serving('hello')
      const outputs: string[] = []
      const problems: string[] = []
      const attempts: Array<{user: string; links: Array<[string, string]>; vsn: string}> = [
        {user: DEPLOY_USER, links: [[`${HELLO}/releases`, '/etc/gatling']], vsn: 'other'},
        {user: 'hello', links: [[`${HELLO}/releases/pwned-d2`, '/etc/gatling/other']], vsn: 'pwned-d2'},
        {user: DEPLOY_USER, links: [[`${HELLO}/releases/pwned-d3`, '/etc/gatling/other']], vsn: 'pwned-d3'},
      ]
      try {
        for (const a of attempts) {
          try {
            outputs.push(await srv.plant(a.user, a.links))
            outputs.push(`start hello ${spare} ${a.vsn}: ${out(await srv.helper('start', 'hello', spare, a.vsn))}`)
          } finally {
            await srv.unplant(...a.links.map(([p]) => p))
          }
          for (const user of ['hello', DEPLOY_USER]) {
            for (const f of await srv.readableWith(user, OTHER_SECRET, LOOT_ROOTS)) problems.push(`after "start hello ${spare} ${a.vsn}", ${user} can read other's secret in ${f}`)
          }
        }
        if (outputs.join('\n').includes(OTHER_SECRET)) problems.push("a helper printed other's secret")
        expect(problems.length, `${problems.join('\n')}\n\n${outputs.join('\n')}`).to.equal(0)
      } finally {
        await srv.root(`${HELPER} stop hello ${spare}; rm -rf ${HELLO}/slots/${spare} ${HELLO}/slots/${spare}.tmp ${HELLO}/releases/pwned-d*`)
      }
    })

    it('1e prune: releases/ or a release a link to a scratch directory: nothing outside releases/ is deleted', async () => {
      const victims = ['/opt/victim-prune', '/opt/victim-prune-link']
      for (const v of victims) {
        await srv.makeVictim(v)
        // entries that look like old releases
        await srv.rootOk(`for d in 0.0.1 0.0.2 0.0.3; do install -d -m 0755 ${v}/$d && echo keep >${v}/$d/marker; done; touch -d '3 days ago' ${v}/0.0.*`)
      }
      const before = await Promise.all(victims.map((v) => srv.victimState(v)))
      const releasesBefore = await srv.rootOk(`ls -1 ${HELLO}/releases | grep -vc '\\.tmp$' || true`)
      const outputs: string[] = []
      try {
        outputs.push(await srv.plant(DEPLOY_USER, [[`${HELLO}/releases`, victims[0]]]))
        outputs.push(`prune hello 1: ${out(await srv.helper('prune', 'hello', '1'))}`)
      } finally {
        await srv.unplant(`${HELLO}/releases`)
      }
      const links: Array<[string, string]> = [[`${HELLO}/releases/x`, victims[1]], [`${HELLO}/releases/y`, `${victims[1]}/`]]
      try {
        // an old-looking release that is a link (the deploy user, else the app, plants it)
        for (const user of [DEPLOY_USER, 'hello']) outputs.push(await srv.plant(user, links, `touch -h -d '4 days ago' ${HELLO}/releases/x ${HELLO}/releases/y 2>/dev/null; true`))
        outputs.push(`prune hello ${releasesBefore}: ${out(await srv.helper('prune', 'hello', releasesBefore))}`)
      } finally {
        await srv.rootOk(`cd ${HELLO}/releases && rm -f x y x.attack-orig y.attack-orig`)
      }
      const after = await Promise.all(victims.map((v) => srv.victimState(v)))
      for (const [i, v] of victims.entries()) expect(after[i], `${v}\n${outputs.join('\n')}`).to.equal(before[i])
      expect(await srv.rootOk(`test -d ${HELLO}/current/ && echo ok`), 'the current release').to.equal('ok')
      expect(await body(host, '/')).to.equal('bonjour from v1')
    })

    it('1f version arguments with "..": install-release, start, eval and stage-upgrade refuse them ("invalid argument") and nothing changes', async () => {
      const {port, spare} = await srv.serving('hello')
      const pidBefore = await srv.rootOk(`systemctl show -p MainPID --value hello@${port}`)
      const snapshot = () => srv.rootOk(`for d in ${HELLO} ${HELLO}/releases ${HELLO}/slots; do find "$d" -mindepth 1 -maxdepth 1 -printf '%p %y %U:%G %m\\n'; done | sort; ls -A /var/lib/gatling/hello`)
      // what eval would run for VSN "..": releases/../bin/hello = the app directory's bin/hello
      const plant = await srv.as(DEPLOY_USER, `mkdir -p ${HELLO}/bin 2>/dev/null && printf '#!/bin/sh\\nid -u >/var/lib/gatling/hello/pwned-dotdot\\n' >${HELLO}/bin/hello 2>/dev/null && chmod 755 ${HELLO}/bin/hello && echo planted || echo "cannot plant ${HELLO}/bin/hello"`)
      const before = await snapshot()
      const calls = [
        ['install-release', 'hello', '..'],
        ['install-release', 'hello', '.'],
        ['start', 'hello', spare, '..'],
        ['start', 'hello', spare, '../../x'],
        ['eval', 'hello', '..', 'IO.puts(1)'],
        ['eval', 'hello', '../x', 'IO.puts(1)'],
        ['stage-upgrade', 'hello', port, '..'],
      ]
      const wrong: string[] = []
      let after = ''
      try {
        for (const args of calls) {
          const r = await srv.helper(...args)
          if (r.code === 0 || !/invalid argument/.test(r.stderr)) wrong.push(`gatling-root ${args.join(' ')}: ${out(r)}`)
        }
        after = await snapshot()
      } finally {
        await srv.root(`rm -rf ${HELLO}/bin /var/lib/gatling/hello/pwned-dotdot ${q(`${HELLO}/releases/...tmp`)} ${q(`${HELLO}/releases/..tmp`)} ${HELLO}/slots/${spare}.tmp; systemctl -q is-active hello@${spare} || rm -rf ${HELLO}/slots/${spare}`)
      }
      expect(wrong.length, `(${plant.stdout.trim()})\n${wrong.join('\n')}\n\nchanged on the server:\n${diffLines(before, after).join('\n')}`).to.equal(0)
      expect(diffLines(before, after), 'changed on the server').to.deep.equal([])
      expect(await srv.rootOk(`systemctl show -p MainPID --value hello@${port}`)).to.equal(pidBefore)
    })

    it('1g acme-ca: the deploy user makes the server trust a CA of its own (to intercept every app\'s outgoing TLS): refused, the trust store unchanged', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'gatling-evil-ca-'))
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem'), '-days', '2',
          '-subj', '/CN=evil deploy-user CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], {stdio: 'ignore'})
        const trust = () => srv.rootOk('sha256sum /etc/ssl/certs/ca-certificates.crt; ls -A /usr/local/share/ca-certificates')
        const before = await trust()
        const r = await srv.deploy(`sudo -n ${HELPER} acme-ca hello`, await readFile(join(dir, 'ca.pem'), 'utf8'))
        expect(r.code, out(r)).to.not.equal(0)
        expect(r.stderr).to.include('acme-ca changes what the whole server trusts')
        expect(await trust()).to.equal(before)
      } finally {
        await rm(dir, {recursive: true, force: true})
      }
    })
  })

  describe('2. app user -> root', () => {
    it('2a the app links its tmp/ (and its cookie file) to root-owned victims, then gatling push runs: the victims stay root-owned', async () => {
      const home = '/var/lib/gatling/hello'
      const dirVictim = '/opt/victim-tmp'
      const fileVictim = '/opt/victim-tmp-file'
      await srv.makeVictim(dirVictim)
      await srv.makeVictim(fileVictim)
      const before = [await srv.victimState(dirVictim), await srv.victimState(fileVictim)]
      const links: Array<[string, string]> = [[`${home}/tmp`, dirVictim], [`${home}/.erlang.cookie`, `${fileVictim}/marker`]]
      let planted = ''
      let push
      try {
        planted = await srv.plant('hello', links)
        await hello.write('attack-2a.txt', 'a push after the app planted links\n')
        await hello.commitAll('2a')
        push = await hello.push(host, '--restart')
      } finally {
        await srv.unplant(...links.map(([p]) => p))
      }
      const after = [await srv.victimState(dirVictim), await srv.victimState(fileVictim)]
      const info = `${planted}\npush: exit ${push!.code}\n${push!.stderr.slice(-2000)}`
      expect(after[0], `${dirVictim}\n${info}`).to.equal(before[0])
      expect(after[1], `${fileVictim}\n${info}`).to.equal(before[1])
      // the app's tmp/ is the app's own to create: root made nothing there
      expect(await srv.rootOk(`find ${home} -xdev -user root | wc -l`), 'root-owned files in the app\'s home').to.equal('0')
    })

    it('2b gatling-root run executes the app-writable slots/PORT/bin/hello: injected code runs in the unit\'s sandbox (not root, NoNewPrivs, ProtectSystem=strict, ProtectHome)', async () => {
      const {port, vsn} = await srv.serving('hello')
      const slot = `${HELLO}/slots/${port}`
      const log = '/var/lib/gatling/hello/injected.log'
      // places the app's user can write without a sandbox, but not inside the unit's (/dev/shm is left out: the unit shares the host's)
      const outside = ['/etc/gatling-pwned', '/usr/local/pwned', `${HELLO}/releases/pwned-run`, `${HELLO}/pwned-run`, '/tmp/gatling-pwned-run',
        '/var/tmp/gatling-pwned-run', '/run/lock/gatling-pwned-run', `${APPS}/other/pwned-run`]
      const payload = [
        `{ echo "INJECTED uid=$(id -u) $(grep -E '^NoNewPrivs:' /proc/self/status | tr -d ' \\t')"`,
        `if [ -n "$(ls -A /home 2>/dev/null)" ]; then echo "INJECTED home=visible"; else echo "INJECTED home=hidden"; fi`,
        `for f in ${outside.join(' ')}; do if (echo pwned >"$f") 2>/dev/null; then echo "INJECTED wrote=$f"; else echo "INJECTED refused=$f"; fi; done`,
        `} 2>/dev/null | tee -a ${log} >&2 || true`,
      ].join('; ')
      await srv.rootOk(`cp -p ${slot}/bin/hello /run/gatling-attack-bin; cp -p ${slot}/releases/${vsn}/env.sh /run/gatling-attack-env`)
      let inject = ''
      let run
      try {
        // as the app: the payload right after the shebang of bin/hello, and at the end of env.sh (which bin/hello sources)
        const r = await srv.as('hello', `cat >/var/lib/gatling/hello/.payload <<'PAYLOAD'\n${payload}\nPAYLOAD
f=${slot}/bin/hello
{ head -n 1 "$f"; cat /var/lib/gatling/hello/.payload; tail -n +2 "$f"; } >/var/lib/gatling/hello/.bin 2>/dev/null && cat /var/lib/gatling/hello/.bin >"$f" 2>/dev/null && echo "INJECT $f: done" || echo "INJECT $f: failed"
e=${slot}/releases/${vsn}/env.sh
cat /var/lib/gatling/hello/.payload >>"$e" 2>/dev/null && echo "INJECT $e: done" || echo "INJECT $e: failed"
rm -f /var/lib/gatling/hello/.payload /var/lib/gatling/hello/.bin; true\n`)
        inject = r.stdout.trim()
        run = await srv.helper('run', 'hello', port, 'rpc', 'IO.puts(1)')
      } finally {
        await srv.rootOk(`cat /run/gatling-attack-bin >${slot}/bin/hello; cat /run/gatling-attack-env >${slot}/releases/${vsn}/env.sh; rm -f /run/gatling-attack-bin /run/gatling-attack-env`)
      }
      const ran = (await srv.root(`cat ${log} 2>/dev/null; rm -f ${log}`)).stdout
      const written = await srv.rootOk(`for f in ${outside.join(' ')}; do [ -e "$f" ] && echo "$f" && rm -f "$f"; done; true`)
      const info = `${inject}\nrun: exit ${run!.code}, stdout ${JSON.stringify(run!.stdout.trim())}\ninjected code reported:\n${[...new Set(ran.split('\n'))].join('\n')}`
      console.log(`      injected code ran: ${ran.includes('INJECTED uid=') ? 'yes' : 'no'}`)
      const problems = written.split('\n').filter(Boolean).map((f) => `the injected code wrote ${f}`)
      for (const line of new Set(ran.split('\n').filter((l) => l.includes('INJECTED uid=')))) {
        if (/uid=0\b/.test(line)) problems.push(`the injected code ran as root: ${line}`)
        if (!line.includes('NoNewPrivs:1')) problems.push(`the injected code ran without NoNewPrivs: ${line}`)
      }
      if (ran.includes('home=visible')) problems.push('the injected code saw /home (no ProtectHome)')
      expect(problems.length, `${problems.join('\n')}\n\n${info}`).to.equal(0)
    })

    it('2c the app links slots/PORT/releases to a root-owned directory: stage-upgrade writes nothing there', async () => {
      const {port} = await srv.serving('hello')
      const victim = '/opt/victim-stage'
      await srv.makeVictim(victim)
      const before = await srv.victimState(victim)
      const releases = `${HELLO}/slots/${port}/releases`
      const tar = `${HELLO}/state/upgrade/hello-pwned2c.tar.gz`
      let info = ''
      try {
        info += await srv.plant('hello', [[releases, victim]])
        await srv.as(DEPLOY_USER, `mkdir -p ${HELLO}/state/upgrade && echo '* * * * * root touch /pwned' >${tar}`)
        info += `\nstage-upgrade: ${out(await srv.helper('stage-upgrade', 'hello', port, 'pwned2c'))}`
      } finally {
        await srv.unplant(releases)
        await srv.root(`rm -f ${tar} ${releases}/hello-pwned2c.tar.gz`)
      }
      const after = await srv.victimState(victim)
      expect(after, `${info}\n${diffLines(before, after).join('\n')}`).to.equal(before)
    })
  })

  describe('3. app -> another app', () => {
    let otherCookie: string
    let otherPort: string
    let otherPids: string[]
    /** cookies hello could get hold of in 3a */
    const learned = new Set<string>()

    before(async () => {
      otherPort = (await srv.serving('other')).port
      // the truth, as root asks other's own node
      const c = await srv.root(`${HELPER} run other ${otherPort} rpc 'IO.puts(Node.get_cookie())'`)
      otherCookie = c.stdout.trim()
      expect(otherCookie, out(c)).to.match(/^\S{8,}$/)
      otherPids = (await srv.rootOk('ps -o pid= -u other')).split(/\s+/).filter(Boolean)
      expect(otherPids.length).to.be.greaterThan(0)
    })

    it("3a as hello's user: other's Erlang cookie is in no process's command line or environment and in no file hello can read", async () => {
      const r = await srv.as('hello', `for p in /proc/[0-9]*; do c=$(tr '\\0' ' ' <$p/cmdline 2>/dev/null) && echo "CMDLINE $p: $c"; tr '\\0' '\\n' <$p/environ 2>/dev/null | sed "s|^|ENVIRON $p: |"; done
find / -xdev \\( -path /proc -o -path /sys \\) -prune -o -name '*cookie*' -type f -readable -print 2>/dev/null | while read -r f; do echo "FILE $f: $(head -c 200 "$f")"; done
true\n`)
      const haul = r.stdout
      for (const m of haul.matchAll(/-setcookie\s+(\S+)/g)) learned.add(m[1])
      for (const m of haul.matchAll(/RELEASE_COOKIE=(\S+)/g)) learned.add(m[1])
      for (const m of haul.matchAll(/^FILE [^:]+: (\S+)/gm)) learned.add(m[1])
      const files = await srv.readableWith('hello', otherCookie, [...LOOT_ROOTS, '/etc'])
      const problems = [
        ...haul.split('\n').filter((l) => l.includes(otherCookie)).map((l) => `hello reads other's cookie in ${l.slice(0, l.indexOf(':'))}: ${l.slice(l.indexOf(':') + 2, l.indexOf(':') + 110)}…`),
        ...files.map((f) => `hello reads other's cookie in the file ${f}`),
      ]
      expect(problems.length, problems.join('\n')).to.equal(0)
    })

    it("3b inside hello's sandbox (rpc into its node): other's processes are invisible, /srv/gatling/other/slots cannot be entered", async () => {
      const {port} = await srv.serving('hello')
      const pids = otherPids.map((p) => `"${p}"`).join(', ')
      const expr = [
        `pids = [${pids}]`,
        `IO.puts("VISIBLE=" <> Enum.join(Enum.filter(File.ls!("/proc"), &(&1 in pids)), ","))`,
        `for p <- pids, do: IO.puts("CMDLINE #{p}=" <> (case File.read("/proc/#{p}/cmdline") do {:ok, b} -> Base.encode64(b); {:error, e} -> "error:#{e}" end))`,
        `IO.puts("LS_SLOTS=" <> inspect(File.ls("${APPS}/other/slots")))`,
        `IO.puts("LS_SLOT=" <> inspect(File.ls("${APPS}/other/slots/${otherPort}")))`,
        `IO.puts("READ_BIN=" <> inspect(elem(File.read("${APPS}/other/slots/${otherPort}/bin/other"), 0)))`,
      ].join('; ')
      const r = await srv.helper('run', 'hello', port, 'rpc', expr)
      expect(r.stdout, out(r)).to.match(/^VISIBLE=/m)
      const lines = Object.fromEntries(r.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
      const problems: string[] = []
      if (lines.VISIBLE !== '') problems.push(`other's processes are in hello's /proc: ${lines.VISIBLE}`)
      for (const p of otherPids) {
        const cmd = lines[`CMDLINE ${p}`] ?? ''
        if (!cmd.startsWith('error:')) {
          const text = Buffer.from(cmd, 'base64').toString()
          problems.push(`hello's node read /proc/${p}/cmdline${text.includes(otherCookie) ? ", with other's cookie in it" : ''}: ${text.replace(/\0/g, ' ').slice(0, 80)}…`)
        }
      }
      if (!/^\{:error/.test(lines.LS_SLOTS)) problems.push(`hello's node lists ${APPS}/other/slots: ${lines.LS_SLOTS}`)
      if (!/^\{:error/.test(lines.LS_SLOT)) problems.push(`hello's node lists ${APPS}/other/slots/${otherPort}: ${lines.LS_SLOT}`)
      if (lines.READ_BIN !== ':error') problems.push(`hello's node reads ${APPS}/other/slots/${otherPort}/bin/other`)
      expect(problems.length, problems.join('\n')).to.equal(0)
    })

    it("3c hello's node connects to other's node with every cookie it learned (and its own): refused", async () => {
      const {port} = await srv.serving('hello')
      const own = (await srv.helper('run', 'hello', port, 'rpc', 'IO.puts(Node.get_cookie())')).stdout.trim()
      const candidates = [...new Set([...learned, own, 'nocookie', 'other'])].filter(Boolean)
      const b64 = candidates.map((c) => `"${Buffer.from(c).toString('base64')}"`).join(', ')
      const node = `other_${otherPort}@127.0.0.1`
      const expr = `n = :"${node}"; for c <- [${b64}] do Node.set_cookie(n, String.to_atom(Base.decode64!(c))); r = Node.connect(n); IO.puts("CONNECT #{c}=#{r}"); Node.disconnect(n) end`
      const r = await srv.helper('run', 'hello', port, 'rpc', expr)
      expect(r.stdout, out(r)).to.include('CONNECT ')
      const connected = r.stdout.split('\n').filter((l) => /^CONNECT .*=true$/.test(l))
      const knewRealCookie = candidates.includes(otherCookie)
      expect(connected.length, `hello's node connected to ${node} (hello had learned the real cookie: ${knewRealCookie}; tried ${candidates.length} cookies)\n${connected.join('\n')}`).to.equal(0)
    })
  })

  describe('4. logs', () => {
    it("4 logs: extra journalctl options as the line count (--vacuum-*, --unit=, --cursor-file=) are refused; the journal is not vacuumed, no file is written, no other unit's log is shown", async () => {
      const {port} = await srv.serving('hello')
      const probe = `gatling-logprobe-${tag}`
      const victim = '/opt/victim-logs'
      await srv.makeVictim(victim)
      await srv.rootOk(`logger -t ${probe} VACUUM-MARK-${tag} && journalctl --flush 2>/dev/null; journalctl --rotate && systemd-run --quiet --wait --unit=${probe} sh -c 'echo UNIT-MARK-${tag}' && journalctl -t ${probe} -o cat | grep -c VACUUM-MARK-${tag}`)
      const before = await srv.victimState(victim)
      const legit = await srv.helper('logs', 'hello', port, '5')
      expect(legit.code, `a plain line count still works: ${out(legit)}`).to.equal(0)
      const args = ['--unit=*', `--unit=${probe}.service`, `--unit=other@${(await srv.serving('other')).port}.service`, `--cursor-file=${victim}/cursor`, `--cursor-file=${victim}/marker`,
        '--vacuum-time=1s', '--vacuum-files=1', '--vacuum-size=1K', '10 --vacuum-time=1s']
      const wrong: string[] = []
      for (const a of args) {
        const r = await srv.helper('logs', 'hello', port, a)
        if (r.code === 0) wrong.push(`logs hello ${port} ${a}: accepted (${r.stdout.split('\n').length} lines)`)
        if (r.stdout.includes(`UNIT-MARK-${tag}`)) wrong.push(`logs hello ${port} ${a}: showed another unit's log`)
      }
      const kept = await srv.root(`journalctl -t ${probe} -o cat | grep -c VACUUM-MARK-${tag}`)
      const after = await srv.victimState(victim)
      await srv.root(`systemctl reset-failed ${probe} 2>/dev/null; true`)
      if (kept.stdout.trim() !== '1') wrong.push('the journal was vacuumed: the archived probe entry is gone')
      if (after !== before) wrong.push(`journalctl wrote into ${victim}:\n${diffLines(before, after).join('\n')}`)
      expect(wrong.length, wrong.join('\n')).to.equal(0)
      expect(kept.stdout.trim(), 'the archived journal entry survived').to.equal('1')
      expect(after, diffLines(before, after).join('\n')).to.equal(before)
    })
  })

  describe('8. secrets during a hot upgrade', () => {
    it('8 hot upgrade: the runtime sys.config with the secrets is never readable by the deploy user or another app, never with a mode other than 0600, and no copy of the secret stays outside /etc/gatling/hello', async () => {
      const stop = '/run/gatling-poll-stop'
      const stamp = '/run/gatling-poll-stamp'
      const canary = `canary-${tag}`
      await srv.rootOk(`rm -f ${stop} /tmp/gatling-poll-ready-*; touch ${stamp}`)
      // the secret travels in the script on stdin, never on a command line
      const poller = (roots: string) => `secret=${q(SECRET)}; canary=${q(canary)}; n=0
  touch /tmp/gatling-poll-ready-$(id -un)
  { while [ ! -e ${stop} ]; do
    n=$((n + 1))
    find ${roots} -type f -newer ${stamp} -exec grep -lsF -D skip -e "$secret" -e "$canary" {} + 2>/dev/null | while IFS= read -r f; do
      m=$(stat -c '%a %U' "$f" 2>/dev/null)
      grep -qsF -e "$secret" "$f" && echo "SECRET $m $f"
      grep -qsF -e "$canary" "$f" && echo "CANARY $m $f"
    done
  done; echo "ROUNDS $n"; } | sort | uniq -c
  `
      // the other users look everywhere the push writes, but the build and the repository (the deploy user's own, without secrets)
      const everywhere = `${HELLO}/slots ${HELLO}/releases ${HELLO}/state ${HELLO}/tools ${APPS}/other /var/lib/gatling /tmp /var/tmp /dev/shm`
      const pollers = {
        root: srv.as('root', poller(`${HELLO}/slots`), 300_000),
        [DEPLOY_USER]: srv.as(DEPLOY_USER, poller(everywhere), 300_000),
        other: srv.as('other', poller(everywhere), 300_000),
      }
      let push
      try {
        await srv.rootOk(`for i in $(seq 100); do [ $(ls /tmp/gatling-poll-ready-* 2>/dev/null | wc -l) = 3 ] && exit 0; sleep 0.1; done; exit 1`)
        // proves the root poller catches a 0644 file that lives 0.2 s in a slot
        const {port, vsn} = await srv.serving('hello')
        await srv.rootOk(`f=${HELLO}/slots/${port}/releases/${vsn}/gatling-canary; echo ${canary} >$f; chmod 644 $f; sleep 0.2; rm -f $f`)
        await hello.overlay('hello-v2')
        push = await hello.push(host)
      } finally {
        await srv.root(`touch ${stop}`)
      }
      const results = Object.fromEntries(await Promise.all(Object.entries(pollers).map(async ([u, p]) => [u, (await p).stdout] as const)))
      await srv.root(`rm -f ${stop} ${stamp} /tmp/gatling-poll-ready-*`)
      const report = Object.entries(results).map(([u, s]) => `[${u}]\n${s}`).join('\n')
      console.log(`      hot push: exit ${push!.code} in ${push!.ms} ms; pollers saw:\n${report.replace(/^/gm, '        ')}`)
      expect(push!.code, describeRun(push!)).to.equal(0)
      expect(push!.stdout, 'the push took the hot path').to.include('hot upgrade')
      expect(results.root, 'the root poller is fast enough to see a short-lived file').to.include('CANARY')
      const loose = results.root.split('\n').filter((l) => /SECRET (?!600 )/.test(l))
      const problems = loose.map((l) => `root saw the secret in a file with a mode other than 0600: ${l.trim()}`)
      for (const u of [DEPLOY_USER, 'other']) {
        for (const l of results[u].split('\n').filter((x) => x.includes('SECRET'))) problems.push(`${u} read a file holding hello's secret: ${l.trim()}`)
      }
      const left = await srv.root(`grep -rlsF -D skip -e ${q(SECRET)} /srv/gatling /var/lib/gatling /tmp /var/tmp /run /home /dev/shm /root 2>/dev/null; true`)
      for (const f of left.stdout.split('\n').filter(Boolean)) problems.push(`after the push the secret is still in ${f}`)
      expect(problems.length, `${problems.join('\n')}\n\n${report}`).to.equal(0)
      expect(await body(host, '/')).to.equal('bonjour from v2')
    })
  })

  describe('10. the sudo rule', () => {
    it('10 sudo rule: PATH / LD_PRELOAD from the deploy user (even where the server\'s sudo defaults keep the environment) never make root run the deploy user\'s programs', async () => {
      const evil = '/tmp/gatling-evil'
      const marker = '/tmp/gatling-evil-marker'
      const {port} = await srv.serving('hello')
      // every program gatling-root might call, as a script that logs who ran it, then runs the real one
      const made = await srv.as(DEPLOY_USER, `rm -rf ${evil} ${marker}; mkdir -p ${evil}
  for c in systemctl systemd-run journalctl grep cat wc sed cut awk id getent install mktemp mv chmod chown cmp stat rm cp head tail od tr pgrep sort nginx curl basename readlink ls sleep useradd groupadd printf echo env; do
    real=$(command -v $c) || continue
    printf '#!/bin/sh\\necho "$(/usr/bin/id -u) %s" >>${marker}\\nexec %s "$@"\\n' $c "$real" >${evil}/$c; chmod 755 ${evil}/$c
  done; ls ${evil} | wc -l`)
      expect(Number(made.stdout.trim()), out(made)).to.be.greaterThan(20)
      const gr = `${HELPER} alive hello ${port}`
      const attempts = [
        `PATH=${evil}:$PATH /usr/bin/sudo -n ${gr}`,
        `/usr/bin/sudo -n PATH=${evil}:/usr/bin:/bin ${gr}`,
        `/usr/bin/sudo -n /usr/bin/env PATH=${evil}:/usr/bin:/bin ${gr}`,
        `/usr/bin/sudo -n LD_PRELOAD=${evil}/x.so ${gr}`,
        `/usr/bin/sudo -n /usr/bin/env LD_PRELOAD=${evil}/x.so ${gr}`,
        `PATH=${evil}:$PATH /usr/bin/sudo -n ${HELPER} logs hello ${port} 3`,
        `PATH=${evil}:$PATH /usr/bin/sudo -n ${HELPER} serving hello`,
      ]
      const weak = '/etc/sudoers.d/00-gatling-test-weak-defaults'
      const log: string[] = []
      const asRoot: string[] = []
      try {
        for (const defaults of ['stock', 'weak']) {
          if (defaults === 'weak') {
            // a server whose sudo keeps the caller's environment and PATH
            await srv.rootOk(`printf 'Defaults !env_reset\\nDefaults !secure_path\\n' >/run/weak && visudo -cqf /run/weak && install -m 0440 /run/weak ${weak}; rm -f /run/weak`)
          }
          for (const a of attempts) {
            const r = await srv.deploy(a)
            const ran = await srv.root(`cat ${marker} 2>/dev/null; rm -f ${marker}`)
            const root = [...new Set(ran.stdout.split('\n').filter((l) => /^0 /.test(l)).map((l) => l.slice(2)))]
            log.push(`[${defaults} sudo defaults] ${a}: exit ${r.code} ${r.stderr.trim().split('\n')[0] ?? ''}${root.length ? `\n    ran as root: ${root.join(', ')}` : ''}`)
            if (root.length) asRoot.push(`[${defaults} sudo defaults] ${a}`)
          }
        }
      } finally {
        await srv.root(`rm -f ${weak}; rm -rf ${evil} ${marker}`)
      }
      expect(asRoot.length, `the deploy user's programs ran as root:\n${asRoot.join('\n')}\n\n${log.join('\n')}`).to.equal(0)
    })
  })
})
