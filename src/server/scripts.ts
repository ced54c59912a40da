// The server files rendered from the server model: gatling-root, the app's unit, the sudo rule.
// Paths reach the scripts as the shell variables $APPS, $ETC, $HOMES… defined once at their top,
// so a test can render them against a temporary root.
import {render} from '../templates.js'
import {ACME_WEBROOT, APPS_GROUP, AUDIT_ROOT, DB_BACKUPS, DB_BACKUP_UNIT, DB_MARKER, POSTGRES_USER, APPS_ROOT, DEPLOY_USER, ETC_ROOT, HELPER, HOMES_ROOT, LETSENCRYPT, LOCAL_CA_CERTS, NGINX_UPSTREAMS, SHARE_DIR, TOOLCHAINS_ROOT, appDirs, appPaths, certName, cookieInHome} from './layout.js'
import {nodeEnvironment, sandbox, writablePaths} from './node.js'
import {RULES, domainLength, reservedEnvPattern} from './rules.js'

/** Where gatling-root works (tests point these at a temporary root). */
export interface ServerDirs {
  apps: string
  etc: string
  homes: string
  upstreams: string
  share: string
  units: string
  /** /etc/nginx: sites-available/ and sites-enabled/ below it */
  sites: string
  nginxPid: string
  /** certbot's HTTP-01 webroot, which nginx serves */
  webroot: string
  /** certbot's /etc/letsencrypt */
  letsencrypt: string
  /** local CA certificates for update-ca-certificates */
  caCerts: string
  /** dumps of the scheduled database backups */
  dbBackups: string
  /** root's audit logs (APP.log) */
  audit: string
  /** pinned Erlang/OTP and Elixir builds, side by side */
  toolchains: string
  /** the distribution's Erlang/OTP (releases/N/OTP_VERSION) */
  distroErlang: string
  /** which distribution and release the server runs */
  osRelease: string
}

export const SERVER_DIRS: ServerDirs = {
  apps: APPS_ROOT, etc: ETC_ROOT, homes: HOMES_ROOT, upstreams: NGINX_UPSTREAMS, share: SHARE_DIR,
  units: '/etc/systemd/system', sites: '/etc/nginx', nginxPid: '/run/nginx.pid',
  webroot: ACME_WEBROOT, letsencrypt: LETSENCRYPT, caCerts: LOCAL_CA_CERTS, dbBackups: DB_BACKUPS, audit: AUDIT_ROOT,
  toolchains: TOOLCHAINS_ROOT, distroErlang: '/usr/lib/erlang', osRelease: '/etc/os-release',
}

/** A path of the model as gatling-root names it: its root as the script's variable, the app as ${APP}. */
function inScript(path: string): string {
  return path.replace(APPS_ROOT, '${APPS}').replace(ETC_ROOT, '${ETC}').replace(HOMES_ROOT, '${HOMES}')
}

export function renderGatlingRoot(dirs: ServerDirs = SERVER_DIRS, deployUser = DEPLOY_USER): string {
  const app = '${APP}'
  const port = '${PORT}'
  return render('server/gatling-root.sh.ejs', {
    dirs,
    deployUser,
    appsGroup: APPS_GROUP,
    dbMarker: DB_MARKER,
    dbBackupUnit: DB_BACKUP_UNIT,
    postgresUser: POSTGRES_USER,
    rules: RULES,
    domainLength,
    reservedEnv: reservedEnvPattern(),
    appDirs: appDirs(app).map((d) => ({...d, path: inScript(d.path)})),
    cookieInHome: inScript(cookieInHome(app)),
    certName: certName(app),
    tlsCertificate: inScript(appPaths(app).tlsCertificate),
    tlsKey: inScript(appPaths(app).tlsKey),
    env: nodeEnvironment(app, port).map(([k, v]) => [k, inScript(v)]),
    sandboxNoPaths: sandbox(app).filter(([k]) => k !== 'ReadWritePaths'),
    writable: (withSlot: boolean) => writablePaths(app, withSlot ? port : undefined).map(inScript).join(' '),
  })
}

/** APP@PORT.service with @@APP@@ for gatling-root to fill; %i is the instance's port. */
export function renderUnitTemplate(): string {
  const app = '@@APP@@'
  return render('server/app@.service.ejs', {app, paths: appPaths(app), environment: nodeEnvironment(app, '%i'), sandbox: sandbox(app, '%i')})
}

/** The nginx site with @@NAME@@ placeholders for gatling-root to fill (and its marked parts to drop). */
export const renderSiteTemplate = (dirs: ServerDirs = SERVER_DIRS): string =>
  render('server/nginx-site.ejs', {app: '@@APP@@', upstream: `${dirs.upstreams}/@@APP@@.upstream`, webroot: dirs.webroot})

export const renderSudoers = (deployUser = DEPLOY_USER): string => render('server/sudoers.ejs', {deployUser, helperPath: HELPER})

/** PostgreSQL's settings gatling adds (conf.d/gatling.conf) and its whole pg_hba.conf, which gatling-root db-server installs. */
export const renderPostgresConf = (): string => render('server/postgresql.conf.ejs')
export const renderPgHba = (): string => render('server/pg_hba.conf.ejs', {postgresUser: POSTGRES_USER})

/** The scheduled backup of an app's database (instance: the app): a oneshot service running gatling-root db-backup, and its daily timer. */
export const renderBackupService = (): string => render('server/db-backup@.service.ejs', {helperPath: HELPER})
export const renderBackupTimer = (): string => render('server/db-backup@.timer.ejs', {unit: DB_BACKUP_UNIT})
