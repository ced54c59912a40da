import Push from './push.js'

export default class Upgrade extends Push {
  static summary = 'Hot-upgrade the running app in place to the current branch (the same deploy as push).'

  static description = `Builds the new release in the app's build directory and upgrades the running node in place: generated appup (an appup shipped by the app wins), relup with gatling's hooks, upgrade package; then unpack, preflight of the new runtime config, check, install, make permanent. The node keeps its OS process and its state (code_change/3).

When the change cannot be hot-swapped safely (vm.args or env.sh changed, another ERTS/OTP or Elixir, applications added or removed, dependency versions without appups, a changed list of children in the application module, a failed check, or --restart), gatling says why and takes the zero-downtime restart instead: the new release starts beside the old one, is health-checked, nginx switches to it, the old one drains and stops.

Every "gatling push" after the first does the same; this command exists to say so explicitly.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --restart']
}
