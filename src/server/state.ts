// Values one deploy step leaves for the next, as files in the app's state/ directory (the deploy
// user's): the CLI and the git hook's script read them the same way. Each key is named once here.
import type {AppPaths} from './layout.js'

export const STATE_KEYS = {
  /** the release version this deploy builds ("0.1.0+7") */
  vsn: 'vsn',
  /** the deploy number that version carries; recorded as deploys only once the release serves */
  number: 'number',
  /** deploys that served: the next deploy is number + 1 (a failed deploy uses up no number) */
  deploys: 'deploys',
  /** first | hot | restart: how this deploy reaches the running node */
  path: 'path',
  /** the port of the instance that serves this release */
  port: 'port',
  /** the version the node ran before a hot upgrade (to go back to it) */
  previousVsn: 'previous_vsn',
  /** make_upgrade.exs's output (appup, relup, upgrade package) */
  upgrade: 'upgrade',
  /** the git index of the build checkout: the next checkout rewrites only the files that changed */
  checkoutIndex: 'checkout_index',
} as const

export type StateKey = keyof typeof STATE_KEYS

export const statePath = (paths: AppPaths, key: StateKey): string => `${paths.state}/${STATE_KEYS[key]}`
