import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {type RemoteFile, fileMatches, writeFile} from '../remote/files.js'
import {DEPLOY_USER, HELPER} from '../server/layout.js'
import {STATE_KEYS} from '../server/state.js'
import {readTemplate, render} from '../templates.js'
import {HEALTH_TIMEOUT_S} from './check-instance-health.js'
import {DEPLOY_TOOL, visitorScheme} from './deploy-support.js'

/** Elixir tools the build runs on the server (versions, upgrade packages). */
export const ELIXIR_TOOLS = ['set_version.exs', 'make_upgrade.exs', 'hot_upgrade_hooks.ex', 'upgrade.exs', 'create_releases.exs', 'reload_env.exs']

export const renderDeployTool = (ctx: DeployContext): string =>
  render('server/gatling-deploy.sh.ejs', {app: ctx.app, deployUser: DEPLOY_USER, paths: ctx.paths, state: STATE_KEYS, helper: HELPER, healthTimeoutS: HEALTH_TIMEOUT_S, scheme: visitorScheme(ctx)})

/**
 * The pre-receive hook, the deploy script it runs (the same deploy pipeline, rendered as a shell
 * script, so a plain `git push` deploys too) and the tools the steps call. Rendered by the CLI (the
 * server has no Node.js); all of them the deploy user's, in its own directories.
 */
export function deployFiles(ctx: DeployContext, deployScript: string): RemoteFile[] {
  const owner = DEPLOY_USER
  return [
    {path: `${ctx.paths.tools}/deploy`, content: deployScript, mode: '0755', owner, sudo: false},
    {path: `${ctx.paths.tools}/${DEPLOY_TOOL}`, content: renderDeployTool(ctx), mode: '0755', owner, sudo: false},
    {path: `${ctx.paths.repo}/hooks/pre-receive`, content: render('server/pre-receive.ejs', {app: ctx.app, deployScript: `${ctx.paths.tools}/deploy`}), mode: '0755', owner, sudo: false},
    ...ELIXIR_TOOLS.map((name) => ({path: `${ctx.paths.tools}/${name}`, content: readTemplate(`elixir/${name}`), mode: '0644', owner, sudo: false})),
  ]
}

export function installDeployHook(deployScript: string): Step<DeployContext> {
  return {
    title: 'Install the git hook and deploy tools',
    check: (ctx) => deployFiles(ctx, deployScript).map(fileMatches),
    commands: (ctx) => deployFiles(ctx, deployScript).map(writeFile),
  }
}
