// A local toolchain mirror for the e2e tests (toolchains.mirror in gatling.json): a plain HTTP static
// server in the builds.hex.pm layout, bound to the host side of a test host's link (10.231.N.1) like
// pebble, serving what test/hosts/toolchain-mirror.sh built once and cached. A test can replace or
// remove a file (a wrong checksum, a missing build) without touching the cache.
import {execFile} from 'node:child_process'
import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'
import {type Server, createServer} from 'node:http'
import {join, normalize} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {TestHost} from './hosts.js'

const MIRROR_SH = fileURLToPath(new URL('../hosts/toolchain-mirror.sh', import.meta.url))
export const MIRROR_PORT = 8088

/** The cached mirror's directory (built first when missing: minutes, once per machine). */
export function ensureMirrorFiles(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [MIRROR_SH, 'ensure'], {maxBuffer: 16 << 20, timeout: 1_500_000}, (err, stdout, stderr) => {
      if (err) reject(new Error(`toolchain-mirror.sh ensure failed: ${err.message}\n${stderr}`))
      else resolve(stdout.trim().split('\n').at(-1)!)
    })
  })
}

export class ToolchainMirror {
  /** Paths (below the mirror's root, "/builds/elixir/builds.txt") answered with this text instead, or 404 for null. */
  readonly overrides = new Map<string, string | null>()
  /** Every path asked for, in order. */
  readonly requests: string[] = []

  private constructor(readonly url: string, private readonly server: Server) {}

  static async start(host: TestHost, dir: string): Promise<ToolchainMirror> {
    const address = host.address.replace(/\.2$/, '.1')
    let mirror: ToolchainMirror | undefined
    const server = createServer(async (req, res) => {
      const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]))
      mirror!.requests.push(path)
      const override = mirror!.overrides.get(path)
      if (override !== undefined) {
        res.writeHead(override === null ? 404 : 200).end(override ?? 'not found')
        return
      }
      const file = join(dir, path)
      const info = file.startsWith(`${dir}/`) ? await stat(file).catch(() => undefined) : undefined
      if (!info?.isFile()) {
        res.writeHead(404).end('not found')
        return
      }
      res.writeHead(200, {'content-length': info.size})
      createReadStream(file).pipe(res)
    })
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(MIRROR_PORT, address, resolve))
    mirror = new ToolchainMirror(`http://${address}:${MIRROR_PORT}`, server)
    return mirror
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
