// The app's environment file on the server (templates/server/app.env.ejs), written and read back by
// gatling: every value in double quotes with systemd's escapes, and the keys set with "gatling env set"
// named in a comment above them, so that a push keeps them (unless the local env file sets the same key).
import {GatlingError, shown} from '../errors.js'
import {RULES, isReservedEnv, isValid} from '../server/rules.js'
import {render} from '../templates.js'

export interface ServerEnv {
  entries: Array<[string, string]>
  /** Keys set with "gatling env set": a push keeps them unless the local env file sets them. */
  kept: string[]
}

/** systemd EnvironmentFile syntax: inside double quotes a backslash escapes only \\ " $ ` (newlines stay as they are). */
const systemdQuote = (value: string): string => value.replace(/[\\"$`]/g, (c) => `\\${c}`)

const KEPT = /^# kept by gatling push unless the local env file sets them \(gatling env set\): (.*)$/

export const renderServerEnv = (app: string, source: string, env: ServerEnv): string =>
  render('server/app.env.ejs', {app, source, kept: env.kept, entries: env.entries.map(([key, value]) => [key, systemdQuote(value)])})

/** The file as gatling wrote it: comments, then KEY="value" entries (a value may span lines). */
export function parseServerEnv(text: string): ServerEnv {
  const kept: string[] = []
  const entries: Array<[string, string]> = []
  // the SSH layer trims what a command printed: the file's last line end may be gone
  let rest = text === '' || text.endsWith('\n') ? text : `${text}\n`
  while (rest.startsWith('#') || rest.startsWith('\n')) {
    const end = rest.indexOf('\n')
    const line = end === -1 ? rest : rest.slice(0, end)
    const match = KEPT.exec(line)
    if (match) kept.push(...match[1].split(' ').filter((key) => isValid('envKey', key)))
    rest = end === -1 ? '' : rest.slice(end + 1)
  }
  const entry = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\[\s\S])*)"\n/y
  while (rest.length > 0) {
    entry.lastIndex = 0
    const match = entry.exec(rest)
    if (!match) throw new GatlingError(`The app's environment file on the server is not as gatling writes it (near ${shown(rest.slice(0, 20))}): write it again with "gatling env push".`)
    entries.push([match[1], match[2].replace(/\\([\s\S])/g, '$1')])
    rest = rest.slice(match[0].length)
  }
  return {entries, kept: kept.filter((key) => entries.some(([k]) => k === key))}
}

/** A push's environment: the local file's entries, then the kept ones it does not set. `overridden`: kept keys it sets. */
export function mergeLocalEnv(local: Array<[string, string]>, server: ServerEnv): {env: ServerEnv; overridden: string[]} {
  const localKeys = new Set(local.map(([key]) => key))
  const kept = server.kept.filter((key) => !localKeys.has(key))
  const entries = [...local, ...server.entries.filter(([key]) => kept.includes(key))]
  return {env: {entries, kept}, overridden: server.kept.filter((key) => localKeys.has(key))}
}

/** A value an env file can hold for systemd and the node: no NUL, no carriage return, well-formed Unicode. */
export function checkEnvValue(key: string, value: string): void {
  if (value.includes('\0')) throw new GatlingError(`The value of ${key} has a NUL byte, which no environment variable can hold: nothing was changed.`)
  if (value.includes('\r')) throw new GatlingError(`The value of ${key} has a carriage return, where systemd's environment file ends a line: nothing was changed.`)
  if (/\p{Cs}/u.test(value)) throw new GatlingError(`The value of ${key} has a lone surrogate, which UTF-8 cannot hold: nothing was changed.`)
}

/** A key env set and unset may name: the env key rule, and none gatling sets itself. */
export function checkEnvKey(key: string): void {
  if (!isValid('envKey', key)) throw new GatlingError(`${shown(key)} is not ${RULES.envKey.description}: nothing was changed.`)
  if (isReservedEnv(key)) throw new GatlingError(`${key} is set by gatling itself for every instance of the app (its port, home and Erlang distribution depend on such variables): nothing was changed.`)
}

/** "KEY=VALUE" arguments of env set: the first "=" ends the key; the value is the rest, byte for byte. */
export function parseAssignments(args: string[]): Array<[string, string]> {
  if (args.length === 0) throw new GatlingError('Give at least one KEY=VALUE to set: nothing was changed.')
  const seen = new Set<string>()
  return args.map((arg) => {
    const i = arg.indexOf('=')
    if (i === -1) throw new GatlingError(`${shown(arg.slice(0, 40))} has no "=": give KEY=VALUE (an empty value is KEY=): nothing was changed.`)
    const key = arg.slice(0, i)
    const value = arg.slice(i + 1)
    checkEnvKey(key)
    checkEnvValue(key, value)
    if (seen.has(key)) throw new GatlingError(`${key} is given twice: nothing was changed.`)
    seen.add(key)
    return [key, value]
  })
}

/** env set: the keys get their values (in place, or added at the end) and are kept across pushes. */
export function setEnv(env: ServerEnv, assignments: Array<[string, string]>): ServerEnv {
  const entries = env.entries.map(([key, value]): [string, string] => [key, assignments.find(([k]) => k === key)?.[1] ?? value])
  for (const [key, value] of assignments) if (!entries.some(([k]) => k === key)) entries.push([key, value])
  return {entries, kept: [...env.kept, ...assignments.map(([key]) => key).filter((key) => !env.kept.includes(key))]}
}

/** env unset: the keys are gone (from the kept ones too). */
export function unsetEnv(env: ServerEnv, keys: string[]): ServerEnv {
  return {entries: env.entries.filter(([key]) => !keys.includes(key)), kept: env.kept.filter((key) => !keys.includes(key))}
}

/** The keys whose value differs between two environments (added, changed or removed). */
export function changedKeys(before: ServerEnv, after: ServerEnv): string[] {
  const a = new Map(before.entries)
  const b = new Map(after.entries)
  return [...new Set([...a.keys(), ...b.keys()])].filter((key) => a.get(key) !== b.get(key))
}
