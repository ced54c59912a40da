// What every command that changes a server does around its work: it takes the app's lock there (who,
// when, from where, which command), and records the operation and its result in root's audit log.
// The commands are data, like a step's; base-command.ts runs them around the command's pipeline.
import {hostname, userInfo} from 'node:os'

import {GatlingError, shown} from './errors.js'
import type {Connection} from './remote/connection.js'
import {type Arg, cmd, raw, sh} from './remote/shell.js'
import {HELPER, appPaths} from './server/layout.js'
import {RULES, isValid} from './server/rules.js'
import {statePath} from './server/state.js'

export type AuditEvent = 'setup' | 'deploy' | 'rollback' | 'env' | 'restart' | 'stop' | 'start' | 'migrate' | 'database' | 'lock-break' | 'destroy'

export interface Operation {
  event: AuditEvent
  /** The command as the audit log shows it ("env set", "push"). */
  command: string
  /** Seconds to wait for another command's lock (--lock-wait). */
  lockWait: number
  /** The version to record: the current release's (default), or the one this deploy built. */
  version?: 'current' | 'built'
}

/** Seconds a command waits for the lock unless --lock-wait says otherwise: none, it fails naming the holder. */
export const DEFAULT_LOCK_WAIT = 0

/** Who runs gatling, as the audit log and the lock name them: the local user at this machine. */
export function operator(): string {
  let user = 'unknown'
  try {
    user = userInfo().username
  } catch {}
  const who = `${user}@${hostname()}`.replace(/[^A-Za-z0-9._@+-]/g, '_').replace(/^[^A-Za-z0-9_]/, '_').slice(0, 100)
  return isValid('auditWho', who) ? who : 'unknown'
}

/** The address the server sees this login come from (SSH_CLIENT), or "-". */
const FROM = raw(`"$(printf '%s' "\${SSH_CLIENT:--}" | cut -d' ' -f1)"`)

const tool = (app: string, subcommand: string, ...args: Arg[]): string => sh(`${appPaths(app).tools}/gatling-deploy`, subcommand, ...args)

export const lockCommand = (app: string, op: Operation, who = operator()) => cmd(tool(app, 'lock', op.lockWait, who, FROM, op.command))
export const lockStatusCommand = (app: string) => cmd(tool(app, 'lock-status'))
export const lockReleaseCommand = (app: string) => cmd(tool(app, 'lock-release'))

/** The version the audit line records, read on the server: current's release, or what this deploy built (state/vsn, written since the lock was taken). */
function versionArg(app: string, version: Operation['version']): Arg {
  const p = appPaths(app)
  if (version === 'built') {
    const vsn = sh(statePath(p, 'vsn'))
    return raw(`"$(if [ -n "$(find ${vsn} -newer ${sh(p.lockHolder)} 2>/dev/null)" ]; then cat ${vsn}; else echo -; fi)"`)
  }
  return raw(`"$(v=$(readlink ${sh(p.current)} 2>/dev/null) && echo "\${v#releases/}" || echo -)"`)
}

export const auditCommand = (app: string, op: Operation, result: 'ok' | 'failed', who = operator()) =>
  cmd(sh('sudo', '-n', HELPER, 'audit', app, op.event, result, versionArg(app, op.version), who, FROM, op.command))

export const auditLogCommand = (app: string, lines: number) => cmd(sh('tail', '-n', lines, appPaths(app).auditLog))

/** --lock-wait checked against its rule. */
export function lockWait(value: number | undefined): number {
  const wait = value ?? DEFAULT_LOCK_WAIT
  if (!isValid('lockWait', String(wait))) throw new GatlingError(`--lock-wait ${shown(String(wait))} is not ${RULES.lockWait.description}.`)
  return wait
}

export interface LockHolder {
  pid: number
  since: string
  who: string
  from: string
  command: string
}

export interface LockStatus {
  held: boolean
  /** The holder, or while free the last one (its process gone). */
  holder?: LockHolder
}

/** gatling-deploy lock-status's line: held|free, then PID PGID SINCE WHO FROM COMMAND. */
export function parseLockStatus(text: string): LockStatus {
  const [state, pid, , since, who, from, command] = text.replace(/\n$/, '').split('\t')
  const holder = pid && /^\d+$/.test(pid) ? {pid: Number(pid), since, who, from, command} : undefined
  return {held: state === 'held', ...(holder ? {holder} : {})}
}

export interface AuditEntry {
  time: string
  event: string
  result: string
  version: string
  who: string
  from: string
  command: string
  /** The Unix user that ran gatling-root (the deploy user, or root for setup). */
  user: string
}

export function parseAuditLog(text: string): AuditEntry[] {
  return text.split('\n').filter(Boolean).map((line) => {
    const [time, event, result, version, who, from, command, user] = line.split('\t')
    return {time, event, result, version, who, from, command, user}
  })
}

/**
 * Take the app's lock on the server: held until `release` (or until this process or its connection ends,
 * whichever comes first: the lock dies with its holder). A lock another command holds fails naming it.
 */
export async function takeLock(connection: Connection, app: string, op: Operation, onLine?: (line: string) => void): Promise<{release: () => Promise<void>}> {
  const result = await connection.hold(lockCommand(app, op), 'GATLING_LOCKED', (line) => /^waiting up to /.test(line) && onLine?.(line))
  if ('release' in result) return result
  if (result.code === 127) throw new GatlingError(`${app} is not on ${connection.endpoint.host} yet (its tools are missing): run "gatling push" first. Nothing was changed.`)
  const said = result.tail.at(-1) ?? `exit status ${result.code}`
  throw new GatlingError(`${said}. Nothing was changed.`)
}
