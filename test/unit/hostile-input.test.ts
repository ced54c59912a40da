// Every hostile string of test/fixtures/hostile-strings.json through every client-side entry point:
// each is refused with one clear GatlingError paragraph, or passed through intact; where a value is
// quoted for a shell (sh()), /bin/sh gives it back byte for byte and runs none of it.
import {Config} from '@oclif/core'
import {captureOutput} from '@oclif/test'
import {expect} from 'chai'
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import Rollback from '../../src/commands/rollback.js'
import {pushSource, renderEnvFile} from '../../src/config/app.js'
import {parseDotenv} from '../../src/config/dotenv.js'
import {validateProjectConfig} from '../../src/config/project.js'
import {appPaths} from '../../src/server/layout.js'
import {GatlingError} from '../../src/errors.js'
import {gitSshCommand} from '../../src/git-push.js'
import {type Endpoint, resolveEndpoint} from '../../src/remote/endpoint.js'
import {sh} from '../../src/remote/shell.js'
import {isReservedEnv, isValid} from '../../src/server/rules.js'
import {buildEnv} from '../../src/steps/deploy-support.js'
import {asFileText, dotenvSpellings, hostileStrings} from '../helpers/hostile.js'
import {git, systemdEnvironmentFile, tempDir} from './support.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const hostile = hostileStrings()
// plain values for the same entry points, so that the way through is tested too
const plain = ['hello', 'web_1', 'example.com', '*.example.com', '/health', 'SECRET_KEY_BASE', 'feature/login', '2001:db8::1', '203.0.113.10', '0.1.0+7']
const corpus = [...hostile, ...plain.map((value) => ({what: `plain ${value}`, value}))]
const MARKER = '/tmp/gatling-pwned' // what the hostile strings try to create

type Outcome<T> = {refused: string} | {accepted: T}

/** Run an entry point: its value, or the message of the GatlingError it threw (anything else fails the test). */
function attempt<T>(what: string, fn: () => T): Outcome<T> {
  try {
    return {accepted: fn()}
  } catch (error) {
    expect(error, `${what}: ${(error as Error).stack}`).to.be.instanceOf(GatlingError)
    expectClearMessage(what, (error as Error).message)
    return {refused: (error as Error).message}
  }
}

/** One paragraph on one line: no control or invisible character of the value in it, long values cut. */
function expectClearMessage(what: string, message: string): void {
  expect(message, what).to.not.match(/[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u)
  expect(message.length, what).to.be.below(1000)
  expect(message.trim(), what).to.not.equal('')
}

/** The bytes /bin/sh gives back for a word quoted by sh(): printf %s prints it as the shell parsed it. */
function throughShell(value: string): Buffer {
  return execFileSync('/bin/sh', ['-c', `printf %s ${sh(value)}`])
}

/** What /bin/sh makes of a command line: the arguments ("ssh" replaced by printf, so nothing connects). */
function argumentsOf(commandLine: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', commandLine.replace(/^ssh /, `printf '%s\\0' `)], {encoding: 'utf8'})
  return out.split('\0').slice(0, -1)
}

/** A word a shell script gets intact: what sh() quotes must come back byte for byte, or be refused there. */
function expectShellSafe(what: string, value: string): void {
  if (/[\0\p{Cs}]/u.test(value)) {
    expect(() => sh(value), what).to.throw(/cannot hold a NUL byte or a lone surrogate/)
    return
  }
  expect(throughShell(value).equals(Buffer.from(value)), what).to.equal(true)
}

describe('hostile input at every client-side entry point', () => {
  let dir: string
  let cleanup: () => void

  before(() => {
    ;({dir, cleanup} = tempDir('gatling-unit-hostile-'))
    rmSync(MARKER, {force: true})
  })
  after(() => {
    cleanup()
    expect(existsSync(MARKER), `${MARKER} was created: a hostile string ran as shell code`).to.equal(false)
  })

  it('the corpus has what it promises', () => {
    const values = hostile.map((h) => h.value)
    for (const needle of ["'", '"', '`', '$(', ';', '|', '&&', '\n', '\r', '\0', ' ', '-rf', '--help', '\u202E', '\u200B', '../..', '']) {
      expect(values.some((v) => v.includes(needle)), JSON.stringify(needle)).to.equal(true)
    }
    expect(Math.max(...values.map((v) => v.length))).to.be.at.least(10_000)
  })

  it('sh() gives every string back byte for byte through /bin/sh, or refuses it (NUL, lone surrogate)', function () {
    this.timeout(30_000)
    for (const {what, value} of corpus) expectShellSafe(what, value)
    // all of them as one command line: the argument count and every byte survive
    const safe = corpus.map((c) => c.value).filter((v) => !/[\0\p{Cs}]/u.test(v))
    expect(argumentsOf(`ssh ${sh(...safe)}`)).to.deep.equal(safe)
  })

  describe('gatling.json', () => {
    const check = (what: string, raw: unknown) => attempt(what, () => validateProjectConfig(raw, () => {}))

    it('"app": a valid app name, kept as written (and its paths are shell-safe), or refused', function () {
      this.timeout(30_000)
      for (const {what, value} of corpus) {
        const result = check(what, {app: value})
        if ('refused' in result) expect(result.refused, what).to.match(/^gatling\.json: "app" must be /)
        else {
          expect(result.accepted.app).to.equal(value)
          expect(isValid('app', value), what).to.equal(true)
          for (const path of Object.values(appPaths(value))) expectShellSafe(what, path)
        }
      }
    })

    it('"domains": valid host names of at most 253 characters, kept as written, or refused', () => {
      for (const {what, value} of corpus) {
        const result = check(what, {domains: ['example.com', value]})
        if ('refused' in result) expect(result.refused, what).to.match(/^gatling\.json: "domains\[1\]" must be /)
        else {
          expect(result.accepted.domains, what).to.deep.equal(['example.com', value])
          expect(isValid('domain', value) && value.length <= 253, what).to.equal(true)
          expectShellSafe(what, value)
        }
      }
    })

    it('"healthCheck": a plain path, kept as written, or refused', () => {
      for (const {what, value} of corpus) {
        const result = check(what, {healthCheck: value})
        if ('refused' in result) expect(result.refused, what).to.match(/^gatling\.json: "healthCheck" must be a plain path/)
        else {
          expect(result.accepted.healthCheck).to.equal(value)
          expectShellSafe(what, value)
        }
      }
    })

    it('"keepReleases": a string is never a number of releases', () => {
      for (const {what, value} of corpus) {
        const result = check(what, {keepReleases: value})
        expect('refused' in result && result.refused, what).to.match(/^gatling\.json: "keepReleases" must be a whole number from 1 to 100, not "/)
      }
    })

    it('"envFile": a file name on one line, kept as written, or refused', () => {
      for (const {what, value} of corpus) {
        const result = check(what, {envFile: value})
        if ('refused' in result) {
          expect(result.refused, what).to.match(/^gatling\.json: "envFile" must be a file path on one line/)
          expect(value === '' || /[\n\r\0]/.test(value), what).to.equal(true)
        } else expect(result.accepted.envFile).to.equal(value)
      }
    })

    it('"build.env": keys by the envKey rule, values on one line, each reaching mix byte for byte as one argument', () => {
      const accepted: string[] = []
      for (const {what, value} of corpus) {
        const byKey = check(what, {build: {env: {[value]: 'x'}}})
        if ('refused' in byKey) expect(byKey.refused, what).to.match(/^gatling\.json: "build\.env" has the key .*: a key must be an environment variable name/)
        else expect(isValid('envKey', value), what).to.equal(true)
        const byValue = check(what, {build: {env: {HEX_MIRROR: value}}})
        if ('refused' in byValue) {
          expect(byValue.refused, what).to.match(/^gatling\.json: "build\.env\.HEX_MIRROR" must be a text on one line/)
          expect(/[\n\r\0\p{Cs}]/u.test(value), what).to.equal(true)
        } else accepted.push(byValue.accepted.build!.env!.HEX_MIRROR)
      }
      // one shell for all of them: each value as mix's environment would get it, NUL-separated
      const script = accepted.map((value) => `${sh('env', '-i', ...buildEnv({HEX_MIRROR: value}), 'printenv', 'HEX_MIRROR')}; printf '\\0'`).join('\n')
      const seen = spawnSync('/bin/sh', ['-c', script], {encoding: 'utf8'}).stdout.split('\0').slice(0, -1)
      expect(seen).to.deep.equal(accepted.map((value) => `${value}\n`))
    })

    it('"hosts[].address": a host name, address or alias, kept as written, or refused', () => {
      for (const {what, value} of corpus) {
        const result = check(what, {hosts: [{address: value}]})
        if ('refused' in result) expect(result.refused, what).to.match(/^gatling\.json: "hosts\[0\]\.address" must be a host name/)
        else expect(result.accepted.hosts, what).to.deep.equal([{address: value}])
      }
    })
  })

  it('--branch (pushSource): an existing branch, passed on intact, or refused', function () {
    this.timeout(30_000)
    git(dir, 'init', '-q')
    writeFileSync(join(dir, 'x'), 'x')
    git(dir, 'add', '-A')
    git(dir, 'commit', '-q', '-m', 'x')
    const rev = git(dir, 'rev-parse', 'HEAD')
    // every string git takes as a branch name becomes one (git update-ref takes even "-rf")
    const branches = corpus.map((c) => c.value).filter((v) => !v.includes('\0') && spawnSync('git', ['update-ref', `refs/heads/${v}`, rev], {cwd: dir}).status === 0)
    expect(branches.length, 'no hostile string made a branch').to.be.above(5)
    for (const {what, value} of corpus) {
      const result = attempt(what, () => pushSource(dir, value))
      if (branches.includes(value)) expect(result, what).to.deep.equal({accepted: {branch: value, rev}})
      else expect('refused' in result && result.refused, what).to.match(/^There is no branch /)
    }
  })

  describe('the dotenv file', () => {
    it('keys: an environment variable name that is not gatling\'s own, kept as written, or refused', () => {
      // "=" ends a key and "#" starts a comment: those are the syntax, not a key
      for (const {what, value} of corpus.filter((c) => !c.value.includes('=') && !/^\s*#/.test(c.value))) {
        const result = attempt(what, () => parseDotenv(`${value}=value\n`, '.env.production'))
        if ('refused' in result) expect(result.refused, what).to.match(/^\.env\.production line \d+: /)
        else {
          expect(result.accepted, what).to.deep.equal([[value.trim(), 'value']]) // blanks around a key are no part of it
          expect(isValid('envKey', value.trim()) && !isReservedEnv(value.trim()), what).to.equal(true)
        }
      }
    })

    it('values: anything but NUL reaches the app byte for byte (as systemd reads the rendered file)', function () {
      this.timeout(30_000)
      const file = join(dir, '.env.values')
      for (const {what, value} of corpus) {
        const expected = asFileText(value)
        let accepted = 0
        for (const spelling of dotenvSpellings(value)) {
          writeFileSync(file, `A=1\nV=${spelling}\nZ=2\n`)
          const result = attempt(what, () => renderEnvFile('hello', dir, file))
          if ('refused' in result) continue
          accepted++
          expect(systemdEnvironmentFile(result.accepted!), `${what} spelt ${JSON.stringify(spelling)}`).to.deep.equal({A: '1', V: expected, Z: '2'})
        }
        if (value.includes('\0')) expect(accepted, what).to.equal(0)
        else expect(accepted, `${what}: no spelling of it was accepted`).to.be.above(0)
      }
    })

    it('--env-file / "envFile": a file that is there is read; every other name is refused clearly', () => {
      for (const {what, value} of corpus) {
        const result = attempt(what, () => renderEnvFile('hello', dir, value))
        // none of these names a dotenv file in the project ("/etc/passwd" is there, but no dotenv file)
        expect('refused' in result, what).to.equal(true)
      }
    })
  })

  describe('servers', () => {
    const noConfig = () => join(dir, 'no-ssh-config')
    const ssh = (endpoint: Endpoint) => argumentsOf(`${gitSshCommand(endpoint, '/tmp/kh')} ${sh(`${endpoint.user}@${endpoint.host}`)}`)

    it('a target (setup USER@HOST, gatling.json address): a host, kept as written, or refused; shell-safe in the git ssh command', () => {
      for (const {what, value} of corpus) {
        const result = attempt(what, () => resolveEndpoint(value, {}, noConfig()))
        if ('refused' in result) continue
        const endpoint = result.accepted
        expect(endpoint.alias, what).to.equal(value.replace(/^[ \t]+|[ \t]+$/g, '').replace(/^\[|\]$/g, '')) // pasted blanks dropped, IPv6 brackets too
        const jumped = {...endpoint, proxyJump: endpoint}
        const args = ssh(jumped)
        expect(args.at(-1), what).to.equal(`root@${endpoint.host}`)
        // the jump host's ssh, as ssh would run it with /bin/sh
        const proxy = args.find((a) => a.startsWith('ProxyCommand='))!.slice('ProxyCommand='.length)
        expect(argumentsOf(proxy.replaceAll('%%', '%')).at(-1), what).to.equal(`root@${endpoint.host}`)
      }
    })

    it('a user (USER@HOST) and a port (HOST:PORT): kept as written, or refused', () => {
      for (const {what, value} of corpus) {
        const user = attempt(what, () => resolveEndpoint(`${value}@web`, {}, noConfig()))
        if ('accepted' in user) expect(user.accepted.user, what).to.equal(value)
        const port = attempt(what, () => resolveEndpoint(`web:${value}`, {}, noConfig()))
        if ('accepted' in port) expect(String(port.accepted.port), what).to.equal(value)
      }
    })
  })

  it('rollback --to: a release version, or refused before anything else is read', async function () {
    this.timeout(60_000)
    const config = await Config.load(root)
    const cwd = process.cwd()
    process.chdir(dir) // no mix.exs: anything accepted stops there
    try {
      for (const {what, value} of corpus) {
        const {stderr} = await captureOutput(() => Rollback.run([`--to=${value}`], config))
        const message = stderr.trim().replace(/^Error: /, '')
        if (isValid('version', value)) expect(message, what).to.match(/is not an Elixir project/)
        else {
          expect(message, what).to.match(/^--to ".*"(… \(\d+ characters\))? is not a release version like 0\.1\.0\+7/)
          expectClearMessage(what, message)
        }
      }
    } finally {
      process.chdir(cwd)
    }
  })
})
