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
