// How an app's Erlang node runs, defined once: its environment and its systemd sandbox. The unit
// (APP@PORT.service) and every command gatling-root runs as the app (rpc, eval) get exactly these.
import {appPaths, cookieInHome} from './layout.js'

/**
 * A public placeholder. The release script always passes `-setcookie $RELEASE_COOKIE`; gatling adds a
 * second `-setcookie` (in ELIXIR_ERL_OPTIONS), and given more than one, Erlang uses neither and reads
 * $HOME/.erlang.cookie (0400, the app's). So the real cookie is never on a command line.
 */
export const COOKIE_PLACEHOLDER = 'gatling-reads-the-cookie-file'

/** The node's environment. `app` and `port` may be placeholders (@@APP@@, %i, "$PORT") filled later. */
export function nodeEnvironment(app: string, port: string): Array<[string, string]> {
  const home = appPaths(app).home
  return [
    ['PORT', port],
    ['LANG', 'C.UTF-8'],
    ['HOME', home],
    ['RELEASE_DISTRIBUTION', 'name'],
    ['RELEASE_NODE', `${app}_${port}@127.0.0.1`],
    ['RELEASE_TMP', `${home}/tmp`],
    ['RELEASE_COOKIE', COOKIE_PLACEHOLDER],
    ['ELIXIR_ERL_OPTIONS', `-kernel inet_dist_use_interface {127,0,0,1} -start_epmd false -setcookie ${COOKIE_PLACEHOLDER}`],
    ['ERL_CRASH_DUMP', `${home}/erl_crash-${port}.dump`],
  ]
}

/** Where the node may write: its slot (when it runs one) and its home. */
export const writablePaths = (app: string, port?: string): string[] => [...(port ? [`${appPaths(app).slots}/${port}`] : []), appPaths(app).home]

/** systemd sandbox properties of the node, for the unit and for systemd-run alike. */
export function sandbox(app: string, port?: string): Array<[string, string]> {
  return [
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['ReadWritePaths', writablePaths(app, port).join(' ')],
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'],
    // their own mounts, which ProtectSystem and PrivateDevices leave shared and writable
    ['ReadOnlyPaths', '-/run/lock'],
    ['TemporaryFileSystem', '/dev/shm:mode=1777,nosuid,nodev'],
    ['ProtectKernelTunables', 'yes'],
    ['ProtectKernelModules', 'yes'],
    ['ProtectKernelLogs', 'yes'],
    ['ProtectControlGroups', 'yes'],
    // other apps' processes (and their command lines) are invisible
    ['ProtectProc', 'invisible'],
    ['RestrictSUIDSGID', 'yes'],
    ['LockPersonality', 'yes'],
    ['RestrictRealtime', 'yes'],
    // releases stay readable by the app's group (the deploy user builds the next upgrade from them), never by others
    ['UMask', '0027'],
  ]
}

export {cookieInHome}
