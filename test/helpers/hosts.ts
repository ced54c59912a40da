// Disposable Debian test servers for e2e tests, backed by test/hosts/droplet.sh
// (debootstrap base + overlayfs + systemd-nspawn, each host at its own 10.231.N.2).
// Needs root. Usage:
//   const host = await bootHost('deploy', {suite: 'trixie'})
//   const {code, stdout} = await host.ssh('deploy', 'sudo -n true')
//   after(shutdownAll)
import {execFile, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const DROPLET_SH = fileURLToPath(new URL('../hosts/droplet.sh', import.meta.url))
export const DROPLET_HOME = process.env.DROPLET_HOME ?? '/var/tmp/gatling-hosts'

export interface SshResult {
  code: number
  stdout: string
  stderr: string
}

export interface SshOptions {
  input?: string
  timeoutMs?: number
}

export interface TestHost {
  name: string
  suite: string
  address: string
  port: number
  rootUser: 'root'
  sudoUser: 'deploy'
  /** private key accepted by both root and deploy */
  keyPath: string
  /** known_hosts holding exactly this host's ed25519 key (read from the guest's rootfs) */
  knownHostsPath: string
  /** "ADDRESS ssh-ed25519 AAAA..." read from the guest's rootfs, no trust on first use */
  hostKeyLine(): Promise<string>
  /** ssh options for the system ssh client (strict host key checking, no user config) */
  sshArgs(user: string): string[]
  ssh(user: string, command: string, opts?: SshOptions): Promise<SshResult>
  down(): Promise<void>
}

const live = new Map<string, TestHost>()

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    execFile('bash', [DROPLET_SH, ...args], {env: {...process.env, DROPLET_HOME, ...env}, maxBuffer: 16 << 20},
      (err, stdout, stderr) => {
        if (err) reject(new Error(`droplet.sh ${args.join(' ')} failed: ${err.message}\n${stderr}`))
        else resolve({stdout, stderr})
      })
  })
}

/** Parses droplet.sh's KEY=VALUE env block (values may be double-quoted). */
export function parseEnvBlock(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim())
    if (m) env[m[1]] = m[2].replace(/^"(.*)"$/, '$1')
  }
  return env
}

/** "web" -> "web-3fa9c1": unique enough for parallel runs, valid as a droplet name (max 31). */
function uniqueName(base: string): string {
  const clean = base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, 23) || 'h'
  return `${clean.replace(/-+$/, '')}-${randomBytes(3).toString('hex')}`
}

export async function bootHost(name: string, opts: {suite?: string} = {}): Promise<TestHost> {
  const hostName = uniqueName(name)
  const suite = opts.suite ?? process.env.DROPLET_SUITE ?? 'bookworm'
  const {stdout} = await run(['up', hostName], {DROPLET_SUITE: suite})
  const env = parseEnvBlock(stdout)
  if (!env.DROPLET_HOST || !env.DROPLET_KEY) throw new Error(`droplet.sh up printed no env block:\n${stdout}`)
  const dir = env.DROPLET_DIR ?? join(DROPLET_HOME, 'hosts', hostName)
  const hostKeyPub = env.DROPLET_HOST_KEY_PUB ?? join(dir, 'root/etc/ssh/ssh_host_ed25519_key.pub')
  const address = env.DROPLET_HOST
  const port = Number(env.DROPLET_PORT ?? 22)

  const hostKeyLine = async () => {
    const [type, key] = (await readFile(hostKeyPub, 'utf8')).trim().split(/\s+/)
    return `${port === 22 ? address : `[${address}]:${port}`} ${type} ${key}`
  }
  const khDir = await mkdtemp(join(tmpdir(), `gatling-kh-${hostName}-`))
  const knownHostsPath = join(khDir, 'known_hosts')
  await writeFile(knownHostsPath, `${await hostKeyLine()}\n`)

  const sshArgs = (user: string) => [
    '-F', '/dev/null', '-p', String(port), '-i', env.DROPLET_KEY,
    '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${knownHostsPath}`, '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR', `${user}@${address}`,
  ]

  let isDown = false
  const host: TestHost = {
    name: hostName,
    suite,
    address,
    port,
    rootUser: 'root',
    sudoUser: 'deploy',
    keyPath: env.DROPLET_KEY,
    knownHostsPath,
    hostKeyLine,
    sshArgs,
    ssh(user, command, sshOpts = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn('ssh', [...sshArgs(user), command], {stdio: ['pipe', 'pipe', 'pipe']})
        let stdout = ''
        let stderr = ''
        child.stdout.setEncoding('utf8') // a character split across two chunks stays whole
        child.stdout.on('data', (d) => (stdout += d))
        child.stderr.setEncoding('utf8')
        child.stderr.on('data', (d) => (stderr += d))
        const timer = sshOpts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), sshOpts.timeoutMs) : undefined
        child.on('error', reject)
        child.on('close', (code, signal) => {
          if (timer) clearTimeout(timer)
          resolve({code: code ?? (signal ? 128 : 255), stdout, stderr})
        })
        child.stdin.end(sshOpts.input ?? '')
      })
    },
    async down() {
      if (isDown) return
      isDown = true
      live.delete(hostName)
      await rm(khDir, {recursive: true, force: true})
      await run(['down', hostName])
    },
  }
  live.set(hostName, host)
  return host
}

/** Takes down every host this process booted (for an after-all hook). */
export async function shutdownAll(): Promise<void> {
  const results = await Promise.allSettled([...live.values()].map((h) => h.down()))
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed.length > 0) throw new Error(failed.map((f) => String(f.reason)).join('\n'))
}
