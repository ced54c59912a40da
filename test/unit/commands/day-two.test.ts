// The day-two commands refuse bad input before they connect: the host in gatling.json is a documentation
// address (never contacted), so a refusal that came after a connection attempt would take its timeout.
import {captureOutput} from '@oclif/test'
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import Console from '../../../src/commands/console.js'
import Logs from '../../../src/commands/logs.js'
import Start from '../../../src/commands/start.js'
import Status from '../../../src/commands/status.js'
import Stop from '../../../src/commands/stop.js'
import {tempDir} from '../support.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))

describe('commands: day two, before any connection', function () {
  this.timeout(30_000)
  let dir: string
  let cleanup: () => void
  const cwd = process.cwd()
  before(() => {
    ;({dir, cleanup} = tempDir('gatling-unit-daytwo-'))
    writeFileSync(join(dir, 'mix.exs'), 'defmodule Hello.MixProject do\n  def project, do: [app: :hello, version: "0.1.0"]\nend\n')
    writeFileSync(join(dir, 'gatling.json'), JSON.stringify({hosts: [{address: '192.0.2.1'}]}))
    process.chdir(dir)
  })
  after(() => {
    process.chdir(cwd)
    cleanup()
  })

  const refused = async (run: () => Promise<unknown>, message: string) => {
    const {error, stderr} = await captureOutput(run)
    expect(error?.oclif?.exit, stderr).to.equal(1)
    expect(stderr).to.include(message)
    expect(stderr, 'refused before connecting').to.not.include('192.0.2.1')
  }

  it('console without a terminal', async () => {
    await refused(() => Console.run([], root), 'gatling console needs a terminal')
  })

  it('stop and start without a terminal and without --yes', async () => {
    await refused(() => Stop.run([], root), 'gatling stop needs a confirmation, and there is no terminal to ask on: pass --yes')
    await refused(() => Start.run([], root), 'gatling start needs a confirmation')
  })

  it('an unknown app', async () => {
    await refused(() => Status.run(['-a', 'other'], root), 'Unknown app "other": this project deploys "hello"')
    await refused(() => Status.run(['-a', 'hello', 'other'], root), 'name different apps')
  })

  it('logs: a line count or a since that the server would refuse', async () => {
    await refused(() => Logs.run(['-n', '0'], root), '-n "0" is not a whole number from 1 to 100000')
    await refused(() => Logs.run(['-n', '--vacuum-time=1s'], root), 'is not a whole number')
    await refused(() => Logs.run(['--since', '-u other@4000'], root), '--since "-u other@4000" is not a time like')
    await refused(() => Logs.run(['--since', 'next week'], root), 'is not a time like')
  })

  // the built CLI (npm test builds before the unit tests), as bin/run.test.ts runs it
  it('an unknown command names the closest one, and -h is --help', () => {
    const run = spawnSync(process.execPath, [join(root, 'bin/run.js'), 'psuh'], {cwd: root, encoding: 'utf8'})
    expect(run.status, run.stderr).to.equal(127)
    expect(run.stderr.replace(/\s*›\s*/g, ' ')).to.include('"psuh" is not a gatling command. Did you mean "gatling push"?')
    const help = spawnSync(process.execPath, [join(root, 'bin/run.js'), 'status', '-h'], {cwd: root, encoding: 'utf8'})
    expect(help.status, help.stderr).to.equal(0)
    expect(help.stdout).to.include('USAGE\n  $ gatling status')
  })
})
