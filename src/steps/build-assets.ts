import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, sh} from '../remote/shell.js'
import {mix} from './deploy-support.js'

/** Phoenix assets: `mix assets.deploy` where the project defines it, else `mix phx.digest`. */
export const buildAssets: Step<DeployContext> = {
  title: 'Build assets',
  onlyIf: (ctx) => cmd(`cd ${sh(ctx.paths.build)} && { grep -q '"assets.deploy"' mix.exs || test -d priv/static; }`),
  onlyIfReason: 'the app has no assets (no "assets.deploy" alias, no priv/static)',
  commands: (ctx) => [
    cmd(`cd ${sh(ctx.paths.build)} && if grep -q '"assets.deploy"' mix.exs; then ${mix(ctx, 'assets.deploy').script}; else ${mix(ctx, 'phx.digest').script}; fi`),
  ],
}
