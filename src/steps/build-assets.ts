import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, sh} from '../remote/shell.js'
import {buildTool} from './deploy-support.js'

/**
 * Phoenix assets (gatling-deploy assets): npm packages when there is assets/package.json, then
 * `mix assets.deploy` where the project defines it, else `mix phx.digest`. A failed download of
 * esbuild or tailwind ends in a paragraph naming the tool, the URL and the setting for a local binary.
 */
export const buildAssets: Step<DeployContext> = {
  title: 'Build assets',
  onlyIf: (ctx) => cmd(`cd ${sh(ctx.paths.build)} && { grep -q '"assets.deploy"' mix.exs || test -d priv/static; }`),
  onlyIfReason: 'the app has no assets (no "assets.deploy" alias, no priv/static)',
  commands: (ctx) => [buildTool(ctx, 'assets')],
}
