import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'

import {HEX_NOTICE, installHex} from '../../../src/steps/install-hex.js'
import {FakeServer, onlyCommand, setupContext} from '../support.js'

// what `mix local.hex --force --if-missing` printed on this machine (Elixir 1.14, no Hex host reachable)
const OFFLINE = `** (Mix) httpc request failed with: {:failed_connect, [{:to_address, {'repo.hex.pm', 443}}, {:inet6, [:inet6], :nxdomain}]}

Could not install Hex because Mix could not download metadata at https://repo.hex.pm/installs/hex-1.x.csv.`

describe('steps/install-hex', () => {
  let server: FakeServer
  beforeEach(() => (server = new FakeServer()))
  afterEach(() => server.cleanup())

  /** The step's command on the fake server: the deploy user's home under its root. */
  const run = (script: string) => spawnSync('/bin/sh', ['-c', script.replaceAll('/home/gatling', join(server.root, 'home/gatling'))], {encoding: 'utf8', env: server.env})
  const lastLine = (out: string) => out.trim().split('\n').at(-1)

  it('runs mix local.hex --force --if-missing as the deploy user, with its home, as root', () => {
    const command = onlyCommand(installHex, setupContext())
    expect(command.sudo).to.equal(true)
    expect(command.script).to.contain('cd /home/gatling && if runuser -u gatling -- env HOME=/home/gatling MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 mix local.hex --force --if-missing 2>&1; then')
    expect(installHex.reportsOutcome).to.equal(true)
  })

  it("passes the project's build.env (a mirror) when setup runs in one", () => {
    const command = onlyCommand(installHex, setupContext({buildEnv: {HEX_MIRROR: 'http://127.0.0.1:9/'}}))
    expect(command.script).to.contain('env HOME=/home/gatling HEX_MIRROR=http://127.0.0.1:9/ MIX_ENV=prod')
  })

  it('says it installed Hex, as its outcome', () => {
    mkdirSync(join(server.root, 'home/gatling'), {recursive: true})
    const result = run(onlyCommand(installHex, setupContext()).script)
    expect(result.status).to.equal(0)
    expect(lastLine(result.stdout)).to.equal('Hex is installed for gatling')
    expect(server.calls('mix')).to.deep.equal([['local.hex', '--force', '--if-missing']])
  })

  it('never fails setup: when Hex cannot be installed, its last line (its outcome) says what that means and the setting to change', () => {
    mkdirSync(join(server.root, 'home/gatling'), {recursive: true})
    server.answer('mix', 'local.hex', 1, OFFLINE)
    const result = run(onlyCommand(installHex, setupContext()).script)
    expect(result.status).to.equal(0)
    expect(result.stdout).to.contain('could not download metadata at https://repo.hex.pm/installs/hex-1.x.csv')
    expect(lastLine(result.stdout)).to.equal(HEX_NOTICE)
    expect(HEX_NOTICE).to.match(/^Hex could not be installed: apps with Hex dependencies .* cannot build .* until it reaches the Hex builds host or a mirror is configured \(build\.env\.HEX_MIRROR, or build\.env\.HEX_BUILDS_URL, in gatling\.json/)
    expect(result.stdout.split(HEX_NOTICE)).to.have.length(2)
  })

  it('tries once per build environment: after a failure, setup again is unchanged (said once), until build.env changes', () => {
    mkdirSync(join(server.root, 'home/gatling'), {recursive: true})
    server.answer('mix', 'local.hex', 1, OFFLINE)
    const check = (ctx = setupContext()) => run([installHex.check!(ctx)].flat()[0].script).status
    expect(check()).to.not.equal(0)
    expect(run(onlyCommand(installHex, setupContext()).script).status).to.equal(0)
    expect(check(), 'the same attempt again').to.equal(0)
    expect(check(setupContext({buildEnv: {HEX_MIRROR: 'https://hex.example.com'}})), 'a mirror configured since').to.not.equal(0)
    // the record is the deploy user's, written as that user
    expect(server.calls('runuser').every(([flag, user]) => flag === '-u' && user === 'gatling')).to.equal(true)
  })

  it('is unchanged when the deploy user has a Hex archive', () => {
    const [check] = [installHex.check!(setupContext())].flat()
    expect(check.sudo).to.equal(true)
    expect(run(check.script).status).to.not.equal(0)
    mkdirSync(join(server.root, 'home/gatling/.mix/archives/hex-2.0.6'), {recursive: true})
    expect(run(check.script).status).to.equal(0)
  })
})
