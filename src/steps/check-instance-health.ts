import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, raw, sh} from '../remote/shell.js'
import {helper, onRestartPath, statePath} from './deploy-support.js'

export const HEALTH_TIMEOUT_S = 30

/**
 * The new instance must answer 200 on its own port before it gets traffic. If it crashes or never
 * answers, it is stopped, its log is shown, and the old release keeps serving.
 */
export const checkInstanceHealth: Step<DeployContext> = {
  title: 'Health check of the new release',
  onlyIf: onRestartPath,
  onlyIfReason: 'the running node changed version in place (hot)',
  commands: (ctx) => [
    cmd([
      `port=$(cat ${sh(statePath(ctx, 'port'))}); deadline=$(( $(date +%s) + ${HEALTH_TIMEOUT_S} ))`,
      `until code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port"${sh(ctx.healthPath)}) && [ "$code" = 200 ]; do`,
      `  if [ "$(date +%s)" -ge "$deadline" ] || ! ${helper(ctx, 'alive', raw('"$port"'))} >/dev/null; then`,
      `    echo ${sh(`the new release did not answer 200 on ${ctx.healthPath}; last status, then its log:`)} "\${code:-none}"`,
      `    ${helper(ctx, 'logs', raw('"$port"'))} | tail -n 25`,
      `    ${helper(ctx, 'stop', raw('"$port"'))}`,
      '    exit 1',
      '  fi',
      '  sleep 0.3',
      'done',
      `echo "healthy on port $port:" ${sh(`GET ${ctx.healthPath} -> 200`)}`,
    ].join('\n')),
  ],
}
