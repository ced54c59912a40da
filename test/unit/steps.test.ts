import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {type DeployContext, type SetupContext, appPaths} from '../../src/context.js'
import {GatlingError} from '../../src/errors.js'
import type {ExecResult} from '../../src/remote/connection.js'
import type {Step} from '../../src/pipeline/step.js'
import {deployPipeline, prepareAppPipeline} from '../../src/pipelines/deploy.js'
import {setupPipeline} from '../../src/pipelines/setup.js'
import {shellVar, sh} from '../../src/remote/shell.js'
import {authorizeDeployKeys} from '../../src/steps/authorize-deploy-keys.js'
import {checkout} from '../../src/steps/checkout.js'
import {configureFirewall} from '../../src/steps/configure-firewall.js'
import {createDeployUser} from '../../src/steps/create-deploy-user.js'
import {createSwap} from '../../src/steps/create-swap.js'
import {helper, moduleName} from '../../src/steps/deploy-support.js'
import {assertSupported, detectSystem, parseOsRelease} from '../../src/steps/detect-system.js'
import {PACKAGES, installPackages} from '../../src/steps/install-packages.js'
import {installPrivilegedHelper} from '../../src/steps/install-privileged-helper.js'
import {mixDepsGet} from '../../src/steps/mix-deps-get.js'
import {pruneReleases} from '../../src/steps/prune-releases.js'
import {runMigrations} from '../../src/steps/run-migrations.js'
import {writeEnvFile} from '../../src/steps/write-env-file.js'
import {git, shSyntaxCheck, tempDir} from './support.js'

const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE7x3cS5Dq0wY4m6Zt2Qm8Z0u0yS7Z2hKq5b3Wc1Xy9P alice@laptop'

const setupContext = (overrides: Partial<SetupContext> = {}): SetupContext => ({
  host: '203.0.113.10',
  sshPort: 22,
  loginUser: 'root',
  deployUser: 'gatling',
  authorizedKeys: [ED25519],
  ...overrides,
})

const deployContext = (overrides: Partial<DeployContext> = {}): DeployContext => ({
  app: 'hello_world',
  host: '203.0.113.10',
  rev: '0123456789abcdef0123456789abcdef01234567',
  healthPath: '/health',
  domains: ['example.com'],
  keepReleases: 3,
  paths: appPaths('hello_world'),
  ...overrides,
})

const result = (stdout: string): ExecResult => ({code: 0, stdout, stderr: '', tail: []})

const OS_RELEASE = {
  debian11: 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nNAME="Debian GNU/Linux"\nVERSION_ID="11"\nVERSION="11 (bullseye)"\nID=debian\n',
  debian12: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n',
  debian13: 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\nID=debian\n',
  ubuntu2004: 'NAME="Ubuntu"\nVERSION="20.04.6 LTS (Focal Fossa)"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 20.04.6 LTS"\nVERSION_ID="20.04"\n',
  ubuntu2204: 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n',
  ubuntu2404: 'PRETTY_NAME="Ubuntu 24.04 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n',
  centos: 'NAME="CentOS Stream"\nVERSION="9"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="9"\nPRETTY_NAME="CentOS Stream 9"\n',
}

/** Every shell text a step produces: onlyIf, checks and commands. */
function scriptsOf<C>(step: Step<C>, ctx: C): string[] {
  return [...(step.onlyIf ? [step.onlyIf(ctx)] : []), ...(step.check ? [step.check(ctx)].flat() : []), ...step.commands(ctx)].map((c) => c.script)
}

describe('steps', () => {
  describe('setup pipeline', () => {
    it('runs the steps in the documented order', () => {
      expect(setupPipeline.map((s) => s.title)).to.deep.equal([
        'Detect the operating system',
        'Install nginx, git, Erlang, Elixir and build tools',
        'Create a 1 GB swap file',
        'Create the deploy user',
        'Authorize your SSH key for the deploy user',
        'Install gatling-root and its sudo rule',
        'Bind epmd to loopback',
        "Replace nginx's default site",
        'Firewall: allow only SSH, HTTP and HTTPS',
      ])
    })

    it('produces only shell text that `sh -n` accepts', function () {
      this.timeout(20_000)
      const ctx = setupContext({os: {id: 'debian', versionId: '12', prettyName: 'Debian 12', container: false}})
      for (const step of setupPipeline) {
        for (const script of scriptsOf(step, ctx)) {
          const check = shSyntaxCheck(script)
          expect(check.status, `${step.title}: ${script}\n${check.stderr}`).to.equal(0)
        }
      }
    })

    it('installPackages: apt-get update, then install of the whole package list, non-interactive, as root', () => {
      const [update, install] = installPackages.commands(setupContext())
      expect(installPackages.commands(setupContext())).to.have.length(2)
      expect(update.sudo).to.equal(true)
      expect(install.sudo).to.equal(true)
      expect(update.script).to.equal('export DEBIAN_FRONTEND=noninteractive && apt-get -q -o Dpkg::Use-Pty=0 update')
      expect(install.script).to.equal(`export DEBIAN_FRONTEND=noninteractive && apt-get -q -o Dpkg::Use-Pty=0 install -y --no-install-recommends ${PACKAGES.join(' ')}`)
      for (const pkg of ['nginx', 'git', 'elixir', 'erlang-dev', 'nftables', 'sudo', 'build-essential']) expect(PACKAGES).to.include(pkg)
      const check = installPackages.check!(setupContext())
      expect([check].flat()[0].script).to.contain(sh('dpkg-query', '-W', ...PACKAGES))
    })

    it('createSwap is skipped in a container only', () => {
      expect(createSwap.skip!(setupContext({os: {id: 'debian', versionId: '12', prettyName: '', container: true}}))).to.match(/container/)
      expect(createSwap.skip!(setupContext({os: {id: 'debian', versionId: '12', prettyName: '', container: false}}))).to.equal(false)
      expect(createSwap.commands(setupContext())[0].script).to.match(/^fallocate -l 1G \/swapfile && chmod 600 \/swapfile && mkswap \/swapfile && swapon \/swapfile && /)
    })

    it('createDeployUser creates the user only if missing, then its directories', () => {
      const [user, dirs] = createDeployUser.commands(setupContext({deployUser: 'deployer'}))
      expect(user).to.deep.equal({script: 'id -u deployer >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --user-group deployer', sudo: true})
      expect(dirs.script).to.equal('install -d -m 0755 -o deployer -g deployer /srv/gatling && install -d -m 0700 -o deployer -g deployer /home/deployer/.ssh')
    })

    it('authorizeDeployKeys writes authorized_keys 0600, owned by the deploy user, with every key', () => {
      const keys = [ED25519, 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 bob@desk']
      const [write] = authorizeDeployKeys.commands(setupContext({authorizedKeys: keys}))
      expect(write.script).to.equal('install -m 0600 -o gatling -g gatling /dev/stdin /home/gatling/.ssh/authorized_keys.gatling-new && mv -f /home/gatling/.ssh/authorized_keys.gatling-new /home/gatling/.ssh/authorized_keys')
      expect(write.sudo).to.equal(true)
      const lines = write.input!.split('\n').filter((l) => l && !l.startsWith('#'))
      expect(lines).to.deep.equal(keys)
      expect([authorizeDeployKeys.check!(setupContext({authorizedKeys: keys}))].flat()[0].input).to.equal(write.input)
    })

    it('configureFirewall checks the rules with nft -c before they replace the live ones, and opens the SSH port', () => {
      const [rules, enable] = configureFirewall.commands(setupContext({sshPort: 2222}))
      expect(rules.script).to.equal('install -m 0755 /dev/stdin /etc/nftables.conf.gatling-new && nft -c -f /etc/nftables.conf.gatling-new && mv -f /etc/nftables.conf.gatling-new /etc/nftables.conf')
      expect(rules.input).to.contain('tcp dport { 2222, 80, 443 } accept')
      expect(rules.input).to.contain('policy drop')
      expect(enable.script).to.equal('systemctl enable --quiet nftables && systemctl restart nftables')
    })

    it('installPrivilegedHelper checks the sudo rule with visudo before it goes live', () => {
      const commands = installPrivilegedHelper.commands(setupContext())
      const last = commands.at(-1)!
      expect(last.script).to.equal('install -m 0440 /dev/stdin /etc/sudoers.d/.gatling-new && visudo -cqf /etc/sudoers.d/.gatling-new && mv -f /etc/sudoers.d/.gatling-new /etc/sudoers.d/gatling')
      expect(last.input).to.contain('gatling ALL=(root) NOPASSWD: /usr/local/sbin/gatling-root')
      const helperWrite = commands.find((c) => c.script.includes('/usr/local/sbin/gatling-root.gatling-new'))!
      expect(helperWrite.script).to.match(/^install -m 0755 -o root -g root \/dev\/stdin \/usr\/local\/sbin\/gatling-root\.gatling-new && mv -f/)
      expect(helperWrite.input).to.contain('DEPLOY_USER=gatling')
      // the per-app templates ship with placeholders gatling-root fills in
      const unit = commands.find((c) => c.script.includes('app@.service'))!
      expect(unit.input).to.contain('User=@@APP@@').and.contain('ExecStart=@@APPS@@/@@APP@@/slots/%i/bin/@@APP@@ start')
    })
  })

  describe('detect-system', () => {
    it('reads /etc/os-release and the container check, read-only', () => {
      expect(detectSystem.readOnly).to.equal(true)
      expect(detectSystem.commands(setupContext()).map((c) => c.script)).to.deep.equal(['cat /etc/os-release', 'systemd-detect-virt --container || true'])
    })

    it('parseOsRelease unquotes values and ignores other lines', () => {
      expect(parseOsRelease(OS_RELEASE.debian12)).to.deep.include({ID: 'debian', VERSION_ID: '12', PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)', VERSION_CODENAME: 'bookworm'})
      expect(parseOsRelease(OS_RELEASE.centos)).to.deep.include({ID: 'centos', ID_LIKE: 'rhel fedora'})
      expect(parseOsRelease('# comment\n\n  ID=debian  \ngarbage\nlower=case\n')).to.deep.equal({ID: 'debian'})
    })

    it('parses the os-release of this machine', function () {
      if (!existsSync('/etc/os-release')) this.skip()
      const fields = parseOsRelease(readFileSync('/etc/os-release', 'utf8'))
      expect(fields.ID).to.match(/^[a-z0-9._-]+$/)
    })

    const refusal = (id: string, versionId: string, prettyName: string): GatlingError => {
      try {
        assertSupported(id, versionId, prettyName, 'web1')
      } catch (error) {
        return error as GatlingError
      }
      throw new Error(`${prettyName} was accepted`)
    }

    it('refuses Debian 11 and Ubuntu 20.04, naming their too-old Elixir', () => {
      const debian = refusal('debian', '11', 'Debian GNU/Linux 11 (bullseye)')
      expect(debian).to.be.instanceOf(GatlingError)
      expect(debian.message).to.match(/^web1 runs Debian GNU\/Linux 11 \(bullseye\), whose packaged Elixir \(1\.10\) is too old for gatling/)
      expect(debian.message).to.contain('gatling supports Debian 12 (bookworm) and 13 (trixie), and Ubuntu 22.04 and newer')
      expect(debian.message).to.contain('Nothing was changed.')
      expect(refusal('ubuntu', '20.04', 'Ubuntu 20.04.6 LTS').message).to.match(/Ubuntu 20\.04\.6 LTS, whose packaged Elixir \(1\.9\) is too old/)
      expect(refusal('debian', '10', 'Debian 10').message).to.contain('(1.7)')
      expect(refusal('ubuntu', '21.10', 'Ubuntu 21.10').message).to.match(/whose packaged Elixir is too old/)
    })

    it('refuses other distributions', () => {
      const centos = refusal('centos', '9', 'CentOS Stream 9')
      expect(centos.message).to.equal('web1 runs CentOS Stream 9, which gatling cannot provision: gatling supports Debian 12 (bookworm) and 13 (trixie), and Ubuntu 22.04 and newer. Nothing was changed.')
      expect(refusal('alpine', '3.19', '').message).to.match(/^web1 runs alpine, which gatling cannot provision/)
    })

    it('accepts Debian 12 and 13, Ubuntu 22.04 and 24.04', () => {
      for (const [id, version] of [['debian', '12'], ['debian', '13'], ['ubuntu', '22.04'], ['ubuntu', '24.04'], ['ubuntu', '24.10']]) {
        expect(() => assertSupported(id, version, `${id} ${version}`, 'web1'), `${id} ${version}`).to.not.throw()
      }
    })

    it('after() records the OS and whether it is a container, or refuses an old one', () => {
      const cases: Array<[string, string, boolean]> = [[OS_RELEASE.debian12, 'none\n', false], [OS_RELEASE.debian13, '', false], [OS_RELEASE.ubuntu2204, 'lxc\n', true], [OS_RELEASE.ubuntu2404, 'docker\n', true]]
      for (const [osRelease, virt, container] of cases) {
        const ctx = setupContext()
        detectSystem.after!(ctx, [result(osRelease), result(virt)])
        expect(ctx.os?.container, osRelease).to.equal(container)
      }
      const ctx = setupContext()
      detectSystem.after!(ctx, [result(OS_RELEASE.debian12), result('none\n')])
      expect(ctx.os).to.deep.equal({id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', container: false})
      for (const old of [OS_RELEASE.debian11, OS_RELEASE.ubuntu2004, OS_RELEASE.centos]) {
        const refused = setupContext()
        expect(() => detectSystem.after!(refused, [result(old), result('none')])).to.throw(GatlingError, /Nothing was changed\./)
        expect(refused.os).to.equal(undefined)
      }
    })
  })

  describe('deploy steps', () => {
    it('produce only shell text that `sh -n` accepts, with a literal commit and with $REV', function () {
      this.timeout(30_000)
      for (const ctx of [deployContext(), deployContext({rev: shellVar('REV'), domains: [], forceRestart: true})]) {
        for (const step of [...prepareAppPipeline(ctx), ...deployPipeline]) {
          if (step.skip?.(ctx)) continue
          for (const script of scriptsOf(step, ctx)) {
            const check = shSyntaxCheck(script)
            expect(check.status, `${step.title}: ${script}\n${check.stderr}`).to.equal(0)
          }
        }
      }
    })

    it('call gatling-root through sudo -n with the app name first', () => {
      expect(helper(deployContext(), 'start', 4000, '0.1.0+1')).to.equal('sudo -n /usr/local/sbin/gatling-root start hello_world 4000 0.1.0+1')
      expect(pruneReleases.commands(deployContext())[0].script).to.equal('sudo -n /usr/local/sbin/gatling-root prune hello_world 3')
    })

    it('run mix in the build directory with MIX_ENV=prod', () => {
      expect(mixDepsGet.commands(deployContext())[0].script).to.equal('cd /srv/gatling/hello_world/build && env MIX_ENV=prod LANG=C.UTF-8 mix deps.get --only prod')
    })

    it('moduleName camel-cases the app name as Elixir does', () => {
      expect(moduleName('hello_world')).to.equal('HelloWorld')
      expect(moduleName('app')).to.equal('App')
      expect(moduleName('my_app2_x')).to.equal('MyApp2X')
    })

    it('runMigrations runs APP.Release.migrate() in the new release, only if the module exists', () => {
      const ctx = deployContext()
      expect(runMigrations.commands(ctx)[0].script).to.equal(`sudo -n /usr/local/sbin/gatling-root eval hello_world "$(cat /srv/gatling/hello_world/state/vsn)" 'HelloWorld.Release.migrate()'`)
      expect(runMigrations.onlyIf!(ctx).script).to.contain('Elixir.HelloWorld.Release.beam')
    })

    it('writeEnvFile is CLI-only, skipped without an env file, and sends it as secret input', () => {
      expect(writeEnvFile.cliOnly).to.equal(true)
      expect(writeEnvFile.skip!(deployContext())).to.match(/no local env file/)
      const ctx = deployContext({envFile: 'A="1"\n'})
      expect(writeEnvFile.skip!(ctx)).to.equal(false)
      expect(writeEnvFile.commands(ctx)).to.deep.equal([{script: 'sudo -n /usr/local/sbin/gatling-root env hello_world', input: 'A="1"\n', secretInput: true}])
    })

    it('the deploy pipeline writes the env file before the new release starts, and marks it current last but pruning', () => {
      const titles = deployPipeline.map((s) => s.title)
      const at = (title: string) => {
        expect(titles, title).to.include(title)
        return titles.indexOf(title)
      }
      expect(at('Check out the pushed commit')).to.equal(0)
      expect(at('Write the environment file')).to.be.lessThan(at('Start the new release'))
      expect(at('Run migrations')).to.be.lessThan(at('Start the new release'))
      expect(at('Health check of the new release')).to.be.lessThan(at('Switch traffic to the new release'))
      expect(at('Mark the release current')).to.be.greaterThan(at('Health check through nginx'))
      expect(titles.at(-1)).to.equal('Prune old releases')
    })
  })

  describe('checkout, run for real against a temp repository', () => {
    let dir: string
    let cleanup: () => void
    let repo: string
    let work: string
    beforeEach(() => {
      ;({dir, cleanup} = tempDir('gatling-unit-checkout-'))
      work = join(dir, 'work')
      repo = join(dir, 'repo.git')
      mkdirSync(work)
      git(work, 'init', '-q')
      writeFileSync(join(work, 'mix.exs'), 'defmodule Hello.MixProject do\nend\n')
      mkdirSync(join(work, 'lib'))
      writeFileSync(join(work, 'lib', "it's here.ex"), 'v1\n')
      git(work, 'add', '-A')
      git(work, 'commit', '-q', '-m', 'v1')
      git(dir, 'clone', '-q', '--bare', work, repo)
    })
    afterEach(() => cleanup())

    const runCheckout = (rev: DeployContext['rev'], env: Record<string, string> = {}) => {
      const build = join(dir, 'build')
      const ctx = deployContext({rev, paths: {...appPaths('hello'), build, repo}})
      const [command] = checkout.commands(ctx)
      return spawnSync('/bin/sh', ['-c', command.script], {encoding: 'utf8', env: {PATH: process.env.PATH, ...env}})
    }

    it('replaces the build directory with the commit, keeping only _build and deps', () => {
      const build = join(dir, 'build')
      mkdirSync(join(build, '_build'), {recursive: true})
      mkdirSync(join(build, 'deps'))
      writeFileSync(join(build, '_build', 'cache'), 'kept')
      writeFileSync(join(build, 'stale.txt'), 'removed')
      writeFileSync(join(build, '.hidden'), 'removed')
      const sha = git(work, 'rev-parse', 'HEAD')
      const run = runCheckout(shellVar('REV'), {REV: sha})
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.equal(`checked out ${sha.slice(0, 12)}\n`)
      expect(readdirSync(build).sort()).to.deep.equal(['_build', 'deps', 'lib', 'mix.exs'])
      expect(readFileSync(join(build, '_build', 'cache'), 'utf8')).to.equal('kept')
      expect(readFileSync(join(build, 'lib', "it's here.ex"), 'utf8')).to.equal('v1\n')
    })

    it('works with a literal commit too', () => {
      mkdirSync(join(dir, 'build'))
      const sha = git(work, 'rev-parse', 'HEAD')
      const run = runCheckout(sha)
      expect(run.status, run.stderr).to.equal(0)
      expect(existsSync(join(dir, 'build', 'mix.exs'))).to.equal(true)
    })

    it('fails on a commit the repository does not have', () => {
      mkdirSync(join(dir, 'build'))
      const run = runCheckout(shellVar('REV'), {REV: 'f'.repeat(40)})
      expect(run.status).to.not.equal(0)
    })

    it('does not run a hostile revision as shell code', () => {
      mkdirSync(join(dir, 'build'))
      const marker = join(dir, 'pwned')
      const run = runCheckout(shellVar('REV'), {REV: `HEAD; touch ${marker}; $(touch ${marker})`})
      expect(existsSync(marker)).to.equal(false)
      expect(run.status).to.not.equal(0)
    })
  })
})
