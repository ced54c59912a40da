import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {DeployContext} from '../../../src/context.js'
import {runPipeline} from '../../../src/pipeline/runner.js'
import {renderScript} from '../../../src/pipeline/script.js'
import {appFilesPipeline, deployPipeline, deployScript, prepareAppPipeline, upgradePath} from '../../../src/pipelines/deploy.js'
import {quote, shellVar} from '../../../src/remote/shell.js'
import {HELPER} from '../../../src/server/layout.js'
import {hotUpgrade} from '../../../src/steps/hot-upgrade.js'
import {prepareApp} from '../../../src/steps/prepare-app.js'
import {FakeServer, deployContext, git, hookData, localConnection, quietly, scriptsOf, shSyntaxCheck} from '../support.js'

const SECRET = 'SECRET_KEY_BASE="do-not-leak-3f9a8c7e"\nDATABASE_URL="ecto://u:hunter2@db/app"\n'
const titles = deployPipeline.map((s) => s.title)
const HOT = ['Hot upgrade the running node']
const RESTART = ['Start the new release', 'Health check of the new release', 'Switch traffic to the new release']

/** The context push.ts renders the hook's script with: the commit is $REV, no env file. */
const hookContext = (overrides: Partial<DeployContext> = {}): DeployContext =>
  deployContext({rev: shellVar('REV'), domains: ['example.com', 'www.example.com'], envFile: undefined, ...overrides})

describe('pipelines/deploy', () => {
  describe('the pipeline', () => {
    it('runs the steps in the documented order', () => {
      expect(titles).to.deep.equal([
        'Install the pinned Erlang/OTP and Elixir',
        'Check out the pushed commit',
        'Set the release version',
        'mix deps.get',
        'mix deps.compile',
        'mix compile',
        'Build assets',
        'mix release',
        'Install the release',
        'Write the environment file',
        'Install the systemd unit',
        'Create the database',
        'Schedule database backups',
        'Run migrations',
        'Decide: hot upgrade or restart',
        'Install your own certificate',
        'Install the nginx site',
        'Obtain the HTTPS certificate',
        ...HOT,
        ...RESTART,
        'Health check through nginx',
        'Mark the release current',
        'Prune old releases',
      ])
    })

    it('writes the env file and migrates before the new release starts, marks it current once nginx serves it, prunes last', () => {
      const at = (title: string) => titles.indexOf(title)
      expect(at('Write the environment file')).to.be.lessThan(at('Start the new release'))
      expect(at('Run migrations')).to.be.lessThan(at('Start the new release'))
      expect(at('Run migrations'), 'before the hot code load').to.be.lessThan(at(HOT[0]))
      expect(at('Create the database'), 'the first deploy makes the database its migrations need').to.be.lessThan(at('Run migrations'))
      expect(at('Install the nginx site'), 'the site before the fork: both paths need it').to.be.lessThan(at(HOT[0]))
      expect(at('Health check of the new release')).to.be.lessThan(at('Switch traffic to the new release'))
      expect(at('Mark the release current')).to.be.greaterThan(at('Health check through nginx'))
      expect(titles.at(-1)).to.equal('Prune old releases')
    })

    it('forks on state/path: the hot upgrade on "hot", the zero-downtime restart on "restart" or "first", after it', () => {
      const ctx = deployContext()
      const guarded = deployPipeline.filter((s) => s.onlyIf && s.title !== 'Build assets')
      expect(guarded.map((s) => s.title)).to.deep.equal([...HOT, ...RESTART])
      expect(guarded.map((s) => s.onlyIf!(ctx).script)).to.deep.equal([
        'grep -qx -e hot /srv/gatling/hello/state/path',
        ...RESTART.map(() => 'grep -qx -e restart -e first /srv/gatling/hello/state/path'),
      ])
      expect(upgradePath([hotUpgrade]).map((s) => s.title)).to.deep.equal([...HOT, ...RESTART])
    })

    it('produces only one-line shell text that `sh -n` accepts, with a literal commit and with $REV', function () {
      this.timeout(30_000)
      const scripts: string[] = []
      for (const ctx of [deployContext(), deployContext({rev: shellVar('REV'), domains: [], forceRestart: true, envFile: 'A=1\n'})]) {
        for (const step of [...prepareAppPipeline, ...deployPipeline]) if (!step.skip?.(ctx)) scripts.push(...scriptsOf(step, ctx))
      }
      for (const script of scripts) expect(script, script).to.not.contain('\n')
      // one sh -n for all of them: each in a function of its own
      const check = shSyntaxCheck(scripts.map((s, i) => `f${i}() {\n${s}\n}`).join('\n'))
      expect(check.status, check.stderr).to.equal(0)
    })

    it('acts as root only through `sudo -n gatling-root SUBCOMMAND APP`, never with the sudo flag', () => {
      const ctx = deployContext({envFile: 'A=1\n'})
      for (const step of [...prepareAppPipeline, ...deployPipeline]) {
        for (const command of step.commands(ctx)) {
          expect(command.sudo, step.title).to.equal(undefined)
          if (command.script.includes('sudo')) expect(command.script, step.title).to.match(new RegExp(`^sudo -n ${HELPER} [a-z-]+ hello( |$)`))
        }
      }
    })

    it('prepares the app first, then its repository and hook, whose deploy script is this pipeline', () => {
      expect(prepareAppPipeline).to.deep.equal([prepareApp])
      const ctx = deployContext()
      const files = appFilesPipeline(ctx)
      expect(files.map((s) => s.title)).to.deep.equal(['Create the git repository', 'Install the git hook and deploy tools'])
      const deployFile = files[1].commands(ctx).find((c) => c.script.includes('/srv/gatling/hello/tools/deploy.gatling-new'))!
      expect(deployFile.input).to.equal(deployScript(ctx))
    })
  })

  describe("deployScript: the pipeline as the git hook's script", () => {
    it('is accepted by `sh -n` (dash) and `bash -n`', () => {
      const script = deployScript(hookContext())
      for (const shell of ['/bin/sh', 'bash']) {
        const check = shSyntaxCheck(script, shell)
        expect(check.status, `${shell}: ${check.stderr}`).to.equal(0)
      }
    })

    it("runs every mix command of the build with gatling.json's build.env, as the CLI does", () => {
      const script = deployScript(deployContext({buildEnv: {HEX_MIRROR: 'http://127.0.0.1:9/'}}))
      const env = 'env HEX_MIRROR=http://127.0.0.1:9/ MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3'
      for (const command of ['/srv/gatling/hello/tools/gatling-deploy deps-get', 'mix deps.compile', 'mix compile', '/srv/gatling/hello/tools/gatling-deploy assets', 'mix release']) {
        expect(script, command).to.contain(`${env} ${command}`)
      }
      expect(script.split('MIX_ENV=prod').length - 1, 'no mix command without it').to.equal(script.split('HEX_MIRROR=').length - 1)
    })

    it('starts with a shebang, takes the commit from $1 and never hard-codes one', () => {
      const script = deployScript(deployContext())
      expect(script.startsWith('#!/bin/sh\n')).to.equal(true)
      expect(script).to.contain('\nREV=$1\n')
      expect(script).to.contain('"$REV"')
      expect(script).to.not.match(/\b[0-9a-f]{40}\b/)
    })

    it('announces every step that runs in the hook, in pipeline order, and only those', () => {
      const ctx = hookContext()
      const script = deployScript(ctx)
      // a step skipped in this context (no HTTPS) is left out of the script
      const expected = deployPipeline.filter((step) => !step.cliOnly && !step.skip?.(ctx)).map((step) => step.title)
      const announced = [...script.matchAll(/^echo "-----> "(.*)$/gm)].map((m) => m[1])
      expect(announced).to.deep.equal(expected.map((title) => quote(title)))
    })

    it('leaves out the CLI-only step (the env file), even when the context has one, and never contains the secrets', () => {
      const cliOnly = deployPipeline.filter((step) => step.cliOnly)
      expect(cliOnly.map((s) => s.title)).to.deep.equal(['Write the environment file', 'Install your own certificate'])
      for (const script of [deployScript(hookContext({envFile: SECRET})), renderScript('server/deploy.sh.ejs', deployPipeline, hookContext({envFile: SECRET}), hookData('hello'))]) {
        for (const step of cliOnly) expect(script).to.not.contain(step.title)
        expect(script).to.not.contain('gatling-root env')
        for (const needle of ['do-not-leak', 'hunter2', 'SECRET_KEY_BASE', Buffer.from(SECRET).toString('base64').slice(0, 24)]) expect(script).to.not.contain(needle)
      }
    })

    it('decides hot or restart on the server (never forced by the CLI flag) and keeps the app paths and gatling-root calls', () => {
      const script = deployScript(hookContext({forceRestart: true}))
      expect(script).to.contain('/srv/gatling/hello/tools/gatling-deploy decide\n').and.not.contain('decide --restart')
      expect(script).to.contain('/srv/gatling/hello/tools/gatling-deploy checkout "$REV"\n')
      expect(script).to.contain(`sudo -n ${HELPER} site hello example.com www.example.com`)
      expect(script).to.contain(`sudo -n ${HELPER} prune hello 5`)
    })
  })

  // The whole pipeline, run by both drivers against stub programs: gatling-deploy and sudo only record
  // (the tool's own behaviour is tested in test/unit/server and, for the checkout, test/unit/steps).
  describe('both drivers run the fork the same way', function () {
    this.timeout(30_000)

    let server: FakeServer
    let sha: string
    beforeEach(() => {
      server = new FakeServer()
      server.stubDeployTool()
      const paths = server.paths()
      const work = join(server.root, 'work')
      mkdirSync(work)
      git(work, 'init', '-q')
      writeFileSync(join(work, 'mix.exs'), 'defmodule Hello.MixProject do\nend\n')
      git(work, 'add', '-A')
      git(work, 'commit', '-q', '-m', 'v1')
      git(server.root, 'clone', '-q', '--bare', work, paths.repo)
      sha = git(work, 'rev-parse', 'HEAD')
    })
    afterEach(() => server.cleanup())

    const decide = (decision: string, refused = false) => {
      server.writeState('decision', `${decision}\n`)
      if (refused) server.writeState('hot-refused', '')
    }
    /** What ran, in order: the deploy tool's subcommands, gatling-root's, mix's. */
    const sequence = () =>
      server.calls().flatMap(([program, ...args]) =>
        program === 'gatling-deploy' ? [`deploy ${args.join(' ')}`] : program === 'sudo' ? [`root ${args.slice(2).join(' ')}`] : program === 'mix' ? [`mix ${args[0]}`] : [],
      )

    const drivers = {
      async 'the task tree (runner)'() {
        const {connection} = localConnection(server.env, (script) => server.here(script))
        await quietly(() => runPipeline(deployPipeline, deployContext({rev: sha, operator: 'Jane Doe <jane@example.com>'}), connection, {plain: true, dryRun: false, print: () => {}}))
      },
      async 'the git hook script (sh)'() {
        const file = join(server.root, 'deploy')
        writeFileSync(file, server.here(deployScript(deployContext())))
        const run = spawnSync('/bin/sh', [file, sha], {encoding: 'utf8', env: server.env})
        expect(run.status, run.stdout + run.stderr).to.equal(0)
        expect(run.stdout).to.contain(`-----> gatling: deploying hello ${sha.slice(0, 12)}\n`)
      },
    }

    const BEFORE_FORK = () => [`deploy checkout ${sha}`, 'deploy version', 'deploy deps-get', 'mix deps.compile', 'mix compile', 'mix release', 'root install-release hello 0.1.0+1', 'root unit hello', 'root migrate hello 0.1.0+1 Hello.Release', 'deploy decide', 'root site hello example.com']
    const HOT_CALLS = ['deploy hot-upgrade']
    const RESTART_CALLS = ['deploy start', 'deploy health-instance /health example.com', 'root switch hello 4001 /health example.com']
    // who deployed, for the release's record: the operator the CLI sent, "git push" in the hook
    const OPERATOR: Record<string, string> = {'the task tree (runner)': 'Jane Doe <jane@example.com>', 'the git hook script (sh)': 'git push'}

    for (const [driver, run] of Object.entries(drivers)) {
      const AFTER_FORK = ['deploy health-nginx /health example.com', `deploy mark-current ${OPERATOR[driver]} deploy`, 'root prune hello 5']
      // the hook records the deploy in the audit log itself (the CLI does around the pipeline: operation.ts)
      const audit = (how: string) => (driver.includes('hook') ? [`root audit hello deploy ok 0.1.0+1 git-push - git push (${how})`] : [])
      describe(driver, () => {
        it('runs only the hot upgrade when decide said hot', async () => {
          decide('hot')
          await run()
          expect(sequence()).to.deep.equal([...BEFORE_FORK(), ...HOT_CALLS, ...AFTER_FORK, ...audit('hot')])
        })

        for (const decision of ['restart', 'first']) {
          it(`runs only the zero-downtime restart when decide said ${decision}`, async () => {
            decide(decision)
            await run()
            expect(sequence()).to.deep.equal([...BEFORE_FORK(), ...RESTART_CALLS, ...AFTER_FORK, ...audit(decision)])
          })
        }

        it('runs the restart after a refused hot upgrade wrote "restart"', async () => {
          decide('hot', true)
          await run()
          expect(sequence()).to.deep.equal([...BEFORE_FORK(), ...HOT_CALLS, ...RESTART_CALLS, ...AFTER_FORK, ...audit('restart')])
        })
      })
    }
  })
})
