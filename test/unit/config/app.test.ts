import {expect} from 'chai'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {hasUncommittedChanges, ignoreEnvFile, isTrackedByGit, mixAppName, pushSource, renderEnvFile} from '../../../src/config/app.js'
import {GatlingError} from '../../../src/errors.js'
import {isValid} from '../../../src/server/rules.js'
import {git, systemdEnvironmentFile, tempDir} from '../support.js'

describe('config/app', () => {
  let dir: string
  let cleanup: () => void
  beforeEach(() => ({dir, cleanup} = tempDir('gatling-unit-app-')))
  afterEach(() => cleanup())

  describe('the env file and git', () => {
    beforeEach(() => {
      git(dir, 'init', '-q')
      writeFileSync(join(dir, '.env.production'), 'SECRET=1\n')
    })

    it('adds the env file to .gitignore once, keeping what the file had', () => {
      writeFileSync(join(dir, '.gitignore'), '/_build')
      expect(ignoreEnvFile(dir, '.env.production')).to.equal('/.env.production')
      expect(readFileSync(join(dir, '.gitignore'), 'utf8')).to.equal('/_build\n# secrets stay out of git (gatling reads them from here)\n/.env.production\n')
      expect(ignoreEnvFile(dir, '.env.production'), 'already ignored').to.equal(undefined)
      expect(git(dir, 'status', '--porcelain', '--', '.env.production')).to.equal('')
    })

    it('leaves a file outside the project alone, and a project that is no git repository', () => {
      expect(ignoreEnvFile(dir, '/etc/secrets.env')).to.equal(undefined)
      const plain = tempDir('gatling-unit-app-nogit-')
      try {
        expect(ignoreEnvFile(plain.dir, '.env.production')).to.equal(undefined)
      } finally {
        plain.cleanup()
      }
    })

    it('knows when the env file is committed', () => {
      expect(isTrackedByGit(dir, '.env.production')).to.equal(false)
      git(dir, 'add', '.env.production')
      expect(isTrackedByGit(dir, '.env.production')).to.equal(true)
    })
  })

  describe('mixAppName', () => {
    it('reads app: :name from mix.exs', () => {
      writeFileSync(join(dir, 'mix.exs'), 'defmodule Hello.MixProject do\n  use Mix.Project\n\n  def project do\n    [\n      app: :hello_web,\n      version: "0.1.0",\n      deps: [{:jason, "~> 1.4"}]\n    ]\n  end\nend\n')
      expect(mixAppName(dir)).to.equal('hello_web')
    })

    it('reads the fixture app', () => {
      expect(mixAppName(join(import.meta.dirname, '..', '..', 'fixtures', 'hello'))).to.equal('hello')
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
    const envFile = (text: string | Buffer, name = '.env.production') => {
      writeFileSync(join(dir, name), text)
      return name
    }

    it('is undefined when .env.production, the default, does not exist: the server keeps its file', () => {
      expect(renderEnvFile('hello', dir)).to.equal(undefined)
    })

    it('refuses a named file (--env-file, "envFile") that does not exist', () => {
      expect(() => renderEnvFile('hello', dir, '.env.staging')).to.throw(GatlingError, /^The env file \.env\.staging does not exist \(.*\/\.env\.staging\)\. Check --env-file or "envFile" in gatling\.json\.$/)
      expect(() => renderEnvFile('hello', dir, '/nonexistent/env')).to.throw(GatlingError, /^The env file \/nonexistent\/env does not exist\. /)
    })

    it('reads a name relative to the project, or absolute', () => {
      mkdirSync(join(dir, 'config'))
      envFile('A=relative\n', 'config/prod.env')
      expect(systemdEnvironmentFile(renderEnvFile('hello', dir, 'config/prod.env')!)).to.deep.equal({A: 'relative'})
      expect(systemdEnvironmentFile(renderEnvFile('hello', join(dir, 'config'), join(dir, 'config/prod.env'))!)).to.deep.equal({A: 'relative'})
      expect(systemdEnvironmentFile(renderEnvFile('hello', join(dir, 'config'), '../config/prod.env')!)).to.deep.equal({A: 'relative'})
    })

    it('refuses a file name with a line break or NUL (it would end the comment at the top of the file)', () => {
      for (const name of ['.env\nPORT=1', '.env\r', '.env\0']) expect(() => renderEnvFile('hello', dir, name), JSON.stringify(name)).to.throw(GatlingError, /has a line break or a NUL in it/)
    })

    it('refuses a file that is not UTF-8, or not a file', () => {
      envFile(Buffer.from([0x41, 0x3d, 0xff, 0x0a]))
      expect(() => renderEnvFile('hello', dir)).to.throw(GatlingError, /^Cannot read the env file \.env\.production: it is not UTF-8 text\.$/)
      mkdirSync(join(dir, 'adir'))
      expect(() => renderEnvFile('hello', dir, 'adir')).to.throw(GatlingError, /^Cannot read the env file adir: it is a directory\.$/)
    })

    it('refuses a malformed line, naming the file as given and the line', () => {
      envFile('A=1\nB="unclosed\n', 'prod.env')
      expect(() => renderEnvFile('hello', dir, 'prod.env')).to.throw(GatlingError, /^prod\.env line 2: the value opened with " is never closed\.$/)
    })

    it('writes one double-quoted KEY="value" line per variable, after a comment header', () => {
      envFile('# secrets\nSECRET_KEY_BASE=abc123\nDATABASE_URL="ecto://u:p@db/app"\nEMPTY=\n')
      const lines = renderEnvFile('hello', dir)!.split('\n')
      expect(lines[0]).to.match(/^# hello's environment, from .*\.env\.production/)
      expect(lines.slice(1)).to.deep.equal(['SECRET_KEY_BASE="abc123"', 'DATABASE_URL="ecto://u:p@db/app"', 'EMPTY=""', ''])
    })

    it('escapes double quotes, backslashes, $ and ` in systemd syntax', () => {
      envFile(`QUOTED='say "hi"'\nBACKSLASH='C:\\dir\\n'\nDOLLAR='$HOME and \`cmd\`'\n`)
      const text = renderEnvFile('hello', dir)!
      expect(text).to.contain('QUOTED="say \\"hi\\""\n')
      expect(text).to.contain('BACKSLASH="C:\\\\dir\\\\n"\n')
      expect(systemdEnvironmentFile(text)).to.deep.equal({QUOTED: 'say "hi"', BACKSLASH: 'C:\\dir\\n', DOLLAR: '$HOME and `cmd`'})
    })

    // Regression: systemd reads `\n` inside double quotes as a backslash and an "n",
    // not as a newline (env-file.c keeps the backslash before any character but " \ ` $). So a
    // multi-line value (a PEM key, as dotenv expands "\n") reached the app with literal "\n" in it.
    it('gives the app the same values dotenv parsed, newlines and CR included (as systemd reads the file)', () => {
      envFile('PEM="-----BEGIN KEY-----\\nabc\\n-----END KEY-----"\nCR="a\\rb"\nRAW="line 1\nline 2"\nPLAIN=x\n')
      expect(systemdEnvironmentFile(renderEnvFile('hello', dir)!)).to.deep.equal({PEM: '-----BEGIN KEY-----\nabc\n-----END KEY-----', CR: 'a\rb', RAW: 'line 1\nline 2', PLAIN: 'x'})
    })

    it('refuses the variables gatling manages itself, and invalid names', () => {
      for (const key of ['PORT', 'RELEASE_COOKIE', 'RELEASE_NODE', 'RELEASE_DISTRIBUTION', 'ELIXIR_ERL_OPTIONS']) {
        envFile(`OK=1\n${key}=4000\n`)
        expect(() => renderEnvFile('hello', dir), key).to.throw(GatlingError, new RegExp(`^\\.env\\.production line 2: ${key} is set by gatling itself`))
      }
      for (const key of ['1ABC', 'MY-VAR', 'MY.VAR']) {
        envFile(`${key}=x\n`)
        expect(() => renderEnvFile('hello', dir), key).to.throw(GatlingError, /line 1: ".*" is not an environment variable name/)
      }
    })
  })
})
