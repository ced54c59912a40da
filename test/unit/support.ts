// Shared helpers for the unit tests (not a test file itself): temporary directories, contexts, fake
// connections, shell checks, and FakeServer, which runs the rendered server scripts against a
// temporary root with stub programs instead of systemd, nginx, users and sudo.
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {DeployContext, SetupContext} from '../../src/context.js'
import type {Step} from '../../src/pipeline/step.js'
import type {Connection, ExecResult} from '../../src/remote/connection.js'
import {type RemoteCommand, sh} from '../../src/remote/shell.js'
import {type AppPaths, HELPER, SHARE_DIR, appPaths} from '../../src/server/layout.js'
import {SERVER_DIRS, type ServerDirs, renderGatlingRoot, renderSiteTemplate, renderUnitTemplate} from '../../src/server/scripts.js'
import {renderDeployTool} from '../../src/steps/install-deploy-hook.js'

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))

/** A fresh temporary directory, removed by the returned cleanup function. */
export function tempDir(prefix = 'gatling-unit-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

/** Run `/bin/sh -n` on a script; returns the exit status and stderr. */
export function shSyntaxCheck(script: string, shell = '/bin/sh'): {status: number | null; stderr: string} {
  const result = spawnSync(shell, ['-n'], {input: script, encoding: 'utf8'})
  return {status: result.status, stderr: result.stderr}
}

export const hasShellcheck = (): boolean => spawnSync('shellcheck', ['--version']).status === 0

/** shellcheck -s sh -S warning on a script: status 0 and no output when it is clean. */
export function shellcheck(script: string): {status: number | null; output: string} {
  const result = spawnSync('shellcheck', ['-s', 'sh', '-S', 'warning', '-'], {input: script, encoding: 'utf8'})
  return {status: result.status, output: `${result.stdout}${result.stderr}`}
}

/** Run a script with /bin/sh -c and return stdout (throws on a non-zero exit). */
export const runSh = (script: string, options: {cwd?: string; input?: string} = {}): string =>
  execFileSync('/bin/sh', ['-c', script], {encoding: 'utf8', cwd: options.cwd, input: options.input, stdio: ['pipe', 'pipe', 'pipe']})

/** git with a fixed identity, so commits work on any machine. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Unit Test', '-c', 'user.email=unit@example.com', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_CONFIG_NOSYSTEM: '1'} as NodeJS.ProcessEnv,
  }).trim()
}

export const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE7x3cS5Dq0wY4m6Zt2Qm8Z0u0yS7Z2hKq5b3Wc1Xy9P alice@laptop'

export const setupContext = (overrides: Partial<SetupContext> = {}): SetupContext => ({
  host: '203.0.113.10',
  sshPort: 22,
  loginUser: 'root',
  deployUser: 'gatling',
  authorizedKeys: [ED25519],
  ...overrides,
})

/** A deploy context for app "hello" (or overrides.app), with the server's real paths. */
export const deployContext = (overrides: Partial<DeployContext> = {}): DeployContext => ({
  app: 'hello',
  host: '203.0.113.10',
  rev: '0123456789abcdef0123456789abcdef01234567',
  healthPath: '/health',
  domains: ['example.com'],
  keepReleases: 5,
  paths: appPaths(overrides.app ?? 'hello'),
  ...overrides,
})

export const okResult = (stdout = ''): ExecResult => ({code: 0, stdout, stderr: '', tail: []})

/** Every shell text a step produces: onlyIf, checks and commands. */
export function scriptsOf<C>(step: Step<C>, ctx: C): string[] {
  return [...(step.onlyIf ? [step.onlyIf(ctx)] : []), ...(step.check ? [step.check(ctx)].flat() : []), ...step.commands(ctx)].map((c) => c.script)
}

/** The single command of a one-command step. */
export function onlyCommand<C>(step: Step<C>, ctx: C): RemoteCommand {
  const commands = step.commands(ctx)
  if (commands.length !== 1) throw new Error(`${step.title}: ${commands.length} commands, expected one`)
  return commands[0]
}

/** A stand-in for Connection: records the commands and answers from a table (no SSH). */
export function fakeConnection(answer: (command: RemoteCommand) => Partial<ExecResult> = () => ({})) {
  const executed: RemoteCommand[] = []
  const connection = {
    label: 'root@test-host',
    endpoint: {alias: 'test-host'},
    async exec(command: RemoteCommand, onLine?: (line: string) => void): Promise<ExecResult> {
      executed.push(command)
      const result = {code: 0, stdout: '', stderr: '', tail: [], ...answer(command)}
      for (const line of result.stdout.split('\n').filter(Boolean)) onLine?.(line)
      return result
    },
  }
  return {connection: connection as unknown as Connection, executed}
}

/**
 * A Connection that runs each command here with /bin/sh (sudo as `sudo -n sh -c`, as the hook's
 * script does), after `rewrite` (which can point the server's paths into a temporary root).
 */
export function localConnection(env: NodeJS.ProcessEnv, rewrite: (script: string) => string = (s) => s) {
  const executed: RemoteCommand[] = []
  const connection = {
    label: 'deploy@local',
    endpoint: {alias: 'local'},
    async exec(command: RemoteCommand, onLine?: (line: string) => void): Promise<ExecResult> {
      executed.push(command)
      const script = rewrite(command.sudo ? sh('sudo', '-n', 'sh', '-c', command.script) : command.script)
      const run = spawnSync('/bin/sh', ['-c', script], {input: command.input ?? '', encoding: 'utf8', env})
      const lines = `${run.stdout}${run.stderr}`.split('\n').filter(Boolean)
      for (const line of run.stdout.split('\n').filter(Boolean)) onLine?.(line)
      return {code: run.status ?? 1, stdout: run.stdout, stderr: run.stderr, tail: lines.slice(-20)}
    },
  }
  return {connection: connection as unknown as Connection, executed}
}

/** Run fn with process.stdout/stderr muted (the task tree prints as it runs). */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const out = process.stdout.write
  const err = process.stderr.write
  process.stdout.write = (() => true) as typeof process.stdout.write
  process.stderr.write = (() => true) as typeof process.stderr.write
  try {
    return await fn()
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
}

export interface Run {
  status: number | null
  stdout: string
  stderr: string
}

/** The server's own PATH line in gatling-root: FakeServer puts the stubs in front of it. */
export const ROOT_PATH_LINE = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin'
const REAL_PATH = '/usr/sbin:/usr/bin:/sbin:/bin'

/** Programs FakeServer replaces with test/fixtures/server-stubs/stub.sh. */
export const STUBBED = [
  'systemctl', 'nginx', 'pgrep', 'curl', 'journalctl', 'systemd-run', 'runuser', 'useradd', 'usermod', 'groupadd', 'getent', 'id',
  'chown', 'install', 'stat', 'sudo', 'elixir', 'mix', 'date', 'sleep', 'certbot', 'update-ca-certificates', 'dpkg',
]

/** The app paths of the layout, moved under a temporary root (as renderGatlingRoot's dirs are). */
export const pathsUnder = (root: string, app: string): AppPaths =>
  Object.fromEntries(Object.entries(appPaths(app)).map(([key, path]) => [key, `${root}${path}`])) as unknown as AppPaths

/** The server directories of the layout, moved under a temporary root. */
export const dirsUnder = (root: string): ServerDirs => Object.fromEntries(Object.entries(SERVER_DIRS).map(([key, path]) => [key, `${root}${path}`])) as unknown as ServerDirs

/**
 * A server in a temporary directory: gatling-root rendered against it (its PATH with the stubs
 * first), the stub programs and their state, and the deploy user "gatling" that exists already.
 * Nothing runs as another user and nothing outside the directory is touched: chown, install -o,
 * useradd, systemctl, nginx, sudo… are stubs (see the fixture's header for what each one fakes).
 */
export class FakeServer {
  readonly root: string
  readonly dirs: ServerDirs
  readonly bin: string
  readonly state: string
  readonly gatlingRoot: string
  private readonly cleanupDir: () => void

  constructor() {
    const {dir, cleanup} = tempDir('gatling-unit-server-')
    this.root = dir
    this.cleanupDir = cleanup
    this.dirs = dirsUnder(dir)
    this.bin = join(dir, 'stubs', 'bin')
    this.state = join(dir, 'stubs', 'state')
    for (const d of [this.bin, join(this.state, 'answers'), dirname(this.dirs.apps), dirname(this.dirs.etc), dirname(this.dirs.homes), join(this.dirs.sites, 'sites-available'), join(this.dirs.sites, 'sites-enabled'), this.dirs.share, this.dirs.units, dirname(this.dirs.nginxPid)]) {
      mkdirSync(d, {recursive: true})
    }
    const stub = join(dir, 'stubs', 'stub.sh')
    copyFileSync(join(FIXTURES, 'server-stubs', 'stub.sh'), stub)
    chmodSync(stub, 0o755)
    for (const name of STUBBED) symlinkSync(stub, join(this.bin, name))
    // the root-owned templates gatling-root fills (as install-privileged-helper writes them)
    writeFileSync(join(this.dirs.share, 'app@.service'), renderUnitTemplate())
    writeFileSync(join(this.dirs.share, 'nginx-site'), renderSiteTemplate(this.dirs))
    writeFileSync(this.dirs.nginxPid, '1\n')
    this.writeState('passwd', 'gatling gatling\n')
    this.writeState('groups', 'gatling\n')
    this.writeState('nginx-workers', '99000000\n')
    this.writeState('sudo-helper', HELPER)
    this.gatlingRoot = join(this.state, 'gatling-root')
    const script = renderGatlingRoot(this.dirs)
    if (script.split('\n').filter((l) => l === ROOT_PATH_LINE).length !== 1) throw new Error(`gatling-root no longer sets ${ROOT_PATH_LINE}: FakeServer cannot put its stubs first`)
    writeFileSync(this.gatlingRoot, script.replace(`\n${ROOT_PATH_LINE}\n`, `\nPATH=${this.bin}:${REAL_PATH}\n`))
  }

  cleanup(): void {
    this.cleanupDir()
    if (this.snapshotDir) rmSync(this.snapshotDir, {recursive: true, force: true})
  }

  private snapshotDir?: string

  /** Keep the server as it is now: restore() brings it back (much faster than a new server and app-init). */
  snapshot(): void {
    this.snapshotDir = `${this.root}.snapshot`
    rmSync(this.snapshotDir, {recursive: true, force: true})
    cpSync(this.root, this.snapshotDir, {recursive: true, verbatimSymlinks: true, preserveTimestamps: true})
  }

  restore(): void {
    if (!this.snapshotDir) throw new Error('restore() without snapshot()')
    for (const entry of readdirSync(this.root)) rmSync(join(this.root, entry), {recursive: true, force: true})
    cpSync(this.snapshotDir, this.root, {recursive: true, verbatimSymlinks: true, preserveTimestamps: true})
  }

  get env(): NodeJS.ProcessEnv {
    return {PATH: `${this.bin}:${REAL_PATH}`, STUB_STATE: this.state, LANG: 'C.UTF-8'}
  }

  /** Run gatling-root SUBCOMMAND ARGS… as sudo would (a clean environment, plus what sudo sets: SUDO_USER…). */
  run(args: string[], input = '', sudo: NodeJS.ProcessEnv = {}): Run {
    const result = spawnSync('/bin/sh', [this.gatlingRoot, ...args], {input, encoding: 'utf8', env: {...this.env, ...sudo}})
    return {status: result.status, stdout: result.stdout, stderr: result.stderr}
  }

  /** Run gatling-root once for each argument list, all in one shell (a process per call from here is slow). */
  runMany(cases: string[][]): Run[] {
    const out = join(this.state, 'many')
    rmSync(out, {recursive: true, force: true})
    mkdirSync(out)
    const script = cases
      .map((args, i) => `/bin/sh ${sh(this.gatlingRoot, ...args)} </dev/null >${sh(`${out}/${i}.out`)} 2>${sh(`${out}/${i}.err`)}; echo $? >${sh(`${out}/${i}.status`)}`)
      .join('\n')
    const run = spawnSync('/bin/sh', ['-c', script], {encoding: 'utf8', env: this.env})
    if (run.status !== 0) throw new Error(`runMany: ${run.stderr}`)
    return cases.map((_, i) => ({
      status: Number(readFileSync(join(out, `${i}.status`), 'utf8')),
      stdout: readFileSync(join(out, `${i}.out`), 'utf8'),
      stderr: readFileSync(join(out, `${i}.err`), 'utf8'),
    }))
  }

  /** gatling-root app-init APP, which must succeed. */
  initApp(app = 'hello'): Run {
    const result = this.run(['app-init', app])
    if (result.status !== 0) throw new Error(`app-init ${app} failed (${result.status}): ${result.stderr}`)
    return result
  }

  paths(app = 'hello'): AppPaths {
    return pathsUnder(this.root, app)
  }

  /** The deploy context of APP on this server (paths under the temporary root). */
  context(overrides: Partial<DeployContext> = {}): DeployContext {
    const app = overrides.app ?? 'hello'
    return deployContext({...overrides, app, paths: this.paths(app)})
  }

  /** A path or script of the real layout, with its paths moved onto this server (under the temporary root). */
  here(text: string): string {
    return text.replace(/\/srv\/gatling|\/var\/lib\/gatling|\/etc\/gatling/g, (root) => `${this.root}${root}`)
  }

  /**
   * APP's tools/gatling-deploy as a stub that records its calls (and plays decide, plan-rollback,
   * hot-upgrade from the decision and hot-refused state files), with state/ and build/ beside it; sudo
   * only records too. For tests of the order in which the pipelines' drivers run the steps.
   */
  stubDeployTool(app = 'hello'): void {
    const paths = this.paths(app)
    for (const dir of [paths.tools, paths.state, paths.build]) mkdirSync(dir, {recursive: true})
    symlinkSync(join(this.root, 'stubs', 'stub.sh'), join(paths.tools, 'gatling-deploy'))
    this.removeState('sudo-helper')
  }

  /** Write APP's tools/gatling-deploy, rendered from the context, and return its path. */
  installDeployTool(ctx: DeployContext = this.context()): string {
    const tool = join(ctx.paths.tools, 'gatling-deploy')
    mkdirSync(ctx.paths.tools, {recursive: true})
    writeFileSync(tool, renderDeployTool(ctx), {mode: 0o755})
    return tool
  }

  /** Run tools/gatling-deploy SUBCOMMAND ARGS… as the deploy user would (stderr a pipe, merged into stdout when asked). */
  deploy(args: string[], options: {app?: string; mergeStderr?: boolean} = {}): Run {
    const tool = join(this.paths(options.app).tools, 'gatling-deploy')
    // stderr through a pipe, as in the git hook (Node's stdio are socketpairs, which /dev/stderr cannot reopen)
    const merged = '{ /bin/sh "$0" "$@"; echo $? >"$STUB_STATE/.status"; } 2>&1 | cat; exit "$(cat "$STUB_STATE/.status")"'
    const result = options.mergeStderr
      ? spawnSync('/bin/sh', ['-c', merged, tool, ...args], {encoding: 'utf8', env: this.env})
      : spawnSync('/bin/sh', [tool, ...args], {encoding: 'utf8', env: this.env})
    rmSync(join(this.state, '.status'), {force: true})
    return {status: result.status, stdout: result.stdout, stderr: result.stderr}
  }

  writeState(name: string, content: string): void {
    writeFileSync(join(this.state, name), content)
  }

  readState(name: string): string {
    try {
      return readFileSync(join(this.state, name), 'utf8')
    } catch {
      return ''
    }
  }

  removeState(name: string): void {
    rmSync(join(this.state, name), {force: true})
  }

  /** The stub NAME answers calls whose arguments contain TEXT (not empty; " " matches every call) with OUTPUT and STATUS. */
  answer(name: string, text: string, status: number, output = ''): void {
    const file = join(this.state, 'answers', name)
    let previous = ''
    try {
      previous = readFileSync(file, 'utf8')
    } catch {}
    writeFileSync(file, `${previous}${text}\t${status}\t${output.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}\n`)
  }

  /** The calls the stubs recorded (oldest first), each as [program, ...arguments]; only NAME's when given. */
  calls(name?: string): string[][] {
    const all = this.readState('calls').split('\x1e\n').filter(Boolean).map((record) => record.split('\x1f'))
    return name ? all.filter(([program]) => program === name).map(([, ...args]) => args) : all
  }

  resetCalls(): void {
    this.removeState('calls')
  }

  /** The owner chown/install recorded for PATH ("user:group"), if any. */
  owner(path: string): string | undefined {
    const lines = this.readState('owners').split('\n').filter((l) => l.startsWith(`${path}\t`))
    return lines.at(-1)?.split('\t')[1]
  }

  setOwner(path: string, owner: string): void {
    this.writeState('owners', `${this.readState('owners')}${path}\t${owner}\n`)
  }

  /** systemd units the stub systemctl considers active. */
  active(): string[] {
    return this.readState('active').split('\n').filter(Boolean)
  }

  setActive(...units: string[]): void {
    this.writeState('active', units.map((u) => `${u}\n`).join(''))
  }

  /** Files of a directory tree, for writing a fixture: {relative path: content}. */
  writeTree(dir: string, files: Record<string, string>, mode = 0o644): void {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), {recursive: true})
      writeFileSync(join(dir, path), content, {mode})
    }
  }

  /** A release VSN of APP as gatling-root installs it: releases/VSN with bin/APP. */
  addRelease(vsn: string, app = 'hello'): string {
    const dir = join(this.paths(app).releases, vsn)
    this.writeTree(dir, {[`bin/${app}`]: '#!/bin/sh\n'}, 0o755)
    this.writeTree(dir, {[`releases/${vsn}/start.boot`]: 'boot', 'releases/start_erl.data': `14.2 ${vsn}\n`})
    return dir
  }

  /** Instance APP@PORT runs VSN: its slot boots it and systemd has the unit active. */
  runInstance(port: number, vsn: string, app = 'hello'): void {
    this.writeTree(join(this.paths(app).slots, String(port)), {'releases/start_erl.data': `14.2 ${vsn}\n`, [`releases/${vsn}/start.boot`]: 'boot'})
    this.setActive(...new Set([...this.active(), `${app}@${port}`]))
  }

  /** nginx's upstream for APP: PRIMARY, then BACKUP. */
  setUpstream(primary: number, backup?: number, app = 'hello'): void {
    mkdirSync(this.dirs.upstreams, {recursive: true})
    writeFileSync(this.upstreamFile(app), upstreamText(primary, backup))
  }

  upstreamFile(app = 'hello'): string {
    return join(this.dirs.upstreams, `${app}.upstream`)
  }
}

/** The upstream file gatling-root writes. */
export const upstreamText = (primary: number, backup?: number): string =>
  `server 127.0.0.1:${primary} max_fails=0;\n${backup === undefined ? '' : `server 127.0.0.1:${backup} backup max_fails=0;\n`}`

/** A well-formed "ssh-ed25519 AAAA…" public key line (not a real key pair): the blob holds the type and 32 bytes. */
export function fakeHostKey(seed: number): string {
  const type = Buffer.from('ssh-ed25519')
  const field = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes])
  return `ssh-ed25519 ${Buffer.concat([field(type), field(Buffer.alloc(32, seed))]).toString('base64')}`
}

/**
 * What systemd sets from an EnvironmentFile: a port of parse_env_file_internal() in systemd's
 * src/basic/env-file.c (every state), then the names systemd keeps (env_name_is_valid); a later
 * assignment wins. The file is a C string: it ends at the first NUL.
 */
export function systemdEnvironmentFile(text: string): Record<string, string> {
  const [WHITESPACE, NEWLINE, COMMENTS, SHELL_NEED_ESCAPE] = [' \t\n\r', '\n\r', '#;', '"\\`$']
  const out: Record<string, string> = {}
  let state = 'PRE_KEY'
  let key = ''
  let value = ''
  let lastKeyWs = -1
  let lastValueWs = -1
  const push = () => {
    const name = lastKeyWs === -1 ? key : key.slice(0, lastKeyWs)
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) out[name] = value
    key = ''
    value = ''
  }
  for (const c of text.split('\0')[0]) {
    switch (state) {
      case 'PRE_KEY':
        if (COMMENTS.includes(c)) state = 'COMMENT'
        else if (!WHITESPACE.includes(c)) [state, lastKeyWs, key] = ['KEY', -1, key + c]
        break
      case 'KEY':
        if (NEWLINE.includes(c)) [state, key] = ['PRE_KEY', '']
        else if (c === '=') [state, lastValueWs] = ['PRE_VALUE', -1]
        else {
          if (!WHITESPACE.includes(c)) lastKeyWs = -1
          else if (lastKeyWs === -1) lastKeyWs = key.length
          key += c
        }
        break
      case 'PRE_VALUE':
        if (NEWLINE.includes(c)) {
          state = 'PRE_KEY'
          push()
        } else if (c === "'") state = 'SINGLE_QUOTE_VALUE'
        else if (c === '"') state = 'DOUBLE_QUOTE_VALUE'
        else if (c === '\\') state = 'VALUE_ESCAPE'
        else if (!WHITESPACE.includes(c)) [state, value] = ['VALUE', value + c]
        break
      case 'VALUE':
        if (NEWLINE.includes(c)) {
          if (lastValueWs !== -1) value = value.slice(0, lastValueWs)
          state = 'PRE_KEY'
          push()
        } else if (c === '\\') [state, lastValueWs] = ['VALUE_ESCAPE', -1]
        else {
          if (!WHITESPACE.includes(c)) lastValueWs = -1
          else if (lastValueWs === -1) lastValueWs = value.length
          value += c
        }
        break
      case 'VALUE_ESCAPE':
        state = 'VALUE'
        if (!NEWLINE.includes(c)) value += c // an escaped newline is eaten
        break
      case 'SINGLE_QUOTE_VALUE':
        if (c === "'") state = 'PRE_VALUE'
        else value += c
        break
      case 'DOUBLE_QUOTE_VALUE':
        if (c === '"') state = 'PRE_VALUE'
        else if (c === '\\') state = 'DOUBLE_QUOTE_VALUE_ESCAPE'
        else value += c
        break
      case 'DOUBLE_QUOTE_VALUE_ESCAPE':
        state = 'DOUBLE_QUOTE_VALUE'
        if (SHELL_NEED_ESCAPE.includes(c)) value += c
        else if (c !== '\n') value += `\\${c}` // the backslash stays; an escaped newline is eaten
        break
      case 'COMMENT':
        if (c === '\\') state = 'COMMENT_ESCAPE'
        else if (NEWLINE.includes(c)) state = 'PRE_KEY'
        break
      case 'COMMENT_ESCAPE':
        state = NEWLINE.includes(c) ? 'PRE_KEY' : 'COMMENT'
        break
    }
  }
  if (['PRE_VALUE', 'VALUE', 'VALUE_ESCAPE', 'SINGLE_QUOTE_VALUE', 'DOUBLE_QUOTE_VALUE', 'DOUBLE_QUOTE_VALUE_ESCAPE'].includes(state)) {
    if (state === 'VALUE' && lastValueWs !== -1) value = value.slice(0, lastValueWs)
    push()
  }
  return out
}

// ---- builds and runs of the Elixir tools (templates/elixir/*.exs) on the hello fixtures: real
// `MIX_ENV=prod mix release`s in a temporary directory, with the elixir of this machine, no network

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const ELIXIR_TEMPLATES = join(REPO_ROOT, 'templates', 'elixir')

export interface ProgramRun {
  code: number
  stdout: string
  stderr: string
  ms: number
}

/**
 * The environment of every elixir/mix run: prod, UTF-8, a private MIX_HOME, never hex. The VMs of
 * the tools and of mix do not busy-wait for work (+sbwt none ...): many short-lived VMs run side
 * by side here, and spinning schedulers only take CPU from each other. (Not part of any release.)
 */
export function elixirEnv(mixHome: string): NodeJS.ProcessEnv {
  const erlAflags = [process.env.ERL_AFLAGS, '+sbwt none +sbwtdcpu none +sbwtdio none'].filter(Boolean).join(' ')
  return {...process.env, ERL_AFLAGS: erlAflags, MIX_ENV: 'prod', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', MIX_HOME: mixHome, HEX_OFFLINE: '1'}
}

/** Runs a program and collects its output; never rejects on a non-zero exit. */
export function run(cmd: string, args: string[], opts: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<ProgramRun> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code: code ?? (signal ? 128 : 255), stdout, stderr, ms: Date.now() - started})
    })
  })
}

export function describeRun(r: ProgramRun): string {
  return `exit ${r.code} after ${r.ms} ms\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`
}

/** null when elixir and mix are on PATH, else what is missing (for a clear failure). */
export function missingElixir(): string | null {
  for (const tool of ['elixir', 'mix']) {
    const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], {encoding: 'utf8'})
    if (r.status !== 0) return `${tool} is not on PATH (Debian: apt-get install --no-install-recommends elixir)`
  }
  return null
}

/** A copy of templates/elixir for one test run, so concurrent edits of the checkout do not change tools mid-run. */
export function copyTools(dir: string): string {
  const tools = join(dir, 'tools')
  cpSync(ELIXIR_TEMPLATES, tools, {recursive: true})
  return tools
}

export interface Release {
  /** the mix project (hello + overlays) */
  project: string
  /** its release root: PROJECT/_build/prod/rel/hello */
  root: string
  /** the release version set by set_version.exs (0.1.0+BUILD) */
  vsn: string
  /** ROOT/releases/VSN */
  relDir: string
  /** ROOT/lib/hello-VSN */
  appDir: string
}

export function releaseAt(project: string, root: string, vsn: string): Release {
  return {project, root, vsn, relDir: join(root, 'releases', vsn), appDir: join(root, 'lib', `hello-${vsn}`)}
}

/**
 * test/fixtures/hello with the overlays copied on top (in order), its version set to 0.1.0+BUILD by
 * set_version.exs, built with `MIX_ENV=prod mix release --overwrite --quiet` in DIR/NAME.
 */
export async function buildRelease(opts: {dir: string; name: string; overlays: string[]; build: string; tools: string; env: NodeJS.ProcessEnv}): Promise<Release> {
  const project = join(opts.dir, opts.name)
  mkdirSync(project, {recursive: true})
  // never a _build or deps someone left in a fixture directory
  const filter = (src: string) => !['_build', 'deps'].includes(basename(src))
  for (const fixture of ['hello', ...opts.overlays]) {
    const from = join(FIXTURES, fixture)
    if (!existsSync(from)) throw new Error(`no fixture ${from}`)
    cpSync(from, project, {recursive: true, filter})
  }
  const sv = await run('elixir', [join(opts.tools, 'set_version.exs'), join(project, 'mix.exs'), opts.build], {cwd: project, env: opts.env})
  if (sv.code !== 0) throw new Error(`set_version.exs in ${project} failed\n${describeRun(sv)}`)
  const vsn = sv.stdout.trim()
  const rel = await run('mix', ['release', '--overwrite', '--quiet'], {cwd: project, env: opts.env, timeoutMs: 300_000})
  if (rel.code !== 0) throw new Error(`mix release of ${opts.name} (${['hello', ...opts.overlays].join(' + ')}) failed\n${describeRun(rel)}`)
  const release = releaseAt(project, join(project, '_build', 'prod', 'rel', 'hello'), vsn)
  if (!existsSync(join(release.relDir, 'hello.rel'))) throw new Error(`mix release of ${opts.name}: no ${release.relDir}/hello.rel\n${describeRun(rel)}`)
  return release
}

/** Runs the async jobs at most `limit` at a time; resolves to their results in order. */
export async function pool<T>(limit: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(jobs.length)
  let next = 0
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++
      results[i] = await jobs[i]()
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, jobs.length)}, worker))
  return results
}

/**
 * Work registered while mocha collects the tests (`const r = jobs.add(() => ...)` in a describe)
 * and run all at once, in parallel, by a before() hook (`await jobs.runAll(n)`); a test then reads
 * its result with `r()`, which rethrows the job's error, if any.
 */
export class Jobs {
  private readonly jobs: Array<() => Promise<void>> = []

  add<T>(fn: () => Promise<T>): () => T {
    const box: {done: boolean; value?: T; error?: unknown} = {done: false}
    this.jobs.push(async () => {
      try {
        box.value = await fn()
      } catch (error) {
        box.error = error
      } finally {
        box.done = true
      }
    })
    return () => {
      if (!box.done) throw new Error('job did not run (did the before() hook fail?)')
      if (box.error) throw box.error
      return box.value as T
    }
  }

  async runAll(limit: number): Promise<void> {
    await pool(limit, this.jobs)
  }
}

/** The last non-empty stdout line (make_upgrade.exs's verdict line). */
export function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  return lines.at(-1) ?? ''
}

export const read = (file: string): string => readFileSync(file, 'utf8')

// Prints Erlang term files (appup, relup, .rel) one term per line in Erlang syntax (stable across
// Elixir versions, unlike inspect/1), binaries replaced by '<binary>'. Arguments: MODE FILE pairs;
// each file starts with "== FILE". Mode relup splits a relup into "vsn V", "up-from FROM", one
// "up INSTRUCTION" line each, "down-to TO", one "down INSTRUCTION" line each; mode terms prints the terms.
const PRINT_TERMS = `
strip = fn
  b, _ when is_binary(b) -> :"<binary>"
  t, f when is_tuple(t) -> t |> Tuple.to_list() |> Enum.map(&f.(&1, f)) |> List.to_tuple()
  l, f when is_list(l) -> if :io_lib.printable_list(l), do: l, else: Enum.map(l, &f.(&1, f))
  x, _ -> x
end
line = fn prefix, t -> IO.puts(prefix <> IO.iodata_to_binary(:io_lib.print(strip.(t, strip), 1, 1_000_000, -1))) end
for [mode, file] <- Enum.chunk_every(System.argv(), 2) do
  IO.puts("== " <> file)
  {:ok, terms} = :file.consult(String.to_charlist(file))
  case {mode, terms} do
    {"relup", [{vsn, [{from, _, up}], [{to, _, down}]}]} ->
      IO.puts("vsn #{vsn}")
      IO.puts("up-from #{from}")
      Enum.each(up, &line.("up ", &1))
      IO.puts("down-to #{to}")
      Enum.each(down, &line.("down ", &1))
    {"terms", terms} -> Enum.each(terms, &line.("", &1))
  end
end
`

/** The lines PRINT_TERMS prints for each [mode, file], in order: one Elixir run for all of them. */
export async function erlangTerms(files: Array<['terms' | 'relup', string]>, env: NodeJS.ProcessEnv): Promise<string[][]> {
  const r = await run('elixir', ['-e', PRINT_TERMS, ...files.flat()], {env})
  if (r.code !== 0) throw new Error(`cannot read ${files.map((f) => f[1]).join(', ')} as Erlang terms\n${describeRun(r)}`)
  const out: string[][] = []
  for (const l of r.stdout.split('\n')) {
    if (l.startsWith('== ')) out.push([])
    else if (l !== '') out.at(-1)!.push(l)
  }
  if (out.length !== files.length) throw new Error(`expected ${files.length} files from PRINT_TERMS\n${describeRun(r)}`)
  return out
}


/** What deploy.sh.ejs needs besides the steps: the app, gatling-root, its lock and state files (under DIR: nothing else writes there). */
export function hookData(app: string, dir = mkdtempSync(join(tmpdir(), 'gatling-unit-hook-'))): Record<string, string> {
  return {app, helper: '/nonexistent/gatling-root', lock: join(dir, 'lock'), lockHolder: join(dir, 'lock.holder'), vsnFile: join(dir, 'vsn'), pathFile: join(dir, 'path')}
}

