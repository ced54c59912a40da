// gatling-root (templates/server/gatling-root.sh.ejs, rendered by src/server/scripts.ts), run for real
// with /bin/sh against a temporary root and stub programs (FakeServer in ../support.ts): every
// argument it refuses, and what each subcommand does to files, units, nginx and the app's node.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {APPS_ROOT, ETC_ROOT, HOMES_ROOT, appDirs} from '../../../src/server/layout.js'
import {COOKIE_PLACEHOLDER, nodeEnvironment, sandbox} from '../../../src/server/node.js'
import {RESERVED_ENV, RULES} from '../../../src/server/rules.js'
import {renderGatlingRoot, renderUnitTemplate} from '../../../src/server/scripts.js'
import {FakeServer, type Run, shSyntaxCheck, upstreamText} from '../support.js'

const isRoot = process.getuid?.() === 0

/** A self-signed certificate for NAMES valid DAYS (0: expired in 2020), written to DIR/CERT and DIR/KEY; returns its PEM. */
function selfSigned(dir: string, cert: string, key: string, names: string[], days = 90): string {
  mkdirSync(dir, {recursive: true})
  const san = `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`
  const openssl = (...args: string[]) => {
    const run = spawnSync('openssl', args, {encoding: 'utf8', cwd: dir})
    if (run.status !== 0) throw new Error(`openssl ${args[0]}: ${run.stderr}`)
  }
  const subject = ['-subj', `/CN=${names[0]}`, '-addext', san, '-addext', 'basicConstraints=critical,CA:TRUE']
  if (days > 0) {
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, ...subject, '-days', String(days))
  } else {
    // openssl 3.0's req has no -not_after: `openssl ca` signs with explicit dates
    const db = join(dir, `${cert}.db`)
    mkdirSync(db, {recursive: true})
    writeFileSync(join(db, 'index'), '')
    writeFileSync(join(db, 'serial'), '01\n')
    writeFileSync(join(db, 'ca.cnf'), `[ca]\ndefault_ca=c\n[c]\ndatabase=${db}/index\nnew_certs_dir=${db}\nserial=${db}/serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n`)
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', join(db, 'csr'), ...subject)
    openssl('ca', '-batch', '-config', join(db, 'ca.cnf'), '-selfsign', '-keyfile', key, '-in', join(db, 'csr'), '-out', cert, '-notext', '-startdate', '20200101000000Z', '-enddate', '20200201000000Z')
    rmSync(db, {recursive: true, force: true})
  }
  return readFileSync(join(dir, cert), 'utf8')
}

function refused(run: Run, message: string | RegExp, what = ''): void {
  expect(run.status, `${what}: ${run.stdout}${run.stderr}`).to.equal(2)
  if (typeof message === 'string') expect(run.stderr, what).to.equal(`gatling-root: ${message}\n`)
  else expect(run.stderr, what).to.match(message)
}

/** The arguments a systemd-run call got, sorted out: its options, -p properties, -E variables and the command. */
function systemdRun(args: string[]) {
  const options: string[] = []
  const properties: string[] = []
  const environment: string[] = []
  let i = 0
  for (; i < args.length; i++) {
    if (args[i] === '-p') properties.push(args[++i])
    else if (args[i] === '-E') environment.push(args[++i])
    else if (args[i].startsWith('--')) options.push(args[i])
    else break
  }
  return {options, properties, environment, command: args.slice(i)}
}

describe('server/gatling-root', function () {
  this.timeout(20_000)

  describe('the rendered script', () => {
    it('takes every path from the server directories it is rendered with', () => {
      const server = new FakeServer()
      try {
        const text = renderGatlingRoot(server.dirs)
        for (const [name, value] of [['APPS', server.dirs.apps], ['ETC', server.dirs.etc], ['HOMES', server.dirs.homes], ['UPSTREAMS', server.dirs.upstreams], ['SHARE', server.dirs.share], ['UNITS', server.dirs.units], ['SITES', server.dirs.sites], ['NGINX_PID', server.dirs.nginxPid]]) {
          expect(text).to.contain(`\n${name}=${value}\n`)
        }
        // no path of the real server is left in the rest of it
        const body = text.replaceAll(server.root, '/ROOT').split('\n').filter((l) => !/^[A-Z_]+=\/ROOT\//.test(l)).join('\n')
        for (const path of [APPS_ROOT, ETC_ROOT, HOMES_ROOT, '/etc/nginx', '/etc/systemd', '/run/nginx']) expect(body, path).to.not.contain(path)
      } finally {
        server.cleanup()
      }
    })

    it('carries every validation rule of src/server/rules.ts, and passes `sh -n` and `bash -n`', () => {
      const text = renderGatlingRoot()
      expect(text.startsWith('#!/bin/sh\n')).to.equal(true)
      expect(text).to.contain('\nDEPLOY_USER=gatling\n').and.contain('\nAPPS_GROUP=gatling-apps\n').and.contain(`\nAPPS=${APPS_ROOT}\n`)
      for (const [name, rule] of Object.entries(RULES)) expect(text).to.contain(`\nRULE_${name.toUpperCase()}='${rule.pattern}'\n`)
      for (const shell of ['/bin/sh', 'bash']) {
        const check = shSyntaxCheck(text, shell)
        expect(check.status, `${shell}: ${check.stderr}`).to.equal(0)
      }
      expect(text).to.not.match(/<%|%>|\bundefined\b|\[object Object\]/)
    })

    it('is rendered for another deploy user', () => {
      expect(renderGatlingRoot(undefined, 'deployer')).to.contain('\nDEPLOY_USER=deployer\n')
    })
  })

  describe("valid(): a value is one line matching the rule as a whole", () => {
    /** Call the script's own valid() function, extracted from the rendered script. */
    const valid = (pattern: string, value: string) => {
      const functions = renderGatlingRoot().split('\n').filter((l) => /^(die|valid)\(\)/.test(l)).join('\n')
      expect(functions).to.match(/^die\(\)/m).and.match(/^valid\(\)/m)
      return spawnSync('/bin/sh', ['-c', `${functions}\nvalid "$1" "$2" && echo accepted`, 'sh', pattern, value], {encoding: 'utf8'})
    }

    it('accepts well-formed values and refuses single-line bad ones', () => {
      expect(valid(RULES.app.pattern, 'hello').stdout).to.equal('accepted\n')
      expect(valid(RULES.version.pattern, '0.1.0+7').stdout).to.equal('accepted\n')
      for (const [pattern, bad] of [[RULES.app.pattern, 'Hello'], [RULES.version.pattern, '../../etc'], [RULES.port.pattern, '80'], [RULES.port.pattern, '4000;id'], [RULES.keepReleases.pattern, '1000']]) {
        const run = valid(pattern, bad)
        expect(run.status, bad).to.equal(2)
        expect(run.stderr).to.equal(`gatling-root: invalid argument: ${bad}\n`)
      }
    })

    // Regression: grep -x matches line by line, so an argument with a newline passed when any one of
    // its lines matched: `install-release APP $'x\n/../../../../etc'` passed vsn_arg, and the helper
    // then ran `rm -rf "$APPS/$APP/releases/$VSN"` as root on that path.
    it('refuses an argument with a newline, whatever its lines', () => {
      for (const [pattern, bad] of [[RULES.version.pattern, '0.1.0\n/../../../../etc'], [RULES.app.pattern, 'hello\n../../x'], [RULES.port.pattern, '4000\n/../../tmp'], [RULES.port.pattern, '4000\n'], [RULES.port.pattern, '\n4000']]) {
        const run = valid(pattern, bad)
        expect(run.stdout, JSON.stringify(bad)).to.equal('')
        expect(run.status, JSON.stringify(bad)).to.equal(2)
      }
    })
  })

  describe('refuses bad arguments before it does anything', () => {
    let server: FakeServer
    before(() => {
      server = new FakeServer()
      server.initApp('hello')
      server.initApp('world') // ports 4002 4003
      server.addRelease('0.1.0+1')
    })
    after(() => server.cleanup())
    beforeEach(() => server.resetCalls())
    afterEach(function () {
      // nothing ran: no stub was called (the validation is all in the script)
      if (this.currentTest?.state === 'passed') expect(server.calls(), 'a refused call ran a program').to.deep.equal([])
    })

    /** Every case is refused with exit 2 and its message (all cases run in one shell). */
    function refusedAll(cases: Array<[string[], string | RegExp]>): void {
      const runs = server.runMany(cases.map(([args]) => args))
      cases.forEach(([args, message], i) => refused(runs[i], message, JSON.stringify(args)))
    }

    const GOOD: Record<string, string[]> = {
      'app-init': [],
      ports: [],
      env: [],
      unit: [],
      site: ['example.com'],
      cert: ['ops@example.com', 'https://acme.example.com/dir', 'example.com'],
      'acme-ca': [],
      'own-cert': [],
      'install-release': ['0.1.0+1'],
      serving: [],
      start: ['4000', '0.1.0+1'],
      stop: ['4000'],
      alive: ['4000'],
      logs: ['4000', '40'],
      switch: ['4000', '/health', 'example.com'],
      run: ['4000', 'rpc', 'IO.puts(1)'],
      eval: ['0.1.0+1', 'IO.puts(1)'],
      migrate: ['0.1.0+1', 'Hello.Release'],
      'stage-upgrade': ['4000', '0.1.0+1'],
      'mark-current': ['0.1.0+1'],
      prune: ['5'],
      'db-create': [],
      'db-drop': [],
      'db-psql': [],
      'db-dump': [],
      'db-restore': [],
      'db-info': [],
      'db-backups': [],
      'db-schedule': ['7'],
      'db-backup': [],
      'env-get': [],
      audit: ['deploy', 'ok', '-', 'me@laptop', '-', 'push'],
      destroy: [],
      toolchain: ['25.2.3', '1.18.3', 'https://builds.hex.pm', 'https://github.com/erlang/otp/releases/download'],
      toolchains: [],
      'toolchains-prune': [],
    }
    const subcommands = Object.keys(GOOD)
    const USAGE = /^gatling-root: usage: gatling-root app-init\|ports\|env\|unit\|site\|cert\|acme-ca\|own-cert\|install-release\|serving\|start\|stop\|alive\|logs\|switch\|run\|eval\|migrate\|stage-upgrade\|mark-current\|prune\|db-server\|db-create\|db-drop\|db-psql\|db-dump\|db-restore\|db-info\|db-backups\|db-schedule\|db-backup\|env-get\|audit\|destroy\|toolchain\|toolchains\|toolchains-prune APP \.\.\.\n$/

    it('prints its usage for a missing or unknown subcommand, which names every subcommand the steps use', () => {
      refusedAll([[[], USAGE], [['rm-rf'], USAGE], [['--help'], USAGE], [['APP-INIT', 'hello'], USAGE]])
      for (const sub of subcommands) expect(USAGE.source).to.contain(sub)
    })

    it('refuses an invalid app name on every subcommand', () => {
      // every bad name on two subcommands, two bad names on every one (they share app_arg)
      const bad = ['Hello', '../etc', 'a;id', '$(id)', 'x'.repeat(32), '', '-h', 'hello\nworld', '1app', 'hello world']
      refusedAll([
        ...['start', 'app-init'].flatMap((sub) => bad.map((app): [string[], string] => [[sub, app, ...GOOD[sub]], `invalid argument: ${app}`])),
        ...subcommands.flatMap((sub) => ['../etc', 'hello\nworld'].map((app): [string[], string] => [[sub, app, ...GOOD[sub]], `invalid argument: ${app}`])),
      ])
    })

    it('refuses an app that was never initialised (but app-init takes a new one, and so does acme-ca: setup trusts the CA before the app exists)', () => {
      refusedAll(subcommands.filter((s) => s !== 'app-init' && s !== 'acme-ca').map((sub) => [[sub, 'no_such_app', ...GOOD[sub]], 'unknown app: no_such_app']))
    })

    it('refuses a wrong number of arguments with the usage of the subcommand', () => {
      const fixed = ['app-init', 'ports', 'env', 'unit', 'acme-ca', 'own-cert', 'install-release', 'serving', 'start', 'stop', 'alive', 'switch', 'eval', 'migrate', 'stage-upgrade', 'mark-current', 'prune', 'db-create', 'db-drop', 'db-dump', 'db-restore', 'db-info', 'db-backups', 'db-schedule', 'db-backup', 'env-get', 'audit', 'destroy', 'toolchain', 'toolchains', 'toolchains-prune']
      const usage = (sub: string) => new RegExp(`^gatling-root: usage: ${sub} APP`)
      refusedAll([
        ...fixed.map((sub): [string[], RegExp] => [[sub, 'hello', ...GOOD[sub], 'extra'], usage(sub)]),
        ...fixed.filter((sub) => GOOD[sub].length > 0).map((sub): [string[], RegExp] => [[sub, 'hello', ...GOOD[sub].slice(0, -1)], usage(sub)]),
        ...subcommands.map((sub): [string[], RegExp] => [[sub], usage(sub)]),
        [['logs', 'hello'], /^gatling-root: usage: logs APP PORT\|all \[LINES \[SINCE\|- \[follow\]\]\]/],
        [['logs', 'hello', '4000', '40', '-', 'follow', 'x'], /^gatling-root: usage: logs APP PORT\|all \[LINES \[SINCE\|- \[follow\]\]\]/],
        [['run', 'hello', '4000'], /^gatling-root: usage: run APP PORT rpc\|pid\|remote \[EXPR\]/],
        [['cert', 'hello', 'ops@example.com', 'https://acme.example.com/dir'], /^gatling-root: usage: cert APP EMAIL ACME DOMAIN\.\.\./],
      ])
    })

    it('refuses an audit field that is not its rule: no forged line, no shifted column', () => {
      const line = (i: number, value: string) => ['audit', 'hello', ...GOOD.audit.map((v, j) => (j === i ? value : v))]
      refusedAll([
        [line(0, 'Deploy'), 'invalid argument: Deploy'],
        [line(0, 'rm'), 'invalid argument: rm'],
        [line(1, 'okay'), 'invalid argument: okay'],
        [line(2, '..'), 'invalid argument: ..'],
        [line(3, 'me\tyou'), 'invalid argument: me\tyou'],
        [line(3, '-rf'), 'invalid argument: -rf'],
        [line(4, 'host.example'), 'invalid argument: host.example'],
        [line(5, 'push\nforged'), /^gatling-root: invalid argument: push\nforged\n$/],
        [line(5, "push'; id"), "invalid argument: push'; id"],
      ])
    })

    it('refuses a toolchain version or mirror that is not one, before any download', () => {
      refusedAll([
        ...['latest', '../25', '25.2.3;id', '-25', '25\n1'].map((otp): [string[], string] => [['toolchain', 'hello', otp, '1.18.3', 'https://builds.hex.pm', 'https://x'], `invalid argument: ${otp}`]),
        ...['1.18', 'v1.18.3', '1.18.3-otp-25', '--help'].map((ex): [string[], string] => [['toolchain', 'hello', '25.2.3', ex, 'https://builds.hex.pm', 'https://x'], `invalid argument: ${ex}`]),
        ...['file:///etc', 'https://a.com/$(id)', 'https://x/', '-K'].map((m): [string[], string] => [['toolchain', 'hello', '25.2.3', '1.18.3', m, 'https://x'], `invalid argument: ${m}`]),
      ])
    })

    it("refuses a port that is not the app's, or no port at all", () => {
      const notHello = ['4002', '4003', '4004', '9999']
      const bad = ['80', '4000;id', '04000', '4000 4001', '-4000', '400000', '4000\n/tmp', '']
      const cases: Array<[string[], string]> = []
      for (const sub of ['start', 'stop', 'alive', 'logs', 'switch', 'run', 'stage-upgrade']) {
        // every value on start, two of each kind on the others (they share port_arg)
        for (const port of sub === 'start' ? notHello : ['4002', '9999']) cases.push([[sub, 'hello', port, ...GOOD[sub].slice(1)], `port ${port} does not belong to hello`])
        for (const port of sub === 'start' ? bad : ['4000;id', '4000\n/tmp']) cases.push([[sub, 'hello', port, ...GOOD[sub].slice(1)], `invalid argument: ${port}`])
      }
      refusedAll(cases)
    })

    it('refuses a version that could be a path, an option or two lines', () => {
      const BAD_VERSIONS = ['..', '../x', '.', '.hidden', '-rf', '--help', '0.1.0/../../x', '0.1.0\n/../../etc', 'a'.repeat(65), '', '0.1.0 x', '0.1.0;id', '$(id)']
      const withVersion: Array<[string, (v: string) => string[]]> = [
        ['install-release', (v) => [v]],
        ['start', (v) => ['4000', v]],
        ['eval', (v) => [v, 'IO.puts(1)']],
        ['migrate', (v) => [v, 'Hello.Release']],
        ['stage-upgrade', (v) => ['4000', v]],
        ['mark-current', (v) => [v]],
      ]
      // every bad version on install-release, three on the others (they share vsn_arg)
      refusedAll(withVersion.flatMap(([sub, args]) => (sub === 'install-release' ? BAD_VERSIONS : ['..', '-rf', '0.1.0\n/../../etc']).map((bad): [string[], string] => [[sub, 'hello', ...args(bad)], `invalid argument: ${bad}`])))
    })

    it('refuses a backup schedule that is no number of days, a psql mode other than -, and db-server to the deploy user', () => {
      refusedAll([
        ...['0', '366', '-1', '7;id', '07', '', '1e2', '7\n8', '--now'].map((bad): [string[], string] => [['db-schedule', 'hello', bad], `invalid argument: ${bad}`]),
        [['db-psql', 'hello', '-c'], 'invalid argument: -c'],
        [['db-psql', 'hello', '-', 'x'], /^gatling-root: usage: db-psql APP \[-\]/],
        [['db-server', 'check', 'x'], /^gatling-root: usage: db-server \[check\]/],
      ])
      refused(server.run(['db-server'], '', {SUDO_USER: 'gatling'}), "db-server configures the whole server's PostgreSQL: only gatling setup (root's login) may, not gatling")
    })

    it('refuses a log line count that journalctl would read as an option (-n, --vacuum-time=1s) or out of range', () => {
      // (an empty count is the default, 40)
      refusedAll(['--vacuum-time=1s', '-n', '-f', '--rotate', '0', '100001', '-100', '10;id', '5\n6', '1e3', ' 40'].map((bad) => [['logs', 'hello', '4000', bad], `invalid argument: ${bad}`]))
    })

    it('refuses a since that journalctl would read as an option or a file, and any follow word but "follow"', () => {
      refusedAll([
        ...['--vacuum-time=1s', '-u other@4000', '--unit=other@4000', '10m', '$(id)', '--file=/etc/shadow', 'today\n--rotate', '--'].map((bad): [string[], string] => [['logs', 'hello', 'all', '40', bad], `invalid argument: ${bad}`]),
        ...['-f', '--follow', 'yes', '--rotate'].map((bad): [string[], string] => [['logs', 'hello', 'all', '40', '-', bad], `invalid argument: ${bad}`]),
        [['logs', 'hello', 'other', '40'], 'invalid argument: other'],
      ])
    })

    it('refuses a health path or host name that is not plain', () => {
      refusedAll([
        ...['health', '/a b', '/a?b=1', '/$(id)', '/`id`', `/${'a'.repeat(201)}`, '/x\n/y', '/a#b', '', 'http://evil/'].map((bad): [string[], string] => [['switch', 'hello', '4000', bad, 'example.com'], `invalid argument: ${bad}`]),
        ...['example.com/evil', 'a b', '-x.com', '*.example.com', 'evil.com\r\nX-Injected: 1', '', 'a..com', 'exa_mple.com', `${'a'.repeat(64)}.com`, 'x.com;id'].map((bad): [string[], string] => [['switch', 'hello', '4000', '/health', bad], `invalid argument: ${bad}`]),
      ])
    })

    it('refuses a domain that is not a host name, or longer than 253', () => {
      const bad = ['exa_mple.com', '-a.com', 'a-.com', 'a..com', '.com', `${'a'.repeat(64)}.com`, 'x.com;id', 'a b', '*', '**.a.com', 'a.*.com', 'x.com\ny.com', `${'a.'.repeat(127)}com`]
      refusedAll(bad.map((domain) => [['site', 'hello', 'example.com', domain], `invalid argument: ${domain}`]))
    })

    it('refuses an e-mail, an ACME URL or a domain for a certificate that certbot could take for something else', () => {
      const cert = (email: string, acme: string, ...domains: string[]) => ['cert', 'hello', email, acme, ...(domains.length ? domains : ['example.com'])]
      const acme = 'https://acme.example.com/dir'
      refusedAll([
        ...['--server=https://evil/', '-m', 'ops', 'ops@example.com --staging', "o'ps@example.com", 'ops@example.com\nx@y.z', ''].map((bad): [string[], string] => [cert(bad, acme), `invalid argument: ${bad}`]),
        ...['http://acme.example.com/dir', '--staging', 'https://a.com/dir?x=1', 'https://user@a.com/', 'file:///etc/shadow', 'https://a.com/$(id)', ''].map((bad): [string[], string] => [cert('ops@example.com', bad), `invalid argument: ${bad}`]),
        ...['*.example.com', '-d', '--expand', 'a b', 'x.com;id'].map((bad): [string[], string] => [cert('ops@example.com', acme, 'example.com', bad), `invalid argument: ${bad}`]),
      ])
    })

    it('refuses a keep count outside 1..100', () => {
      refusedAll(['0', '101', '-1', '1e3', '007', '', '5 ', '5\n6', 'all'].map((bad) => [['prune', 'hello', bad], `invalid argument: ${bad}`]))
    })

    it('runs only rpc, pid or remote in a node, with the expression rpc needs', () => {
      refusedAll([
        ...['eval', 'stop', 'start', 'daemon', '-e', 'rpc;id'].map((bad): [string[], string] => [['run', 'hello', '4000', bad, 'IO.puts(1)'], `invalid argument: ${bad}`]),
        [['run', 'hello', '4000', 'rpc'], 'usage: run APP PORT rpc EXPR'],
        [['run', 'hello', '4000', 'rpc', 'a', 'b'], 'usage: run APP PORT rpc EXPR'],
        [['run', 'hello', '4000', 'pid', 'x'], 'usage: run APP PORT pid'],
        [['run', 'hello', '4000', 'remote', 'x'], 'usage: run APP PORT remote'],
      ])
    })

    it('takes only an Elixir module name to migrate with', () => {
      refusedAll(['hello.release', 'Hello.Release;id', 'Hello.', '', 'Hello..Release', 'Hello.Release()'].map((bad) => [['migrate', 'hello', '0.1.0+1', bad], `invalid argument: ${bad}`]))
    })
  })

  describe('app-init', () => {
    let server: FakeServer
    beforeEach(() => (server = new FakeServer()))
    afterEach(() => server.cleanup())

    const subst = (path: string, app: string) =>
      path.replace('${APPS}', server.dirs.apps).replace('${ETC}', server.dirs.etc).replace('${HOMES}', server.dirs.homes).replaceAll('${APP}', app)
    const owners = {root: 'root', deploy: 'gatling', app: 'hello'}

    it("creates the app's user in gatling-apps, puts the deploy user in its group, and makes its directories as the layout says", () => {
      const run = server.run(['app-init', 'hello'])
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.equal(`created user hello\nadded gatling to group hello (takes effect at its next login)\nports 4000 4001\nwrote ${server.dirs.etc}/hello/gatling.env\n`)
      expect(server.calls('groupadd')).to.deep.equal([['--system', 'gatling-apps']])
      expect(server.calls('useradd')).to.deep.equal([['--system', '--user-group', '--groups', 'gatling-apps', '--home-dir', `${server.dirs.homes}/hello`, '--no-create-home', '--shell', '/usr/sbin/nologin', 'hello']])
      expect(server.calls('usermod')).to.deep.equal([['-a', '-G', 'hello', 'gatling']])
      for (const dir of appDirs('hello')) {
        const path = dir.path.replace(APPS_ROOT, server.dirs.apps).replace(ETC_ROOT, server.dirs.etc).replace(HOMES_ROOT, server.dirs.homes)
        expect(statSync(path).isDirectory(), path).to.equal(true)
        expect((statSync(path).mode & 0o7777).toString(8).padStart(4, '0'), path).to.equal(dir.mode)
        expect(server.owner(path), path).to.equal(`${owners[dir.owner]}:${dir.group === 'root' ? 'root' : 'hello'}`)
      }
      for (const shared of [server.dirs.apps, server.dirs.etc, server.dirs.homes, server.dirs.upstreams]) expect(server.owner(shared), shared).to.equal('root:root')
    })

    it('gives it two ports, a cookie only root can read, its copy in the home, and an empty env file', () => {
      server.initApp()
      const etc = join(server.dirs.etc, 'hello')
      expect(readFileSync(join(etc, 'ports'), 'utf8')).to.equal('4000 4001\n')
      const cookie = readFileSync(join(etc, 'cookie'), 'utf8')
      expect(cookie).to.match(/^[0-9a-f]{64}$/)
      expect(statSync(join(etc, 'cookie')).mode & 0o777).to.equal(0o400)
      const home = join(server.dirs.homes, 'hello', '.erlang.cookie')
      expect(readFileSync(home, 'utf8')).to.equal(cookie)
      expect(statSync(home).mode & 0o777).to.equal(0o400)
      expect(server.calls('runuser')[0].slice(0, 3), 'the copy is written as the app').to.deep.equal(['-u', 'hello', '--'])
      expect(readFileSync(join(etc, 'app.env'), 'utf8')).to.equal('')
      expect(statSync(join(etc, 'app.env')).mode & 0o777).to.equal(0o600)
      expect(server.owner(join(etc, 'app.env'))).to.equal('hello:hello')
    })

    it("makes the app's SECRET_KEY_BASE once (64 random bytes, base64) and sets what a Phoenix app expects, PHX_HOST from the site's first domain", () => {
      server.initApp()
      const etc = join(server.dirs.etc, 'hello')
      const secret = readFileSync(join(etc, 'secret_key_base'), 'utf8')
      expect(Buffer.from(secret, 'base64')).to.have.length(64)
      expect(statSync(join(etc, 'secret_key_base')).mode & 0o777).to.equal(0o400)
      expect(readFileSync(join(etc, 'gatling.env'), 'utf8')).to.equal(`PHX_SERVER=true\nSECRET_KEY_BASE=${secret}\n`)
      expect(statSync(join(etc, 'gatling.env')).mode & 0o777).to.equal(0o400)
      expect(server.calls('chown').some(([owner, file]) => owner === 'root:root' && file.includes('.gatling.env.')), 'root-owned').to.equal(true)
      server.run(['site', 'hello', '*.example.com', 'example.com'])
      expect(readFileSync(join(etc, 'gatling.env'), 'utf8')).to.equal(`PHX_SERVER=true\nPHX_HOST=www.example.com\nSECRET_KEY_BASE=${secret}\n`)
      server.initApp()
      expect(readFileSync(join(etc, 'secret_key_base'), 'utf8'), 'kept across app-inits').to.equal(secret)
      expect(readFileSync(join(etc, 'gatling.env'), 'utf8'), 'the host kept too').to.contain('PHX_HOST=www.example.com\n')
    })

    it('gives the next app the next free ports', () => {
      server.initApp('hello')
      expect(server.initApp('world').stdout).to.contain('ports 4002 4003\n')
      expect(readFileSync(join(server.dirs.etc, 'world', 'ports'), 'utf8')).to.equal('4002 4003\n')
    })

    it('changes nothing the second time: no user, no group change, no chown, the same cookie and ports', () => {
      server.initApp()
      const cookie = readFileSync(join(server.dirs.etc, 'hello', 'cookie'), 'utf8')
      server.resetCalls()
      const again = server.run(['app-init', 'hello'])
      expect(again.status, again.stderr).to.equal(0)
      expect(again.stdout).to.equal('')
      for (const program of ['useradd', 'usermod', 'groupadd', 'chown', 'install']) expect(server.calls(program), program).to.deep.equal([])
      expect(readFileSync(join(server.dirs.etc, 'hello', 'cookie'), 'utf8')).to.equal(cookie)
      expect(readFileSync(join(server.dirs.etc, 'hello', 'ports'), 'utf8')).to.equal('4000 4001\n')
    })

    it('refuses a name that belongs to a user that is no gatling app', () => {
      server.writeState('passwd', 'gatling gatling\npostgres postgres ssl-cert\n')
      refused(server.run(['app-init', 'postgres']), 'a user named postgres already exists and is not a gatling app: choose another app name')
      expect(server.calls('chown')).to.deep.equal([])
      expect(existsSync(join(server.dirs.apps, 'postgres'))).to.equal(false)
    })

    describe('ensure_dir: root never follows a path a less trusted user could have put there', () => {
      let victim: string
      beforeEach(() => {
        server.initApp()
        victim = join(server.root, 'victim')
        mkdirSync(victim, {mode: 0o700})
        writeFileSync(join(victim, 'secret'), 'keep me')
        chmodSync(victim, 0o700)
        server.resetCalls()
      })

      const untouched = () => {
        expect(statSync(victim).mode & 0o777, 'the victim was chmodded').to.equal(0o700)
        expect(readdirSync(victim)).to.deep.equal(['secret'])
        expect(server.calls('chown'), 'something was chowned').to.deep.equal([])
        expect(server.owner(victim)).to.equal(undefined)
      }

      for (const name of ['releases', 'slots', 'state']) {
        it(`refuses a symbolic link where ${name}/ should be, and chowns nothing`, () => {
          const path = join(server.dirs.apps, 'hello', name)
          rmSync(path, {recursive: true})
          symlinkSync(victim, path)
          refused(server.run(['app-init', 'hello']), `${path} is a symbolic link: refusing to use it`)
          untouched()
          expect(readlinkSync(path)).to.equal(victim)
        })
      }

      it("refuses a symbolic link for the app's whole directory, before anything below it", () => {
        const path = join(server.dirs.apps, 'hello')
        rmSync(path, {recursive: true})
        symlinkSync(victim, path)
        refused(server.run(['app-init', 'hello']), `${path} is a symbolic link: refusing to use it`)
        untouched()
        expect(existsSync(join(victim, 'releases'))).to.equal(false)
      })

      it('refuses a directory with another owner', () => {
        const state = join(server.dirs.apps, 'hello', 'state')
        server.setOwner(state, 'hello:hello') // the app must never own what the deploy user hands to root
        refused(server.run(['app-init', 'hello']), `${state} belongs to hello:hello, not gatling:hello: refusing to use it`)
        expect(server.calls('chown')).to.deep.equal([])
        const releases = join(server.dirs.apps, 'hello', 'releases')
        server.setOwner(state, 'gatling:hello')
        server.setOwner(releases, 'gatling:hello') // the deploy user must never own what root installs into
        refused(server.run(['app-init', 'hello']), `${releases} belongs to gatling:hello, not root:hello: refusing to use it`)
      })

      it('refuses a file where a directory should be', () => {
        const slots = join(server.dirs.apps, 'hello', 'slots')
        rmSync(slots, {recursive: true})
        writeFileSync(slots, '')
        refused(server.run(['app-init', 'hello']), `${slots} is not a directory: refusing to use it`)
        expect(server.calls('chown')).to.deep.equal([])
      })
    })
  })

  describe('with an app', () => {
    let server: FakeServer
    let apps: string
    let cookie: string
    before(() => {
      server = new FakeServer()
      server.initApp()
      server.resetCalls()
      server.snapshot()
      apps = join(server.dirs.apps, 'hello')
      cookie = readFileSync(join(server.dirs.etc, 'hello', 'cookie'), 'utf8')
    })
    beforeEach(() => server.restore())
    after(() => server.cleanup())

    const here = (value: string) => server.here(value)

    /** The sandbox, environment and command of the one systemd-run call, checked against src/server/node.ts. */
    function expectNodeSandbox(call: string[], port: string | undefined) {
      const {options, properties, environment, command} = systemdRun(call)
      expect(options).to.deep.equal(['--quiet', '--pipe', '--wait', '--collect', '--service-type=exec'])
      expect(properties).to.deep.equal([
        'User=hello',
        'Group=hello',
        `EnvironmentFile=${server.dirs.etc}/hello/gatling.env`,
        `EnvironmentFile=-${server.dirs.etc}/hello/database.env`,
        `EnvironmentFile=${server.dirs.etc}/hello/app.env`,
        `WorkingDirectory=${server.dirs.homes}/hello`,
        ...sandbox('hello', port).filter(([k]) => k !== 'ReadWritePaths').map(([k, v]) => `${k}=${v}`),
        `ReadWritePaths=${here(sandbox('hello', port).find(([k]) => k === 'ReadWritePaths')![1])}`,
      ])
      for (const property of ['NoNewPrivileges=yes', 'ProtectProc=invisible', 'ProtectSystem=strict', 'PrivateTmp=yes', 'RestrictSUIDSGID=yes']) expect(properties).to.include(property)
      const expected = nodeEnvironment('hello', port ?? '0').map(([k, v]) => `${k}=${here(v)}`)
      expect(environment.slice(0, expected.length)).to.deep.equal(expected)
      expect(environment).to.include(`RELEASE_COOKIE=${COOKIE_PLACEHOLDER}`)
      for (const arg of call) expect(arg, 'the real cookie reached a command line').to.not.contain(cookie)
      return {environment, command}
    }

    it('ports: the two ports of the app', () => {
      expect(server.run(['ports', 'hello'])).to.deep.equal({status: 0, stdout: '4000 4001\n', stderr: ''})
    })

    describe('env', () => {
      const envFile = () => join(server.dirs.etc, 'hello', 'app.env')
      const leftovers = () => readdirSync(join(server.dirs.etc, 'hello')).filter((f) => f.startsWith('.env'))

      it("writes the app's environment 0600, the app's, atomically, and says when nothing changed", () => {
        const content = 'SECRET_KEY_BASE="abc"\nPORTAL_URL="x"\nMY_HOME="/h"\n# PORT=1 in a comment\nDATABASE_URL="ecto://db/hello"\n'
        const run = server.run(['env', 'hello'], content)
        expect(run.status, run.stderr).to.equal(0)
        expect(run.stdout).to.equal(`wrote ${envFile()}\n`)
        expect(readFileSync(envFile(), 'utf8')).to.equal(content)
        expect(statSync(envFile()).mode & 0o777).to.equal(0o600)
        expect(server.calls('chown').at(-1)?.[0]).to.equal('hello:hello')
        expect(leftovers()).to.deep.equal([])
        server.setOwner(envFile(), 'hello:hello')
        expect(server.run(['env', 'hello'], content).stdout).to.equal('environment unchanged\n')
        expect(leftovers()).to.deep.equal([])
      })

      it('refuses a file that sets a variable gatling sets for the node, and keeps the old one', () => {
        writeFileSync(envFile(), 'KEPT="1"\n')
        const lines = [
          ...RESERVED_ENV.exact.map((key) => `${key}=x`),
          'RELEASE_COOKIE=stolen', 'RELEASE_NODE=evil@0.0.0.0', 'RELEASE_DISTRIBUTION=sname',
          'export ERL_FLAGS="-setcookie x"', '  ELIXIR_ERL_OPTIONS="-kernel inet_dist_use_interface {0,0,0,0}"', '\tPORT=80', 'export\tHOME=/root',
        ]
        for (const line of lines) {
          const key = line.trim().replace(/^export\s+/, '').split('=')[0]
          refused(server.run(['env', 'hello'], `A="1"\n${line}\nB="2"\n`), `the environment may not set ${key}: gatling sets it for the node`, line)
          expect(key).to.match(/^[A-Z_]+$/)
        }
        expect(readFileSync(envFile(), 'utf8')).to.equal('KEPT="1"\n')
        expect(leftovers()).to.deep.equal([])
      })

      // systemd's EnvironmentFile parser strips blanks before "=" and ends a line at a carriage return too
      it('refuses a reserved variable however systemd would read it ("PORT =80", a CR as line end)', () => {
        for (const content of ['PORT =80\n', 'PORT\t=80\n', 'A=1\rPORT=80\n', 'RELEASE_COOKIE =x\n']) refused(server.run(['env', 'hello'], content), /may not set (PORT|RELEASE_COOKIE)|carriage return/, JSON.stringify(content))
      })
    })

    describe('unit', () => {
      it('fills the unit template for the app and reloads systemd, only when it changed', () => {
        const unit = join(server.dirs.units, 'hello@.service')
        const run = server.run(['unit', 'hello'])
        expect(run.status, run.stderr).to.equal(0)
        expect(run.stdout).to.equal(`wrote ${unit}\n`)
        expect(readFileSync(unit, 'utf8')).to.equal(renderUnitTemplate().replaceAll('@@APP@@', 'hello'))
        expect(statSync(unit).mode & 0o777).to.equal(0o644)
        expect(server.calls('systemctl')).to.deep.equal([['daemon-reload']])
        server.setOwner(unit, 'root:root')
        server.resetCalls()
        expect(server.run(['unit', 'hello'])).to.deep.include({status: 0, stdout: ''})
        expect(server.calls('systemctl')).to.deep.equal([])
        expect(readdirSync(server.dirs.units)).to.deep.equal(['hello@.service'])
      })
    })

    describe('site', () => {
      const available = () => join(server.dirs.sites, 'sites-available', 'gatling-hello')
      const enabled = () => join(server.dirs.sites, 'sites-enabled', 'gatling-hello')

      it("writes the site for the app's domains, enables it, points the upstream at the first port, and reloads nginx", () => {
        const run = server.run(['site', 'hello', 'example.com', '*.example.com'])
        expect(run.status, run.stderr).to.equal(0)
        const site = readFileSync(available(), 'utf8')
        expect(site).to.contain('server_name example.com *.example.com;').and.contain('listen 80;').and.contain('upstream hello {').and.contain('proxy_pass http://hello;')
        expect(site).to.not.contain('@@')
        expect(readlinkSync(enabled())).to.equal(available())
        expect(readFileSync(server.upstreamFile(), 'utf8')).to.equal(upstreamText(4000))
        expect(server.calls('nginx')).to.deep.equal([['-t', '-q']])
        expect(server.calls('systemctl')).to.deep.equal([['reload', 'nginx']])
        expect(existsSync(`${available()}.prev`)).to.equal(false)
      })

      it('keeps the upstream nginx already has (the serving instance)', () => {
        server.setUpstream(4001)
        expect(server.run(['site', 'hello', 'example.com']).status).to.equal(0)
        expect(readFileSync(server.upstreamFile(), 'utf8')).to.equal(upstreamText(4001))
      })

      it("without a domain the app is the server's default site, unless another app is", () => {
        const gatlingDefault = join(server.dirs.sites, 'sites-enabled', 'gatling-default')
        writeFileSync(gatlingDefault, 'listen 80 default_server;\n')
        expect(server.run(['site', 'hello']).status).to.equal(0)
        expect(readFileSync(available(), 'utf8')).to.contain('listen 80 default_server;').and.contain('listen [::]:80 default_server;').and.contain('server_name _;')
        expect(existsSync(gatlingDefault)).to.equal(false)
        server.initApp('world')
        refused(server.run(['site', 'world']), `another app already answers every host name (${enabled()}): give world a domain in gatling.json`)
        expect(existsSync(join(server.dirs.sites, 'sites-available', 'gatling-world'))).to.equal(false)
      })

      it('puts the previous site back when nginx rejects the new one', () => {
        expect(server.run(['site', 'hello', 'example.com']).status).to.equal(0)
        const before = readFileSync(available(), 'utf8')
        server.writeState('nginx-t-fails', '')
        refused(server.run(['site', 'hello', 'other.example.com']), 'nginx rejected the new site for hello; the previous configuration was restored')
        expect(readFileSync(available(), 'utf8')).to.equal(before)
        expect(existsSync(`${available()}.prev`)).to.equal(false)
      })

      describe('with a certificate', () => {
        const lineage = () => join(server.dirs.letsencrypt, 'live', 'gatling-hello')
        const own = () => join(server.dirs.etc, 'hello')
        beforeEach(() => {
          rmSync(join(server.dirs.letsencrypt), {recursive: true, force: true})
          rmSync(join(own(), 'tls.crt'), {force: true})
          rmSync(join(own(), 'tls.key'), {force: true})
        })

        it('serves the domains the certificate covers over HTTPS, redirects their HTTP there (the challenge path excepted), and the others over HTTP', () => {
          selfSigned(lineage(), 'fullchain.pem', 'privkey.pem', ['example.com', 'www.example.com'])
          const run = server.run(['site', 'hello', 'example.com', 'www.example.com', 'new.example.com'])
          expect(run.status, run.stderr).to.equal(0)
          const site = readFileSync(available(), 'utf8')
          expect(site).to.not.contain('@@')
          expect(site.match(/server_name example\.com www\.example\.com;/g)).to.have.length(2)
          expect(site).to.contain('server_name new.example.com;').and.contain('return 301 https://$host$request_uri;')
          expect(site).to.contain(`ssl_certificate ${lineage()}/fullchain.pem;`).and.contain(`ssl_certificate_key ${lineage()}/privkey.pem;`)
          // the stub nginx prints no version: an old one, http2 on the listen line
          expect(site).to.contain('listen 443 ssl http2;').and.not.contain('http2 on;')
          expect(site).to.not.contain('Strict-Transport-Security')
          expect(site.match(/location \^~ \/\.well-known\/acme-challenge\/ \{\n {8}root /g)).to.have.length(2)
          expect(site.split('{').length).to.equal(site.split('}').length)
        })

        it('with every domain covered, has no plain HTTP server; HSTS only with --hsts; http2 on its own line from nginx 1.25.1', () => {
          selfSigned(lineage(), 'fullchain.pem', 'privkey.pem', ['example.com'])
          server.answer('nginx', '-v', 0, 'nginx version: nginx/1.26.3')
          expect(server.run(['site', 'hello', '--hsts', 'example.com']).status).to.equal(0)
          const site = readFileSync(available(), 'utf8')
          expect(site).to.not.contain('# plain http')
          expect(site).to.not.contain('listen 80 default_server')
          expect(site).to.contain('listen 443 ssl;').and.contain('    http2 on; # h2\n').and.contain('add_header Strict-Transport-Security "max-age=63072000" always;')
        })

        it("prefers the app's own certificate, and ignores one that has expired", () => {
          selfSigned(lineage(), 'fullchain.pem', 'privkey.pem', ['example.com'])
          selfSigned(own(), 'tls.crt', 'tls.key', ['example.com'])
          expect(server.run(['site', 'hello', 'example.com']).status).to.equal(0)
          expect(readFileSync(available(), 'utf8')).to.contain(`ssl_certificate ${own()}/tls.crt;`).and.contain(`ssl_certificate_key ${own()}/tls.key;`)
          selfSigned(own(), 'tls.crt', 'tls.key', ['example.com'], 0)
          selfSigned(lineage(), 'fullchain.pem', 'privkey.pem', ['example.com'], 0)
          expect(server.run(['site', 'hello', 'example.com']).status).to.equal(0)
          const site = readFileSync(available(), 'utf8')
          expect(site).to.not.contain('ssl_certificate')
          expect(site).to.contain('server_name example.com;\n')
        })

        it('the switch checks health over HTTPS, the certificate verified, once the site serves the host so', () => {
          selfSigned(lineage(), 'fullchain.pem', 'privkey.pem', ['example.com'])
          expect(server.run(['site', 'hello', 'example.com']).status).to.equal(0)
          server.setUpstream(4000)
          server.runInstance(4000, '0.1.0+1')
          server.resetCalls()
          const run = server.run(['switch', 'hello', '4001', '/health', 'example.com'])
          expect(run.status, run.stderr).to.equal(0)
          expect(server.calls('curl')[0]).to.deep.equal(['-s', '-o', '/dev/null', '-m', '5', '-w', '%{http_code} %{redirect_url}', '--resolve', 'example.com:443:127.0.0.1', 'https://example.com/health'])
        })
      })
    })

    describe('cert', () => {
      const lineage = () => join(server.dirs.letsencrypt, 'live', 'gatling-hello')
      const CERT = ['cert', 'hello', 'ops@example.com', 'https://acme.example.com/dir', 'example.com', 'www.example.com']
      beforeEach(() => rmSync(server.dirs.letsencrypt, {recursive: true, force: true}))

      it('runs certbot certonly over the webroot for every domain, never touching nginx', () => {
        const run = server.run(CERT)
        expect(run.status, run.stderr).to.equal(0)
        expect(server.calls('certbot')).to.deep.equal([['certonly', '--non-interactive', '--agree-tos', '--no-eff-email', '-m', 'ops@example.com', '--server', 'https://acme.example.com/dir',
          '--webroot', '-w', server.dirs.webroot, '--cert-name', 'gatling-hello', '--keep-until-expiring', '-d', 'example.com', '-d', 'www.example.com']])
        expect(statSync(server.dirs.webroot).mode & 0o777).to.equal(0o755)
        expect(server.calls('nginx')).to.deep.equal([])
        expect(server.calls('systemctl')).to.deep.equal([])
      })

      it('keeps a certificate that covers every domain for 30 more days, without asking the ACME server', () => {
        selfSigned(lineage(), 'fullchain.pem', 'privkey.pem', ['example.com', 'www.example.com'])
        const run = server.run(CERT)
        expect(run.status, run.stderr).to.equal(0)
        expect(run.stdout).to.match(/^certificate for example\.com www\.example\.com unchanged: valid until /)
        expect(server.calls('certbot')).to.deep.equal([])
        selfSigned(lineage(), 'fullchain.pem', 'privkey.pem', ['example.com', 'www.example.com'], 20)
        server.run(CERT)
        expect(server.calls('certbot'), 'due for renewal').to.have.length(1)
      })

      it('names the domain and what the ACME server said when a challenge fails', () => {
        selfSigned(lineage(), 'fullchain.pem', 'privkey.pem', ['example.com'])
        server.answer('certbot', 'certonly', 1, 'Certbot failed to authenticate some domains (authenticator: webroot).\n  Domain: www.example.com\n  Type:   dns\n  Detail: DNS problem: NXDOMAIN looking up A for www.example.com\n\nHint: ...\nSome challenges have failed.\nAsk for help or search for solutions at https://community.letsencrypt.org. See the logfile /var/log/letsencrypt/letsencrypt.log or re-run Certbot with -v for more details.')
        refused(server.run(CERT), /^(.|\n)*gatling-root: no certificate for www\.example\.com from https:\/\/acme\.example\.com\/dir: Domain: www\.example\.com Detail: DNS problem: NXDOMAIN looking up A for www\.example\.com; the existing certificate is kept and the site serves as before\n$/)
        rmSync(join(server.state, 'answers', 'certbot'))
        server.answer('certbot', 'certonly', 1, 'An unexpected error occurred:\nError creating new order :: too many certificates already issued (rateLimited)')
        refused(server.run(CERT), /gatling-root: the ACME server https:\/\/acme\.example\.com\/dir refused a certificate for example\.com www\.example\.com: a rate limit \(.*too many.*\); the existing certificate is kept/)
      })

      it('says so when certbot is not installed', () => {
        const bin = server.bin
        rmSync(join(bin, 'certbot'))
        try {
          const run = spawnSync('/bin/sh', [server.gatlingRoot, ...CERT], {encoding: 'utf8', env: {...server.env, PATH: bin}})
          // PATH is the script's own: certbot may exist on this machine
          if (spawnSync('sh', ['-c', 'command -v certbot']).status !== 0) refused(run, /certbot is not installed: run "gatling setup" again/)
        } finally {
          symlinkSync(join(server.root, 'stubs', 'stub.sh'), join(bin, 'certbot'))
        }
      })
    })

    describe('acme-ca', () => {
      it("trusts the private ACME server's CA certificates system-wide, one file each, and changes nothing the second time", () => {
        const a = selfSigned(join(server.root, 'ca'), 'a.pem', 'a.key', ['ca-a'])
        const b = selfSigned(join(server.root, 'ca'), 'b.pem', 'b.key', ['ca-b'])
        const run = server.run(['acme-ca', 'hello'], `${a}${b}`)
        expect(run.status, run.stderr).to.equal(0)
        expect(run.stdout).to.equal("trusted 2 CA certificate(s) of hello's ACME server\n")
        expect(readdirSync(server.dirs.caCerts).sort()).to.deep.equal(['gatling-hello-acme-1.crt', 'gatling-hello-acme-2.crt'])
        expect(readFileSync(join(server.dirs.caCerts, 'gatling-hello-acme-2.crt'), 'utf8')).to.equal(b)
        expect(server.calls('update-ca-certificates')).to.have.length(1)
        expect(server.run(['acme-ca', 'hello'], `${a}${b}`).stdout).to.equal('ACME CA of hello unchanged\n')
        expect(server.calls('update-ca-certificates')).to.have.length(1)
      })

      it("is root's alone: the deploy user (a push, or an attacker with its key) cannot add a CA the whole server trusts", () => {
        const a = selfSigned(join(server.root, 'ca'), 'a.pem', 'a.key', ['evil-ca'])
        refused(server.run(['acme-ca', 'hello'], a, {SUDO_USER: 'gatling'}), "acme-ca changes what the whole server trusts: only gatling setup (root's login) may, not gatling")
        expect(existsSync(server.dirs.caCerts) ? readdirSync(server.dirs.caCerts) : []).to.deep.equal([])
        expect(server.calls('update-ca-certificates')).to.have.length(0)
        // setup, on the operator's login (root, or a sudo user), before the app exists
        expect(server.run(['acme-ca', 'newapp'], a, {SUDO_USER: 'ubuntu'}).status).to.equal(0)
        expect(readdirSync(server.dirs.caCerts)).to.deep.equal(['gatling-newapp-acme-1.crt'])
      })

      it('refuses what is not a PEM certificate', () => {
        refused(server.run(['acme-ca', 'hello'], 'not a certificate\n'), 'the ACME CA of hello is not a PEM certificate')
        refused(server.run(['acme-ca', 'hello'], '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), 'the ACME CA of hello is not a PEM certificate')
      })
    })

    describe('own-cert', () => {
      const etc = () => join(server.dirs.etc, 'hello')
      it("installs the app's own certificate 0644 and its key 0600, root's, and changes nothing the second time", () => {
        const cert = selfSigned(join(server.root, 'own'), 'c.pem', 'k.pem', ['example.com'])
        const key = readFileSync(join(server.root, 'own', 'k.pem'), 'utf8')
        const run = server.run(['own-cert', 'hello'], `${cert}${key}`)
        expect(run.status, run.stderr).to.equal(0)
        expect(run.stdout).to.match(/^installed the certificate of hello \(valid until .*\); its key is root's, 0600\n$/)
        expect(run.stdout + run.stderr).to.not.contain('PRIVATE KEY')
        expect(readFileSync(join(etc(), 'tls.crt'), 'utf8')).to.equal(cert)
        expect(readFileSync(join(etc(), 'tls.key'), 'utf8')).to.equal(key)
        expect(statSync(join(etc(), 'tls.key')).mode & 0o777).to.equal(0o600)
        expect(statSync(join(etc(), 'tls.crt')).mode & 0o777).to.equal(0o644)
        expect(server.run(['own-cert', 'hello'], `${cert}${key}`).stdout).to.equal('the certificate of hello unchanged\n')
      })

      it('refuses a key of another certificate, an expired certificate, or no key, and changes nothing', () => {
        const cert = selfSigned(join(server.root, 'own2'), 'c.pem', 'k.pem', ['example.com'])
        selfSigned(join(server.root, 'own2'), 'd.pem', 'l.pem', ['example.com'])
        const otherKey = readFileSync(join(server.root, 'own2', 'l.pem'), 'utf8')
        const expired = selfSigned(join(server.root, 'own2'), 'e.pem', 'm.pem', ['example.com'], 0)
        const before = readdirSync(etc()).sort()
        refused(server.run(['own-cert', 'hello'], `${cert}${otherKey}`), 'the certificate of hello: the key does not belong to the certificate; nothing changed')
        refused(server.run(['own-cert', 'hello'], `${expired}${readFileSync(join(server.root, 'own2', 'm.pem'), 'utf8')}`), 'the certificate of hello: it has expired; nothing changed')
        refused(server.run(['own-cert', 'hello'], cert), 'the certificate of hello: no PEM private key; nothing changed')
        expect(readdirSync(etc()).sort()).to.deep.equal(before)
      })
    })

    describe('install-release', () => {
      const build = () => join(apps, 'build', '_build', 'prod', 'rel', 'hello')
      const release = () => join(apps, 'releases', '0.1.0+2')

      function buildRelease() {
        server.writeTree(build(), {'bin/hello': '#!/bin/sh\necho hello\n', 'bin/suid': '#!/bin/sh\n'}, 0o755)
        server.writeTree(build(), {
          'releases/COOKIE': 'build-time-cookie',
          'releases/start_erl.data': '13.1.5 0.1.0+2',
          'releases/0.1.0+2/sys.config': '[].',
          'releases/0.1.0+2/hello.rel': '{release,{"hello","0.1.0+2"},{erts,"13.1.5"},[{kernel,"8.5.3"},{hello,"0.1.0+2"}]}.\n',
          'lib/hello-0.1.0+2/ebin/hello.app': '{}',
          'lib/kernel-8.5.3/ebin/kernel.app': '{}',
          'erts-13.1.5/bin/erl': '',
          // what mix release leaves in _build from earlier builds
          'releases/0.1.0+1/sys.config': '[].',
          'lib/hello-0.1.0+1/ebin/hello.app': '{}',
          'erts-13.1.4/bin/erl': '',
        })
        chmodSync(join(build(), 'bin', 'suid'), 0o6755)
        mkdirSync(join(build(), 'sgid-dir'))
        chmodSync(join(build(), 'sgid-dir'), 0o2755)
        symlinkSync('/etc/passwd', join(build(), 'lib', 'hello-0.1.0+2', 'link'))
      }

      it("keeps only the version's own lib dirs, ERTS and releases/VSN (mix release keeps every earlier build)", () => {
        buildRelease()
        expect(server.run(['install-release', 'hello', '0.1.0+2']).status).to.equal(0)
        expect(readdirSync(join(release(), 'lib')).sort()).to.deep.equal(['hello-0.1.0+2', 'kernel-8.5.3'])
        expect(readdirSync(join(release(), 'releases')).sort()).to.deep.equal(['0.1.0+2', 'start_erl.data'])
        expect(readdirSync(release()).filter((f) => f.startsWith('erts-'))).to.deep.equal(['erts-13.1.5'])
      })

      it('refuses a build that is not the version asked for', () => {
        buildRelease()
        refused(server.run(['install-release', 'hello', '0.1.0+3']), `the release at ${build()} is not version 0.1.0+3 (no releases/0.1.0+3/hello.rel)`)
        expect(readdirSync(join(apps, 'releases'))).to.deep.equal([])
      })

      it('reads the build as the deploy user and installs it as releases/VSN: no cookie, no setuid bit, links kept as links', () => {
        buildRelease()
        const run = server.run(['install-release', 'hello', '0.1.0+2'])
        expect(run.status, run.stderr).to.equal(0)
        expect(run.stdout).to.equal(`installed ${release()}\n`)
        expect(server.calls('runuser')).to.deep.equal([['-u', 'gatling', '--', 'tar', '-C', build(), '-cf', '-', '.']])
        expect(readFileSync(join(release(), 'bin', 'hello'), 'utf8')).to.equal('#!/bin/sh\necho hello\n')
        expect(statSync(join(release(), 'bin', 'hello')).mode & 0o111).to.not.equal(0)
        expect(existsSync(join(release(), 'releases', 'COOKIE'))).to.equal(false)
        expect(readFileSync(join(release(), 'releases', '0.1.0+2', 'sys.config'), 'utf8')).to.equal('[].')
        const walk = (dir: string): string[] => readdirSync(dir, {withFileTypes: true}).flatMap((e) => [join(dir, e.name), ...(e.isDirectory() ? walk(join(dir, e.name)) : [])])
        for (const path of walk(release())) expect(lstatSync(path).mode & 0o6000, `${path} keeps a setuid/setgid bit`).to.equal(0)
        expect(lstatSync(join(release(), 'lib', 'hello-0.1.0+2', 'link')).isSymbolicLink()).to.equal(true)
        expect(readlinkSync(join(release(), 'lib', 'hello-0.1.0+2', 'link'))).to.equal('/etc/passwd')
        expect(readdirSync(join(apps, 'releases'))).to.deep.equal(['0.1.0+2'])
      })

      it('gives the release no owner from the build (the deploy user cannot hand root a file of its own)', function () {
        // tar --no-same-owner only shows when root extracts: as another user every file is that user's anyway
        if (!isRoot) this.skip()
        buildRelease()
        for (const path of [build(), join(build(), 'bin', 'hello'), join(build(), 'releases', '0.1.0+2', 'sys.config')]) chownSync(path, 12345, 12345)
        expect(server.run(['install-release', 'hello', '0.1.0+2']).status).to.equal(0)
        for (const path of [release(), join(release(), 'bin', 'hello'), join(release(), 'releases', '0.1.0+2', 'sys.config')]) expect(statSync(path).uid, path).to.equal(0)
      })

      it('replaces an earlier install of the same version', () => {
        buildRelease()
        server.writeTree(release(), {'stale.txt': 'old'})
        expect(server.run(['install-release', 'hello', '0.1.0+2']).status).to.equal(0)
        expect(existsSync(join(release(), 'stale.txt'))).to.equal(false)
      })

      it('refuses a build without bin/APP, or no build at all, and leaves nothing behind', () => {
        refused(server.run(['install-release', 'hello', '0.1.0+2']), new RegExp(`\\ngatling-root: no release at ${build()} \\(as gatling\\)\\n$`))
        server.writeTree(build(), {'bin/other': '#!/bin/sh\n'}, 0o755)
        refused(server.run(['install-release', 'hello', '0.1.0+2']), `no release at ${build()}: bin/hello is missing`)
        rmSync(join(build(), 'bin', 'other'))
        symlinkSync('/bin/sh', join(build(), 'bin', 'hello'))
        refused(server.run(['install-release', 'hello', '0.1.0+2']), `no release at ${build()}: bin/hello is missing`)
        expect(readdirSync(join(apps, 'releases'))).to.deep.equal([])
      })
    })

    describe('serving', () => {
      it("is nginx's primary port and that instance's release, when the instance is active", () => {
        expect(server.run(['serving', 'hello'])).to.deep.include({status: 0, stdout: ''})
        server.setUpstream(4001, 4000)
        server.runInstance(4001, '0.1.0+3')
        expect(server.run(['serving', 'hello'])).to.deep.include({status: 0, stdout: '4001 0.1.0+3\n'})
        expect(server.calls('runuser').at(-1), "the slot is read as the app (it is the app's)").to.deep.equal(['-u', 'hello', '--', 'cut', '-d ', '-f2', join(apps, 'slots', '4001', 'releases', 'start_erl.data')])
        server.setActive()
        expect(server.run(['serving', 'hello']).stdout).to.equal('')
      })

      it("ignores a slot whose version is no valid version (the app writes the slot)", () => {
        server.setUpstream(4000)
        server.runInstance(4000, '../../etc')
        expect(server.run(['serving', 'hello'])).to.deep.include({status: 0, stdout: ''})
      })
    })

    describe('start', () => {
      const slot = () => join(apps, 'slots', '4001')

      it('copies releases/VSN into a fresh slot as the app, installs the cookie, creates releases/RELEASES in the sandbox, then starts the unit', () => {
        const release = server.addRelease('0.1.0+2')
        server.writeTree(slot(), {'stale-from-last-time': 'x'})
        server.setActive('hello@4000', 'hello@4001')
        rmSync(join(server.dirs.homes, 'hello', '.erlang.cookie'))
        const run = server.run(['start', 'hello', '4001', '0.1.0+2'])
        expect(run.status, run.stderr).to.equal(0)
        expect(readdirSync(slot()).sort()).to.deep.equal(['bin', 'releases'])
        expect(readFileSync(join(slot(), 'releases', 'start_erl.data'), 'utf8')).to.equal(readFileSync(join(release, 'releases', 'start_erl.data'), 'utf8'))
        expect(server.owner(`${slot()}.new`)).to.equal('hello:hello')
        expect(existsSync(`${slot()}.new`)).to.equal(false)
        const [copy, cookieCopy] = server.calls('runuser')
        expect(copy).to.deep.equal(['-u', 'hello', '--', 'cp', '-a', `${release}/.`, `${slot()}.new/`])
        expect(cookieCopy.slice(0, 4)).to.deep.equal(['-u', 'hello', '--', 'sh'])
        expect(readFileSync(join(server.dirs.homes, 'hello', '.erlang.cookie'), 'utf8')).to.equal(cookie)
        expect(server.calls('systemctl')).to.deep.equal([['-q', 'is-active', 'hello@4001'], ['stop', 'hello@4001'], ['reset-failed', 'hello@4001'], ['start', 'hello@4001']])
        expect(server.active()).to.deep.equal(['hello@4000', 'hello@4001'])

        const calls = server.calls('systemd-run')
        expect(calls).to.have.length(1)
        const {environment, command} = expectNodeSandbox(calls[0], '4001')
        expect(environment.at(-1), 'create_releases needs no distribution').to.equal('RELEASE_DISTRIBUTION=none')
        expect(environment).to.include('PORT=4001').and.include('RELEASE_NODE=hello_4001@127.0.0.1')
        expect(command).to.deep.equal([`${slot()}/bin/hello`, 'eval', `Code.eval_file("${apps}/tools/create_releases.exs")`])
      })

      it('leaves an instance that is not running alone, and refuses a version that is not installed', () => {
        server.addRelease('0.1.0+2')
        expect(server.run(['start', 'hello', '4000', '0.1.0+2']).status).to.equal(0)
        expect(server.calls('systemctl')[0]).to.deep.equal(['-q', 'is-active', 'hello@4000'])
        expect(server.calls('systemctl').map((c) => c[0])).to.not.include('stop')
        server.resetCalls()
        refused(server.run(['start', 'hello', '4001', '0.1.0+9']), 'no release 0.1.0+9')
        symlinkSync(join(apps, 'releases', '0.1.0+2'), join(apps, 'releases', '0.1.0+3'))
        refused(server.run(['start', 'hello', '4001', '0.1.0+3']), 'no release 0.1.0+3')
        expect(server.calls()).to.deep.equal([])
      })
    })

    describe('stop, alive, logs', () => {
      it('stop: stops the instance and keeps it from starting at boot', () => {
        server.setActive('hello@4000')
        expect(server.run(['stop', 'hello', '4000']).status).to.equal(0)
        expect(server.calls('systemctl')).to.deep.equal([['stop', 'hello@4000'], ['disable', '-q', 'hello@4000']])
        expect(server.active()).to.deep.equal([])
      })

      it("alive: the instance's main pid while it is active, a failure once it is not", () => {
        server.setActive('hello@4000')
        expect(server.run(['alive', 'hello', '4000'])).to.deep.include({status: 0, stdout: '4242\n'})
        expect(server.calls('systemctl').at(-1)).to.deep.equal(['show', '-p', 'MainPID', '--value', 'hello@4000'])
        expect(server.run(['alive', 'hello', '4001']).status).to.not.equal(0)
      })

      it("logs: the instance's journal, 40 lines unless told", () => {
        expect(server.run(['logs', 'hello', '4000'])).to.deep.include({status: 0, stdout: 'journal line 1\njournal line 2\n'})
        expect(server.run(['logs', 'hello', '4001', '100000']).status).to.equal(0)
        expect(server.calls('journalctl')).to.deep.equal([['--no-pager', '-n', '40', '-o', 'cat', '-u', 'hello@4000.service'], ['--no-pager', '-n', '100000', '-o', 'cat', '-u', 'hello@4001.service']])
      })

      it("logs all: both instances' journal as JSON lines, since a time, followed; only the app's own units, never another app's", () => {
        server.initApp('other') // app B, on the next two ports
        expect(server.run(['logs', 'hello', 'all', '500'])).to.deep.include({status: 0, stdout: 'journal line 1\njournal line 2\n'})
        expect(server.run(['logs', 'hello', 'all', '100', '2026-12-01 14:30', 'follow']).status).to.equal(0)
        expect(server.run(['logs', 'other', 'all', '40', '-10m']).status).to.equal(0)
        const json = ['-o', 'json', '--output-fields=MESSAGE,_SYSTEMD_UNIT,UNIT,_PID']
        expect(server.calls('journalctl')).to.deep.equal([
          ['--no-pager', '-n', '500', ...json, '-u', 'hello@4000.service', '-u', 'hello@4001.service'],
          ['--no-pager', '-n', '100', ...json, '-u', 'hello@4000.service', '-u', 'hello@4001.service', '--since=2026-12-01 14:30', '--follow'],
          ['--no-pager', '-n', '40', ...json, '-u', 'other@4002.service', '-u', 'other@4003.service', '--since=-10m'],
        ])
        // a unit option is the only selection: no other match, no glob, no file, no other app's unit for hello
        for (const args of server.calls('journalctl').slice(0, 2)) expect(args.filter((a) => /other|\*|--file|--directory|--merge|^_/.test(a))).to.deep.equal([])
      })
    })

    describe('switch', () => {
      beforeEach(() => {
        server.setUpstream(4000)
        server.setActive('hello@4000', 'hello@4001')
        server.writeState('curl-snapshot', server.upstreamFile())
      })

      it('sends traffic to the new port with the old one as backup, checks health through nginx with the Host header, then drains and stops the old instance', () => {
        const run = server.run(['switch', 'hello', '4001', '/health', 'example.com'])
        expect(run.status, run.stderr).to.equal(0)
        expect(run.stdout).to.match(/^GET \/health through nginx -> 200\nswitched hello from port 4000 to 4001; the old instance drained in \d+\.\d s and stopped\n$/)
        expect(server.readState('curl-saw'), 'what nginx had while the health check ran').to.equal(upstreamText(4001, 4000))
        expect(readFileSync(server.upstreamFile(), 'utf8')).to.equal(upstreamText(4001))
        expect(server.calls('curl')).to.deep.equal([['-s', '-o', '/dev/null', '-m', '5', '-w', '%{http_code} %{redirect_url}', '-H', 'Host: example.com', 'http://127.0.0.1/health']])
        expect(server.calls('systemctl')).to.deep.equal([['reload', 'nginx'], ['enable', '-q', 'hello@4001'], ['stop', 'hello@4000'], ['disable', '-q', 'hello@4000']])
        // no reload after the old instance stopped: it would cut the websockets that just reconnected
        expect(server.calls('nginx')).to.deep.equal([['-t', '-q']])
        expect(server.active()).to.deep.equal(['hello@4001'])
        expect(readdirSync(server.dirs.upstreams)).to.deep.equal(['hello.upstream'])
      })

      for (const code of ['502', '404', '000']) {
        it(`sends traffic back to the old port and stops the new instance when nginx answers ${code}`, () => {
          server.writeState('curl-codes', `${code}\n`)
          refused(server.run(['switch', 'hello', '4001', '/health', 'example.com']), `GET /health through nginx answered ${code} after the switch: traffic went back to port 4000, the new instance was stopped`)
          expect(readFileSync(server.upstreamFile(), 'utf8')).to.equal(upstreamText(4000))
          expect(server.calls('systemctl')).to.deep.equal([['reload', 'nginx'], ['reload', 'nginx'], ['stop', 'hello@4001']])
          expect(server.active()).to.deep.equal(['hello@4000'])
          expect(readdirSync(server.dirs.upstreams)).to.deep.equal(['hello.upstream'])
        })
      }

      it('keeps traffic where it was when nginx refuses the new configuration', () => {
        server.writeState('nginx-t-fails', '')
        refused(server.run(['switch', 'hello', '4001', '/health', 'example.com']), 'nginx refused the switch to port 4001; traffic stays on 4000')
        expect(readFileSync(server.upstreamFile(), 'utf8')).to.equal(upstreamText(4000))
        expect(server.calls('curl')).to.deep.equal([])
        expect(server.calls('systemctl')).to.deep.equal([])
      })

      it('on the first deploy (nothing served before) only enables the new instance', () => {
        server.setActive('hello@4000')
        const run = server.run(['switch', 'hello', '4000', '/', 'localhost'])
        expect(run.status, run.stderr).to.equal(0)
        expect(run.stdout).to.equal('GET / through nginx -> 200\nserving hello on port 4000\n')
        expect(readFileSync(server.upstreamFile(), 'utf8')).to.equal(upstreamText(4000))
        expect(server.calls('systemctl')).to.deep.equal([['reload', 'nginx'], ['enable', '-q', 'hello@4000']])
      })
    })

    describe('run, eval, migrate: as the app, in the sandbox of its unit', () => {
      it("run: bin/APP of the instance's slot, which it may write, talking to that node", () => {
        const run = server.run(['run', 'hello', '4000', 'rpc', 'IO.puts(Application.spec(:hello, :vsn))'])
        expect(run.status, run.stderr).to.equal(0)
        const {environment, command} = expectNodeSandbox(server.calls('systemd-run')[0], '4000')
        expect(environment).to.include('PORT=4000').and.include('RELEASE_NODE=hello_4000@127.0.0.1').and.include('RELEASE_DISTRIBUTION=name')
        expect(environment).to.not.include('RELEASE_DISTRIBUTION=none')
        expect(command).to.deep.equal([`${apps}/slots/4000/bin/hello`, 'rpc', 'IO.puts(Application.spec(:hello, :vsn))'])
        for (const rcmd of ['pid', 'remote']) {
          expect(server.run(['run', 'hello', '4001', rcmd]).status).to.equal(0)
          expect(systemdRun(server.calls('systemd-run').at(-1)!).command).to.deep.equal([`${apps}/slots/4001/bin/hello`, rcmd])
        }
      })

      it('run remote (gatling console) gives the shell a terminal of its own (^C reaches IEx); the others use the pipes', () => {
        for (const rcmd of ['rpc', 'pid', 'remote']) {
          expect(server.run(['run', 'hello', '4000', rcmd, ...(rcmd === 'rpc' ? ['1'] : [])]).status).to.equal(0)
          const {options} = systemdRun(server.calls('systemd-run').at(-1)!)
          expect(options.filter((o) => o === '--pty' || o === '--pipe'), rcmd).to.deep.equal([rcmd === 'remote' ? '--pty' : '--pipe'])
        }
      })

      it("run: passes the node's exit status on (a refused hot upgrade)", () => {
        server.answer('systemd-run', 'rpc', 3, 'refused')
        expect(server.run(['run', 'hello', '4000', 'rpc', 'x()'])).to.deep.include({status: 3, stdout: 'refused\n'})
      })

      it('eval: bin/APP eval of the installed release, without a node, writing only its home', () => {
        server.addRelease('0.1.0+1')
        expect(server.run(['eval', 'hello', '0.1.0+1', 'IO.puts(:ok)']).status).to.equal(0)
        const {environment, command} = expectNodeSandbox(server.calls('systemd-run')[0], undefined)
        expect(environment).to.include('PORT=0')
        expect(environment.at(-1)).to.equal('RELEASE_DISTRIBUTION=none')
        expect(command).to.deep.equal([`${apps}/releases/0.1.0+1/bin/hello`, 'eval', 'IO.puts(:ok)'])
        refused(server.run(['eval', 'hello', '0.1.0+9', 'IO.puts(:ok)']), 'no release 0.1.0+9')
      })

      it('migrate: APP.Release.migrate() when the release has that module, else skipped', () => {
        server.addRelease('0.1.0+1')
        expect(server.run(['migrate', 'hello', '0.1.0+1', 'Hello.Release'])).to.deep.include({status: 0, stdout: 'skipped: the app has no Hello.Release.migrate/0\n'})
        expect(server.calls('systemd-run')).to.deep.equal([])
        server.writeTree(join(apps, 'releases', '0.1.0+1'), {'lib/hello-0.1.0/ebin/Elixir.Hello.Release.beam': 'beam'})
        expect(server.run(['migrate', 'hello', '0.1.0+1', 'Hello.Release']).status).to.equal(0)
        const {environment, command} = expectNodeSandbox(server.calls('systemd-run')[0], undefined)
        expect(environment.at(-1)).to.equal('RELEASE_DISTRIBUTION=none')
        expect(command).to.deep.equal([`${apps}/releases/0.1.0+1/bin/hello`, 'eval', 'Hello.Release.migrate()'])
        refused(server.run(['migrate', 'hello', '0.1.0+9', 'Hello.Release']), 'no release 0.1.0+9')
      })
    })

    describe('stage-upgrade', () => {
      it('copies the upgrade package, as the app, to where its node unpacks it', () => {
        server.runInstance(4000, '0.1.0+1')
        server.writeTree(join(apps, 'state', 'upgrade'), {'hello-0.1.0+2.tar.gz': 'package'})
        expect(server.run(['stage-upgrade', 'hello', '4000', '0.1.0+2']).status).to.equal(0)
        expect(readFileSync(join(apps, 'slots', '4000', 'releases', 'hello-0.1.0+2.tar.gz'), 'utf8')).to.equal('package')
        expect(server.calls('runuser')).to.deep.equal([['-u', 'hello', '--', 'cp', '-P', '--', join(apps, 'state', 'upgrade', 'hello-0.1.0+2.tar.gz'), join(apps, 'slots', '4000', 'releases', 'hello-0.1.0+2.tar.gz')]])
        refused(server.run(['stage-upgrade', 'hello', '4000', '0.1.0+3']), /gatling-root: no upgrade package for 0\.1\.0\+3\n$/)
      })
    })

    describe('mark-current', () => {
      it('points current at releases/VSN (relative), replacing it atomically', () => {
        server.addRelease('0.1.0+1')
        server.addRelease('0.1.0+2')
        expect(server.run(['mark-current', 'hello', '0.1.0+1'])).to.deep.include({status: 0, stdout: 'current release: 0.1.0+1\n'})
        expect(readlinkSync(join(apps, 'current'))).to.equal('releases/0.1.0+1')
        expect(server.run(['mark-current', 'hello', '0.1.0+2']).status).to.equal(0)
        expect(readlinkSync(join(apps, 'current'))).to.equal('releases/0.1.0+2')
        expect(existsSync(join(apps, 'current.new'))).to.equal(false)
      })

      it('refuses a version that is not installed, leaving current as it was', () => {
        server.addRelease('0.1.0+1')
        server.run(['mark-current', 'hello', '0.1.0+1'])
        refused(server.run(['mark-current', 'hello', '0.1.0+7']), 'no release 0.1.0+7')
        expect(readlinkSync(join(apps, 'current'))).to.equal('releases/0.1.0+1')
      })
    })

    describe('prune', () => {
      const kept = () => readdirSync(join(apps, 'releases')).sort()

      // Regression: releases were once ordered by mtime, so when the numbers +10…+14 had the newest
      // times (a rollback re-installed them), those were kept and +15…+19 removed.
      it('keeps the KEEP highest deploy numbers, the current release and those an instance runs, whatever their times', () => {
        for (let n = 1; n <= 19; n++) server.addRelease(`0.1.0+${n}`)
        server.addRelease('0.1.0') // no deploy number: the oldest
        for (let n = 1; n <= 19; n++) {
          const when = new Date(n >= 10 && n <= 14 ? Date.now() + 3_600_000 : Date.now() - 3_600_000 * (20 - n))
          utimesSync(join(apps, 'releases', `0.1.0+${n}`), when, when)
        }
        mkdirSync(join(apps, 'releases', '.0.1.0+20.new')) // an install that was interrupted
        server.run(['mark-current', 'hello', '0.1.0+3'])
        server.runInstance(4000, '0.1.0+7')
        const run = server.run(['prune', 'hello', '5'])
        expect(run.status, run.stderr).to.equal(0)
        // +2: the release before current (what a rollback goes back to)
        const expected = ['0.1.0+15', '0.1.0+16', '0.1.0+17', '0.1.0+18', '0.1.0+19', '0.1.0+2', '0.1.0+3', '0.1.0+7'].sort()
        expect(kept()).to.deep.equal(['.0.1.0+20.new', ...expected].sort())
        expect(run.stdout.split('\n').filter(Boolean).sort()).to.deep.equal(
          ['0.1.0', ...[1, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14].map((n) => `0.1.0+${n}`)].map((v) => `removed release ${v}`).sort(),
        )
      })

      // Regression: with keepReleases 1 and the node hot-upgraded to current (its slot boots current), the
      // release before current was removed, and "gatling rollback" had nothing to go back to.
      it('never removes the current release or the one before it, even with KEEP 1', () => {
        for (const n of [3, 4, 9, 10]) server.addRelease(`0.1.0+${n}`)
        server.run(['mark-current', 'hello', '0.1.0+9'])
        server.runInstance(4000, '0.1.0+9')
        const run = server.run(['prune', 'hello', '1'])
        expect(run.status, run.stderr).to.equal(0)
        expect(kept()).to.deep.equal(['0.1.0+10', '0.1.0+4', '0.1.0+9'])
        expect(run.stdout).to.equal('removed release 0.1.0+3\n')
        server.run(['mark-current', 'hello', '0.1.0+10'])
        expect(server.run(['prune', 'hello', '1']).stdout).to.equal('removed release 0.1.0+4\n')
        expect(kept()).to.deep.equal(['0.1.0+10', '0.1.0+9'])
      })

      it('orders +9 below +10 (numbers, not names) and keeps everything when there are fewer than KEEP', () => {
        for (const n of [8, 9, 10, 11]) server.addRelease(`0.1.0+${n}`)
        expect(server.run(['prune', 'hello', '5']).stdout).to.equal('')
        expect(server.run(['prune', 'hello', '2'])).to.deep.include({status: 0, stdout: 'removed release 0.1.0+9\nremoved release 0.1.0+8\n'})
        expect(kept()).to.deep.equal(['0.1.0+10', '0.1.0+11'])
      })

      it('does nothing without releases', () => {
        expect(server.run(['prune', 'hello', '1'])).to.deep.include({status: 0, stdout: ''})
      })
    })
  })
})
