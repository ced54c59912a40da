// gatling env: the app's environment file on the server, changed without a rebuild, and how the change
// reaches the app: in the running node (keys read only through config/runtime.exs), or a zero-downtime restart.
import type {DeployContext} from '../context.js'
import type {Pipeline} from '../pipeline/step.js'
import {cmd, sh} from '../remote/shell.js'
import {HELPER, appPaths} from '../server/layout.js'
import {checkHealthThroughNginx} from '../steps/check-health-through-nginx.js'
import {checkInstanceHealth} from '../steps/check-instance-health.js'
import {planRestart} from '../steps/plan-restart.js'
import {startInstance} from '../steps/start-instance.js'
import {switchTraffic} from '../steps/switch-traffic.js'

/** The env file as it is on the server (its values come back on stdout: never printed). */
export const readEnvCommand = (app: string) => cmd(sh('sudo', '-n', HELPER, 'env-get', app))
/** The new env file, on stdin: 0600, the app's. */
export const writeEnvCommand = (app: string, text: string) => cmd(sh('sudo', '-n', HELPER, 'env', app), {input: text, secretInput: true})
/** What serves: "PORT VSN", or nothing. */
export const servingCommand = (app: string) => cmd(sh('sudo', '-n', HELPER, 'serving', app))
/** For each key "runtime KEY" (read only through config/runtime.exs) or "restart KEY". */
export const envReadsCommand = (app: string, keys: string[]) => cmd(sh(`${appPaths(app).tools}/gatling-deploy`, 'env-reads', ...keys))

/** The serving release started again beside itself, health-checked, nginx switched: no build, no failed request. */
export const restartPipeline: Pipeline<DeployContext> = [planRestart, startInstance, checkInstanceHealth, switchTraffic, checkHealthThroughNginx]
