import {expect} from 'chai'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {hasUncommittedChanges, mixAppName, pushSource, renderEnvFile} from '../../src/config/app.js'
import {GatlingError} from '../../src/errors.js'
import {isValid} from '../../src/server/rules.js'
import {git, tempDir} from './support.js'

/**
 * The value systemd gives a variable from an EnvironmentFile line KEY="…": a port of the
 * DOUBLE_QUOTE_VALUE states of parse_env_file_internal() in systemd's src/basic/env-file.c.
 * Inside double quotes a backslash only escapes " \ ` $ (and eats a newline); before any other
 * character it stays ("\n" is a backslash and an n). A raw newline is kept as is.
 */
function systemdEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const re = /^([A-Za-z_][A-Za-z0-9_]*)="/gm
  let match: RegExpExecArray | null
  while ((match = re.exec(text))) {
    let i = re.lastIndex
    let value = ''
    for (; i < text.length && text[i] !== '"'; i++) {
      if (text[i] === '\\') {
        const c = text[++i]
        if ('"\\`$'.includes(c)) value += c
        else if (c !== '\n') value += `\\${c}`
      } else value += text[i]
    }
    out[match[1]] = value
    re.lastIndex = i + 1
  }
  return out
}

describe('config/app', () => {
  let dir: string
  let cleanup: () => void
  beforeEach(() => ({dir, cleanup} = tempDir('gatling-unit-app-')))
  afterEach(() => cleanup())

  describe('mixAppName', () => {
    it('reads app: :name from mix.exs', () => {
      writeFileSync(join(dir, 'mix.exs'), 'defmodule Hello.MixProject do\n  use Mix.Project\n\n  def project do\n    [\n      app: :hello_web,\n      version: "0.1.0",\n      deps: [{:jason, "~> 1.4"}]\n    ]\n  end\nend\n')
      expect(mixAppName(dir)).to.equal('hello_web')
    })

    it('reads the fixture app', () => {
      expect(mixAppName(join(import.meta.dirname, '..', 'fixtures', 'hello'))).to.equal('hello')
    })

    it('says the directory is not an Elixir project without mix.exs', () => {
      expect(() => mixAppName(dir)).to.throw(GatlingError, /is not an Elixir project: there is no mix\.exs/)
    })

    it('asks for "app" in gatling.json when mix.exs has no app name', () => {
      writeFileSync(join(dir, 'mix.exs'), 'defmodule X.MixProject do\n  def project, do: [app: String.to_atom("x")]\nend\n')
      expect(() => mixAppName(dir)).to.throw(GatlingError, /Cannot find the app name \(app: :name\) in .*mix\.exs\. Set "app" in gatling\.json\./)
    })
  })

  describe('the app name rule', () => {
    it('accepts names gatling-root accepts and refuses the rest', () => {
      for (const ok of ['hello', 'hello_web', 'a', `a${'b'.repeat(30)}`]) expect(isValid('app', ok), ok).to.equal(true)
      for (const bad of ['Hello', '1app', '_app', 'my-app', '', `a${'b'.repeat(31)}`, 'app;rm']) expect(isValid('app', bad), bad).to.equal(false)
    })
  })

  describe('pushSource', () => {
    const commit = (message = 'commit') => {
      writeFileSync(join(dir, `${message}.txt`), message)
      git(dir, 'add', '-A')
      git(dir, 'commit', '-q', '-m', message)
      return git(dir, 'rev-parse', 'HEAD')
    }

    it('refuses a directory that is not a git repository', () => {
      expect(() => pushSource(dir)).to.throw(GatlingError, /is not a git repository: gatling deploys commits\. Run "git init" and commit your app\./)
    })

    it('refuses a repository with nothing committed', () => {
      git(dir, 'init', '-q')
      expect(() => pushSource(dir)).to.throw(GatlingError, /^Nothing is committed yet/)
    })

    it('refuses a detached HEAD, suggesting --branch', () => {
      git(dir, 'init', '-q')
      commit('one')
      git(dir, 'checkout', '-q', '--detach')
      expect(() => pushSource(dir)).to.throw(GatlingError, /HEAD is detached \(not on a branch\)\. .*--branch/)
    })

    it('refuses a --branch that does not exist, naming it', () => {
      git(dir, 'init', '-q')
      commit('one')
      expect(() => pushSource(dir, 'release')).to.throw(GatlingError, /There is no branch "release" in this repository/)
    })

    it('deploys the tip of the checked-out branch', () => {
      git(dir, 'init', '-q')
      commit('one')
      const rev = commit('two')
      expect(pushSource(dir)).to.deep.equal({branch: 'main', rev})
    })

    it('deploys the tip of --branch, whatever is checked out (even a detached HEAD)', () => {
      git(dir, 'init', '-q')
      const one = commit('one')
      git(dir, 'checkout', '-q', '-b', 'release')
      const two = commit('two')
      git(dir, 'checkout', '-q', 'main')
      expect(pushSource(dir, 'release')).to.deep.equal({branch: 'release', rev: two})
      git(dir, 'checkout', '-q', '--detach', one)
      expect(pushSource(dir, 'release')).to.deep.equal({branch: 'release', rev: two})
    })

    it('works from a subdirectory of the repository', () => {
      git(dir, 'init', '-q')
      const rev = commit('one')
      mkdirSync(join(dir, 'sub'))
      expect(pushSource(join(dir, 'sub'))).to.deep.equal({branch: 'main', rev})
    })

    it('hasUncommittedChanges sees changes to tracked files only', () => {
      git(dir, 'init', '-q')
      commit('one')
      expect(hasUncommittedChanges(dir)).to.equal(false)
      writeFileSync(join(dir, 'untracked.txt'), 'x')
      expect(hasUncommittedChanges(dir)).to.equal(false)
      writeFileSync(join(dir, 'one.txt'), 'changed')
      expect(hasUncommittedChanges(dir)).to.equal(true)
    })
  })

  describe('renderEnvFile', () => {
    const envFile = (text: string) => {
      const file = join(dir, '.env.production')
      writeFileSync(file, text)
      return file
    }

    it('is undefined when the dotenv file does not exist', () => {
      expect(renderEnvFile('hello', join(dir, 'missing'))).to.equal(undefined)
    })

    it('writes one double-quoted KEY="value" line per variable, after a comment header', () => {
      const file = envFile('# secrets\nSECRET_KEY_BASE=abc123\nDATABASE_URL="ecto://u:p@db/app"\nEMPTY=\n')
      const text = renderEnvFile('hello', file)!
      const lines = text.split('\n')
      expect(lines[0]).to.match(/^# hello's environment, from .*\.env\.production/)
      expect(lines.slice(1)).to.deep.equal(['SECRET_KEY_BASE="abc123"', 'DATABASE_URL="ecto://u:p@db/app"', 'EMPTY=""', ''])
    })

    it('escapes double quotes and backslashes in systemd syntax', () => {
      const file = envFile(`QUOTED='say "hi"'\nBACKSLASH='C:\\dir\\n'\nDOLLAR='$HOME and \`cmd\`'\n`)
      const text = renderEnvFile('hello', file)!
      expect(text).to.contain('QUOTED="say \\"hi\\""\n')
      expect(text).to.contain('BACKSLASH="C:\\\\dir\\\\n"\n')
      expect(systemdEnvFile(text)).to.deep.include({QUOTED: 'say "hi"', BACKSLASH: 'C:\\dir\\n', DOLLAR: '$HOME and `cmd`'})
    })

    // Regression: systemd reads `\n` inside double quotes as a backslash and an "n",
    // not as a newline (env-file.c keeps the backslash before any character but " \ ` $). So a
    // multi-line value (a PEM key, as dotenv expands "\n") reaches the app with literal "\n" in it.
    it('gives the app the same values dotenv parsed, newlines included (as systemd reads the file)', () => {
      const pem = '-----BEGIN KEY-----\nabc\n-----END KEY-----'
      const file = envFile('PEM="-----BEGIN KEY-----\\nabc\\n-----END KEY-----"\nPLAIN=x\n')
      const seen = systemdEnvFile(renderEnvFile('hello', file)!)
      expect(seen.PLAIN).to.equal('x')
      expect(seen.PEM).to.equal(pem)
    })

    it('refuses the variables gatling manages itself', () => {
      for (const key of ['PORT', 'RELEASE_COOKIE', 'RELEASE_NODE', 'RELEASE_DISTRIBUTION']) {
        const file = envFile(`OK=1\n${key}=4000\n`)
        expect(() => renderEnvFile('hello', file), key).to.throw(GatlingError, new RegExp(`sets ${key}, which gatling manages itself: remove it\\.`))
      }
    })

    it('refuses invalid variable names', () => {
      for (const key of ['1ABC', 'MY-VAR', 'MY.VAR']) {
        const file = envFile(`${key}=x\n`)
        expect(() => renderEnvFile('hello', file), key).to.throw(GatlingError, new RegExp(`"${key.replace('.', '\\.')}" is not a valid environment variable name`))
      }
    })
  })
})
