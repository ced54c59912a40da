// What the day-two commands read from a server (gatling status, releases): one deploy-tool call each, its
// line-per-fact output parsed here. The shapes are the commands' --json output: stable (fields are added,
// never renamed or removed).
import type {DeployContext} from '../context.js'
import {GatlingError} from '../errors.js'
import {RELEASE_RECORD_FIELDS, type ReleaseRecordField} from '../server/state.js'
import {deployTool, hostHeader} from '../steps/deploy-support.js'
import type {Connection} from './connection.js'

export type ReleaseHow = 'first' | 'hot' | 'restart' | 'rollback'

export interface ReleaseInfo {
  version: string
  current: boolean
  /** null: no record (deployed by a gatling before records, or the record was lost) */
  commit: string | null
  /** when it became current (ISO 8601, UTC) */
  time: string | null
  by: string | null
  how: ReleaseHow | null
  /** how it reached the running node: first, hot or restart */
  path: 'first' | 'hot' | 'restart' | null
}

export interface InstanceInfo {
  port: number
  /** systemd's ActiveState: active, inactive, activating, failed… */
  state: string
  /** the OS pid of the node (null when not running) */
  pid: number | null
  /** when the OS process started (ISO 8601), and seconds since */
  startedAt: string | null
  uptimeSeconds: number | null
  /** resident memory of the node's OS process, in bytes */
  rssBytes: number | null
  /** the release its copy runs (hot upgrades included) */
  version: string | null
  /** nginx sends it traffic: primary, or backup during a restart's switch; null: none */
  serving: 'primary' | 'backup' | null
}

export interface StatusReport {
  app: string
  host: string
  current: string | null
  /** the running version and commit: the primary instance's release and that release's record */
  version: string | null
  commit: string | null
  /** how the running node got its release: "hot" (upgraded in place at `since`) or "restarted" (its OS process started at `since`) */
  mode: 'hot' | 'restarted' | null
  since: string | null
  /** GET healthCheck through nginx, as a visitor asks it: the HTTP status (0: no answer) */
  health: {path: string; status: number; ok: boolean}
  instances: InstanceInfo[]
}

async function deployToolOutput(connection: Connection, ctx: DeployContext, what: string, ...args: string[]): Promise<string> {
  const command = deployTool(ctx, what, ...args)
  const result = await connection.exec(command)
  if (result.code !== 0) {
    throw new GatlingError(`Reading the ${what} of ${ctx.app} on ${ctx.host} failed (exit ${result.code}). Is the app deployed there (gatling push), with this gatling's tools (a push or "gatling setup" again rewrites them)?`, {host: ctx.host, command: command.script, output: result.tail})
  }
  return result.stdout
}

/** `gatling-deploy releases` output -> the kept releases, highest deploy number first. */
export function parseReleases(text: string): ReleaseInfo[] {
  const releases: ReleaseInfo[] = []
  let current: string | null = null
  for (const line of text.split('\n')) {
    if (line.startsWith('current ')) current = line.slice(8).trim() || null
    else if (line.startsWith('release ')) releases.push({version: line.slice(8).trim(), current: false, commit: null, time: null, by: null, how: null, path: null})
    else {
      const i = line.indexOf('=')
      const release = releases.at(-1)
      if (i <= 0 || !release) continue
      const key = line.slice(0, i) as ReleaseRecordField
      const value = line.slice(i + 1)
      if (!(key in RELEASE_RECORD_FIELDS) || key === 'version') continue
      ;(release as unknown as Record<string, string | null>)[key] = value === '' ? null : value
    }
  }
  for (const release of releases) release.current = release.version === current
  return releases
}

export async function readReleases(connection: Connection, ctx: DeployContext): Promise<ReleaseInfo[]> {
  return parseReleases(await deployToolOutput(connection, ctx, 'releases'))
}

const num = (text: string | undefined): number | null => (text === undefined || !/^[0-9]+$/.test(text) ? null : Number(text))

/** `gatling-deploy status` and `releases` output -> the report. `now`: when it was read (for startedAt). */
export function parseStatus(ctx: DeployContext, statusText: string, releases: ReleaseInfo[], now = Date.now()): StatusReport {
  let current: string | null = null
  let healthStatus = 0
  const serving = new Map<number, 'primary' | 'backup'>()
  const instances: InstanceInfo[] = []
  for (const line of statusText.split('\n')) {
    const [kind, ...f] = line.trim().split(/\s+/)
    if (kind === 'current') current = f[0] || null
    else if (kind === 'upstream' && num(f[0]) !== null) serving.set(Number(f[0]), f[1] === 'backup' ? 'backup' : 'primary')
    else if (kind === 'health') healthStatus = num(f[0]) ?? 0
    else if (kind === 'instance' && num(f[0]) !== null) {
      const running = f[1] === 'active' && (num(f[2]) ?? 0) > 0
      const uptime = running ? num(f[3]) : null
      const rssKb = running ? num(f[4]) : null
      instances.push({
        port: Number(f[0]),
        state: f[1] ?? 'unknown',
        pid: running ? num(f[2]) : null,
        startedAt: uptime === null ? null : new Date(Math.floor(now / 1000) * 1000 - uptime * 1000).toISOString(),
        uptimeSeconds: uptime,
        rssBytes: rssKb === null ? null : rssKb * 1024,
        version: running && f[5] && f[5] !== '-' ? f[5] : null,
        serving: null,
      })
    }
  }
  for (const instance of instances) instance.serving = instance.state === 'active' ? (serving.get(instance.port) ?? null) : null
  const primary = instances.find((i) => i.serving === 'primary' && i.pid !== null)
  const version = primary?.version ?? null
  const record = releases.find((r) => r.version === version)
  // hot: the node took its release in place after its OS process started; else it started with it
  const hot = record?.path === 'hot' && record.time !== null && primary?.startedAt !== null && primary !== undefined && Date.parse(record.time) >= Date.parse(primary.startedAt!)
  return {
    app: ctx.app,
    host: ctx.host,
    current,
    version,
    commit: record?.commit ?? null,
    mode: primary ? (hot ? 'hot' : 'restarted') : null,
    since: primary ? (hot ? record!.time : primary.startedAt) : null,
    health: {path: ctx.healthPath, status: healthStatus, ok: healthStatus === 200},
    instances,
  }
}

export async function readStatus(connection: Connection, ctx: DeployContext): Promise<StatusReport> {
  const [status, releases] = await Promise.all([
    deployToolOutput(connection, ctx, 'status', ctx.healthPath, hostHeader(ctx)),
    deployToolOutput(connection, ctx, 'releases'),
  ])
  return parseStatus(ctx, status, parseReleases(releases))
}

/** 90061 -> "1d 1h 1m" */
export function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86_400)
  const h = Math.floor((seconds % 86_400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  if (d > 0) return `${d}d ${h}h ${m}m`
  if (h > 0) return `${h}h ${m}m`
  if (m > 0) return `${m}m ${seconds % 60}s`
  return `${seconds}s`
}

export const formatBytes = (bytes: number): string => (bytes >= 1 << 30 ? `${(bytes / (1 << 30)).toFixed(1)} GiB` : `${(bytes / (1 << 20)).toFixed(1)} MiB`)
