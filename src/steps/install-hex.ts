import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {and, cmd, sh} from '../remote/shell.js'
import {deployHome} from '../server/layout.js'
import {buildEnv} from './deploy-support.js'

/** What setup says, once, when the server cannot install Hex: a push of an app with Hex packages would fail. */
export const HEX_NOTICE = 'Hex could not be installed: apps with Hex dependencies (every Phoenix app) cannot build on this server until it reaches the Hex builds host or a mirror is configured (build.env.HEX_MIRROR, or build.env.HEX_BUILDS_URL, in gatling.json; then run setup again)'

/**
 * Hex for the deploy user, which builds (mix local.hex, from the project's build.env when setup runs in
 * one). Tried once; setup never fails for it: without Hex, only apps with Hex dependencies cannot build.
 */
export const installHex: Step<SetupContext> = {
  title: 'Install Hex for the deploy user',
  reportsOutcome: true,
  check: (ctx) => cmd(`ls -d ${sh(`${deployHome(ctx.deployUser)}/.mix/archives`)}/hex-* >/dev/null 2>&1`, {sudo: true}),
  commands: (ctx) => {
    const home = deployHome(ctx.deployUser)
    const install = sh('runuser', '-u', ctx.deployUser, '--', 'env', `HOME=${home}`, ...buildEnv(ctx.buildEnv), 'mix', 'local.hex', '--force', '--if-missing')
    return [cmd(and(sh('cd', home), `if ${install} 2>&1; then ${sh('echo', `Hex is installed for ${ctx.deployUser}`)}; else ${sh('echo', HEX_NOTICE)}; fi`), {sudo: true})]
  },
}
