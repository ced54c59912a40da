import {DEPLOY_USER, type DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {type RemoteFile, fileMatches, writeFile} from '../remote/files.js'
import {readTemplate, render} from '../templates.js'

/** Elixir tools the build runs on the server (versions, upgrade packages). */
export const ELIXIR_TOOLS = ['set_version.exs', 'make_upgrade.exs', 'hot_upgrade_hooks.ex', 'upgrade.exs', 'create_releases.exs']

/**
 * The pre-receive hook and the deploy script it runs: the same deploy pipeline, rendered as a shell
 * script, so a plain `git push` deploys too. Rendered by the CLI (the server has no Node.js).
 */
export function deployFiles(ctx: DeployContext, deployScript: string): RemoteFile[] {
  const owner = DEPLOY_USER
  return [
    {path: `${ctx.paths.tools}/deploy`, content: deployScript, mode: '0755', owner, sudo: false},
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
