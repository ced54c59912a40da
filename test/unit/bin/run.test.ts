// The command line reaches gatling. Node reads --env-file anywhere on its own command line, even
// after the script, so `gatling push --env-file x` printed "node: x: not found" and exited 9 before
// gatling ran; bin/run.js's shebang ends node's options with "--".
import {captureOutput} from '@oclif/test'
import {expect} from 'chai'
import {chmodSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {spawnSync} from 'node:child_process'

import Push from '../../../src/commands/push.js'
import {git, tempDir} from '../support.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const shebang = (bin: string) => readFileSync(join(root, 'bin', bin), 'utf8').split('\n')[0]

describe('the command line', () => {
  let dir: string
  let cleanup: () => void
  const cwd = process.cwd()

  before(() => {
    ;({dir, cleanup} = tempDir('gatling-unit-cli-'))
    writeFileSync(join(dir, 'mix.exs'), 'defmodule Hello.MixProject do\n  def project, do: [app: :hello, version: "0.1.0"]\nend\n')
    writeFileSync(join(dir, 'gatling.json'), JSON.stringify({hosts: [{address: '192.0.2.1'}]})) // never contacted: the env file is read first
    writeFileSync(join(dir, 'bad.env'), 'A=1\nnot a variable\n')
    git(dir, 'init', '-q')
    git(dir, 'add', '-A')
    git(dir, 'commit', '-q', '-m', 'app')
  })
  after(() => cleanup())
  afterEach(() => process.chdir(cwd))

  it('node hands --env-file to a script started by the shebang of bin/run.js (and bin/dev.js)', () => {
    expect(shebang('run.js')).to.equal('#!/usr/bin/env -S node --')
    expect(shebang('dev.js')).to.equal('#!/usr/bin/env -S node --import tsx --')
    const script = join(dir, 'argv.js')
    writeFileSync(script, `${shebang('run.js')}\nconsole.log(JSON.stringify(process.argv.slice(2)))\n`)
    chmodSync(script, 0o755)
    for (const args of [['push', '--env-file', 'missing.env'], ['push', '--env-file=missing.env', '--', '--env-file', 'x']]) {
      const run = spawnSync(script, args, {cwd: dir, encoding: 'utf8'})
      expect(run.stderr, args.join(' ')).to.equal('')
      expect(JSON.parse(run.stdout)).to.deep.equal(args)
    }
  })

  it('bin/run.js itself: it is gatling that answers, not node', function () {
    this.timeout(60_000)
    // without a build, oclif says it has no push command; with one, push says the file is missing
    const run = spawnSync(join(root, 'bin/run.js'), ['push', '--env-file', 'missing.env'], {cwd: dir, encoding: 'utf8'})
    expect(run.status).to.not.equal(9)
    expect(run.stderr).to.not.include('node: missing.env')
  })

  it('push reads the file --env-file names (in either spelling) before connecting', async function () {
    this.timeout(30_000)
    process.chdir(dir)
    for (const args of [['--env-file', 'missing.env'], ['--env-file=missing.env']]) {
      const {error, stderr} = await captureOutput(() => Push.run(args, root))
      expect(error?.oclif?.exit, stderr).to.equal(1)
      expect(stderr).to.include('Error: The env file missing.env does not exist')
    }
    const {stderr} = await captureOutput(() => Push.run(['--env-file', 'bad.env'], root))
    expect(stderr).to.include('Error: bad.env line 2: is neither KEY=value nor a comment.')
  })
})
