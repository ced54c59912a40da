import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, raw, sh} from '../remote/shell.js'
import {HELPER} from '../server/layout.js'
import {isValid} from '../server/rules.js'
import {helper} from './deploy-support.js'

/** The port of the instance nginx sends traffic to, read on the server. */
const servingPort = (app: string) => raw(`"$(${sh('sudo', '-n', HELPER, 'serving', app)} | cut -d' ' -f1)"`)

/** The Elixir expression that runs tools/reload_env.exs in the node for KEYS (env key names only: checked). */
export function reloadExpression(ctx: DeployContext, keys: string[]): string {
  for (const key of keys) if (!isValid('envKey', key)) throw new Error(`bad env key ${key}`)
  const file = `${ctx.paths.tools}/reload_env.exs`
  return `Code.eval_string(File.read!("${file}"), [keys: ${JSON.stringify(keys)}, env_file: "${ctx.paths.envFile}"], file: "${file}")`
}

/**
 * The changed keys reach the running node without a restart: their new values in its OS environment,
 * config/runtime.exs evaluated again, config_change/3 (tools/reload_env.exs). For keys the app reads only
 * through runtime.exs; its last line says "GATLING_RELOAD ok …" or why not.
 */
export const reloadRuntimeConfig = (keys: string[]): Step<DeployContext> => ({
  title: 'Apply the change in the running node (config/runtime.exs, config_change/3)',
  reportsOutcome: true,
  commands: (ctx) => [cmd(helper(ctx, 'run', servingPort(ctx.app), 'rpc', reloadExpression(ctx, keys)))],
})
