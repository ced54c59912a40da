// The context that flows through a pipeline (the seed's `env` map).
import type {AppPaths} from './server/layout.js'

export interface OsInfo {
  id: string
  versionId: string
  prettyName: string
  /** systemd-detect-virt --container says so: swap and kernel tuning are skipped. */
  container: boolean
}

export interface SetupContext {
  /** The server as the user named it. */
  host: string
  sshPort: number
  loginUser: string
  /** The user that owns the apps' code and receives git pushes. */
  deployUser: string
  /** Public keys allowed to log in as the deploy user. */
  authorizedKeys: string[]
  os?: OsInfo
  /** Run from a project: its build.env (gatling.json), for installing Hex as the build will. */
  buildEnv?: Record<string, string>
  /** Run from a project with assets/package.json: Node.js and npm are installed for its build. */
  needsNode?: boolean
  /** gatling.json asks for certificates over ACME: certbot, its timer and its deploy hook are installed. */
  certbot?: boolean
  /** Run from a project: mix.exs's elixir: requirement, which the distribution's Elixir must satisfy without a pin. */
  elixirRequirement?: string
  /** Run from a project with a pinned toolchain: releases whose packaged Elixir is too old are supported through it. */
  toolchain?: import('./config/toolchain.js').Toolchain
  /** Run from a project with tls.acmeCa: the app, and its private ACME server's CA certificates (checked PEM) to trust. */
  acmeCa?: {app: string; pem: string}
  /** Run from a project with "database" in gatling.json and no DATABASE_URL in its env file: PostgreSQL is installed. */
  postgres?: boolean
}

export interface DeployContext {
  app: string
  /** The server as named in gatling.json. */
  host: string
  /** The commit to deploy: a literal sha from the CLI, the shell variable $REV in the git hook. */
  rev: import('./remote/shell.js').Arg
  healthPath: string
  domains: string[]
  /** HTTPS for the domains (gatling.json's "tls", checked locally); none: HTTP only. */
  tls?: import('./config/tls.js').TlsSettings
  keepReleases: number
  /** build.env of gatling.json: the environment of every mix command of the build (never a secret). */
  buildEnv?: Record<string, string>
  /** The release `gatling rollback` goes back to (default: the one before current). */
  rollbackTo?: string
  /** Who deploys, for the release's record (src/config/operator.ts; "git push" in the hook). */
  operator?: string
  /** gatling rollback: the release's record says so. */
  rollback?: boolean
  /** Take the zero-downtime restart even where a hot upgrade would do (--restart). */
  forceRestart?: boolean
  /** The app's environment file, rendered from the local dotenv file (CLI only, secret). */
  envFile?: string
  /** "database" in gatling.json: the app's own PostgreSQL database (made by the first deploy), its dumps kept `backups` days. */
  database?: {backups?: number}
  paths: AppPaths
  /** The project's pinned Erlang/OTP and Elixir: installed before the build, first in every build command's PATH. */
  toolchain?: import('./config/toolchain.js').Toolchain
  /** Set by prepare-app when the deploy user just joined the app's group: it takes effect at its next login. */
  needsNewLogin?: boolean
}
