import {GatlingError} from '../errors.js'
import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, or, sh} from '../remote/shell.js'

// Distribution releases whose packaged Elixir can build and hot-upgrade a `mix release` (1.12+).
const SUPPORTED: Record<string, {min: number; elixirOf: Record<string, string>}> = {
  debian: {min: 12, elixirOf: {'11': '1.10', '10': '1.7'}},
  ubuntu: {min: 22.04, elixirOf: {'20.04': '1.9', '18.04': '1.3', '16.04': '1.1'}},
}

export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim())
    if (match) fields[match[1]] = match[2].replace(/^"(.*)"$/, '$1')
  }
  return fields
}

export function assertSupported(id: string, versionId: string, prettyName: string, host: string): void {
  const rule = SUPPORTED[id]
  const supported = 'gatling supports Debian 12 (bookworm) and 13 (trixie), and Ubuntu 22.04 and newer'
  if (!rule) throw new GatlingError(`${host} runs ${prettyName || id}, which gatling cannot provision: ${supported}. Nothing was changed.`)
  if (versionId === '') throw new GatlingError(`${host} runs ${prettyName}, a rolling release (no version number) that gatling does not support: ${supported}. Nothing was changed.`)
  if (Number(versionId) < rule.min) {
    const elixir = rule.elixirOf[versionId]
    throw new GatlingError(
      `${host} runs ${prettyName}, whose packaged Elixir${elixir ? ` (${elixir})` : ''} is too old for gatling (it needs Elixir 1.12+ from the distribution for mix release and hot upgrades). ` +
        `${supported}: upgrade the server's distribution or start from a newer image. Nothing was changed.`,
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
    assertSupported(id, versionId, fields.PRETTY_NAME ?? id, ctx.host)
    const kind = virt.stdout.trim()
    ctx.os = {id, versionId, prettyName: fields.PRETTY_NAME ?? id, container: kind !== '' && kind !== 'none'}
  },
}
