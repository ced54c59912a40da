import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {and, cmd, sh} from '../remote/shell.js'
import {deployHome} from '../server/layout.js'
import {buildEnv} from './deploy-support.js'

/** What setup says, once, when the server cannot install Hex: a push of an app with Hex packages would fail. */
export const HEX_NOTICE = 'Hex could not be installed: apps with Hex dependencies (every Phoenix app) cannot build on this server until it reaches the Hex builds host or a mirror is configured (build.env.HEX_MIRROR, or build.env.HEX_BUILDS_URL, in gatling.json; then run setup again)'

/** In the deploy user's home: the build environment of an attempt that failed, so the same one is not retried. */
const FAILED_ATTEMPT = '.mix/gatling-hex-failed'

const asDeploy = (ctx: SetupContext, ...args: string[]) => sh('runuser', '-u', ctx.deployUser, '--', ...args)

/**
 * Hex for the deploy user, which builds (mix local.hex, from the project's build.env when setup runs in
 * one). Tried once per build environment: setup never fails for it (without Hex, only apps with Hex
 * dependencies cannot build), says so once, and a second setup is unchanged until build.env changes.
 * Everything in the deploy user's home is read and written as that user.
 */
export const installHex: Step<SetupContext> = {
  title: 'Install Hex for the deploy user',
  reportsOutcome: true,
  check: (ctx) => {
    const home = deployHome(ctx.deployUser)
    const attempt = buildEnv(ctx.buildEnv).join(' ')
    return cmd(`ls -d ${sh(`${home}/.mix/archives`)}/hex-* >/dev/null 2>&1 || [ "$(${asDeploy(ctx, 'cat', `${home}/${FAILED_ATTEMPT}`)} 2>/dev/null)" = ${sh(attempt)} ]`, {sudo: true})
  },
  commands: (ctx) => {
    const home = deployHome(ctx.deployUser)
    const env = buildEnv(ctx.buildEnv)
    const install = asDeploy(ctx, 'env', `HOME=${home}`, ...env, 'mix', 'local.hex', '--force', '--if-missing')
    const remember = asDeploy(ctx, 'sh', '-c', 'mkdir -p "${1%/*}" && printf "%s\\n" "$2" >"$1"', 'sh', `${home}/${FAILED_ATTEMPT}`, env.join(' '))
    const forget = asDeploy(ctx, 'rm', '-f', `${home}/${FAILED_ATTEMPT}`)
    return [cmd(and(sh('cd', home), `if ${install} 2>&1; then ${forget}; ${sh('echo', `Hex is installed for ${ctx.deployUser}`)}; else ${remember}; ${sh('echo', HEX_NOTICE)}; fi`), {sudo: true})]
  },
}
