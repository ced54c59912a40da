import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool} from './deploy-support.js'

/**
 * The build directory becomes exactly the pushed commit, keeping only the caches (_build, deps): a file
 * changed on the server (a dirty mix.lock) can never block a deploy. Through a git index of its own
 * (state/checkout_index), only files whose content changed are written, with the time of the checkout:
 * mix compares mtimes, so unchanged files (and the path dependencies made of them) are not rebuilt.
 * `gatling-deploy checkout` does it (templates/server/gatling-deploy.sh.ejs).
 */
export const checkout: Step<DeployContext> = {
  title: 'Check out the pushed commit',
  commands: (ctx) => [deployTool(ctx, 'checkout', ctx.rev)],
}
