// Shared helpers for the tests of templates/elixir/*.exs (not a test file itself): builds of the
// hello fixture (+ overlays) as real `MIX_ENV=prod mix release`s in a temporary directory, and
// runs of the tools with `elixir`, the way the deploy does on the server.
//
// Needs Elixir/OTP on this machine (Debian: the package elixir and its dependencies).
// No network: the fixtures have no deps, mix never asks hex.
import {spawn, spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, readFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures')
export const ELIXIR_TEMPLATES = join(REPO_ROOT, 'templates', 'elixir')

export interface Run {
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
export function run(cmd: string, args: string[], opts: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<Run> {
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

export function describeRun(r: Run): string {
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
