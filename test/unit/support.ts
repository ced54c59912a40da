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
