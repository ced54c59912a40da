import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {and, cmd, sh} from '../remote/shell.js'

/** nginx, git, Erlang and Elixir from the distribution, build tools, and the firewall. */
export const PACKAGES = [
  'nginx', 'git', 'curl', 'ca-certificates', 'sudo', 'nftables', 'build-essential',
  // unzip: a pinned Elixir comes as a zip (gatling-root toolchain)
  'unzip',
  // rebar3 from the distribution: mix builds Erlang dependencies with it (MIX_REBAR3), no download
  'rebar3',
  'elixir', 'erlang-dev', 'erlang-syntax-tools', 'erlang-xmerl', 'erlang-runtime-tools', 'erlang-os-mon',
  'erlang-ssl', 'erlang-asn1', 'erlang-eunit', 'erlang-mnesia', 'erlang-src',
]

/** For apps with assets/package.json (npm ci before assets.deploy); setup run from such a project adds them. */
export const NODE_PACKAGES = ['nodejs', 'npm']

/**
 * Debian packages rebar3 from 12, Ubuntu from 22.04: the older releases a pinned toolchain supports go
 * without it (Erlang dependencies with rebar builds cannot build there; pure Elixir and Mix ones can).
 */
export const hasRebar3Package = (os: SetupContext['os']): boolean =>
  !os || (os.id === 'debian' ? Number(os.versionId) >= 12 : os.id === 'ubuntu' ? Number(os.versionId) >= 22.04 : true)

export const packages = (ctx: SetupContext): string[] =>
  [...PACKAGES.filter((p) => p !== 'rebar3' || hasRebar3Package(ctx.os)), ...(ctx.needsNode ? NODE_PACKAGES : [])]

export const apt = (...args: string[]) => and(sh('export', 'DEBIAN_FRONTEND=noninteractive'), sh('apt-get', '-q', '-o', 'Dpkg::Use-Pty=0', ...args))

export const installPackages: Step<SetupContext> = {
  title: 'Install nginx, git, Erlang, Elixir and build tools',
  // dpkg-query prints one status per package; anything not "installed" means work to do.
  check: (ctx) => cmd(`! dpkg-query -W -f '\${db:Status-Status}\\n' ${sh(...packages(ctx))} 2>/dev/null | grep -qv '^installed$' && ${sh('dpkg-query', '-W', ...packages(ctx))} >/dev/null 2>&1`),
  commands: (ctx) => [
    cmd(apt('update'), {sudo: true}),
    cmd(apt('install', '-y', '--no-install-recommends', ...packages(ctx)), {sudo: true}),
  ],
}
