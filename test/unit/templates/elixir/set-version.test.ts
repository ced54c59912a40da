// templates/elixir/set_version.exs: `elixir set_version.exs MIX_EXS BUILD` rewrites the project
// version in mix.exs to "<version>+<BUILD>" (build metadata replaced, not appended), prints the new
// version as its only stdout line, and exits 1 with a message on stderr, leaving mix.exs as it
// was, when it cannot find a literal version. All runs happen in before(), in parallel.
//
// Needs Elixir on this machine (see make-upgrade.test.ts).
import {expect} from 'chai'
import {readFileSync, writeFileSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {join} from 'node:path'

import {tempDir} from '../../support.js'
import {FIXTURES, Jobs, type ProgramRun, copyTools, describeRun, elixirEnv, missingElixir, run} from '../../support.js'

const mixExs = (project: string, extra = ''): string =>
  `defmodule Demo.MixProject do\n  use Mix.Project\n${extra}\n${project}\n\n  def application, do: [extra_applications: [:logger]]\nend\n`

interface Result {
  r: ProgramRun
  before: string
  after: string
}

describe('set_version.exs: the release version "<mix.exs version>+<build>"', function () {
  this.timeout(30_000)

  let work: {dir: string; cleanup: () => void}
  let tools: string
  let env: NodeJS.ProcessEnv
  let files = 0
  const jobs = new Jobs()

  /** set_version.exs on a mix.exs with this content; then again for each further build. */
  const setVersion = (source: string | (() => string), ...builds: string[][]) =>
    jobs.add(async (): Promise<Result[]> => {
      const file = join(work.dir, `mix-${++files}.exs`)
      writeFileSync(file, typeof source === 'string' ? source : source())
      const results: Result[] = []
      for (const args of builds) {
        const before = readFileSync(file, 'utf8')
        const r = await run('elixir', [join(tools, 'set_version.exs'), file, ...args], {cwd: work.dir, env})
        results.push({r, before, after: readFileSync(file, 'utf8')})
      }
      return results
    })

  before(async function () {
    this.timeout(120_000)
    const missing = missingElixir()
    if (missing) throw new Error(missing)
    work = tempDir('gatling-set-version-')
    tools = copyTools(work.dir)
    env = elixirEnv(join(work.dir, 'mix-home'))
    await jobs.runAll(Math.max(2, availableParallelism()))
  })

  after(() => work?.cleanup())

  function expectVersion(res: Result, version: string, changed: [string, string]): void {
    expect(res.r.code, describeRun(res.r)).to.equal(0)
    expect(res.r.stdout, describeRun(res.r)).to.equal(`${version}\n`)
    // exactly that literal changed: the rest of mix.exs byte for byte as it was
    expect(res.before).to.contain(changed[0])
    expect(res.after).to.equal(res.before.replace(changed[0], changed[1]))
  }

  function expectError(res: Result, message: string): void {
    expect(res.r.code, describeRun(res.r)).to.equal(1)
    expect(res.r.stdout, describeRun(res.r)).to.equal('')
    expect(res.r.stderr.startsWith('set_version: '), res.r.stderr).to.equal(true)
    expect(res.r.stderr).to.contain(message)
    expect(res.after, 'mix.exs left as it was').to.equal(res.before)
  }

  describe('version: "x" in project/0', () => {
    const hello = setVersion(() => readFileSync(join(FIXTURES, 'hello', 'mix.exs'), 'utf8'), ['3'], ['4'], ['4'])
    const oneLiner = setVersion(mixExs('  def project, do: [app: :demo, version: "2.0.1", deps: []]'), ['12'])
    const parens = setVersion(mixExs('  def project() do\n    [app: :demo, version: "2.0.1"]\n  end'), ['12'])
    const body = setVersion(mixExs('  def project do\n    deps = []\n    [app: :demo, version: "2.0.1", deps: deps]\n  end'), ['12'])
    const pre = setVersion(mixExs('  def project do\n    [app: :demo, version: "1.0.0-rc.1+local"]\n  end'), ['7'])
    const dotted = setVersion(mixExs('  def project do\n    [app: :demo, version: "1.0.0"]\n  end'), ['20240501.ci-7'])
    const crlf = setVersion(mixExs('  def project do\n    [app: :demo, version: "0.3.0"]\n  end').replaceAll('\n', '\r\n'), ['5'])

    it('the hello fixture: 0.1.0 -> 0.1.0+3, printed as the only stdout line', () => {
      expectVersion(hello()[0], '0.1.0+3', ['version: "0.1.0",', 'version: "0.1.0+3",'])
    })

    it('run again: the build metadata is replaced, not appended (0.1.0+3 -> 0.1.0+4), and the same build changes nothing', () => {
      expectVersion(hello()[1], '0.1.0+4', ['version: "0.1.0+3",', 'version: "0.1.0+4",'])
      expect(hello()[2].r.stdout).to.equal('0.1.0+4\n')
      expect(hello()[2].after).to.equal(hello()[2].before)
    })

    it('def project, do: [...]; def project() do; a body with more than the keyword list', () => {
      expectVersion(oneLiner()[0], '2.0.1+12', ['version: "2.0.1"', 'version: "2.0.1+12"'])
      expectVersion(parens()[0], '2.0.1+12', ['version: "2.0.1"', 'version: "2.0.1+12"'])
      expectVersion(body()[0], '2.0.1+12', ['version: "2.0.1"', 'version: "2.0.1+12"'])
    })

    it('keeps a pre-release, replaces earlier build metadata; a dotted build', () => {
      expectVersion(pre()[0], '1.0.0-rc.1+7', ['"1.0.0-rc.1+local"', '"1.0.0-rc.1+7"'])
      expectVersion(dotted()[0], '1.0.0+20240501.ci-7', ['"1.0.0"', '"1.0.0+20240501.ci-7"'])
    })

    it('keeps CRLF line endings', () => {
      expectVersion(crlf()[0], '0.3.0+5', ['version: "0.3.0"]\r\n', 'version: "0.3.0+5"]\r\n'])
    })
  })

  describe('version: @version with @version "x"', () => {
    const attr = setVersion(
      mixExs('  def project do\n    [app: :demo, version: @version, source_url: @source_url]\n  end', '  @version "1.4.2"\n  @source_url "https://example.com/demo"'),
      ['9'],
      ['10'],
    )

    it('rewrites the attribute, not the keyword', () => {
      expectVersion(attr()[0], '1.4.2+9', ['@version "1.4.2"\n', '@version "1.4.2+9"\n'])
      expect(attr()[0].after).to.contain('version: @version,')
      expectVersion(attr()[1], '1.4.2+10', ['@version "1.4.2+9"\n', '@version "1.4.2+10"\n'])
    })
  })

  describe('errors: exit 1, a message on stderr, mix.exs unchanged', () => {
    const noVersion = setVersion(mixExs('  def project do\n    [app: :demo, deps: []]\n  end'), ['1'])
    const noProject = setVersion('defmodule Demo.MixProject do\n  use Mix.Project\n  def application, do: []\nend\n', ['1'])
    const computed = setVersion(mixExs('  def project do\n    [app: :demo, version: version()]\n  end\n\n  defp version, do: "0.1.0"'), ['1'])
    const noAttr = setVersion(mixExs('  def project do\n    [app: :demo, version: @vsn]\n  end'), ['1'])
    const twoAttrs = setVersion(mixExs('  def project, do: [app: :demo, version: @version]', '  @version "0.1.0"\n  @version "0.2.0"'), ['1'])
    const notSemver = setVersion(mixExs('  def project, do: [app: :demo, version: "1.0"]'), ['1'])
    const badBuild = setVersion(mixExs('  def project, do: [app: :demo, version: "1.0.0"]'), ['a b'], ['1+2'])
    const usage = setVersion(mixExs('  def project, do: [app: :demo, version: "1.0.0"]'), [])
    const unparsable = setVersion(mixExs('  def project, do: [app: :demo, version: "1.0.0"'), ['1'])

    it('no :version in project/0', () => {
      expectError(noVersion()[0], 'project/0 has no :version')
    })

    it('no def project at all', () => {
      expectError(noProject()[0], 'no `def project` returning a keyword list found')
    })

    it('a version that is computed, not a literal', () => {
      expectError(computed()[0], 'project version is not a string literal or module attribute: version()')
    })

    it('version: @vsn without @vsn "x.y.z"; @version set twice', () => {
      expectError(noAttr()[0], '`version: @vsn` but no `@vsn "x.y.z"` found')
      expectError(twoAttrs()[0], '@version is set more than once in mix.exs')
    })

    it('a version that is not x.y.z', () => {
      expectError(notSemver()[0], 'version "1.0" is not a valid Elixir Version (x.y.z)')
    })

    it('a build that is not semver build metadata, wrong arguments', () => {
      for (const res of badBuild()) expectError(res, 'invalid build')
      for (const res of usage()) expectError(res, 'usage: elixir set_version.exs MIX_EXS BUILD')
    })

    it('a mix.exs that does not parse', () => {
      expectError(unparsable()[0], 'cannot parse')
    })
  })
})
