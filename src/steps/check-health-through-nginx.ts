import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, sh} from '../remote/shell.js'

/** What a user sees: the health path through nginx, with the app's host name. */
export const checkHealthThroughNginx: Step<DeployContext> = {
  title: 'Health check through nginx',
  commands: (ctx) => [
    cmd([
      `code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' -H ${sh(`Host: ${ctx.domains[0] ?? 'localhost'}`)} ${sh(`http://127.0.0.1${ctx.healthPath}`)})`,
      `[ "$code" = 200 ] || { echo "nginx answered $code on ${ctx.healthPath}"; exit 1; }`,
      `echo "GET ${ctx.healthPath} through nginx -> 200"`,
    ].join('\n')),
  ],
}
