// tools/gatling-deploy (templates/server/gatling-deploy.sh.ejs, rendered by renderDeployTool), run for
// real with /bin/sh as the deploy user would: its root() calls go through the stub sudo to the
// rendered gatling-root, on the same temporary root (FakeServer in ../support.ts).
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {HELPER} from '../../../src/server/layout.js'
import {RELEASE_RECORD_FIELDS, STATE_KEYS, type StateKey} from '../../../src/server/state.js'
import {renderDeployTool} from '../../../src/steps/install-deploy-hook.js'
import {FakeServer, shSyntaxCheck} from '../support.js'

describe('server/gatling-deploy', function () {
  this.timeout(20_000)

  let server: FakeServer
  let apps: string
  let tools: string
  before(() => {
    server = new FakeServer()
    server.initApp()
    server.installDeployTool()
    apps = join(server.dirs.apps, 'hello')
    tools = join(apps, 'tools')
    writeFileSync(join(apps, 'build', 'mix.exs'), 'def project do\n  [app: :hello, version: "0.1.0", elixir: "~> 1.14"]\nend\n')
    server.resetCalls()
    server.snapshot()
  })
  beforeEach(() => server.restore())
  after(() => server.cleanup())

  const stateFile = (key: StateKey) => join(apps, 'state', STATE_KEYS[key])
  const state = (key: StateKey): string | undefined => (existsSync(stateFile(key)) ? readFileSync(stateFile(key), 'utf8') : undefined)
  const setState = (key: StateKey, value: string) => writeFileSync(stateFile(key), `${value}\n`)
  /** gatling-root subcommands gatling-deploy asked for through sudo. */
  const rootCalls = () => server.calls('sudo').map((args) => {
    expect(args.slice(0, 2)).to.deep.equal(['-n', HELPER])
    return args.slice(2)
  })
  /** The expressions it ran in the node (gatling-root run … rpc EXPR). */
  const rpcs = () => server.calls('systemd-run').map((args) => args.slice(args.indexOf('rpc') + 1)).filter((a) => a.length > 0).map((a) => a[0])
  /** Instance PORT serves VSN: nginx's upstream points at it and its unit is active. */
  const serving = (port: number, vsn: string) => {
    server.setUpstream(port)
    server.runInstance(port, vsn)
  }

  it('is rendered from the context: paths, state files, gatling-root, and it passes `sh -n`', () => {
    const text = renderDeployTool(server.context())
    expect(text).to.contain(`\nTOOLS=${tools}\n`).and.contain(`\nCURRENT=${apps}/current\n`)
    const check = shSyntaxCheck(text)
    expect(check.status, check.stderr).to.equal(0)
  })

  it('prints its usage for an unknown subcommand', () => {
    for (const args of [[], ['rm'], ['--help']]) {
      const run = server.deploy(args)
      expect(run.status).to.equal(2)
      expect(run.stderr).to.match(/^usage: gatling-deploy checkout\|version\|deps-get\|assets\|decide\|hot-upgrade\|start\|health-instance\|health-nginx\|plan-rollback\|hot-downgrade\|mark-current\|plan-restart\|stop\|status\|releases\|eval\|console\|lock\|lock-status\|lock-release\|env-reads\n$/)
    }
  })

  describe('version and mark-current: the deploy number', () => {
    it('is the number of deploys that served plus one, written into state with the version', () => {
      const run = server.deploy(['version'])
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.equal('release version 0.1.0+1\n')
      expect(state('number')).to.equal('1\n')
      expect(state('vsn')).to.equal('0.1.0+1\n')
      expect(server.calls('elixir')).to.deep.equal([[join(tools, 'set_version.exs'), join(apps, 'build', 'mix.exs'), '1']])
      setState('deploys', '7')
      expect(server.deploy(['version']).stdout).to.equal('release version 0.1.0+8\n')
      expect(state('deploys'), 'not counted before it serves').to.equal('7\n')
    })

    it('a failed deploy uses up no number: the next one gets the same', () => {
      setState('deploys', '7')
      server.deploy(['version'])
      // the deploy fails before mark-current; the next push starts again
      expect(server.deploy(['version']).stdout).to.equal('release version 0.1.0+8\n')
      expect(state('deploys')).to.equal('7\n')
    })

    it('mark-current makes the release current and only then counts its number', () => {
      setState('deploys', '7')
      server.deploy(['version'])
      server.addRelease('0.1.0+8')
      const run = server.deploy(['mark-current', 'Jane Doe <jane@example.com>', 'deploy'])
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.equal('current release: 0.1.0+8\n')
      expect(readlinkSync(join(apps, 'current'))).to.equal('releases/0.1.0+8')
      expect(rootCalls()).to.deep.equal([['mark-current', 'hello', '0.1.0+8']])
      expect(state('deploys')).to.equal('8\n')
      expect(state('number')).to.equal(undefined)
      expect(server.deploy(['version']).stdout).to.equal('release version 0.1.0+9\n')
    })

    it('mark-current counts nothing when gatling-root refuses, or when there is no new number (a rollback)', () => {
      setState('deploys', '7')
      server.deploy(['version']) // 0.1.0+8, never installed
      expect(server.deploy(['mark-current', 'git push', 'deploy']).status).to.equal(2)
      expect(state('deploys')).to.equal('7\n')
      expect(state('number')).to.equal('8\n')
      server.addRelease('0.1.0+5')
      setState('vsn', '0.1.0+5')
      writeFileSync(stateFile('number'), '')
      expect(server.deploy(['mark-current', 'git push', 'rollback']).status).to.equal(0)
      expect(state('deploys')).to.equal('7\n')
    })
  })

  describe('mark-current: the release record; releases', () => {
    const record = (vsn: string) => readFileSync(join(apps, 'state', 'releases', vsn), 'utf8')
    const fields = (vsn: string) => Object.fromEntries(record(vsn).trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))

    it('records the commit, the time, who and how, and names the fields of src/server/state.ts only', () => {
      server.addRelease('0.1.0+1')
      setState('vsn', '0.1.0+1')
      setState('path', 'first')
      setState('commit', 'a'.repeat(40))
      const run = server.deploy(['mark-current', 'Jane Doe <jane@example.com>', 'deploy'])
      expect(run.status, run.stderr).to.equal(0)
      const f = fields('0.1.0+1')
      expect(Object.keys(f)).to.deep.equal(Object.keys(RELEASE_RECORD_FIELDS))
      expect(f).to.deep.include({version: '0.1.0+1', commit: 'a'.repeat(40), by: 'Jane Doe <jane@example.com>', how: 'first', path: 'first'})
      expect(Math.abs(Date.parse(f.time) - Date.now())).to.be.lessThan(60_000)
      expect(record('0.1.0+1')).to.equal(readFileSync(join(apps, 'state', 'releases', '0.1.0+1'), 'utf8'))
    })

    it('a rollback keeps the commit of the release it goes back to, says rollback and how it reached the node', () => {
      for (const [n, path, commit] of [[1, 'first', 'a'], [2, 'hot', 'b']] as const) {
        server.addRelease(`0.1.0+${n}`)
        setState('vsn', `0.1.0+${n}`)
        setState('path', path)
        setState('commit', commit.repeat(40))
        expect(server.deploy(['mark-current', 'git push', 'deploy']).status).to.equal(0)
      }
      setState('vsn', '0.1.0+1')
      setState('path', 'restart')
      setState('commit', 'c'.repeat(40)) // the last checkout's, not the release's
      expect(server.deploy(['mark-current', 'ops@laptop', 'rollback']).status).to.equal(0)
      expect(fields('0.1.0+1')).to.deep.include({commit: 'a'.repeat(40), by: 'ops@laptop', how: 'rollback', path: 'restart'})
      expect(fields('0.1.0+2')).to.deep.include({commit: 'b'.repeat(40), by: 'git push', how: 'hot', path: 'hot'})
    })

    it('drops the records of pruned releases; releases lists every kept release, highest number first, with its record', () => {
      for (const n of [1, 2, 10]) {
        server.addRelease(`0.1.0+${n}`)
        setState('vsn', `0.1.0+${n}`)
        setState('path', 'hot')
        setState('commit', String(n).repeat(40).slice(0, 40))
        expect(server.deploy(['mark-current', 'git push', 'deploy']).status).to.equal(0)
      }
      server.addRelease('0.1.0+3') // installed, never current: no record
      rmSync(join(apps, 'releases', '0.1.0+1'), {recursive: true})
      setState('vsn', '0.1.0+10')
      expect(server.deploy(['mark-current', 'git push', 'deploy']).status).to.equal(0)
      expect(existsSync(join(apps, 'state', 'releases', '0.1.0+1'))).to.equal(false)
      const run = server.deploy(['releases'])
      expect(run.status, run.stderr).to.equal(0)
      const lines = run.stdout.split('\n')
      expect(lines[0]).to.equal('current 0.1.0+10')
      expect(lines.filter((l) => l.startsWith('release '))).to.deep.equal(['release 0.1.0+10', 'release 0.1.0+3', 'release 0.1.0+2'])
      expect(lines[lines.indexOf('release 0.1.0+3') + 1]).to.equal('release 0.1.0+2')
      expect(lines).to.include('commit=2222222222222222222222222222222222222222')
    })

    it('releases with nothing deployed: an empty current', () => {
      const run = server.deploy(['releases'])
      expect(run).to.deep.include({status: 0, stdout: 'current \n'})
    })
  })

  describe('status: one fact a line', () => {
    it('the current release, the upstream, each instance (pid, seconds up, RSS, its release) and the health through nginx', () => {
      server.addRelease('0.1.0+4')
      symlinkSync('releases/0.1.0+4', join(apps, 'current'))
      serving(4000, '0.1.0+4')
      server.setUpstream(4000, 4001)
      // a real process, so that ps has something to say about it
      server.answer('systemctl', 'MainPID --value hello@4000', 0, String(process.pid))
      server.answer('systemctl', 'ActiveState --value hello@4000', 0, 'active')
      server.answer('systemctl', 'MainPID --value hello@4001', 0, '0')
      server.answer('systemctl', 'ActiveState --value hello@4001', 0, 'inactive')
      server.writeState('curl-codes', '200\n')
      const run = server.deploy(['status', '/health', 'example.com'])
      expect(run.status, run.stderr).to.equal(0)
      const lines = run.stdout.trim().split('\n')
      expect(lines.slice(0, 3)).to.deep.equal(['current 0.1.0+4', 'upstream 4000 primary', 'upstream 4001 backup'])
      expect(lines[3]).to.match(new RegExp(`^instance 4000 active ${process.pid} [0-9]+ [0-9]+ 0\\.1\\.0\\+4$`))
      expect(lines[4]).to.equal('instance 4001 inactive 0 - - -')
      expect(lines[5]).to.equal('health 200')
      expect(server.calls('curl').at(-1)).to.include.members(['Host: example.com', 'http://127.0.0.1/health'])
    })
  })

  describe('plan-restart, stop', () => {
    it('plan-restart: the current release again, on the restart path, with no new deploy number', () => {
      server.addRelease('0.1.0+4')
      symlinkSync('releases/0.1.0+4', join(apps, 'current'))
      serving(4000, '0.1.0+4')
      setState('number', '9')
      const run = server.deploy(['plan-restart'])
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.equal('restarting 0.1.0+4: a new instance beside the one on port 4000\n')
      expect([state('vsn'), state('path'), state('number')]).to.deep.equal(['0.1.0+4\n', 'restart\n', undefined])
    })

    it('plan-restart with nothing deployed: an error, and nothing changes', () => {
      const run = server.deploy(['plan-restart'])
      expect(run.status).to.equal(1)
      expect(run.stdout).to.equal('nothing is deployed yet: push first\n')
      expect(state('path')).to.equal(undefined)
    })

    it('stop: every active instance stops through gatling-root (which also keeps it stopped at boot)', () => {
      serving(4001, '0.1.0+4')
      const run = server.deploy(['stop'])
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.equal('stopped the instance on port 4001\n')
      expect(rootCalls().filter(([sub]) => sub === 'stop')).to.deep.equal([['stop', 'hello', '4001']])
      expect(server.active()).to.deep.equal([])
    })
  })

  describe('eval, console: in the serving node', () => {
    it('eval: the expression from stdin reaches the node base64-encoded in a fixed expression, never as shell text', () => {
      serving(4000, '0.1.0+4')
      const expression = `IO.puts("it's $(id) \`id\` \\"quoted\\"")\n:ok`
      const run = spawnSync('/bin/sh', [join(tools, 'gatling-deploy'), 'eval'], {input: expression, encoding: 'utf8', env: server.env})
      expect(run.status, run.stderr).to.equal(0)
      const [rpc] = rpcs()
      expect(rpc).to.equal(`"${Buffer.from(expression).toString('base64')}" |> Base.decode64!() |> Code.eval_string() |> elem(0) |> inspect(pretty: true, limit: :infinity) |> IO.puts()`)
      expect(rootCalls().at(-1)!.slice(0, 4)).to.deep.equal(['run', 'hello', '4000', 'rpc'])
    })

    it('eval and console with nothing serving: an error, nothing run in a node', () => {
      for (const sub of ['eval', 'console']) {
        const run = server.deploy([sub])
        expect(run.status).to.equal(1)
        expect(run.stderr).to.equal('nothing is serving: gatling start, or push first\n')
      }
      expect(server.calls('systemd-run')).to.deep.equal([])
    })

    it('console: gatling-root run … remote on the serving port', () => {
      serving(4001, '0.1.0+4')
      expect(server.deploy(['console']).status).to.equal(0)
      expect(rootCalls().at(-1)).to.deep.equal(['run', 'hello', '4001', 'remote'])
    })
  })

  describe('deps-get: Hex, then mix deps.get --only prod', () => {
    const build = () => join(apps, 'build')
    const withDeps = (deps: string) => writeFileSync(join(build(), 'mix.exs'), `defmodule Hello.MixProject do\n  defp deps do\n    [\n${deps}\n    ]\n  end\nend\n`)
    const lastLine = (out: string) => out.trim().split('\n').at(-1)!
    // what `mix local.hex --force --if-missing` prints when no Hex host answers (Elixir 1.14, run on this machine)
    const offline = (url: string, to: string) => `** (Mix) httpc request failed with: {:failed_connect, [{:to_address, {${to}}}, {:inet, [:inet], :econnrefused}]}\n\nCould not install Hex because Mix could not download metadata at ${url}.\n\nAlternatively, you can compile and install Hex directly with this command:\n\n    mix archive.install github hexpm/hex branch latest\n`

    it('needs no Hex for path and git dependencies: mix deps.get --only prod alone, in the build checkout', () => {
      withDeps(`      {:tinylib, path: "deps_src/tinylib", manager: :rebar3},\n      {:never_fetched, git: "file:///nonexistent/never_fetched.git", tag: "v1.0.0", only: :dev}\n      # {:commented, "~> 1.0"}`)
      const run = server.deploy(['deps-get'])
      expect(run.status, run.stderr).to.equal(0)
      expect(server.calls('mix')).to.deep.equal([['deps.get', '--only', 'prod']])
    })

    it("installs Hex first for mix.exs's versioned deps (dev-only ones too), and for mix.lock's {:hex, …} entries", () => {
      withDeps(`      {:jason, "~> 1.4"},\n      {:live_reload, "~> 1.0", only: :dev}`)
      expect(server.deploy(['deps-get']).status).to.equal(0)
      expect(server.calls('mix')).to.deep.equal([['local.hex', '--force', '--if-missing'], ['deps.get', '--only', 'prod']])
      server.resetCalls()
      withDeps('      {:tinylib, path: "deps_src/tinylib"}')
      writeFileSync(join(build(), 'mix.lock'), '%{\n  "jason": {:hex, :jason, "1.4.4", "b9226785a9aa77b6857ca22832cffa5d5011a667207eb2a0ad56adb5db443b8a", [:mix], [], "hexpm", "c5eb0cab91f094599f94d55bc63409236a8ec69a21a67814529e8d5f6cc90b3b"},\n}\n')
      expect(server.deploy(['deps-get']).status).to.equal(0)
      expect(server.calls('mix').map(([task]) => task)).to.deep.equal(['local.hex', 'deps.get'])
      server.resetCalls()
      writeFileSync(join(build(), 'mix.lock'), '%{\n  "tinylib": {:git, "file:///x.git", "abc", []},\n}\n')
      expect(server.deploy(['deps-get']).status).to.equal(0)
      expect(server.calls('mix').map(([task]) => task), 'a lock without Hex entries').to.deep.equal(['deps.get'])
    })

    it("fails when Hex cannot be installed, ending in one paragraph: Hex, for which deps, the URL tried, the setting; deps.get never runs", () => {
      withDeps(`      {:jason, "~> 1.4"},\n      {:bandit, "~> 1.5"}`)
      server.answer('mix', 'local.hex', 1, offline('https://repo.hex.pm/installs/hex-1.x.csv', "'repo.hex.pm', 443"))
      const run = server.deploy(['deps-get'], {mergeStderr: true})
      expect(run.status).to.equal(1)
      expect(run.stdout, "mix's own message first").to.contain('Could not install Hex because Mix could not download metadata')
      expect(lastLine(run.stdout)).to.equal(
        "Hex is needed for jason bandit (the project's Hex packages), but it could not be installed for the deploy user gatling: mix local.hex could not download https://repo.hex.pm/installs/hex-1.x.csv. Let this server reach that host, or point it at a mirror it can reach with build.env.HEX_MIRROR in gatling.json (\"build\": {\"env\": {\"HEX_MIRROR\": \"https://…\"}}; build.env.HEX_BUILDS_URL for the installer alone, which Elixir 1.14 ignores), then push again. Nothing was installed: the release that serves now keeps serving.",
      )
      expect(server.calls('mix').map(([task]) => task)).to.deep.equal(['local.hex'])
      expect(rootCalls(), 'nothing as root').to.deep.equal([])
    })

    it('names the configured mirror that mix tried, or the configured URL when mix printed none', () => {
      withDeps('      {:jason, "~> 1.4"}')
      server.answer('mix', 'local.hex', 1, offline('http://127.0.0.1:9//installs/hex-1.x.csv', "'127.0.0.1', 9"))
      expect(lastLine(server.deploy(['deps-get']).stdout)).to.contain('mix local.hex could not download http://127.0.0.1:9//installs/hex-1.x.csv.')
      server.restore()
      withDeps('      {:jason, "~> 1.4"}')
      server.answer('mix', 'local.hex', 1, '** (Mix) something else')
      const tool = join(tools, 'gatling-deploy')
      const run = spawnSync('/bin/sh', [tool, 'deps-get'], {encoding: 'utf8', env: {...server.env, HEX_BUILDS_URL: 'http://127.0.0.1:9/'}})
      expect(lastLine(run.stdout)).to.contain('mix local.hex could not download from http://127.0.0.1:9/.')
    })

    it('fails when deps.get cannot reach the Hex repository, ending in a paragraph naming it and build.env.HEX_MIRROR', () => {
      withDeps('      {:jason, "~> 1.4"}')
      server.answer('mix', 'deps.get', 1, 'Failed to fetch record for hexpm/jason from registry (using cache instead)\n{:failed_connect, [{:to_address, {\'repo.hex.pm\', 443}}, {:inet, [:inet], :nxdomain}]}\n** (Mix) No package with name jason (from: mix.exs) in registry')
      const run = server.deploy(['deps-get'])
      expect(run.status).to.equal(1)
      expect(lastLine(run.stdout)).to.equal(
        "mix deps.get could not fetch jason (the project's Hex packages) from the Hex repository https://repo.hex.pm. Let this server reach that host, or point it at a mirror it can reach with build.env.HEX_MIRROR in gatling.json (\"build\": {\"env\": {\"HEX_MIRROR\": \"https://…\"}}), then push again. Nothing was installed: the release that serves now keeps serving.",
      )
    })

    it("leaves any other deps.get failure to mix's own message", () => {
      withDeps('      {:jason, "~> 1.4"}')
      server.answer('mix', 'deps.get', 1, '** (Mix) Hex dependency resolution failed, change the version requirements of your dependencies')
      const run = server.deploy(['deps-get'])
      expect(run.status).to.equal(1)
      expect(lastLine(run.stdout)).to.equal('** (Mix) Hex dependency resolution failed, change the version requirements of your dependencies')
    })
  })

  describe('assets: npm, then mix assets.deploy or phx.digest', () => {
    const build = () => join(apps, 'build')
    const lastLine = (out: string) => out.trim().split('\n').at(-1)!
    // the error texts of phoenixframework/esbuild (lib/esbuild/npm_registry.ex) and tailwind (lib/tailwind.ex)
    const esbuildError = "** (RuntimeError) couldn't fetch https://registry.npmjs.org/@esbuild/linux-x64/0.25.4: {:error, {:failed_connect, [{:to_address, {~c\"registry.npmjs.org\", 443}}, {:inet, [:inet], :nxdomain}]}}\n\nYou may also install the \"esbuild\" executable manually, see the docs: https://hexdocs.pm/esbuild\n"
    const tailwindError = "** (RuntimeError) Couldn't fetch https://github.com/tailwindlabs/tailwindcss/releases/download/v4.1.7/tailwindcss-linux-x64: {:error, {:failed_connect, [{:to_address, {~c\"github.com\", 443}}, {:inet, [:inet], :nxdomain}]}}\n\nThis typically means we cannot reach the source or you are behind a proxy.\n"

    it('runs mix assets.deploy where the project defines the alias, else mix phx.digest', () => {
      writeFileSync(join(build(), 'mix.exs'), '"assets.deploy": ["esbuild default --minify", "phx.digest"]\n')
      expect(server.deploy(['assets']).status).to.equal(0)
      writeFileSync(join(build(), 'mix.exs'), 'defp aliases, do: []\n')
      expect(server.deploy(['assets']).status).to.equal(0)
      expect(server.calls('mix')).to.deep.equal([['assets.deploy'], ['phx.digest']])
    })

    for (const [tool, error, url, setting, config] of [
      ['esbuild', esbuildError, 'https://registry.npmjs.org/@esbuild/linux-x64/0.25.4', 'build.env.MIX_ESBUILD_PATH', 'config :esbuild, path: System.get_env("MIX_ESBUILD_PATH")'],
      ['tailwind', tailwindError, 'https://github.com/tailwindlabs/tailwindcss/releases/download/v4.1.7/tailwindcss-linux-x64', 'build.env.MIX_TAILWIND_PATH', 'config :tailwind, path: System.get_env("MIX_TAILWIND_PATH")'],
    ]) {
      it(`fails when ${tool} cannot be downloaded, ending in a paragraph naming the tool, the URL and the setting for a local binary`, () => {
        writeFileSync(join(build(), 'mix.exs'), '"assets.deploy": ["tailwind app --minify", "esbuild app --minify", "phx.digest"]\n')
        server.answer('mix', 'assets.deploy', 1, error)
        const run = server.deploy(['assets'])
        expect(run.status).to.equal(1)
        expect(run.stdout, "the tool's own message first").to.contain(error.split('\n')[0])
        const last = lastLine(run.stdout)
        expect(last).to.match(new RegExp(`^${tool} could not be downloaded from ${url.replaceAll('.', '\\.')}: `))
        expect(last).to.contain(setting).and.contain(config).and.match(/The release that serves now keeps serving\.$/)
      })
    }

    it("leaves any other failure to mix's own message", () => {
      writeFileSync(join(build(), 'mix.exs'), '"assets.deploy": ["phx.digest"]\n')
      server.answer('mix', 'assets.deploy', 1, '** (Mix) The task "tailwind" could not be found')
      const run = server.deploy(['assets'])
      expect(run.status).to.equal(1)
      expect(lastLine(run.stdout)).to.equal('** (Mix) The task "tailwind" could not be found')
    })

    it('installs the npm packages of assets/package.json first: npm ci with a lock file, else npm install', () => {
      writeFileSync(join(build(), 'mix.exs'), '"assets.deploy": ["phx.digest"]\n')
      mkdirSync(join(build(), 'assets'), {recursive: true})
      writeFileSync(join(build(), 'assets', 'package.json'), '{}\n')
      symlinkSync(join(server.root, 'stubs', 'stub.sh'), join(server.bin, 'npm'))
      expect(server.deploy(['assets']).status).to.equal(0)
      writeFileSync(join(build(), 'assets', 'package-lock.json'), '{}\n')
      expect(server.deploy(['assets']).status).to.equal(0)
      expect(server.calls('npm')).to.deep.equal([['install', '--no-audit', '--no-fund'], ['ci', '--no-audit', '--no-fund']])
      expect(server.calls('mix')).to.deep.equal([['assets.deploy'], ['assets.deploy']])
    })

    it('fails, saying to run setup again, when assets/package.json needs npm and the server has none', () => {
      writeFileSync(join(build(), 'mix.exs'), '"assets.deploy": ["phx.digest"]\n')
      mkdirSync(join(build(), 'assets'), {recursive: true})
      writeFileSync(join(build(), 'assets', 'package.json'), '{}\n')
      // a PATH with only what the tool runs before it looks for npm
      const bin = join(server.root, 'no-npm-bin')
      mkdirSync(bin)
      for (const program of ['mktemp', 'rm']) symlinkSync(`/usr/bin/${program}`, join(bin, program))
      const run = spawnSync('/bin/sh', [join(tools, 'gatling-deploy'), 'assets'], {encoding: 'utf8', env: {...server.env, PATH: `${server.bin}:${bin}`}})
      expect(run.status).to.equal(1)
      expect(lastLine(run.stdout)).to.equal('assets/package.json needs npm, and this server has none: run gatling setup again from the project (it installs Node.js and npm for apps with assets/package.json).')
      expect(server.calls('mix')).to.deep.equal([])
    })
  })

  describe('decide', () => {
    const MAKE_UPGRADE = 'make_upgrade.exs'

    it('takes the first path when nothing is serving (and asks make_upgrade nothing)', () => {
      const run = server.deploy(['decide'])
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.equal('first deploy: nothing is serving yet, so the release starts fresh\n')
      expect(state('path')).to.equal('first\n')
      expect(server.calls('elixir')).to.deep.equal([])
    })

    it('takes the restart when --restart was given', () => {
      serving(4000, '0.1.0+3')
      const run = server.deploy(['decide', '--restart'])
      expect(run.stdout).to.equal('restart (zero-downtime): --restart was given\n')
      expect(state('path')).to.equal('restart\n')
      expect(server.calls('elixir')).to.deep.equal([])
    })

    it("goes hot on make_upgrade's last line GATLING_UPGRADE hot, comparing the serving slot with the new build", () => {
      serving(4000, '0.1.0+3')
      server.writeTree(join(apps, 'state', 'upgrade'), {'stale.tar.gz': 'from the last deploy'})
      server.answer('elixir', MAKE_UPGRADE, 0, 'comparing 0.1.0+3 with 0.1.0+4\nGATLING_UPGRADE hot')
      const run = server.deploy(['decide'])
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.equal('hot upgrade: the running node (port 4000) will load the new code in place\n')
      expect(state('path')).to.equal('hot\n')
      expect(server.calls('elixir')).to.deep.equal([[join(tools, MAKE_UPGRADE), '--from', join(apps, 'slots', '4000'), '--to', join(apps, 'build', '_build', 'prod', 'rel', 'hello'), '--out', join(apps, 'state', 'upgrade')]])
      expect(existsSync(join(apps, 'state', 'upgrade')), 'the last upgrade package is removed first').to.equal(false)
    })

    it('takes the restart on GATLING_UPGRADE restart, with the reason', () => {
      serving(4001, '0.1.0+3')
      server.answer('elixir', MAKE_UPGRADE, 0, 'GATLING_UPGRADE restart the ERTS changed (14.2 -> 15.0)')
      const run = server.deploy(['decide'])
      expect(run.stdout).to.equal('restart (zero-downtime), not hot: the ERTS changed (14.2 -> 15.0)\n')
      expect(state('path')).to.equal('restart\n')
    })

    for (const [what, status, output] of [['no verdict', 0, 'done'], ['a crash', 1, '** (RuntimeError) boom'], ['nothing', 0, '']] as const) {
      it(`fails on ${what} from make_upgrade`, () => {
        serving(4000, '0.1.0+3')
        setState('path', 'hot')
        server.answer('elixir', MAKE_UPGRADE, status, output)
        const run = server.deploy(['decide'])
        expect(run.status).to.equal(1)
        expect(run.stdout).to.equal('make_upgrade gave no verdict\n')
      })
    }

    it("shows make_upgrade's output on stderr (a pipe, as in the git hook)", () => {
      serving(4000, '0.1.0+3')
      server.answer('elixir', MAKE_UPGRADE, 0, 'appup: Hello.Counter changed\nGATLING_UPGRADE hot')
      const run = server.deploy(['decide'], {mergeStderr: true})
      expect(run.status).to.equal(0)
      expect(run.stdout).to.contain('appup: Hello.Counter changed\n')
    })

    // KNOWN BUG (reported, templates/server/gatling-deploy.sh.ejs, decide): `tee /dev/stderr` cannot
    // reopen a socket, and sshd (without a pty) gives the command socketpairs, as Node does here:
    // under `gatling push` make_upgrade's output is lost and tee prints an error.
    it("shows make_upgrade's output on stderr when stderr is a socket (as under sshd)", () => {
      serving(4000, '0.1.0+3')
      server.answer('elixir', MAKE_UPGRADE, 0, 'appup: Hello.Counter changed\nGATLING_UPGRADE hot')
      const run = server.deploy(['decide'])
      expect(run.stderr).to.equal('appup: Hello.Counter changed\nGATLING_UPGRADE hot\n')
    })
  })

  describe('hot-upgrade', () => {
    beforeEach(() => {
      serving(4000, '0.1.0+3')
      setState('vsn', '0.1.0+4')
      server.writeTree(join(apps, 'state', 'upgrade'), {'hello-0.1.0+4.tar.gz': 'package'})
    })
    const upgrade = (vsn: string) => `Process.put(:gatling_argv, ["upgrade", "${vsn}"]); Code.eval_file("${tools}/upgrade.exs")`

    it('stages the package, upgrades the node in place, checks the version it runs, and keeps the version to go back to', () => {
      server.answer('systemd-run', 'Application.spec', 0, '0.1.0+4')
      const run = server.deploy(['hot-upgrade'])
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.equal('the node on port 4000 now runs 0.1.0+4 (same OS process)\n')
      expect(readFileSync(join(apps, 'slots', '4000', 'releases', 'hello-0.1.0+4.tar.gz'), 'utf8')).to.equal('package')
      expect(rpcs()).to.deep.equal([upgrade('0.1.0+4'), 'IO.puts(Application.spec(:hello, :vsn))'])
      expect(state('previousVsn')).to.equal('0.1.0+3\n')
      expect(state('port')).to.equal('4000\n')
      expect(state('path'), 'the path stays as decide left it').to.equal(undefined)
    })

    it('falls back to the restart path when the node refuses the upgrade', () => {
      setState('path', 'hot')
      server.answer('systemd-run', 'gatling_argv', 1, '{:error, :bad_relup}')
      const run = server.deploy(['hot-upgrade'])
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.contain('no hot upgrade: the node gave no result. Falling back to the zero-downtime restart\n')
      expect(state('path')).to.equal('restart\n')
    })

    it("says why the node did not upgrade (its GATLING_RESULT error) and passes the node's lines through", () => {
      setState('path', 'hot')
      const refusal = 'code_change/3 of Hello.Counter raised RuntimeError: boom (tried on a copy of the state, before install_release: the node is untouched)'
      server.answer('systemd-run', 'gatling_argv', 1, `[gatling] dry run: code_change/3 of Hello.Counter raised RuntimeError: boom\nGATLING_RESULT error ${refusal}`)
      const run = server.deploy(['hot-upgrade'])
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.equal(`no hot upgrade: ${refusal}. Falling back to the zero-downtime restart\n`)
      expect(run.stderr).to.contain(`[gatling] dry run: code_change/3 of Hello.Counter raised RuntimeError: boom\nGATLING_RESULT error ${refusal}\n`)
      expect(state('path')).to.equal('restart\n')
    })

    it('fails when the node reports another version afterwards', () => {
      server.answer('systemd-run', 'Application.spec', 0, '0.1.0+3')
      const run = server.deploy(['hot-upgrade'])
      expect(run.status).to.equal(1)
      expect(run.stdout).to.contain('after the upgrade the node reports version 0.1.0+3, not 0.1.0+4\n')
    })
  })

  describe('start', () => {
    beforeEach(() => {
      setState('vsn', '0.1.0+4')
      server.addRelease('0.1.0+4')
    })

    for (const [servingPort, expected] of [[undefined, 4000], [4000, 4001], [4001, 4000]] as const) {
      it(`starts the new release on port ${expected} when ${servingPort ?? 'nothing'} is serving`, () => {
        if (servingPort) serving(servingPort, '0.1.0+3')
        const run = server.deploy(['start'])
        expect(run.status, run.stderr).to.equal(0)
        expect(run.stdout).to.equal(`started on port ${expected}\n`)
        expect(state('port')).to.equal(`${expected}\n`)
        expect(rootCalls().at(-1)).to.deep.equal(['start', 'hello', String(expected), '0.1.0+4'])
        expect(server.active()).to.include(`hello@${expected}`)
      })
    }

    it("fails with the app's own message last when the release raises at boot (runtime.exs), below its output", () => {
      const boot = 'ERROR! Config provider Config.Reader failed with:\n** (RuntimeError) environment variable DATABASE_URL is missing.\nFor example: ecto://USER:PASS@HOST/DATABASE\n\n    (stdlib 4.2) erl_eval.erl:744: :erl_eval.do_apply/7\n{"init terminating in do_boot",{}}\n'
      server.answer('systemd-run', 'create_releases', 1, boot)
      const run = server.deploy(['start'])
      expect(run.status).to.equal(1)
      expect(run.stdout, "the stub ends its output with a newline").to.equal(`${boot}\nthe new release 0.1.0+4 did not start on port 4000: (RuntimeError) environment variable DATABASE_URL is missing. For example: ecto://USER:PASS@HOST/DATABASE\n`)
    })
  })

  describe('health-instance', () => {
    beforeEach(() => {
      setState('port', '4001')
      server.setActive('hello@4001')
    })

    it('waits until the new instance answers 200 on its own port', () => {
      server.writeState('curl-codes', '000\n503\n200\n')
      const run = server.deploy(['health-instance', '/health', 'example.com'])
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.equal('healthy on port 4001: GET /health -> 200\n')
      expect(server.calls('curl')).to.have.length(3)
      expect(server.calls('curl')[0]).to.deep.equal(['-s', '-o', '/dev/null', '-m', '2', '-w', '%{http_code} %{redirect_url}', '-H', 'Host: example.com', '-H', 'X-Forwarded-Proto: http', 'http://127.0.0.1:4001/health'])
      expect(server.active()).to.deep.equal(['hello@4001'])
    })

    it('after HEALTH_TIMEOUT_S without a 200, shows its log and stops it', () => {
      server.writeState('curl-codes', '503\n')
      server.writeState('clock', '1000 10\n') // each `date +%s` is 10 s later: the 30 s pass on the third try
      const run = server.deploy(['health-instance', '/health', 'example.com'])
      expect(run.status).to.equal(1)
      expect(run.stdout).to.equal('the new release did not answer 200 on /health; last status 503, then its log:\njournal line 1\njournal line 2\n')
      expect(server.calls('curl')).to.have.length(3)
      expect(rootCalls().filter(([sub]) => sub !== 'alive')).to.deep.equal([['logs', 'hello', '4001', '200'], ['stop', 'hello', '4001']])
      expect(server.active()).to.deep.equal([])
    })

    it('fails at once on a redirect, saying where it points and why, and stops the instance', () => {
      server.writeState('curl-codes', '301\n')
      server.writeState('curl-location', 'https://example.com/health')
      const run = server.deploy(['health-instance', '/health', 'example.com'])
      expect(run.status).to.equal(1)
      expect(run.stdout).to.match(/^GET \/health answered 301 with a redirect to https:\/\/example\.com\/health: the app sends plain HTTP visitors to HTTPS \(force_ssl/)
      expect(server.calls('curl')).to.have.length(1)
      expect(rootCalls()).to.deep.equal([['stop', 'hello', '4001']])
    })

    it('gives up at once when the instance is no longer alive', () => {
      server.writeState('curl-codes', '000\n')
      server.setActive()
      const run = server.deploy(['health-instance', '/health', 'example.com'])
      expect(run.status).to.equal(1)
      expect(run.stdout).to.match(/^the new release did not answer 200 on \/health; last status 000, then its log:\n/)
      expect(server.calls('curl')).to.have.length(1)
      expect(rootCalls().map(([sub]) => sub)).to.deep.equal(['alive', 'logs', 'stop'])
    })
  })

  describe('health-nginx', () => {
    const downgrade = (vsn: string) => `Process.put(:gatling_argv, ["downgrade", "${vsn}"]); Code.eval_file("${tools}/upgrade.exs")`

    it('passes on 200 through nginx, with the Host header', () => {
      const run = server.deploy(['health-nginx', '/health', 'example.com'])
      expect(run).to.deep.include({status: 0, stdout: 'GET /health through nginx -> 200\n'})
      expect(server.calls('curl')).to.deep.equal([['-s', '-o', '/dev/null', '-m', '5', '-w', '%{http_code} %{redirect_url}', '-H', 'Host: example.com', '-H', 'X-Forwarded-Proto: http', 'http://127.0.0.1/health']])
    })

    it('after a hot upgrade that fails it, downgrades the node in place to the version it ran before', () => {
      server.writeState('curl-codes', '502\n')
      setState('path', 'hot')
      setState('port', '4000')
      setState('previousVsn', '0.1.0+3')
      const run = server.deploy(['health-nginx', '/health', 'example.com'])
      expect(run.status).to.equal(1)
      expect(run.stdout).to.equal('GET /health through nginx answered: 502\ndowngrading the node in place to 0.1.0+3\n')
      expect(rootCalls()).to.deep.equal([['run', 'hello', '4000', 'rpc', downgrade('0.1.0+3')]])
      expect(rpcs()).to.deep.equal([downgrade('0.1.0+3')])
    })

    it('fails without touching the node after a restart, or a hot rollback (no version to go back to)', () => {
      server.writeState('curl-codes', '502\n')
      setState('path', 'restart')
      setState('port', '4000')
      setState('previousVsn', '0.1.0+3')
      expect(server.deploy(['health-nginx', '/health', 'example.com']).status).to.equal(1)
      setState('path', 'hot')
      writeFileSync(stateFile('previousVsn'), '')
      expect(server.deploy(['health-nginx', '/health', 'example.com']).status).to.equal(1)
      expect(rootCalls()).to.deep.equal([])
    })
  })

  describe('plan-rollback', () => {
    function releases(...numbers: number[]) {
      for (const n of numbers) server.addRelease(`0.1.0+${n}`)
    }
    const current = (vsn: string) => symlinkSync(`releases/${vsn}`, join(apps, 'current'))

    it('goes back to the highest deploy number below current, by number, not by name or time: +10 before +9', () => {
      releases(8, 9, 10, 11)
      mkdirSync(join(apps, 'releases', '.0.1.0+12.new'))
      const later = new Date(Date.now() + 3_600_000)
      utimesSync(join(apps, 'releases', '0.1.0+9'), later, later) // the newest directory
      current('0.1.0+11')
      const run = server.deploy(['plan-rollback'])
      expect(run.status, run.stderr).to.equal(0)
      expect(state('vsn')).to.equal('0.1.0+10\n')
      expect(run.stdout).to.equal('rolling back 0.1.0+11 -> 0.1.0+10: zero-downtime restart (the running node no longer has 0.1.0+10)\n')
      expect(state('path')).to.equal('restart\n')
    })

    it('below +10 comes +9', () => {
      releases(8, 9, 10, 11)
      current('0.1.0+10')
      expect(server.deploy(['plan-rollback']).status).to.equal(0)
      expect(state('vsn')).to.equal('0.1.0+9\n')
    })

    it('tries a hot downgrade when the running node still has the target release', () => {
      releases(2, 3)
      current('0.1.0+3')
      serving(4001, '0.1.0+3')
      server.writeTree(join(apps, 'slots', '4001', 'releases', '0.1.0+2'), {'start.boot': 'boot'})
      setState('number', '9')
      setState('previousVsn', '0.1.0+1')
      const run = server.deploy(['plan-rollback'])
      expect(run.stdout).to.equal('rolling back 0.1.0+3 -> 0.1.0+2: trying a hot downgrade of the node on port 4001\n')
      expect(state('path')).to.equal('hot\n')
      expect(state('port')).to.equal('4001\n')
      expect(state('number'), 'a rollback is no new deploy').to.equal(undefined)
      expect(state('previousVsn')).to.equal(undefined)
    })

    it('goes to the release asked for', () => {
      releases(2, 3, 4)
      current('0.1.0+4')
      expect(server.deploy(['plan-rollback', '0.1.0+2']).status).to.equal(0)
      expect(state('vsn')).to.equal('0.1.0+2\n')
    })

    it('refuses what it cannot roll back to, and leaves the state alone', () => {
      expect(server.deploy(['plan-rollback'])).to.deep.include({status: 1, stdout: 'nothing is deployed yet\n'})
      releases(3, 4)
      current('0.1.0+3')
      setState('vsn', '0.1.0+4')
      expect(server.deploy(['plan-rollback'])).to.deep.include({status: 1, stdout: 'there is no release older than 0.1.0+3 to roll back to\n'})
      expect(server.deploy(['plan-rollback', '0.1.0+1'])).to.deep.include({status: 1, stdout: 'release 0.1.0+1 is not on the server (kept: 0.1.0+3 0.1.0+4 )\n'})
      expect(server.deploy(['plan-rollback', '0.1.0+3'])).to.deep.include({status: 1, stdout: '0.1.0+3 is already the current release\n'})
      expect(state('vsn')).to.equal('0.1.0+4\n')
    })
  })

  describe('hot-downgrade', () => {
    beforeEach(() => {
      setState('port', '4000')
      setState('vsn', '0.1.0+2')
      setState('path', 'hot')
    })

    it('runs the down script in the node on its port', () => {
      const run = server.deploy(['hot-downgrade'])
      expect(run).to.deep.include({status: 0, stdout: 'the node on port 4000 now runs 0.1.0+2 (same OS process)\n'})
      expect(rpcs()).to.deep.equal([`Process.put(:gatling_argv, ["downgrade", "0.1.0+2"]); Code.eval_file("${tools}/upgrade.exs")`])
      expect(state('path')).to.equal('hot\n')
    })

    it('falls back to the restart path when the node refuses', () => {
      server.answer('systemd-run', 'gatling_argv', 1)
      const run = server.deploy(['hot-downgrade'])
      expect(run).to.deep.include({status: 0, stdout: 'the hot downgrade was refused: falling back to the zero-downtime restart\n'})
      expect(state('path')).to.equal('restart\n')
    })
  })
})

