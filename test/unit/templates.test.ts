import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {chmodSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {APPS_ROOT} from '../../src/context.js'
import {readTemplate, render, templatesDir} from '../../src/templates.js'
import {HELPER} from '../../src/context.js'
import {SHARE_DIR} from '../../src/steps/install-privileged-helper.js'
import {shSyntaxCheck, tempDir} from './support.js'

/** Sample data for every template under templates/server: a new template without an entry here fails the suite. */
const SAMPLES: Record<string, Record<string, unknown>> = {
  'app.env.ejs': {app: 'hello', source: '/home/me/hello/.env.production', entries: [['SECRET_KEY_BASE', 'abc'], ['DATABASE_URL', 'ecto://db/hello']]},
  'app@.service.ejs': {app: 'hello', appsRoot: APPS_ROOT},
  'authorized_keys.ejs': {keys: ['ssh-ed25519 AAAAC3Nza alice@laptop', 'ssh-rsa AAAAB3Nza bob@desk']},
  'deploy.sh.ejs': {app: 'hello', steps: [{title: "'Step one'", onlyIf: 'true', onlyIfReason: "''", commands: '(\necho one\n)'}]},
  'epmd-loopback.conf.ejs': {},
  'gatling-root.ejs': {deployUser: 'gatling', appsRoot: APPS_ROOT, shareDir: SHARE_DIR},
  'nftables.conf.ejs': {sshPort: 2222},
  'nginx-default.ejs': {},
  'nginx-http.ejs': {},
  'nginx-site.ejs': {app: 'hello', domains: 'example.com www.example.com', listen: 80, health: '/health'},
  'pre-receive.ejs': {app: 'hello', deployScript: '/srv/gatling/hello/tools/deploy'},
  'sudoers.ejs': {deployUser: 'gatling', helperPath: HELPER},
}

describe('templates', () => {
  const names = readdirSync(join(templatesDir, 'server')).sort()

  it('has sample data for every server template', () => {
    expect(names).to.deep.equal(Object.keys(SAMPLES).sort())
  })

  for (const name of Object.keys(SAMPLES)) {
    it(`renders server/${name} without leftover EJS or undefined values`, () => {
      const text = render(`server/${name}`, SAMPLES[name])
      expect(text.length).to.be.greaterThan(0)
      expect(text).to.not.match(/<%|%>|\bundefined\b|\[object Object\]/)
    })
  }

  it('does not HTML-escape values (these are config files, not web pages)', () => {
    const text = render('server/app.env.ejs', {app: 'hello', source: 'a&b<c>"d"', entries: [['A', `x&y<z>'q'`]]})
    expect(text).to.contain('from a&b<c>"d"').and.contain(`A="x&y<z>'q'"`)
  })

  it('fails loudly on missing data', () => {
    expect(() => render('server/nginx-site.ejs', {})).to.throw(/is not defined/)
  })

  it('readTemplate returns a file as is', () => {
    expect(readTemplate('server/nginx-http.ejs')).to.equal(readFileSync(join(templatesDir, 'server', 'nginx-http.ejs'), 'utf8'))
    expect(readTemplate('elixir/set_version.exs').length).to.be.greaterThan(0)
  })

  describe('nginx', () => {
    it('the app site proxies to its upstream with websocket upgrade headers', () => {
      const site = render('server/nginx-site.ejs', SAMPLES['nginx-site.ejs'])
      expect(site).to.contain('upstream hello {\n    include /etc/nginx/gatling/hello.upstream;\n}')
      expect(site).to.contain('listen 80;').and.contain('listen [::]:80;')
      expect(site).to.contain('server_name example.com www.example.com;')
      expect(site).to.contain('proxy_pass http://hello;')
      expect(site).to.contain('proxy_http_version 1.1;')
      expect(site).to.contain('proxy_set_header Upgrade $http_upgrade;')
      expect(site).to.contain('proxy_set_header Connection $connection_upgrade;')
      expect(site).to.contain('proxy_set_header Host $host;')
    })

    it('the http-level map defines $connection_upgrade that the site uses', () => {
      expect(render('server/nginx-http.ejs')).to.match(/map \$http_upgrade \$connection_upgrade \{\s+default upgrade;\s+''\s+close;\s+\}/)
    })

    it('braces balance in every nginx file', () => {
      for (const name of ['nginx-site.ejs', 'nginx-default.ejs', 'nginx-http.ejs']) {
        const text = render(`server/${name}`, SAMPLES[name])
        expect(text.split('{').length, name).to.equal(text.split('}').length)
      }
    })

    it('the default site answers every host name', () => {
      expect(render('server/nginx-default.ejs')).to.contain('listen 80 default_server;').and.contain('server_name _;')
    })
  })

  describe('systemd', () => {
    it('the app unit runs as the app user, restarts on failure, and reads its env files', () => {
      const unit = render('server/app@.service.ejs', SAMPLES['app@.service.ejs'])
      const directives = unit.split('\n').filter((l) => /^[A-Za-z]+=/.test(l))
      expect(directives).to.include('User=hello')
      expect(directives).to.include('Group=hello')
      expect(directives).to.include('Restart=on-failure')
      expect(directives).to.include('Environment=PORT=%i')
      expect(directives).to.include('EnvironmentFile=/etc/gatling/hello/app.env')
      expect(directives).to.include(`ExecStart=${APPS_ROOT}/hello/slots/%i/bin/hello start`)
      expect(directives).to.include('WantedBy=multi-user.target')
      expect(directives.filter((d) => d.startsWith('Restart='))).to.have.length(1)
      expect(unit.indexOf('[Unit]')).to.be.lessThan(unit.indexOf('[Service]'))
      expect(unit.indexOf('[Service]')).to.be.lessThan(unit.indexOf('[Install]'))
    })

    it('epmd listens on loopback only, resetting the distribution default first', () => {
      expect(render('server/epmd-loopback.conf.ejs')).to.match(/\[Socket\]\nListenStream=\nListenStream=127\.0\.0\.1:4369\n/)
    })
  })

  describe('firewall', () => {
    it('opens the SSH port, 80 and 443 and drops the rest', () => {
      const rules = render('server/nftables.conf.ejs', {sshPort: 2222})
      expect(rules).to.contain('tcp dport { 2222, 80, 443 } accept')
      expect(rules).to.match(/hook input priority filter; policy drop;/)
    })

    it('is accepted by `nft -c` where nft is installed', function () {
      if (spawnSync('nft', ['--version']).status !== 0) this.skip() // nft not installed: nothing to check against
      const {dir, cleanup} = tempDir('gatling-unit-nft-')
      try {
        const file = join(dir, 'nftables.conf')
        writeFileSync(file, render('server/nftables.conf.ejs', {sshPort: 2222}))
        const check = spawnSync('nft', ['-c', '-f', file], {encoding: 'utf8'})
        expect(check.status, check.stderr).to.equal(0)
      } finally {
        cleanup()
      }
    })
  })

  describe('sudoers and authorized_keys', () => {
    it('lets the deploy user run only gatling-root, without a password', () => {
      const rules = render('server/sudoers.ejs', SAMPLES['sudoers.ejs']).split('\n').filter((l) => l && !l.startsWith('#'))
      expect(rules).to.deep.equal(['gatling ALL=(root) NOPASSWD: /usr/local/sbin/gatling-root'])
    })

    it('lists one key per line', () => {
      const keys = render('server/authorized_keys.ejs', SAMPLES['authorized_keys.ejs']).split('\n').filter((l) => l && !l.startsWith('#'))
      expect(keys).to.deep.equal(SAMPLES['authorized_keys.ejs'].keys)
    })
  })

  describe('gatling-root', () => {
    let dir: string
    let cleanup: () => void
    let helper: string
    before(() => {
      ;({dir, cleanup} = tempDir('gatling-unit-root-'))
      helper = join(dir, 'gatling-root')
      writeFileSync(helper, render('server/gatling-root.ejs', SAMPLES['gatling-root.ejs']))
      chmodSync(helper, 0o755)
    })
    after(() => cleanup())

    const runHelper = (...args: string[]) => spawnSync('/bin/sh', [helper, ...args], {encoding: 'utf8'})

    it('renders with the deploy user and paths, and passes `sh -n` and `bash -n`', () => {
      const text = readFileSync(helper, 'utf8')
      expect(text.startsWith('#!/bin/sh\n')).to.equal(true)
      expect(text).to.contain(`\nAPPS=${APPS_ROOT}\n`).and.contain(`\nSHARE=${SHARE_DIR}\n`).and.contain('\nDEPLOY_USER=gatling\n')
      const check = shSyntaxCheck(text)
      expect(check.status, check.stderr).to.equal(0)
      const bash = spawnSync('bash', ['-n', helper], {encoding: 'utf8'})
      expect(bash.status, bash.stderr).to.equal(0)
    })

    it('prints its usage for an unknown subcommand', () => {
      for (const args of [[], ['rm-rf'], ['--help']]) {
        const run = runHelper(...args)
        expect(run.status, args.join(' ')).to.equal(2)
        expect(run.stderr).to.match(/^gatling-root: usage: gatling-root app-init\|ports\|env\|unit\|site/)
      }
    })

    it('refuses invalid app names before doing anything', () => {
      for (const bad of ['Hello', '../etc', 'a;id', '$(id)', 'x'.repeat(40), '']) {
        const run = runHelper('ports', bad)
        expect(run.status, bad).to.equal(2)
        expect(run.stderr, bad).to.equal(`gatling-root: invalid argument: ${bad}\n`)
      }
    })

    it('refuses an app that was never initialised', () => {
      const run = runHelper('start', 'no_such_gatling_app', '4000', '0.1.0')
      expect(run.status).to.equal(2)
      expect(run.stderr).to.equal('gatling-root: unknown app: no_such_gatling_app\n')
    })
  })

  describe('pre-receive hook', () => {
    let dir: string
    let cleanup: () => void
    let hook: string
    let log: string
    before(() => {
      ;({dir, cleanup} = tempDir('gatling-unit-hook-'))
      log = join(dir, 'deploy.log')
      const deploy = join(dir, 'deploy')
      writeFileSync(deploy, `#!/bin/sh\necho "deploy $*" >> '${log}'\n`)
      chmodSync(deploy, 0o755)
      hook = join(dir, 'pre-receive')
      writeFileSync(hook, render('server/pre-receive.ejs', {app: 'hello', deployScript: deploy}))
    })
    after(() => cleanup())

    const push = (refs: string, env: Record<string, string> = {}) => {
      writeFileSync(log, '')
      const run = spawnSync('/bin/sh', [hook], {input: refs, encoding: 'utf8', env: {PATH: process.env.PATH, ...env}})
      return {status: run.status, log: readFileSync(log, 'utf8')}
    }
    const zero = '0'.repeat(40)
    const a = 'a'.repeat(40)
    const b = 'b'.repeat(40)

    it('passes `sh -n`', () => {
      const check = shSyntaxCheck(readFileSync(hook, 'utf8'))
      expect(check.status, check.stderr).to.equal(0)
    })

    it('deploys the pushed branch commit', () => {
      expect(push(`${a} ${b} refs/heads/main\n`)).to.deep.equal({status: 0, log: `deploy ${b}\n`})
    })

    it('ignores tags and branch deletions', () => {
      expect(push(`${zero} ${a} refs/tags/v1\n`).log).to.equal('')
      expect(push(`${a} ${zero} refs/heads/old\n`).log).to.equal('')
    })

    it('stands aside when gatling push sent the gatling-cli push option', () => {
      const env = {GIT_PUSH_OPTION_COUNT: '2', GIT_PUSH_OPTION_0: 'other', GIT_PUSH_OPTION_1: 'gatling-cli'}
      expect(push(`${a} ${b} refs/heads/main\n`, env)).to.deep.equal({status: 0, log: ''})
      expect(push(`${a} ${b} refs/heads/main\n`, {GIT_PUSH_OPTION_COUNT: '1', GIT_PUSH_OPTION_0: 'not-gatling'}).log).to.equal(`deploy ${b}\n`)
    })

    it('propagates a failed deploy, rejecting the push', () => {
      const failing = join(dir, 'deploy-fails')
      writeFileSync(failing, '#!/bin/sh\nexit 1\n')
      chmodSync(failing, 0o755)
      const failingHook = join(dir, 'pre-receive-failing')
      writeFileSync(failingHook, render('server/pre-receive.ejs', {app: 'hello', deployScript: failing}))
      const run = spawnSync('/bin/sh', [failingHook], {input: `${a} ${b} refs/heads/main\n`, encoding: 'utf8'})
      expect(run.status).to.equal(1)
    })
  })

  describe('deploy.sh', () => {
    it('renders an empty pipeline into a valid script', () => {
      const script = render('server/deploy.sh.ejs', {app: 'hello', steps: []})
      const check = shSyntaxCheck(script)
      expect(check.status, check.stderr).to.equal(0)
      expect(script).to.contain('-----> gatling: deploying hello')
    })
  })
})
