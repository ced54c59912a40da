import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {sh} from '../../../src/remote/shell.js'
import {HELPER} from '../../../src/server/layout.js'
import {BUILD_ENV_KEYS} from '../../../src/server/rules.js'
import {DEPLOY_TOOL, buildEnv, buildTool, deployTool, fromState, helper, hostHeader, mix, moduleName} from '../../../src/steps/deploy-support.js'
import {deployContext, tempDir} from '../support.js'

describe('steps/deploy-support', () => {
  it('helper() calls gatling-root through sudo -n with the app name first', () => {
    expect(HELPER).to.equal('/usr/local/sbin/gatling-root')
    expect(helper(deployContext(), 'start', 4000, '0.1.0+1')).to.equal('sudo -n /usr/local/sbin/gatling-root start hello 4000 0.1.0+1')
    expect(helper(deployContext({app: 'hello_world'}), 'site', 'a b')).to.equal("sudo -n /usr/local/sbin/gatling-root site hello_world 'a b'")
  })

  it("deployTool() runs the app's tools/gatling-deploy as the login user (no sudo)", () => {
    expect(DEPLOY_TOOL).to.equal('gatling-deploy')
    expect(deployTool(deployContext(), 'health-nginx', '/up', 'example.com')).to.deep.equal({script: '/srv/gatling/hello/tools/gatling-deploy health-nginx /up example.com'})
  })

  it('fromState() reads a state file on the server when the command runs', () => {
    expect(sh('echo', fromState(deployContext(), 'vsn'))).to.equal('echo "$(cat /srv/gatling/hello/state/vsn)"')
    const {dir, cleanup} = tempDir()
    try {
      mkdirSync(join(dir, 'state'))
      writeFileSync(join(dir, 'state', 'vsn'), '0.1.0+7 $(id)\n')
      const script = sh('printf', '%s|', fromState(deployContext(), 'vsn')).replace('/srv/gatling/hello', dir)
      expect(spawnSync('/bin/sh', ['-c', script], {encoding: 'utf8'}).stdout, 'one argument, not expanded again').to.equal('0.1.0+7 $(id)|')
    } finally {
      cleanup()
    }
  })

  it('mix() runs in the build directory with MIX_ENV=prod', () => {
    expect(mix(deployContext(), 'deps.get', '--only', 'prod').script).to.equal('cd /srv/gatling/hello/build && env MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 mix deps.get --only prod')
  })

  it("mix() passes gatling.json's build.env first, then the build's own variables (which build.env cannot set)", () => {
    const ctx = deployContext({buildEnv: {HEX_MIRROR: 'https://hex.example.com', MIX_ESBUILD_PATH: '/usr/bin/esbuild'}})
    expect(mix(ctx, 'compile').script).to.equal('cd /srv/gatling/hello/build && env HEX_MIRROR=https://hex.example.com MIX_ESBUILD_PATH=/usr/bin/esbuild MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 mix compile')
    expect(buildEnv().map((kv) => kv.split('=')[0])).to.deep.equal([...BUILD_ENV_KEYS])
  })

  it("with a pinned toolchain, every mix command and every deploy tool call has its Elixir, then its OTP, first in PATH", () => {
    const toolchain = {otp: '25.2.3', otpMajor: 25, elixir: '1.18.3', pinnedIn: '.tool-versions', mirror: 'https://builds.hex.pm', otpSource: 'https://github.com/erlang/otp/releases/download'}
    const ctx = deployContext({toolchain})
    const path = 'PATH=/opt/gatling/toolchains/elixir-1.18.3-otp-25/bin:/opt/gatling/toolchains/otp-25.2.3/bin:/usr/local/bin:/usr/bin:/bin'
    expect(mix(ctx, 'compile').script).to.equal(`cd /srv/gatling/hello/build && env MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 ${path} mix compile`)
    expect(buildTool(ctx, 'assets').script).to.equal(`cd /srv/gatling/hello/build && env MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 ${path} /srv/gatling/hello/tools/gatling-deploy assets`)
    // set_version.exs and make_upgrade.exs run with elixir from that PATH
    expect(deployTool(ctx, 'decide').script).to.equal(`env ${path} /srv/gatling/hello/tools/gatling-deploy decide`)
    expect(deployTool(deployContext(), 'decide').script).to.equal('/srv/gatling/hello/tools/gatling-deploy decide')
  })

  it('buildTool() runs a deploy tool subcommand in the build directory and environment', () => {
    expect(buildTool(deployContext({buildEnv: {HEX_MIRROR: 'http://127.0.0.1:9/'}}), 'deps-get').script).to.equal('cd /srv/gatling/hello/build && env HEX_MIRROR=http://127.0.0.1:9/ MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 /srv/gatling/hello/tools/gatling-deploy deps-get')
  })

  it('a build.env value reaches mix as it is: one argument each, never expanded by the shell', () => {
    const value = `a b;$(id) \`id\` 'q' "d" \\`
    const script = sh('env', '-i', ...buildEnv({HEX_MIRROR: value}), 'printenv', 'HEX_MIRROR')
    expect(spawnSync('/bin/sh', ['-c', script], {encoding: 'utf8'}).stdout).to.equal(`${value}\n`)
  })

  it('moduleName camel-cases the app name as Elixir does', () => {
    expect(moduleName('hello_world')).to.equal('HelloWorld')
    expect(moduleName('app')).to.equal('App')
    expect(moduleName('my_app2_x')).to.equal('MyApp2X')
  })

  it("hostHeader is the first domain (a wildcard's www name), else the server's address, never localhost where another name fits", () => {
    expect(hostHeader(deployContext({domains: ['example.com', 'www.example.com']}))).to.equal('example.com')
    expect(hostHeader(deployContext({domains: ['*.example.com']}))).to.equal('www.example.com')
    expect(hostHeader(deployContext({domains: []}))).to.equal('203.0.113.10')
    expect(hostHeader(deployContext({domains: [], host: 'my_server'})), 'an ~/.ssh/config alias no Host header can carry').to.equal('localhost')
  })
})
