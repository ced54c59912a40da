// The server's layout, defined once: every path gatling uses on a server, who owns it and its mode.
// The TypeScript steps read it, and gatling-root, the systemd unit and the other server files get
// it rendered in, so no path or owner is written twice.
//
// Who may write what (the privilege boundaries, docs/security.md):
//   root         everything root acts on: the app root, releases/, slots/, current, /etc/gatling/APP
//   deploy user  only repo.git, build/, state/, tools/ (it builds the code; it never owns a path root acts on)
//   the app      only its running copy slots/PORT and its home /var/lib/gatling/APP
// The app's group holds the app user and the deploy user only: app trees are 0750 to that group, so
// no other app can enter them.

export const DEPLOY_USER = 'gatling'
/** The deploy user's home: its SSH keys, and Mix's archives (Hex) in ~/.mix. */
export const deployHome = (user: string): string => `/home/${user}`
export const APPS_ROOT = '/srv/gatling'
export const ETC_ROOT = '/etc/gatling'
export const HOMES_ROOT = '/var/lib/gatling'
/** gatling-root: the deploy user's only way to act as root. */
export const HELPER = '/usr/local/sbin/gatling-root'
/** Root-owned templates gatling-root fills per app (unit, nginx site). */
export const SHARE_DIR = '/usr/local/share/gatling'
export const NGINX_UPSTREAMS = '/etc/nginx/gatling'
/**
 * nginx's main-context settings: Debian's and Ubuntu's nginx.conf include modules-enabled/*.conf at
 * its top level, the only main-context include they have.
 */
export const NGINX_MAIN_CONF = '/etc/nginx/modules-enabled/90-gatling.conf'
/**
 * How long old nginx workers may live after a reload: a switch waits for them (the drain), and an open
 * websocket would keep one alive until it closed. After this, they close what is left; clients reconnect.
 */
export const NGINX_DRAIN_SECONDS = 5
/** Where certbot writes HTTP-01 challenges and nginx answers /.well-known/acme-challenge/ from (root 0755). */
export const ACME_WEBROOT = '/var/lib/gatling-acme'
/** certbot's configuration: live/NAME/{fullchain,privkey}.pem, renewal/, renewal-hooks/ (root's). */
export const LETSENCRYPT = '/etc/letsencrypt'
/** certbot's name for an app's certificate (its lineage). */
export const certName = (app: string): string => `gatling-${app}`
/** Run after every renewal: nginx reloads gracefully and serves the new certificate. */
export const CERTBOT_DEPLOY_HOOK = `${LETSENCRYPT}/renewal-hooks/deploy/gatling-reload-nginx`
/** Local CA certificates the system trusts (update-ca-certificates): a private ACME server's CA goes here. */
export const LOCAL_CA_CERTS = '/usr/local/share/ca-certificates'

/** Dumps of the scheduled database backups (database.backups): root 0700, one directory per app. */
export const DB_BACKUPS = '/var/backups/gatling'
/** PostgreSQL's OS user (the distribution's): its superuser over the unix socket (peer), for root's administration only. */
export const POSTGRES_USER = 'postgres'
/** A role's and a database's comment that says gatling made it for the app of that name (nothing else is ever touched). */
export const DB_MARKER = 'gatling app'
/** The scheduled backup of an app's database: a systemd template unit and its timer, instance = the app. */
export const DB_BACKUP_UNIT = 'gatling-db-backup'
/**
 * Root's audit logs, one per app (APP.log, root:DEPLOY_USER 0640): gatling-root's "audit" subcommand is the
 * only way the deploy user adds a line, and it can neither rewrite nor truncate one. Kept after destroy.
 */
export const AUDIT_ROOT = '/var/log/gatling'
export const auditLog = (app: string): string => `${AUDIT_ROOT}/${app}.log`

/** Group of every app user (so gatling-root knows a user it did not create is no app). */
export const APPS_GROUP = 'gatling-apps'

export type Owner = 'root' | 'deploy' | 'app'

export interface DirSpec {
  path: string
  owner: Owner
  /** The group: root's, or the app's (shared with the deploy user). */
  group: 'root' | 'app'
  mode: string
}

/** Where an app lives on the server. */
export interface AppPaths {
  /** root:APP 0750 */
  root: string
  repo: string
  build: string
  /** Values one step leaves for the next (release version, port), in files: both drivers read them. */
  state: string
  tools: string
  /** releases/VSN: installed releases, root-owned and pristine */
  releases: string
  /** slots/PORT: the copy of a release the instance APP@PORT runs (the app's) */
  slots: string
  current: string
  /** /etc/gatling/APP: root:APP 0750 */
  etc: string
  envFile: string
  /** what gatling sets for a Phoenix app (PHX_SERVER, PHX_HOST, SECRET_KEY_BASE): root 0400, read before envFile, which wins */
  runtimeEnv: string
  /** DATABASE_URL and POOL_SIZE of the app's local database (gatling-root db-create): root 0600, read after runtimeEnv and before envFile, which wins */
  databaseEnv: string
  /** how many days scheduled backups are kept (database.backups): root 0644; absent = no schedule */
  backupDays: string
  /** SECRET_KEY_BASE, made once per app: root 0400 */
  secretKeyBase: string
  /** the Erlang cookie (root-owned source; the app's copy is in its home) */
  cookie: string
  ports: string
  /** /var/lib/gatling/APP: the app's home (0700, the app's) */
  home: string
  upstream: string
  /** the app's own certificate (tls.certificate, the full chain): root 0644 */
  tlsCertificate: string
  /** its private key (tls.key): root 0600 */
  tlsKey: string
  /**
   * The app's lock: flock(1) on this file, held by the process of the command that changes the app (the
   * CLI's lock holder, or the git hook's deploy), so it ends with that process; the deploy user's.
   */
  lock: string
  /** Who holds (or last held) the lock: PID PGID SINCE WHO FROM COMMAND, tab-separated. */
  lockHolder: string
  /** root's audit log of the app */
  auditLog: string
}

export function appPaths(app: string): AppPaths {
  const root = `${APPS_ROOT}/${app}`
  const etc = `${ETC_ROOT}/${app}`
  return {
    root,
    repo: `${root}/repo.git`,
    build: `${root}/build`,
    state: `${root}/state`,
    tools: `${root}/tools`,
    releases: `${root}/releases`,
    slots: `${root}/slots`,
    current: `${root}/current`,
    etc,
    envFile: `${etc}/app.env`,
    runtimeEnv: `${etc}/gatling.env`,
    databaseEnv: `${etc}/database.env`,
    backupDays: `${etc}/backup_days`,
    secretKeyBase: `${etc}/secret_key_base`,
    cookie: `${etc}/cookie`,
    ports: `${etc}/ports`,
    home: `${HOMES_ROOT}/${app}`,
    upstream: `${NGINX_UPSTREAMS}/${app}.upstream`,
    tlsCertificate: `${etc}/tls.crt`,
    tlsKey: `${etc}/tls.key`,
    lock: `${root}/state/lock`,
    lockHolder: `${root}/state/lock.holder`,
    auditLog: auditLog(app),
  }
}

/** The directories gatling-root creates for an app (only when absent; a link or another owner is refused). */
export function appDirs(app: string): DirSpec[] {
  const p = appPaths(app)
  return [
    {path: p.root, owner: 'root', group: 'app', mode: '0750'},
    {path: p.repo, owner: 'deploy', group: 'app', mode: '0750'},
    {path: p.build, owner: 'deploy', group: 'app', mode: '0750'},
    {path: p.state, owner: 'deploy', group: 'app', mode: '0750'},
    {path: p.tools, owner: 'deploy', group: 'app', mode: '0750'},
    {path: p.releases, owner: 'root', group: 'app', mode: '0750'},
    {path: p.slots, owner: 'root', group: 'app', mode: '0750'},
    {path: p.etc, owner: 'root', group: 'app', mode: '0750'},
    {path: p.home, owner: 'app', group: 'app', mode: '0700'},
  ]
}

/** Shared roots (setup makes them): root-owned, so nobody else can swap an app's directory. */
export const SHARED_DIRS: DirSpec[] = [
  {path: APPS_ROOT, owner: 'root', group: 'root', mode: '0755'},
  {path: ETC_ROOT, owner: 'root', group: 'root', mode: '0755'},
  {path: HOMES_ROOT, owner: 'root', group: 'root', mode: '0755'},
  {path: NGINX_UPSTREAMS, owner: 'root', group: 'root', mode: '0755'},
  {path: SHARE_DIR, owner: 'root', group: 'root', mode: '0755'},
]

/** The app's copy of its cookie, where Erlang reads it ($HOME/.erlang.cookie, 0400). */
export const cookieInHome = (app: string): string => `${appPaths(app).home}/.erlang.cookie`

/**
 * Pinned toolchains, side by side, root-owned (gatling-root toolchain installs them, never over one in use):
 * otp-VSN/ (an upstream build or one from source, installed with its Install -minimal) and
 * elixir-VSN-otp-MAJOR/ (the precompiled zip). A directory exists only complete: each is unpacked into
 * NAME.partial and renamed.
 */
export const TOOLCHAINS_ROOT = '/opt/gatling/toolchains'
export const otpDir = (otp: string): string => `${TOOLCHAINS_ROOT}/otp-${otp}`
export const elixirDir = (elixir: string, otpMajor: number): string => `${TOOLCHAINS_ROOT}/elixir-${elixir}-otp-${otpMajor}`
/** Which toolchain the app builds with ("otp-VSN elixir-VSN-otp-N", or "distribution" for OTP): /etc/gatling/APP/toolchain. */
export const appToolchainRecord = (app: string): string => `${ETC_ROOT}/${app}/toolchain`
/**
 * The build's PATH with a pinned toolchain: its Elixir, then its OTP; where the distribution's OTP is the
 * pinned major, no otp-VSN/ exists and erl is the distribution's (/usr/bin).
 */
export const toolchainPath = (t: {otp: string; otpMajor: number; elixir: string}): string =>
  `${elixirDir(t.elixir, t.otpMajor)}/bin:${otpDir(t.otp)}/bin:/usr/local/bin:/usr/bin:/bin`
