// Remote commands are data: argument lists quoted here, and nowhere else.

/** A command line, already quoted for a POSIX shell, plus how to run it. */
export interface RemoteCommand {
  /** The shell text. Build it with `sh()` and the combinators below, never by pasting user input. */
  script: string
  /** Run with root privileges (sudo -n when the login user is not root). */
  sudo?: boolean
  /** Bytes fed to the command's stdin (file contents). */
  input?: string
  /** The input is secret: never printed, never logged, never put in a generated script. */
  secretInput?: boolean
}

/** A reference to a shell variable, expanded on the server ("$NAME"). */
export class ShellVar {
  constructor(readonly name: string) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`bad shell variable name ${name}`)
  }
}

/** Raw shell text written by gatling itself (constant, never user input). */
export class RawShell {
  constructor(readonly text: string) {}
}

export type Arg = string | number | ShellVar | RawShell

export const shellVar = (name: string): ShellVar => new ShellVar(name)
export const raw = (text: string): RawShell => new RawShell(text)

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

export function quote(arg: Arg): string {
  if (arg instanceof ShellVar) return `"$${arg.name}"`
  if (arg instanceof RawShell) return arg.text
  const s = String(arg)
  // a command line is a C string of UTF-8 on the server: a NUL would cut it there, mid-quote, and a
  // lone surrogate would arrive as another character
  if (/[\0\p{Cs}]/u.test(s)) throw new Error('a shell argument cannot hold a NUL byte or a lone surrogate')
  if (s !== '' && SAFE.test(s)) return s
  return `'${s.replaceAll("'", `'\\''`)}'`
}

/** One command from an argument list: sh('mkdir', '-p', dir). */
export const sh = (...argv: Arg[]): string => argv.map(quote).join(' ')

export const and = (...scripts: string[]): string => scripts.join(' && ')
export const or = (...scripts: string[]): string => scripts.join(' || ')
export const pipe = (...scripts: string[]): string => scripts.join(' | ')
export const group = (script: string): string => `{ ${script}; }`

/** `sh -c SCRIPT`: runs a composite script where a single program is expected (sudo, runuser, env). */
export const subshell = (script: string): string => sh('sh', '-c', script)

export function cmd(script: string, options: Omit<RemoteCommand, 'script'> = {}): RemoteCommand {
  return {script, ...options}
}
