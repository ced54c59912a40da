import {expect} from 'chai'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {validateProjectConfig} from '../../../src/config/project.js'
import {DEFAULT_MIRROR, DEFAULT_OTP_SOURCE, ELIXIR_OTP, checkPin, describeToolchain, elixirRequirement, readToolchain, satisfies, supportedOtp} from '../../../src/config/toolchain.js'
import {GatlingError} from '../../../src/errors.js'
import {tempDir} from '../support.js'

const MIX = (requirement?: string) => `defmodule Hello.MixProject do\n  use Mix.Project\n  def project, do: [app: :hello, version: "0.1.0"${requirement ? `, elixir: "${requirement}"` : ''}]\nend\n`

describe('config/toolchain', () => {
  let root: string
  let cleanup: () => void
  let n = 0
  before(() => ({dir: root, cleanup} = tempDir()))
  after(() => cleanup())

  /** A project directory with these files. */
  const project = (files: Record<string, string>, requirement?: string): string => {
    const dir = join(root, `p${n++}`)
    mkdirSync(dir)
    writeFileSync(join(dir, 'mix.exs'), MIX(requirement))
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
    return dir
  }
  const refusal = (fn: () => unknown): string => {
    try {
      fn()
    } catch (error) {
      expect(error).to.be.instanceOf(GatlingError)
      return (error as Error).message
    }
    throw new Error('accepted')
  }

  describe('reading the pin', () => {
    it('reads .tool-versions (asdf, mise): erlang and elixir, comments and fallbacks aside', () => {
      const dir = project({'.tool-versions': '# pinned\nerlang 27.3.4 26.2.5  # the first is used\nelixir 1.18.3-otp-27\nnodejs 22.1.0\n'})
      expect(readToolchain(dir)).to.deep.equal({otp: '27.3.4', otpMajor: 27, elixir: '1.18.3', pinnedIn: '.tool-versions', mirror: DEFAULT_MIRROR, otpSource: DEFAULT_OTP_SOURCE})
    })

    it("reads mise.toml's [tools] only (strings, single quotes, lists), else elixir_buildpack.config", () => {
      const mise = project({'mise.toml': '[env]\nerlang = "1"\n[tools]\nerlang = "25.2.3" # comment\nelixir = [\'1.18.3-otp-25\', "1.17.3"]\n[tasks.x]\nelixir = "9"\n'})
      expect(readToolchain(mise)).to.include({otp: '25.2.3', elixir: '1.18.3', pinnedIn: 'mise.toml'})
      expect(readToolchain(project({'mise.toml': "[tools]\nerlang = '26.2.5'\nelixir = 'v1.17.3-otp-26'\n"}))).to.include({otp: '26.2.5', elixir: '1.17.3'})
      const buildpack = project({'elixir_buildpack.config': '# Heroku\nerlang_version=27.3.4\nelixir_version=v1.18.3\nalways_rebuild=false\n'})
      expect(readToolchain(buildpack)).to.include({otp: '27.3.4', otpMajor: 27, elixir: '1.18.3', pinnedIn: 'elixir_buildpack.config'})
    })

    it('takes the first file that pins anything: .tool-versions, then mise.toml, then elixir_buildpack.config', () => {
      const dir = project({'.tool-versions': 'nodejs 22\n', 'mise.toml': '[tools]\nerlang = "26.2.5"\nelixir = "1.17.3-otp-26"\n', 'elixir_buildpack.config': 'erlang_version=27.3.4\nelixir_version=1.18.3\n'})
      expect(readToolchain(dir)?.pinnedIn).to.equal('mise.toml')
    })

    it('is undefined without a pin (the distribution builds), and carries toolchains.mirror', () => {
      expect(readToolchain(project({}))).to.equal(undefined)
      expect(readToolchain(project({'.tool-versions': 'nodejs 22.1.0\n'}))).to.equal(undefined)
      expect(readToolchain(project({'.tool-versions': 'erlang 25.2.3\nelixir 1.18.3-otp-25\n'}), {mirror: 'http://10.231.4.1:8088', otpSource: 'http://10.231.4.1:8088/otp'})).to.include({mirror: 'http://10.231.4.1:8088', otpSource: 'http://10.231.4.1:8088/otp'})
    })

    it("reads mix.exs's elixir: requirement", () => {
      expect(elixirRequirement(project({}, '~> 1.17'))).to.equal('~> 1.17')
      expect(elixirRequirement(project({}))).to.equal(undefined)
    })
  })

  describe('refusals, before anything is downloaded', () => {
    it('an Elixir built for another OTP major than the pinned OTP', () => {
      const message = refusal(() => checkPin({erlang: '25.2.3', elixir: '1.18.3-otp-27'}, '.tool-versions', undefined))
      expect(message).to.equal('.tool-versions pins Elixir 1.18.3-otp-27, a build for OTP 27, but Erlang/OTP 25.2.3: pin elixir 1.18.3-otp-25, or the Erlang/OTP 27 it was built for. Nothing was downloaded or changed.')
    })

    it('an Elixir that does not support the pinned OTP (the compatibility table)', () => {
      expect(refusal(() => checkPin({erlang: '24.3.4', elixir: '1.18.3'}, '.tool-versions', undefined))).to.equal(
        '.tool-versions pins Elixir 1.18.3 with Erlang/OTP 24.3.4, but Elixir 1.18.3 supports Erlang/OTP 25–27 only: pin an OTP it supports, or an Elixir that supports OTP 24. Nothing was downloaded or changed.')
      expect(refusal(() => checkPin({erlang: '28.0', elixir: '1.18.3-otp-28'}, 'mise.toml', undefined))).to.contain('supports Erlang/OTP 25–27 only')
      expect(checkPin({erlang: '28.0', elixir: '1.18.4-otp-28'}, 'mise.toml', undefined).otpMajor).to.equal(28)
      expect(refusal(() => checkPin({erlang: '27.0', elixir: '1.99.0'}, '.tool-versions', undefined))).to.contain('whose supported Erlang/OTP versions gatling does not know')
    })

    it('an Elixir that does not satisfy mix.exs', () => {
      expect(refusal(() => checkPin({erlang: '25.2.3', elixir: '1.16.3-otp-25'}, '.tool-versions', '~> 1.17'))).to.equal(
        '.tool-versions pins Elixir 1.16.3, but mix.exs requires elixir "~> 1.17": Mix would refuse to build. Pin an Elixir that satisfies it. Nothing was changed.')
    })

    it('half a pin, and versions that are no released versions', () => {
      expect(refusal(() => checkPin({elixir: '1.18.3-otp-27'}, '.tool-versions', undefined))).to.match(/pins Elixir 1\.18\.3-otp-27 but no Erlang\/OTP: add "erlang VERSION"/)
      expect(refusal(() => checkPin({erlang: '27.3.4'}, '.tool-versions', undefined))).to.match(/no Elixir: add "elixir VERSION-otp-MAJOR" \(for example elixir 1\.18\.3-otp-27\)/)
      expect(refusal(() => checkPin({erlang: 'latest', elixir: '1.18.3'}, '.tool-versions', undefined))).to.contain('"latest", which is not an OTP version')
      expect(refusal(() => checkPin({erlang: '27.3.4', elixir: 'ref:main'}, '.tool-versions', undefined))).to.contain('"ref:main", which is not an Elixir version')
      expect(refusal(() => readToolchain(project({'.tool-versions': 'erlang ../../etc\nelixir 1.18.3\n'})))).to.contain('not an OTP version')
    })
  })

  it('satisfies: ~>, comparisons, and, or', () => {
    expect(satisfies('1.18.3', '~> 1.17')).to.equal(true)
    expect(satisfies('2.0.0', '~> 1.17')).to.equal(false)
    expect(satisfies('1.16.3', '~> 1.17')).to.equal(false)
    expect(satisfies('1.17.3', '~> 1.17.2')).to.equal(true)
    expect(satisfies('1.18.0', '~> 1.17.2')).to.equal(false)
    expect(satisfies('1.15.0', '>= 1.15.0 and < 2.0.0')).to.equal(true)
    expect(satisfies('1.14.5', '== 1.14.5 or ~> 1.18')).to.equal(true)
    expect(satisfies('1.19.0-rc.1', '~> 1.19')).to.equal(true)
    expect(satisfies('1.18.3', 'nonsense')).to.equal(false)
  })

  it('supportedOtp: the table, with patch releases that add a major', () => {
    expect(supportedOtp('1.17.3')).to.deep.equal([25, 26, 27])
    expect(supportedOtp('1.14.0')).to.deep.equal([23, 24, 25])
    expect(supportedOtp('1.14.5')).to.deep.equal([23, 24, 25, 26])
    expect(supportedOtp('1.30.0')).to.equal(undefined)
    expect(Object.keys(ELIXIR_OTP)).to.include.members(['1.14', '1.18', '1.20'])
  })

  it('describes the choice for the task tree', () => {
    expect(describeToolchain(checkPin({erlang: '25.2.3', elixir: '1.18.3-otp-25'}, '.tool-versions', '~> 1.17'))).to.equal('Erlang/OTP 25.2.3 and Elixir 1.18.3-otp-25 (pinned in .tool-versions)')
  })

  it('toolchains.mirror in gatling.json: an https URL, or http for a local mirror', () => {
    expect(validateProjectConfig({toolchains: {mirror: 'https://mirror.example.com/hex'}}, () => {}).toolchains?.mirror).to.equal('https://mirror.example.com/hex')
    expect(() => validateProjectConfig({toolchains: {mirror: 'ftp://x'}}, () => {})).to.throw(/"toolchains.mirror" must be a mirror URL like https:\/\/builds.hex.pm/)
    const warnings: string[] = []
    validateProjectConfig({toolchains: {mirorr: 'https://x'}}, (w) => warnings.push(w))
    expect(warnings).to.deep.equal(['gatling.json: unknown key "toolchains.mirorr" is ignored: did you mean mirror?'])
    expect(() => validateProjectConfig({build: {env: {PATH: '/x'}}}, () => {})).to.throw(/not one gatling sets for the build \(MIX_ENV, LANG, MIX_REBAR3, PATH\)/)
  })
})
