// The app's environment through real systemd: every value of the hostile corpus (NUL aside, which no
// environment can hold), written in a dotenv file and rendered by gatling, is what a service started
// with that EnvironmentFile sees, byte for byte (the unit tests use a port of systemd's parser).
import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {renderEnvFile} from '../../src/config/app.js'
import {parseDotenv} from '../../src/config/dotenv.js'
import {removeTempDirs, tempDir} from '../helpers/cli.js'
import {asFileText, dotenvSpellings, hostileStrings} from '../helpers/hostile.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'

/** gatling reads the spelling in a file of its own (some, like a lone ', it refuses: the unit tests check those). */
function readAlone(spelling: string): boolean {
  try {
    parseDotenv(`V=${spelling}\n`, 'f')
    return true
  } catch {
    return false
  }
}

after(shutdownAll)
after(removeTempDirs)

describe('the rendered environment file, read by systemd', () => {
  let host: TestHost

  before(async function () {
    this.timeout(120_000)
    host = await bootHost('env-file')
  })
  after(async () => host?.down())

  it('gives a service every value byte for byte', async function () {
    this.timeout(60_000)
    const expected: Record<string, string> = {}
    const lines: string[] = []
    for (const [i, {value}] of hostileStrings().entries()) {
      if (value.includes('\0')) continue
      for (const [j, spelling] of dotenvSpellings(value).filter(readAlone).entries()) {
        lines.push(`V${i}_${j}=${spelling}`)
        expected[`V${i}_${j}`] = asFileText(value)
      }
    }
    expect(Object.keys(expected).length, 'spellings of the corpus').to.be.above(hostileStrings().length)
    const dir = await tempDir('env-file')
    writeFileSync(join(dir, '.env.production'), `${lines.join('\n')}\n`)
    const rendered = renderEnvFile('hello', dir)!
    const upload = await host.ssh('root', 'cat > /tmp/app.env', {input: rendered})
    expect(upload.code, upload.stderr).to.equal(0)
    const run = await host.ssh('root', 'systemd-run --quiet --pipe --wait -p EnvironmentFile=/tmp/app.env /usr/bin/env -0')
    expect(run.code, run.stderr).to.equal(0)
    expect(run.stderr, 'systemd ignored part of the file').to.equal('')
    const seen = Object.fromEntries(run.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
    for (const [key, value] of Object.entries(expected)) expect(seen[key], `${key}=${JSON.stringify(value).slice(0, 80)}`).to.equal(value)
  })
})
