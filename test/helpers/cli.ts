// Runs the built gatling CLI as a user would: `node bin/run.js ARGS` in a child process, with its
// own HOME (gatling reads ~/.ssh/known_hosts and ~/.ssh/config there) and its own cwd (it writes
// ./gatling.json there), no terminal and no ssh-agent.
//
//   const cli = await buildCli()              // once per test file (a before-all hook)
//   const r = await runGatling(['setup', 'root@10.231.1.2', '-i', key], {cwd, home})
//   expect(r.code, r.stderr).to.equal(0)
//
// buildCli compiles src/ with the project's own build config (what `npm run build` does) into a
// private directory, beside copies of bin/, templates/ and package.json. Other work in the same
// checkout may run `npm run build` (rm -rf dist) at any moment; a private build keeps that from
// turning into "command not found" half-way through a run. GATLING_CLI_DIR=/path/to/checkout
// skips the build and runs that directory's bin/run.js as it is (e.g. GATLING_CLI_DIR=. after
// `npm run build`).
import {execFile, spawn} from 'node:child_process'
import {rmSync} from 'node:fs'
import {cp, mkdir, mkdtemp, rm, symlink} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  /** wall-clock time of the whole process */
  ms: number
  /** killed after timeoutMs */
  timedOut: boolean
}

export interface RunOptions {
  cwd: string
  /** HOME for gatling: where ~/.ssh/known_hosts and ~/.ssh/config are read */
  home: string
  env?: NodeJS.ProcessEnv
  /** kill the process after this long (default 10 min) */
  timeoutMs?: number
  /** the CLI directory (default: the last buildCli(), else GATLING_CLI_DIR, else the checkout) */
  cliDir?: string
}

let builtDir: string | undefined
const ownedDirs: string[] = []
const tempDirs: string[] = []
// whatever an after-all hook did not remove (or a caller never asked to): gone when the process ends
process.once('exit', () => {
  for (const dir of [...ownedDirs, ...tempDirs]) rmSync(dir, {recursive: true, force: true})
})

function exec(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, {cwd, maxBuffer: 16 << 20}, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`)) : resolve())
  })
}

/** Build the CLI once (see the header); returns the directory holding bin/run.js. */
export async function buildCli(): Promise<string> {
  if (process.env.GATLING_CLI_DIR) return (builtDir = process.env.GATLING_CLI_DIR)
  if (builtDir) return builtDir
  const dir = await mkdtemp(join(tmpdir(), 'gatling-cli-'))
  ownedDirs.push(dir)
  // same compiler and config as `npm run build`, only the output directory differs
  await exec(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')], REPO_ROOT)
  await Promise.all(['bin', 'templates', 'package.json'].map((p) => cp(join(REPO_ROOT, p), join(dir, p), {recursive: true})))
  await symlink(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'))
  return (builtDir = dir)
}

/** Removes what buildCli made (for an after-all hook). */
export async function removeCliBuild(): Promise<void> {
  await Promise.all(ownedDirs.splice(0).map((d) => rm(d, {recursive: true, force: true})))
  builtDir = undefined
}

/** A fresh HOME (with an empty ~/.ssh) and a fresh cwd, removed by removeTempDirs() (or at exit). */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `gatling-${prefix}-`))
  tempDirs.push(dir)
  return dir
}
export async function freshHome(): Promise<string> {
  const home = await tempDir('home')
  await mkdir(join(home, '.ssh'), {mode: 0o700})
  return home
}
export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, {recursive: true, force: true})))
}

export function runGatling(args: string[], opts: RunOptions): Promise<CliResult> {
  const dir = opts.cliDir ?? builtDir ?? process.env.GATLING_CLI_DIR ?? REPO_ROOT
  const env: NodeJS.ProcessEnv = {...process.env, HOME: opts.home, ...opts.env}
  // no agent unless the test brings its own: only the key passed with -i may log in
  if (!opts.env?.SSH_AUTH_SOCK) delete env.SSH_AUTH_SOCK
  delete env.SSH_AGENT_PID
  if (!opts.env?.TERM) delete env.TERM
  const started = Date.now()
  return new Promise((resolve, reject) => {
    // stdin and stdout are pipes: gatling sees no terminal, as in CI. "--" as in bin/run.js's shebang
    // (node would take gatling's --env-file for its own)
    const child = spawn(process.execPath, ['--', join(dir, 'bin/run.js'), ...args], {cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8') // a character split across two chunks stays whole
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, opts.timeoutMs ?? 600_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code: code ?? (signal ? 128 : 255), stdout, stderr, ms: Date.now() - started, timedOut})
    })
    child.stdin.end()
  })
}
