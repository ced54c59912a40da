// What gatling reads from the local project: mix.exs, git, the dotenv file.
import {isUtf8} from 'node:buffer'
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {GatlingError, shown, shownName} from '../errors.js'
import {parseDotenv} from './dotenv.js'
import {renderServerEnv} from './server-env.js'

export function mixAppName(dir: string): string {
  const mixFile = join(dir, 'mix.exs')
  if (!existsSync(mixFile)) throw new GatlingError(`${dir} is not an Elixir project: there is no mix.exs. Run gatling push from your app's directory.`)
  const match = /\bapp:\s*:([a-z][a-z0-9_]*)/.exec(readFileSync(mixFile, 'utf8'))
  if (!match) throw new GatlingError(`Cannot find the app name (app: :name) in ${mixFile}. Set "app" in gatling.json.`)
  return match[1]
}

function git(dir: string, ...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
  } catch {
    return undefined
  }
}

export interface PushSource {
  branch: string
  rev: string
}

/** The commit to deploy: the tip of --branch, or of the branch checked out. */
export function pushSource(dir: string, branch?: string): PushSource {
  if (git(dir, 'rev-parse', '--is-inside-work-tree') !== 'true') throw new GatlingError(`${dir} is not a git repository: gatling deploys commits. Run "git init" and commit your app.`)
  if (branch !== undefined) {
    const rev = git(dir, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`)
    if (!rev) throw new GatlingError(`There is no branch ${shown(branch)} in this repository (git branch --list shows the ones there are).`)
    return {branch, rev}
  }
  const head = git(dir, 'rev-parse', '--verify', '--quiet', 'HEAD^{commit}')
  if (!head) throw new GatlingError('Nothing is committed yet: gatling deploys commits. Commit your app ("git add -A && git commit") and push again.')
  const current = git(dir, 'symbolic-ref', '--quiet', '--short', 'HEAD')
  if (!current) throw new GatlingError('HEAD is detached (not on a branch). Check out the branch to deploy, or name it with --branch.')
  return {branch: current, rev: head}
}

export const hasUncommittedChanges = (dir: string): boolean => (git(dir, 'status', '--porcelain', '--untracked-files=no') ?? '') !== ''

const DEFAULT_ENV_FILE = '.env.production'

/** The env file as named (--env-file, "envFile" in gatling.json), else the default. */
export const envFileName = (named?: string): string => named ?? DEFAULT_ENV_FILE

/** The env file is committed: its secrets are in the repository (and reach the server's build checkout). */
export const isTrackedByGit = (dir: string, name: string): boolean => git(dir, 'ls-files', '--error-unmatch', '--', name) !== undefined

/**
 * Keep the env file out of git: add it to the project's .gitignore unless git ignores it already (or the
 * project is no git repository, or the file lies outside it). Returns the .gitignore line it added.
 */
export function ignoreEnvFile(dir: string, name: string): string | undefined {
  if (git(dir, 'rev-parse', '--is-inside-work-tree') !== 'true' || git(dir, 'check-ignore', '-q', '--', name) !== undefined) return undefined
  const relative = git(dir, 'ls-files', '--full-name', '--others', '--cached', '--', name) || name
  if (relative.startsWith('..') || /^\//.test(relative) || /[\n\r\0*?[\\!#]/.test(relative)) return undefined
  const line = `/${relative}`
  const file = join(dir, '.gitignore')
  const before = existsSync(file) ? readFileSync(file, 'utf8') : ''
  writeFileSync(file, `${before}${before === '' || before.endsWith('\n') ? '' : '\n'}# secrets stay out of git (gatling reads them from here)\n${line}\n`)
  return line
}

/**
 * The app's environment from the local dotenv file `named` (--env-file, or "envFile" in gatling.json;
 * relative to `dir`, or absolute), else .env.production: the only one that may be absent (undefined).
 */
export function readLocalEnv(dir: string, named?: string): {source: string; entries: Array<[string, string]>} | undefined {
  const name = named ?? DEFAULT_ENV_FILE
  if (name === '' || /[\n\r\0]/.test(name)) throw new GatlingError(`The env file name ${shown(name)} is empty or has a line break or a NUL in it: name a file on one line.`)
  const file = resolve(dir, name)
  const label = shownName(name)
  if (!existsSync(file)) {
    if (named === undefined) return undefined
    throw new GatlingError(`The env file ${label} does not exist${file === name ? '' : ` (${shownName(file)})`}. Check --env-file or "envFile" in gatling.json.`)
  }
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new GatlingError(`Cannot read the env file ${label}: ${{EISDIR: 'it is a directory', EACCES: 'permission denied'}[code] ?? code}.`)
  }
  if (!isUtf8(bytes)) throw new GatlingError(`Cannot read the env file ${label}: it is not UTF-8 text.`)
  return {source: file, entries: parseDotenv(bytes.toString('utf8'), label)}
}

/**
 * The app's environment file for the server (templates/server/app.env.ejs), from the local dotenv file
 * (readLocalEnv; undefined: the server keeps the file it has). `kept`: keys set with "gatling env set".
 */
export function renderEnvFile(app: string, dir: string, named?: string): string | undefined {
  const local = readLocalEnv(dir, named)
  return local && renderServerEnv(app, local.source, {entries: local.entries, kept: []})
}
