// gatling env: the app's environment file on the server, changed without a rebuild, and how the change
// reaches the app: in the running node (keys read only through config/runtime.exs), or a zero-downtime restart.
import {cmd, sh} from '../remote/shell.js'
import {HELPER, appPaths} from '../server/layout.js'

/** The env file as it is on the server (its values come back on stdout: never printed). */
export const readEnvCommand = (app: string) => cmd(sh('sudo', '-n', HELPER, 'env-get', app))
/** The new env file, on stdin: 0600, the app's. */
export const writeEnvCommand = (app: string, text: string) => cmd(sh('sudo', '-n', HELPER, 'env', app), {input: text, secretInput: true})
/** What serves: "PORT VSN", or nothing. */
export const servingCommand = (app: string) => cmd(sh('sudo', '-n', HELPER, 'serving', app))
/** For each key "runtime KEY" (read only through config/runtime.exs) or "restart KEY". */
export const envReadsCommand = (app: string, keys: string[]) => cmd(sh(`${appPaths(app).tools}/gatling-deploy`, 'env-reads', ...keys))
