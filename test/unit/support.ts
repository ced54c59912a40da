// Shared helpers for the unit tests (not a test file itself).
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** A fresh temporary directory, removed by the returned cleanup function. */
export function tempDir(prefix = 'gatling-unit-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

/** Run `/bin/sh -n` on a script; returns the exit status and stderr. */
export function shSyntaxCheck(script: string): {status: number | null; stderr: string} {
  const {dir, cleanup} = tempDir('gatling-unit-sh-n-')
  try {
    const file = join(dir, 'script.sh')
    writeFileSync(file, script)
    const result = spawnSync('/bin/sh', ['-n', file], {encoding: 'utf8'})
    return {status: result.status, stderr: result.stderr}
  } finally {
    cleanup()
  }
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
