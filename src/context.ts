// The context that flows through a pipeline (the seed's `env` map).

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
  /** The user that owns the apps and receives git pushes. */
  deployUser: string
  /** Public keys allowed to log in as the deploy user. */
  authorizedKeys: string[]
  os?: OsInfo
}

export const DEPLOY_USER = 'gatling'
export const APPS_ROOT = '/srv/gatling'

/** Where an app lives on the server. */
export interface AppPaths {
  root: string
  repo: string
  build: string
  releases: string
  /** Values one step leaves for the next (release version, port), in files: both drivers read them. */
  state: string
  tools: string
  current: string
}

export function appPaths(app: string): AppPaths {
  const root = `${APPS_ROOT}/${app}`
  return {root, repo: `${root}/repo.git`, build: `${root}/build`, releases: `${root}/releases`, state: `${root}/state`, tools: `${root}/tools`, current: `${root}/current`}
}

export interface DeployContext {
  app: string
  /** The server as named in gatling.json. */
  host: string
  /** The commit to deploy: a literal sha from the CLI, the shell variable $REV in the git hook. */
  rev: import('./remote/shell.js').Arg
  healthPath: string
  domains: string[]
  keepReleases: number
  /** The release `gatling rollback` goes back to (default: the one before current). */
  rollbackTo?: string
  /** Take the zero-downtime restart even where a hot upgrade would do (--restart). */
  forceRestart?: boolean
  /** The app's environment file, rendered from the local dotenv file (CLI only, secret). */
  envFile?: string
  paths: AppPaths
}

/** gatling-root: the deploy user's only way to act as root (see templates/server/gatling-root.ejs). */
export const HELPER = '/usr/local/sbin/gatling-root'
