// Helpers for the push / hot-upgrade e2e tests: a throwaway copy of the hello fixture as a
// git project, running the built CLI against it with a fresh HOME, plain HTTP probes
// and a bounded load generator.
import {execFile, spawn} from 'node:child_process'
import {cp, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {request} from 'node:http'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {runGatling} from './cli.js'
import type {TestHost} from './hosts.js'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const CLI = join(REPO_ROOT, 'bin', 'run.js')
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures')

export interface RunResult {
  code: number
  stdout: string
  stderr: string
  ms: number
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'gatling test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'gatling test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
}

/** Runs a program, collecting output; never rejects on a non-zero exit. */
export function runProgram(cmd: string, args: string[], opts: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string} = {}): Promise<RunResult> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {cwd: opts.cwd, env: opts.env ?? process.env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8') // a character split across two chunks stays whole
    child.stdout!.on('data', (d) => (stdout += d))
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code: code ?? (signal ? 128 : 255), stdout, stderr, ms: Date.now() - started})
    })
    if (child.stdin) {
      child.stdin.on('error', () => {})
      child.stdin.end(opts.input)
    }
  })
}

/** A project directory (copy of test/fixtures/hello, committed on main) with its own HOME. */
export class TestApp {
  private constructor(readonly root: string, readonly dir: string, readonly home: string) {}

  /**
   * fixture: copied and committed (default hello; several: each copied over the one before, one commit; null:
   * empty repository). home: share another app's HOME.
   */
  static async create(opts: {fixture?: string | string[] | null; home?: string} = {}): Promise<TestApp> {
    const root = await mkdtemp(join(tmpdir(), 'gatling-app-'))
    const dir = join(root, 'hello')
    const home = opts.home ?? join(root, 'home')
    await mkdir(dir)
    await mkdir(join(home, '.ssh'), {recursive: true, mode: 0o700})
    const app = new TestApp(root, dir, home)
    await app.git('init', '-q', '-b', 'main')
    const layers = opts.fixture === null ? [] : [opts.fixture ?? 'hello'].flat()
    for (const layer of layers) await cp(join(FIXTURES, layer), dir, {recursive: true})
    if (layers.length > 0) await app.commitAll('v1')
    return app
  }

  get env(): NodeJS.ProcessEnv {
    // no ssh-agent, no user config: only what the test passes
    const {SSH_AUTH_SOCK: _sock, ...rest} = process.env
    return {...rest, ...GIT_ENV, HOME: this.home, NO_COLOR: '1', CI: '1'}
  }

  async git(...args: string[]): Promise<string> {
    const r = await runProgram('git', args, {cwd: this.dir, env: this.env, timeoutMs: 120_000})
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}): ${r.stderr}`)
    return r.stdout
  }

  async commitAll(message: string): Promise<string> {
    await this.git('add', '-A')
    await this.git('commit', '-q', '--allow-empty', '-m', message)
    return (await this.git('rev-parse', 'HEAD')).trim()
  }

  /** Copies an overlay fixture (hello-v2, hello-broken, ...) over the project and commits. */
  async overlay(name: string, message = name): Promise<string> {
    await cp(join(FIXTURES, name), this.dir, {recursive: true})
    return this.commitAll(message)
  }

  async write(path: string, content: string): Promise<void> {
    await writeFile(join(this.dir, path), content)
  }

  /** node bin/run.js ARGS in the project directory (the build of cli.ts's buildCli(), if made). */
  gatling(args: string[], opts: {cwd?: string; timeoutMs?: number} = {}): Promise<RunResult> {
    return runGatling(args, {cwd: opts.cwd ?? this.dir, home: this.home, env: {...GIT_ENV, NO_COLOR: '1'}, timeoutMs: opts.timeoutMs ?? 300_000})
  }

  async setup(host: TestHost): Promise<RunResult> {
    return this.gatling(['setup', `root@${host.address}`, '-i', host.keyPath, '--accept-new-host-key'], {timeoutMs: 600_000})
  }

  push(host: TestHost, ...extra: string[]): Promise<RunResult> {
    return this.gatling(['push', '-i', host.keyPath, ...extra])
  }

  async cleanup(): Promise<void> {
    await rm(this.root, {recursive: true, force: true})
  }
}

export function describeRun(r: RunResult): string {
  return `exit ${r.code} after ${r.ms} ms\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`
}

export interface HttpResult {
  status: number
  body: string
}

export function httpGet(url: string, timeoutMs = 5000): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, {agent: false, headers: {connection: 'close'}}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
      res.on('error', reject)
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)))
    req.on('error', reject)
    req.end()
  })
}

export async function body(host: TestHost, path = '/'): Promise<string> {
  const r = await httpGet(`http://${host.address}${path}`)
  return r.body.trim()
}

/** /info (key=value pairs) as a map: vsn, pid, greeting, node, port of hello; the same of phoenixish, and more. */
export async function info(host: TestHost): Promise<Record<string, string>> {
  const r = await httpGet(`http://${host.address}/info`)
  if (r.status !== 200) throw new Error(`/info answered ${r.status}: ${r.body}`)
  const fields: Record<string, string> = {}
  for (const part of r.body.trim().split(/\s+/)) {
    const i = part.indexOf('=')
    if (i > 0) fields[part.slice(0, i)] = part.slice(i + 1)
  }
  return fields
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 120_000, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** 'open' | 'refused' | 'timeout' | other error code, for a TCP connect from this machine. */
export function tcpProbe(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect({host, port})
    const timer = setTimeout(() => {
      sock.destroy()
      resolve('timeout')
    }, timeoutMs)
    sock.once('connect', () => {
      clearTimeout(timer)
      sock.destroy()
      resolve('open')
    })
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      resolve(err.code === 'ECONNREFUSED' ? 'refused' : (err.code ?? err.message))
    })
  })
}

export interface LoadReport {
  requests: number
  ok: number
  failed: number
  failures: string[]
  maxLatencyMs: number
  p99LatencyMs: number
  bodies: Map<string, number>
  /** The load ran until `stop` resolved (not cut short by maxRequests): it covered the whole push. */
  lastedUntilStop: boolean
}

/**
 * Bounded load: `workers` loops of sequential GETs (fresh connection each; `get`: httpGet unless given) until `stop`
 * resolves or `maxRequests` were sent in total. Every non-200 answer or connection error
 * counts as a failure.
 */
export async function loadDuring(url: string, stop: Promise<unknown>, opts: {workers?: number; maxRequests?: number; pauseMs?: number; get?: (url: string, timeoutMs: number) => Promise<HttpResult>} = {}): Promise<LoadReport> {
  const get = opts.get ?? httpGet
  const workers = opts.workers ?? 4
  const maxRequests = opts.maxRequests ?? 40_000
  const pauseMs = opts.pauseMs ?? 15
  let stopped = false
  stop.then(() => (stopped = true), () => (stopped = true))
  const report: LoadReport = {requests: 0, ok: 0, failed: 0, failures: [], maxLatencyMs: 0, p99LatencyMs: 0, bodies: new Map(), lastedUntilStop: false}
  const latencies: number[] = []
  const loop = async () => {
    while (!stopped && report.requests < maxRequests) {
      report.requests++
      const t0 = performance.now()
      try {
        const r = await get(url, 10_000)
        const ms = performance.now() - t0
        latencies.push(ms)
        report.maxLatencyMs = Math.max(report.maxLatencyMs, ms)
        const b = r.body.trim()
        report.bodies.set(b, (report.bodies.get(b) ?? 0) + 1)
        if (r.status === 200) report.ok++
        else {
          report.failed++
          if (report.failures.length < 20) report.failures.push(`HTTP ${r.status}: ${b.slice(0, 200)}`)
        }
      } catch (error) {
        const ms = performance.now() - t0
        latencies.push(ms)
        report.maxLatencyMs = Math.max(report.maxLatencyMs, ms)
        report.failed++
        if (report.failures.length < 20) report.failures.push(String(error))
      }
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs))
    }
  }
  await Promise.all(Array.from({length: workers}, loop))
  report.lastedUntilStop = stopped
  latencies.sort((a, b) => a - b)
  report.p99LatencyMs = latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] : 0
  report.maxLatencyMs = Math.round(report.maxLatencyMs)
  report.p99LatencyMs = Math.round(report.p99LatencyMs)
  return report
}

/** Runs `git push` with the system git and ssh, strict host key checking, the given key. */
export function systemGitPush(app: TestApp, host: TestHost, args: string[]): Promise<RunResult> {
  const sshCmd = ['ssh', '-F', '/dev/null', '-i', host.keyPath, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${host.knownHostsPath}`, '-o', 'GlobalKnownHostsFile=/dev/null'].join(' ')
  return runProgram('git', ['push', ...args], {cwd: app.dir, env: {...app.env, GIT_SSH_COMMAND: sshCmd}, timeoutMs: 300_000})
}

export {execFile}
