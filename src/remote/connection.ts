// The only code that talks SSH: one connection per host, reused for every command of a run.
import {confirm} from '@inquirer/prompts'
import {readFileSync} from 'node:fs'
import {connect as tcpConnect, type Socket} from 'node:net'
import {NodeSSH} from 'node-ssh'
import type {AgentAuthMethod, Client, PublicKeyAuthMethod} from 'ssh2'
import ssh2 from 'ssh2'
import type {Duplex, Readable, Writable} from 'node:stream'

import {lineSplitter} from './lines.js'
import {GatlingError} from '../errors.js'
import {type Endpoint, describeEndpoint} from './endpoint.js'
import {
  type HostKey, appendKnownHost, checkHostKey, fingerprint, formatHostKey, hostKeyFromBlob, knownHostsName, knownKeyTypes, readKnownHosts, sameKey,
} from './host-keys.js'
import {type RemoteCommand, sh} from './shell.js'

export interface HostKeyPolicy {
  knownHostsFile: string
  /** A key pinned in the project config: the only key accepted, whatever known_hosts says. */
  pinned?: HostKey
  /** Trust a host seen for the first time without asking (first contact from CI). */
  acceptNew: boolean
  /** stdin and stdout are terminals: an unknown key may be shown and confirmed. */
  interactive: boolean
}

export interface ExecResult {
  code: number
  stdout: string
  stderr: string
  /** The last lines of stdout and stderr, interleaved as they came. */
  tail: string[]
}

export type LineHandler = (line: string, stream: 'stdout' | 'stderr') => void

/** How `stream` feeds and drains one command: files and dumps as bytes, never held whole in memory. */
export interface StreamOptions {
  /** Piped into the command's stdin (a dump to restore), then closed. */
  stdin?: Readable
  /** Gets the command's stdout as bytes (a dump), instead of lines. */
  stdout?: Writable
  /** stderr lines (and stdout lines when there is no `stdout` sink). */
  onLine?: LineHandler
  /** Called as stdout bytes arrive into the sink, with the total so far. */
  onBytes?: (total: number) => void
  /** Ends the command early (gatling logs -f on Ctrl-C): SIGTERM to the remote side, the channel closed; code 130. */
  signal?: AbortSignal
}

const CONNECT_TIMEOUT_MS = 10_000

/** Whole lines of one stream to `onLine`, the last TAIL_LINES of both streams kept in `tail` (for an error). */
function tailedLines(tail: string[], stream: 'stdout' | 'stderr', onLine?: LineHandler): ReturnType<typeof lineSplitter> {
  return lineSplitter((line) => {
    tail.push(line)
    if (tail.length > TAIL_LINES) tail.shift()
    onLine?.(line, stream)
  })
}
const TAIL_LINES = 30

export class Connection {
  /** The key the server presented, as verified. */
  hostKey?: HostKey
  private lost?: string
  private readonly pending = new Set<(reason: Error) => void>()

  /** The connection to the ProxyJump host this one goes through (its key verified the same way). */
  private constructor(readonly endpoint: Endpoint, private readonly ssh: NodeSSH, readonly jump?: Connection) {
    const client = ssh.connection as Client
    // Without an 'error' listener a failed keepalive crashes the process.
    client.on('error', (error) => this.drop(error.message))
    client.on('close', () => this.drop('the connection was closed'))
  }

  get label(): string {
    return describeEndpoint(this.endpoint)
  }

  get isRoot(): boolean {
    return this.endpoint.user === 'root'
  }

  static async open(endpoint: Endpoint, policy: HostKeyPolicy): Promise<Connection> {
    let jump: Connection | undefined
    let sock: Duplex
    if (endpoint.proxyJump) {
      const jumpConnection = (jump = await Connection.open(endpoint.proxyJump, {...policy, pinned: undefined}))
      sock = await new Promise<Duplex>((resolve, reject) => {
        ;(jumpConnection.ssh.connection as Client).forwardOut('127.0.0.1', 0, endpoint.host, endpoint.port, (error, stream) =>
          error ? reject(new GatlingError(`The jump host ${jumpConnection.label} could not reach ${endpoint.host}:${endpoint.port}: ${error.message}.`)) : resolve(stream))
      }).catch((error: unknown) => {
        jumpConnection.close()
        throw error
      })
    } else {
      sock = await openSocket(endpoint)
    }

    const names = [knownHostsName(endpoint.alias, endpoint.port), knownHostsName(endpoint.host, endpoint.port)]
    const entries = readKnownHosts(policy.knownHostsFile)
    const preferred = policy.pinned ? [policy.pinned.type] : knownKeyTypes(entries, names)
    let refusal: GatlingError | undefined
    let presented: HostKey | undefined

    const verify = async (key: HostKey): Promise<boolean> => {
      presented = key
      if (policy.pinned) {
        if (sameKey(key, policy.pinned)) return true
        refusal = changedKeyError(endpoint, [policy.pinned], key, 'the key pinned in gatling.json', `remove its "hostKey" from gatling.json`)
        return false
      }
      const verdict = checkHostKey(entries, names, key)
      switch (verdict.status) {
        case 'known':
          return true
        case 'revoked':
          refusal = new GatlingError(`The host key of ${endpoint.alias} (${fingerprint(key)}) is marked @revoked in ${policy.knownHostsFile}. Nothing was run.`)
          return false
        case 'changed':
          refusal = changedKeyError(endpoint, verdict.expected, key, policy.knownHostsFile, `remove the old key (${sh('ssh-keygen', '-R', names[0])})`)
          return false
        case 'unknown': {
          const accepted = policy.acceptNew || (policy.interactive && (await askAboutNewKey(endpoint, key)))
          if (accepted) {
            appendKnownHost(policy.knownHostsFile, names[0], key)
            return true
          }
          refusal = new GatlingError(
            `The authenticity of ${endpoint.alias} can't be established: its ${key.type} key is ${fingerprint(key)} and it is not in ${policy.knownHostsFile}. ` +
              (policy.interactive ? 'You declined it. ' : 'There is no terminal to ask you. ') +
              'Check the fingerprint with your provider, then run again with --accept-new-host-key (or add it to known_hosts). Nothing was run.',
          )
          return false
        }
      }
    }

    const ssh = new NodeSSH()
    try {
      await ssh.connect({
        sock,
        username: endpoint.user,
        authHandler: authMethods(endpoint),
        readyTimeout: CONNECT_TIMEOUT_MS,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        algorithms: preferred.length > 0 ? {serverHostKey: {prepend: preferred as never[]}} as never : undefined,
        hostVerifier: (blob: Buffer, callback: (valid: boolean) => void) => {
          verify(hostKeyFromBlob(blob)).then(callback, () => callback(false))
        },
      } as never)
    } catch (error) {
      sock.destroy()
      jump?.close()
      if (refusal) throw refusal
      throw connectError(endpoint, error as Error)
    }
    const connection = new Connection(endpoint, ssh, jump)
    connection.hostKey = presented
    return connection
  }

  /** Run one command, streaming its output line by line. Never throws on a non-zero exit: check `code`. */
  async exec(command: RemoteCommand, onLine?: LineHandler): Promise<ExecResult> {
    if (this.lost) throw this.lostError()
    const script = this.wrap(command)
    const tail: string[] = []
    const out = tailedLines(tail, 'stdout', onLine)
    const err = tailedLines(tail, 'stderr', onLine)
    let rejectLost: (reason: Error) => void = () => {}
    const lostPromise = new Promise<never>((_, reject) => {
      rejectLost = reject
      this.pending.add(reject)
    })
    try {
      const result = await Promise.race([
        this.ssh.execCommand(script, {stdin: command.input, onStdout: (c) => out.push(c), onStderr: (c) => err.push(c)}),
        lostPromise,
      ])
      out.flush()
      err.flush()
      if (this.lost) throw this.lostError()
      if (command.sudo && !this.isRoot && /sudo: (a password is required|a terminal is required)/.test(result.stderr)) {
        throw new GatlingError(`sudo on ${this.endpoint.alias} wants a password for ${this.endpoint.user}. gatling runs privileged commands with "sudo -n": give ${this.endpoint.user} passwordless sudo (NOPASSWD), or log in as root.`)
      }
      return {code: result.code ?? 255, stdout: result.stdout, stderr: result.stderr, tail}
    } finally {
      this.pending.delete(rejectLost)
    }
  }

  /**
   * Run one command with byte streams (a dump out, a dump in) over this same connection. Resolves when the
   * command has exited and the sink has every byte; never throws on a non-zero exit: check `code`.
   */
  async stream(command: RemoteCommand, options: StreamOptions): Promise<ExecResult> {
    if (this.lost) throw this.lostError()
    const tail: string[] = []
    return this.channel(command, {}, (channel, done) => {
      const err = tailedLines(tail, 'stderr', options.onLine)
      channel.stderr.on('data', (c: Buffer) => err.push(c))
      let finished: Promise<void> = Promise.resolve()
      if (options.stdout) {
        const sink = options.stdout
        let total = 0
        channel.on('data', (c: Buffer) => options.onBytes?.((total += c.length)))
        channel.pipe(sink, {end: false})
        finished = new Promise((resolve, reject) => {
          channel.once('end', () => sink.end(resolve))
          sink.once('error', reject)
        })
      } else {
        const out = tailedLines(tail, 'stdout', options.onLine)
        channel.on('data', (c: Buffer) => out.push(c))
        channel.once('end', () => out.flush())
      }
      if (options.stdin) options.stdin.pipe(channel)
      else channel.end()
      let aborted = false
      const abort = () => {
        aborted = true
        channel.signal('TERM')
        channel.close()
      }
      if (options.signal?.aborted) abort()
      else options.signal?.addEventListener('abort', abort, {once: true})
      channel.once('exit', (code: number | null) => {
        if (aborted) return
        err.flush()
        finished.then(() => done({code: code ?? 255, stdout: '', stderr: '', tail}), (error: Error) => done(error))
      })
      channel.once('close', () => {
        options.signal?.removeEventListener('abort', abort)
        if (aborted) done({code: 130, stdout: '', stderr: '', tail})
      })
    })
  }

  /**
   * Run one command on a terminal of its own (an interactive psql): this terminal's keys go to it unchanged
   * (raw mode), its output comes back as it is, and a resize follows. Resolves with its exit code.
   */
  async interactive(command: RemoteCommand): Promise<number> {
    if (this.lost) throw this.lostError()
    const {stdin, stdout, stderr} = process
    const pty = {term: process.env.TERM || 'xterm-256color', cols: stdout.columns || 80, rows: stdout.rows || 24}
    const result = await this.channel(command, {pty}, (channel, done) => {
      const wasRaw = stdin.isTTY ? stdin.isRaw : false
      if (stdin.isTTY) stdin.setRawMode(true)
      const resize = () => channel.setWindow(stdout.rows || 24, stdout.columns || 80, 0, 0)
      stdout.on('resize', resize)
      stdin.pipe(channel)
      stdin.resume()
      channel.pipe(stdout, {end: false})
      channel.stderr.pipe(stderr, {end: false})
      channel.once('exit', (code: number | null) => {
        stdout.off('resize', resize)
        stdin.unpipe(channel)
        stdin.pause()
        if (stdin.isTTY) stdin.setRawMode(wasRaw)
        done({code: code ?? 255, stdout: '', stderr: '', tail: []})
      })
    })
    return result.code
  }

  /** A channel of its own for one command; `use` wires it and calls `done` once it is over. A lost connection rejects. */
  private channel(command: RemoteCommand, options: {pty?: {term: string; cols: number; rows: number}}, use: (channel: ssh2.ClientChannel, done: (result: ExecResult | Error) => void) => void): Promise<ExecResult> {
    const client = this.ssh.connection as Client
    return new Promise<ExecResult>((resolve, reject) => {
      const lost = (reason: Error) => reject(reason)
      this.pending.add(lost)
      const done = (result: ExecResult | Error) => {
        this.pending.delete(lost)
        if (result instanceof Error) reject(result)
        else resolve(result)
      }
      client.exec(this.wrap(command), options, (error, channel) => {
        if (error) done(new GatlingError(`${this.label} refused to run a command: ${error.message}.`))
        else use(channel, done)
      })
    })
  }

  /**
   * Start a command that keeps running while its stdin is open (a lock holder): resolves with a release
   * function once it printed `ready` on a line of its own, or with its exit status and output if it ended
   * first. Closing the connection, or the end of this process, ends it too.
   */
  hold(command: RemoteCommand, ready: string, onLine?: (line: string) => void): Promise<{release: () => Promise<void>} | ExecResult> {
    if (this.lost) throw this.lostError()
    const client = this.ssh.connection as Client
    return new Promise((resolve, reject) => {
      client.exec(this.wrap(command), (error, channel) => {
        if (error) return reject(new GatlingError(`Cannot run a command on ${this.label}: ${error.message}`))
        let stdout = ''
        let stderr = ''
        let held = false
        let code = 255
        channel.on('exit', (status: number | null) => (code = status ?? 255))
        const closed = new Promise<void>((done) => channel.on('close', () => {
          if (!held) resolve({code, stdout, stderr, tail: `${stdout}${stderr}`.split('\n').filter(Boolean).slice(-TAIL_LINES)})
          done()
        }))
        let seen = 0
        channel.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8')
          const lines = stdout.split('\n').slice(0, -1)
          for (const line of lines.slice(seen)) if (line !== ready) onLine?.(line)
          seen = lines.length
          if (!held && stdout.split('\n').includes(ready)) {
            held = true
            resolve({release: async () => {
              channel.end()
              await closed
            }})
          }
        })
        channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
      })
    })
  }

  close(): void {
    this.lost ??= 'closed by gatling'
    this.ssh.dispose()
    this.jump?.close()
  }

  /** POSIX shell text, run by the login shell (sh or bash on the servers gatling supports); sudo -n never waits for a password. */
  private wrap(command: RemoteCommand): string {
    return command.sudo && !this.isRoot ? sh('sudo', '-n', '--', 'sh', '-c', command.script) : command.script
  }

  private drop(reason: string): void {
    if (this.lost) return
    this.lost = reason
    for (const reject of this.pending) reject(this.lostError())
    this.pending.clear()
  }

  private lostError(): GatlingError {
    return new GatlingError(`The SSH connection to ${this.label} was lost (${this.lost}).`)
  }
}

function openSocket(endpoint: Endpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({host: endpoint.host, port: endpoint.port})
    socket.setNoDelay(true) // Nagle adds ~40 ms to every command
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new GatlingError(`${describeEndpoint(endpoint)} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s (${endpoint.host} port ${endpoint.port}). Check the address, the port and the server's firewall.`))
    }, CONNECT_TIMEOUT_MS)
    socket.once('connect', () => {
      clearTimeout(timer)
      resolve(socket)
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      reject(connectError(endpoint, error))
    })
  })
}

function authMethods(endpoint: Endpoint): Array<AgentAuthMethod | PublicKeyAuthMethod> {
  const methods: Array<AgentAuthMethod | PublicKeyAuthMethod> = []
  if (process.env.SSH_AUTH_SOCK) methods.push({type: 'agent', username: endpoint.user, agent: process.env.SSH_AUTH_SOCK})
  for (const file of endpoint.identityFiles) {
    let key: Buffer
    try {
      key = readFileSync(file)
    } catch {
      throw new GatlingError(`Cannot read the SSH key ${file}.`)
    }
    const parsed = ssh2.utils.parseKey(key)
    if (parsed instanceof Error) continue // encrypted without an agent, or not a key: the agent may still have it
    methods.push({type: 'publickey', username: endpoint.user, key})
  }
  return methods
}

function connectError(endpoint: Endpoint, error: Error & {code?: string; level?: string}): GatlingError {
  const where = `${describeEndpoint(endpoint)} (${endpoint.host} port ${endpoint.port})`
  if (error instanceof GatlingError) return error
  if (error.level === 'client-authentication' || /authentication methods failed/i.test(error.message)) {
    const keys = endpoint.identityFiles.length > 0 ? endpoint.identityFiles.join(', ') : 'no key file'
    return new GatlingError(`${where} refused the login as ${endpoint.user}: none of the keys was accepted (tried ${process.env.SSH_AUTH_SOCK ? 'the ssh-agent and ' : ''}${keys}). Check the user name and that your public key is in its ~/.ssh/authorized_keys, or pass --identity FILE.`)
  }
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'nothing listens on that port (is sshd running, is the port right?)',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    ENOTFOUND: 'the name does not resolve',
    EAI_AGAIN: 'the name does not resolve (DNS failure)',
    ECONNRESET: 'the connection was reset',
  }
  if (/before handshake|handshake.*timed out|Timed out while waiting for handshake/i.test(error.message)) {
    return new GatlingError(`Cannot connect to ${where}: the connection closed before the SSH handshake finished. Is an SSH server listening there, or is a firewall cutting the connection?`)
  }
  const reason = (error.code && reasons[error.code]) || error.message
  return new GatlingError(`Cannot connect to ${where}: ${reason}.`)
}

function changedKeyError(endpoint: Endpoint, expected: HostKey[], presented: HostKey, source: string, remedy: string): GatlingError {
  return new GatlingError(
    `WARNING: the host key of ${endpoint.alias} has CHANGED. Expected ${expected.map((k) => `${k.type} ${fingerprint(k)}`).join(' or ')} (from ${source}), ` +
      `but the server presented ${presented.type} ${fingerprint(presented)}. Someone could be intercepting the connection, or the server was rebuilt. ` +
      `Nothing was run. If the change is expected (check the new fingerprint with your provider), ${remedy}, then connect again.`,
  )
}

async function askAboutNewKey(endpoint: Endpoint, key: HostKey): Promise<boolean> {
  process.stderr.write(`The authenticity of host '${endpoint.alias}' can't be established.\n${key.type} key fingerprint is ${fingerprint(key)}.\n`)
  return confirm({message: 'Trust this host and remember its key?', default: false})
}

export {formatHostKey}
