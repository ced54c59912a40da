// A step says what it runs on a server, computed from the context (the seed's `env` map).
// It opens no connection, prints nothing and knows nothing of listr2: the runner does that.
import type {ExecResult} from '../remote/connection.js'
import type {RemoteCommand} from '../remote/shell.js'

export interface Step<C> {
  title: string
  /** A reason to skip the step in this context, or false to run it. */
  skip?: (ctx: C) => string | false
  /** Decided on the server when the step is reached: exit 0 runs the step, anything else skips it with `onlyIfReason`. */
  onlyIf?: (ctx: C) => RemoteCommand
  onlyIfReason?: string
  /** All exit 0: the server is already as the step would leave it, and the step changes nothing. */
  check?: (ctx: C) => RemoteCommand | RemoteCommand[]
  commands: (ctx: C) => RemoteCommand[]
  /** Only reads the server: it also runs under --dry-run, so the steps after it can be planned exactly. */
  readOnly?: boolean
  /** Learn from what the commands printed (for example the OS version) for the steps that follow. */
  after?: (ctx: C, results: ExecResult[]) => void
  /** Its last output line says what it decided or did: the task tree keeps it in the step's title. */
  reportsOutcome?: boolean
  /** Runs only when driven from the CLI (it needs local files), not in the server's git hook. */
  cliOnly?: boolean
}

export type Pipeline<C> = ReadonlyArray<Step<C>>
