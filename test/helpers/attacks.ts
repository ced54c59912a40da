// Helpers for the attack tests (test/e2e/security.test.ts): run commands on a test host as root,
// as the deploy user and as an app's user, plant links without ever throwing, make scratch
// victims and describe them, and fingerprint parts of the file system.
//
// Every attack aims at scratch victims the test makes (/opt/victim-*, marker files): never at a
// real system directory, except for read-only checks.
import {mkdir, readFile, readdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {FIXTURES, TestApp} from './app.js'
import type {SshResult, TestHost} from './hosts.js'

export const HELPER = '/usr/local/sbin/gatling-root'
export const DEPLOY_USER = 'gatling'
export const APPS = '/srv/gatling'

/** Single-quotes a word for sh. */
export const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

export const out = (r: SshResult): string => `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`

/**
 * Shell functions for planting (run as the attacker, never fail) and for restoring (run as root).
 *   plant PATH TARGET   PATH becomes a symlink to TARGET; the original is kept as PATH.attack-orig
 *   unplant PATH        (root) the original back, whatever happened in between
 */
export const PLANT_SH = String.raw`
plant() {
  p=$1; t=$2
  if [ -e "$p" ] || [ -L "$p" ]; then
    if ! mv -T "$p" "$p.attack-orig" 2>/dev/null; then echo "PLANT $p -> $t: failed (cannot move the original aside)"; return 0; fi
  fi
  if ln -sT "$t" "$p" 2>/dev/null; then echo "PLANT $p -> $t: planted"; return 0; fi
  echo "PLANT $p -> $t: failed (cannot create the link)"
  if [ -e "$p.attack-orig" ] || [ -L "$p.attack-orig" ]; then mv -T "$p.attack-orig" "$p" 2>/dev/null; fi
  return 0
}
unplant() {
  p=$1
  if [ -L "$p" ]; then rm -f "$p"; fi
  if [ -e "$p.attack-orig" ] || [ -L "$p.attack-orig" ]; then
    if [ -d "$p" ] && [ ! -L "$p" ]; then
      case $p in /srv/gatling/*|/var/lib/gatling/*) rm -rf "$p" ;; *) echo "unplant: refusing to remove $p" >&2; return 1 ;; esac
    fi
    mv -T "$p.attack-orig" "$p"
  fi
  return 0
}
`

export class Server {
  constructor(readonly host: TestHost) {}

  root(cmd: string, input?: string, timeoutMs = 120_000): Promise<SshResult> {
    return this.host.ssh('root', cmd, {input, timeoutMs})
  }

  /** As root; throws unless it exits 0; the trimmed stdout. */
  async rootOk(cmd: string, input?: string): Promise<string> {
    const r = await this.root(cmd, input)
    if (r.code !== 0) throw new Error(`as root: ${cmd}\n${out(r)}`)
    return r.stdout.trim()
  }

  /** As the deploy user, logged in over ssh like gatling push does. */
  deploy(cmd: string, input?: string, timeoutMs = 120_000): Promise<SshResult> {
    return this.host.ssh(DEPLOY_USER, cmd, {input, timeoutMs})
  }

  /** A script run by `sh` as USER (an app user has no login shell: runuser from root). */
  as(user: string, script: string, timeoutMs = 120_000): Promise<SshResult> {
    if (user === 'root') return this.root('sh -s', script, timeoutMs)
    if (user === DEPLOY_USER) return this.deploy('sh -s', script, timeoutMs)
    return this.root(`cd / && runuser -u ${q(user)} -- sh -s`, script, timeoutMs)
  }

  /** sudo -n gatling-root ARGS… as the deploy user. */
  helper(...args: string[]): Promise<SshResult> {
    return this.deploy(`sudo -n ${HELPER} ${args.map(q).join(' ')}`)
  }

  /** PLANT lines: each `plant PATH TARGET` tried as USER; never throws. */
  async plant(user: string, links: Array<[string, string]>, extra = ''): Promise<string> {
    const r = await this.as(user, `${PLANT_SH}\n${links.map(([p, t]) => `plant ${q(p)} ${q(t)}`).join('\n')}\n${extra}\n`)
    return `${r.stdout}${r.stderr}`.trim()
  }

  async unplant(...paths: string[]): Promise<void> {
    await this.rootOk(`${PLANT_SH}\n${paths.map((p) => `unplant ${q(p)}`).join('\n')}`)
  }

  /** A scratch victim: DIR root:root 0755 holding marker (root:root 0644). */
  async makeVictim(dir: string): Promise<void> {
    if (!dir.startsWith('/opt/victim-')) throw new Error(`victims live in /opt/victim-*: ${dir}`)
    await this.rootOk(`rm -rf ${q(dir)} && install -d -m 0755 -o root -g root ${q(dir)} && echo victim-marker >${q(`${dir}/marker`)} && chmod 0644 ${q(`${dir}/marker`)}`)
  }

  /** Owner, mode and entries of a victim, as seen by root (to compare before/after). */
  victimState(dir: string): Promise<string> {
    return this.rootOk(`if [ -L ${q(dir)} ] || [ ! -d ${q(dir)} ]; then echo "${dir}: not a directory any more"; exit 0; fi
      cd ${q(dir)} && stat -c '. %U:%G %a' . && find . -mindepth 1 -printf '%p %U:%G %m\\n' | sort && cat marker 2>&1`)
  }

  /** path type owner mode size mtime of everything under the roots (one file system), sorted. */
  manifest(roots: string[]): Promise<string> {
    return this.rootOk(`find ${roots.map(q).join(' ')} -xdev -printf '%p %y %U:%G %m %s %T@\\n' 2>/dev/null | sort || true`)
  }

  /** The files under the roots that USER can read and that contain TEXT (grep -r as USER). */
  async readableWith(user: string, text: string, roots: string[]): Promise<string[]> {
    // the text travels in the script on stdin: it never shows in the ssh or runuser command line (nor the journal)
    const r = await this.as(user, `text=${q(text)}\ngrep -rlsF -D skip -e "$text" ${roots.map(q).join(' ')} 2>/dev/null\nexit 0\n`)
    return r.stdout.split('\n').filter(Boolean)
  }

  /** "PORT VSN" of the instance nginx sends traffic to, and the app's two ports. */
  async serving(app: string): Promise<{port: string; vsn: string; ports: string[]; spare: string}> {
    const s = await this.root(`${HELPER} serving ${q(app)}`)
    const p = await this.root(`${HELPER} ports ${q(app)}`)
    const [port, vsn] = s.stdout.trim().split(/\s+/)
    const ports = p.stdout.trim().split(/\s+/)
    if (!port || ports.length !== 2) throw new Error(`serving/ports of ${app}: ${out(s)}\n${out(p)}`)
    return {port, vsn, ports, spare: ports.find((x) => x !== port)!}
  }
}

/** Recursively copies a fixture, renaming hello -> NAME in paths and contents (Hello -> Name, HELLO -> NAME). */
async function copyRenamed(from: string, to: string, name: string): Promise<void> {
  const cap = name.charAt(0).toUpperCase() + name.slice(1)
  const rename = (s: string) => s.replace(/hello/g, name).replace(/Hello/g, cap).replace(/HELLO/g, name.toUpperCase())
  await mkdir(to, {recursive: true})
  for (const entry of await readdir(from, {withFileTypes: true})) {
    const src = join(from, entry.name)
    const dst = join(to, rename(entry.name))
    if (entry.isDirectory()) await copyRenamed(src, dst, name)
    else await writeFile(dst, rename(await readFile(src, 'utf8')))
  }
}

/**
 * A second app from the hello fixture, renamed NAME (module names, the release, the OTP app),
 * deployed to the same server as `like` (its gatling.json, plus "app" and a domain of its own:
 * the default site is hello's). Its secrets are in .env.production, which is not committed.
 */
export async function createRenamedApp(like: TestApp, name: string, env: string): Promise<TestApp> {
  const app = await TestApp.create({fixture: null, home: like.home})
  await copyRenamed(join(FIXTURES, 'hello'), app.dir, name)
  const config = JSON.parse(await readFile(join(like.dir, 'gatling.json'), 'utf8'))
  await writeFile(join(app.dir, 'gatling.json'), `${JSON.stringify({...config, app: name, domains: [`${name}.test`]}, null, 2)}\n`)
  await app.write('.gitignore', '.env.production\n')
  await app.write('.env.production', env)
  await app.commitAll(`${name} v1`)
  return app
}

