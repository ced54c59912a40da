import {satisfies} from '../config/toolchain.js'
import {GatlingError} from '../errors.js'
import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, or, sh} from '../remote/shell.js'

// Distribution releases whose packaged Elixir can build and hot-upgrade a `mix release` (1.12+), and, with a
// pinned toolchain (.tool-versions…), the older ones it can be installed on (an upstream build, the
// distribution's OTP when it is the pinned major, else OTP built from source).
const SUPPORTED: Record<string, {min: number; pinnedMin: number; elixirOf: Record<string, string>}> = {
  debian: {min: 12, pinnedMin: 11, elixirOf: {'11': '1.10', '10': '1.7'}},
  ubuntu: {min: 22.04, pinnedMin: 16.04, elixirOf: {'20.04': '1.9', '18.04': '1.3', '16.04': '1.1'}},
}

/** The Elixir each supported release packages (packages.debian.org, packages.ubuntu.com). */
export const DISTRO_ELIXIR: Record<string, Record<string, string>> = {
  debian: {'12': '1.14.0', '13': '1.18.3'},
  ubuntu: {'22.04': '1.12.2', '24.04': '1.14.0'},
}

/** What to pin where the distribution's Elixir is too old (an example that builds a current Phoenix app). */
export const PIN_HINT = 'pin Erlang/OTP and Elixir in the project\'s .tool-versions (for example "erlang 25.2.3" and "elixir 1.18.3-otp-25") and run setup from the project: gatling then installs exactly those'

export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim())
    if (match) fields[match[1]] = match[2].replace(/^"(.*)"$/, '$1')
  }
  return fields
}

export function assertSupported(id: string, versionId: string, prettyName: string, host: string, pinned = false): void {
  const rule = SUPPORTED[id]
  const supported = pinned
    ? 'with a pinned toolchain gatling supports Debian 11 (bullseye) to 13 (trixie), and Ubuntu 16.04 and newer'
    : 'gatling supports Debian 12 (bookworm) and 13 (trixie), and Ubuntu 22.04 and newer (Debian 11 and Ubuntu 16.04–20.04 with a pinned toolchain)'
  if (!rule) throw new GatlingError(`${host} runs ${prettyName || id}, which gatling cannot provision: ${supported}. Nothing was changed.`)
  if (versionId === '') throw new GatlingError(`${host} runs ${prettyName}, a rolling release (no version number) that gatling does not support: ${supported}. Nothing was changed.`)
  if (pinned && Number(versionId) < rule.pinnedMin) {
    throw new GatlingError(`${host} runs ${prettyName}, too old for a pinned toolchain (gatling cannot build Erlang/OTP there): ${supported}. Upgrade the server's distribution or start from a newer image. Nothing was changed.`)
  }
  if (!pinned && Number(versionId) < rule.min) {
    const elixir = rule.elixirOf[versionId]
    throw new GatlingError(
      `${host} runs ${prettyName}, whose packaged Elixir${elixir ? ` (${elixir})` : ''} is too old for gatling (it needs Elixir 1.12+ for mix release and hot upgrades). ` +
        `${supported}: ${Number(versionId) >= rule.pinnedMin ? `${PIN_HINT}, or ` : ''}upgrade the server's distribution or start from a newer image. Nothing was changed.`,
    )
  }
}

export const detectSystem: Step<SetupContext> = {
  title: 'Detect the operating system',
  readOnly: true,
  commands: () => [cmd(sh('cat', '/etc/os-release')), cmd(or(sh('systemd-detect-virt', '--container'), sh('true')))],
  after(ctx, [osRelease, virt]) {
    const fields = parseOsRelease(osRelease.stdout)
    const id = fields.ID ?? 'unknown'
    const versionId = fields.VERSION_ID ?? ''
    assertSupported(id, versionId, fields.PRETTY_NAME ?? id, ctx.host, ctx.toolchain !== undefined)
    // without a pin the distribution's Elixir builds: refused here, before anything changes, when mix.exs asks for more
    const packaged = DISTRO_ELIXIR[id]?.[versionId]
    if (!ctx.toolchain && ctx.elixirRequirement && packaged && !satisfies(packaged, ctx.elixirRequirement)) {
      throw new GatlingError(`${ctx.host} runs ${fields.PRETTY_NAME ?? id}, whose packaged Elixir ${packaged} does not satisfy mix.exs's elixir: ${JSON.stringify(ctx.elixirRequirement)}: ${PIN_HINT}. Nothing was changed.`)
    }
    const kind = virt.stdout.trim()
    ctx.os = {id, versionId, prettyName: fields.PRETTY_NAME ?? id, container: kind !== '' && kind !== 'none'}
  },
}
