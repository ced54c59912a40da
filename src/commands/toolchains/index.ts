
import {GatlingCommand, appArg, appFlag, connectionFlags} from '../../base-command.js'
import {HELPER, TOOLCHAINS_ROOT} from '../../server/layout.js'
import {GatlingError} from '../../errors.js'
import {cmd, sh} from '../../remote/shell.js'

export interface ToolchainEntry {
  /** otp-27.3.4, elixir-1.18.3-otp-27, or distribution-25.2.3 (the distribution's Erlang/OTP) */
  name: string
  kind: 'otp' | 'elixir' | 'distribution'
  version: string
  /** the OTP major an Elixir build is for */
  otp?: number
  /** on disk, in kilobytes (0 for the distribution's) */
  sizeKb: number
  /** the apps on the server that build with it */
  apps: string[]
}

/** `gatling toolchains --json`: this shape is stable (new fields may be added, none removed or renamed). */
export interface ToolchainsReport {
  app: string
  host: string
  /** where the toolchains live on the server */
  root: string
  toolchains: ToolchainEntry[]
}

/** gatling-root toolchains' lines: NAME KILOBYTES APPS (comma-separated, or -). */
export function parseToolchains(text: string): ToolchainEntry[] {
  return text.split('\n').flatMap((line) => {
    const [name, size, apps] = line.trim().split(/\s+/)
    const m = name ? /^(otp|elixir|distribution)-(.+?)(?:-otp-(\d+))?$/.exec(name) : null
    if (!m) return []
    return [{name, kind: m[1] as ToolchainEntry['kind'], version: m[2], ...(m[3] ? {otp: Number(m[3])} : {}), sizeKb: Number(size) || 0, apps: !apps || apps === '-' ? [] : apps.split(',')}]
  })
}

export default class Toolchains extends GatlingCommand {
  static summary = 'List the Erlang/OTP and Elixir toolchains on the server, and which apps build with each.'

  static description = `Pinned toolchains (.tool-versions, mise.toml or elixir_buildpack.config) are installed side by side in ${TOOLCHAINS_ROOT} by "gatling setup" and "gatling push". A running release needs none of them (it carries its own ERTS): they serve builds. "gatling toolchains prune" removes the ones no app builds with.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json', '<%= config.bin %> toolchains prune']

  static enableJsonFlag = true

  static args = appArg

  static flags = {...connectionFlags, ...appFlag}

  async run(): Promise<ToolchainsReport> {
    const {args, flags} = await this.parse(Toolchains)
    return this.withApp(flags, args.app, async (target, connection) => {
      const result = await connection.exec(cmd(sh('sudo', '-n', HELPER, 'toolchains', target.app)))
      if (result.code !== 0) throw new GatlingError(`gatling toolchains on ${target.host.address} failed: ${(result.stderr || result.stdout).trim() || `exit ${result.code}`}.`)
      const toolchains = parseToolchains(result.stdout)
      for (const t of toolchains) {
        const size = t.kind === 'distribution' ? 'the distribution\'s' : `${(t.sizeKb / 1024).toFixed(0)} MB`
        this.log(`${t.name}  ${size}  ${t.apps.length ? `used by ${t.apps.join(', ')}` : 'unused (gatling toolchains prune removes it)'}`)
      }
      return {app: target.app, host: target.host.address, root: TOOLCHAINS_ROOT, toolchains}
    })
  }
}
