import {describeToolchain} from '../config/toolchain.js'
import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, sh} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/**
 * The project's pinned Erlang/OTP and Elixir (.tool-versions, mise.toml, elixir_buildpack.config), before
 * anything builds: each is downloaded, verified against its builds.txt and installed once into its own
 * directory (gatling-root toolchain), or the distribution's OTP when it is the pinned major. Without a pin
 * the distribution's packages build, as setup installed them.
 */
export const installToolchain: Step<DeployContext> = {
  title: 'Install the pinned Erlang/OTP and Elixir',
  reportsOutcome: true,
  skip: (ctx) => (ctx.toolchain ? false : 'no pinned toolchain (.tool-versions, mise.toml or elixir_buildpack.config): the distribution\'s Erlang and Elixir build'),
  commands: (ctx) => {
    const t = ctx.toolchain
    if (!t) return []
    return [
      cmd(sh('echo', `chosen: ${describeToolchain(t)}, from ${t.mirror}`)),
      cmd(helper(ctx, 'toolchain', t.otp, t.elixir, t.mirror, t.otpSource)),
    ]
  },
}
