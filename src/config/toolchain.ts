// The project's Erlang/OTP and Elixir: the pin (.tool-versions, else mise.toml's [tools], else
// elixir_buildpack.config) and the `elixir:` requirement of mix.exs, checked against each other and
// against the Elixir/OTP compatibility table before anything is downloaded.
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {GatlingError, shown} from '../errors.js'
import {isValid} from '../server/rules.js'

/** Where upstream builds come from when gatling.json names no mirror (the builds.hex.pm layout below it). */
export const DEFAULT_MIRROR = 'https://builds.hex.pm'

/**
 * Where Erlang/OTP source releases come from when no upstream build fits the server (toolchains.otpSource):
 * OTP-VSN/otp_src_VSN.tar.gz and OTP-VSN/SHA256.txt below it, as Erlang/OTP's GitHub releases publish them.
 */
export const DEFAULT_OTP_SOURCE = 'https://github.com/erlang/otp/releases/download'

/** The files a pin is read from, in order: the first that pins anything wins. */
export const PIN_FILES = ['.tool-versions', 'mise.toml', 'elixir_buildpack.config'] as const

/**
 * The Erlang/OTP majors each Elixir minor supports (hexdocs "Compatibility between Elixir and Erlang/OTP");
 * `from` adds a major from a patch release on (1.14.5 runs on OTP 26).
 */
export const ELIXIR_OTP: Record<string, {otp: [number, number]; from?: {patch: number; otp: number}}> = {
  '1.12': {otp: [22, 24]},
  '1.13': {otp: [22, 24], from: {patch: 4, otp: 25}},
  '1.14': {otp: [23, 25], from: {patch: 5, otp: 26}},
  '1.15': {otp: [24, 26]},
  '1.16': {otp: [24, 26]},
  '1.17': {otp: [25, 27]},
  '1.18': {otp: [25, 27], from: {patch: 4, otp: 28}},
  '1.19': {otp: [26, 28]},
  '1.20': {otp: [27, 29]},
}

export interface Toolchain {
  /** Erlang/OTP version, as upstream names its builds ("25.2.3", "27.3.4.1"). */
  otp: string
  otpMajor: number
  /** Elixir version without its OTP suffix ("1.18.3"). */
  elixir: string
  /** The file the pin came from, for the task tree. */
  pinnedIn: string
  /** toolchains.mirror of gatling.json, or builds.hex.pm. */
  mirror: string
  /** toolchains.otpSource of gatling.json, or Erlang/OTP's GitHub releases. */
  otpSource: string
}

/** gatling.json's toolchains settings. */
export interface ToolchainSettings {
  mirror?: string
  otpSource?: string
}

interface RawPin {
  erlang?: string
  elixir?: string
}

const clean = (value: string): string => value.trim().replace(/^["']|["']$/g, '').replace(/^v(?=\d)/, '')

function parseToolVersions(text: string): RawPin {
  const pin: RawPin = {}
  for (const line of text.split('\n')) {
    // asdf allows several versions on a line (fallbacks): the first is the one used
    const [tool, version] = line.replace(/#.*$/, '').trim().split(/\s+/)
    if ((tool === 'erlang' || tool === 'elixir') && version) pin[tool] = clean(version)
  }
  return pin
}

function parseMiseToml(text: string): RawPin {
  const pin: RawPin = {}
  let inTools = false
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim()
    const section = /^\[(.+)\]$/.exec(line)
    if (section) {
      inTools = section[1].trim() === 'tools'
      continue
    }
    const entry = /^(erlang|elixir)\s*=\s*(?:"([^"]*)"|'([^']*)'|\[\s*["']([^"']*)["'])/.exec(line)
    if (inTools && entry) pin[entry[1] as 'erlang' | 'elixir'] = clean(entry[2] ?? entry[3] ?? entry[4])
  }
  return pin
}

function parseBuildpackConfig(text: string): RawPin {
  const pin: RawPin = {}
  for (const line of text.split('\n')) {
    const entry = /^\s*(erlang|elixir)_version\s*=\s*(.+?)\s*$/.exec(line)
    if (entry) pin[entry[1] as 'erlang' | 'elixir'] = clean(entry[2])
  }
  return pin
}

const PARSERS: Record<(typeof PIN_FILES)[number], (text: string) => RawPin> = {
  '.tool-versions': parseToolVersions,
  'mise.toml': parseMiseToml,
  'elixir_buildpack.config': parseBuildpackConfig,
}

/** The mix.exs `elixir:` requirement ("~> 1.17"), if it has one. */
export function elixirRequirement(dir: string): string | undefined {
  const file = join(dir, 'mix.exs')
  if (!existsSync(file)) return undefined
  return /\belixir:\s*"([^"]+)"/.exec(readFileSync(file, 'utf8'))?.[1]
}

type Version = [number, number, number]
const parseVersion = (text: string): Version | undefined => {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?$/.exec(text.trim())
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined
}
const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]

/** Does VERSION satisfy an Elixir version requirement ("~> 1.17", ">= 1.15.0 and < 2.0.0", "== 1.18.3 or ~> 1.19")? */
export function satisfies(version: string, requirement: string): boolean {
  const v = parseVersion(version)
  if (!v) return false
  return requirement.split(/\s+or\s+/).some((alternative) =>
    alternative.split(/\s+and\s+/).every((clause) => {
      const m = /^\s*(~>|>=|<=|==|!=|>|<)?\s*(\S+)\s*$/.exec(clause)
      const want = m ? parseVersion(m[2]) : undefined
      if (!m || !want) return false
      const c = compare(v, want)
      switch (m[1] ?? '==') {
        case '~>': {
          // ~> 1.17 allows 1.x from 1.17; ~> 1.17.2 allows 1.17.x from 1.17.2
          const parts = m[2].split('-')[0].split('.').length
          const upper: Version = parts <= 2 ? [want[0] + 1, 0, 0] : [want[0], want[1] + 1, 0]
          return c >= 0 && compare(v, upper) < 0
        }
        case '>=': return c >= 0
        case '<=': return c <= 0
        case '>': return c > 0
        case '<': return c < 0
        case '!=': return c !== 0
        default: return c === 0
      }
    }),
  )
}

/** The OTP majors an Elixir version runs on, or undefined for a minor gatling does not know. */
export function supportedOtp(elixir: string): number[] | undefined {
  const v = parseVersion(elixir)
  const rule = v && ELIXIR_OTP[`${v[0]}.${v[1]}`]
  if (!v || !rule) return undefined
  const majors: number[] = []
  for (let major = rule.otp[0]; major <= rule.otp[1]; major++) majors.push(major)
  if (rule.from && v[2] >= rule.from.patch) majors.push(rule.from.otp)
  return majors
}

const range = (majors: number[]): string => (majors.length === 1 ? `${majors[0]}` : `${majors[0]}–${majors.at(-1)}`)

/**
 * The project's pinned toolchain, checked before anything is downloaded: both versions pinned, an
 * Elixir build for the pinned OTP major, an Elixir that supports that OTP and satisfies mix.exs.
 * Undefined without a pin (the distribution's packages build then).
 */
export function readToolchain(dir: string, settings: ToolchainSettings = {}): Toolchain | undefined {
  for (const name of PIN_FILES) {
    const file = join(dir, name)
    if (!existsSync(file)) continue
    const pin = PARSERS[name](readFileSync(file, 'utf8'))
    if (pin.erlang === undefined && pin.elixir === undefined) continue
    return checkPin(pin, name, elixirRequirement(dir), settings)
  }
  return undefined
}

export function checkPin(pin: RawPin, pinnedIn: string, requirement: string | undefined, settings: ToolchainSettings = {}): Toolchain {
  const where = `${pinnedIn} pins`
  if (pin.erlang === undefined) throw new GatlingError(`${where} Elixir ${pin.elixir} but no Erlang/OTP: add "erlang VERSION" (for example erlang 27.3.4) so that the server gets exactly that OTP. Nothing was changed.`)
  if (pin.elixir === undefined) throw new GatlingError(`${where} Erlang/OTP ${pin.erlang} but no Elixir: add "elixir VERSION-otp-MAJOR" (for example elixir 1.18.3-otp-${pin.erlang.split('.')[0]}). Nothing was changed.`)
  if (!isValid('otpVersion', pin.erlang)) throw new GatlingError(`${where} Erlang/OTP ${shown(pin.erlang)}, which is not an OTP version like 27.3.4 (gatling installs released versions, not "latest", "ref:" or paths). Nothing was changed.`)
  const otpMajor = Number(pin.erlang.split('.')[0])
  const m = /^(.*?)(?:-otp-(\d+))?$/.exec(pin.elixir)!
  const elixir = m[1]
  if (!isValid('elixirVersion', elixir)) throw new GatlingError(`${where} Elixir ${shown(pin.elixir)}, which is not an Elixir version like 1.18.3 or 1.18.3-otp-27. Nothing was changed.`)
  if (m[2] !== undefined && Number(m[2]) !== otpMajor) {
    throw new GatlingError(`${where} Elixir ${pin.elixir}, a build for OTP ${m[2]}, but Erlang/OTP ${pin.erlang}: pin elixir ${elixir}-otp-${otpMajor}, or the Erlang/OTP ${m[2]} it was built for. Nothing was downloaded or changed.`)
  }
  const majors = supportedOtp(elixir)
  if (!majors) throw new GatlingError(`${where} Elixir ${elixir}, whose supported Erlang/OTP versions gatling does not know (it knows Elixir ${Object.keys(ELIXIR_OTP)[0]}–${Object.keys(ELIXIR_OTP).at(-1)}). Nothing was changed.`)
  if (!majors.includes(otpMajor)) {
    throw new GatlingError(`${where} Elixir ${elixir} with Erlang/OTP ${pin.erlang}, but Elixir ${elixir} supports Erlang/OTP ${range(majors)} only: pin an OTP it supports, or an Elixir that supports OTP ${otpMajor}. Nothing was downloaded or changed.`)
  }
  if (requirement !== undefined && !satisfies(elixir, requirement)) {
    throw new GatlingError(`${where} Elixir ${elixir}, but mix.exs requires elixir ${shown(requirement)}: Mix would refuse to build. Pin an Elixir that satisfies it. Nothing was changed.`)
  }
  return {otp: pin.erlang, otpMajor, elixir, pinnedIn, mirror: settings.mirror ?? DEFAULT_MIRROR, otpSource: settings.otpSource ?? DEFAULT_OTP_SOURCE}
}

/** What the task tree says about the chosen toolchain. */
export const describeToolchain = (t: Toolchain): string => `Erlang/OTP ${t.otp} and Elixir ${t.elixir}-otp-${t.otpMajor} (pinned in ${t.pinnedIn})`
