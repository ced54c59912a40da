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
  /** the full commit the checkout wrote, for the release's record */
  commit: 'commit',
  /** the records of the kept releases: one file per release (releaseRecordPath) */
  releaseRecords: 'releases',
} as const

export type StateKey = keyof typeof STATE_KEYS

export const statePath = (paths: AppPaths, key: StateKey): string => `${paths.state}/${STATE_KEYS[key]}`

/**
 * Each kept release's record, written by gatling-deploy mark-current when the release becomes current:
 * state/releases/VSN, one KEY=value line per field (values are one line). `gatling releases` and
 * `gatling status` read them; a record whose release was pruned is removed at the next mark-current.
 */
export const RELEASE_RECORD_FIELDS = {
  version: 'the release version',
  commit: 'the full commit it was built from',
  time: 'when it became current (UTC, ISO 8601)',
  by: 'who deployed it: the operator the CLI sent (git user.name <user.email>, else $USER@host), or "git push"',
  how: 'first | hot | restart | rollback: how it became current',
  path: 'first | hot | restart: how it reached the running node (a rollback is hot or restart too)',
} as const

export type ReleaseRecordField = keyof typeof RELEASE_RECORD_FIELDS

export const releaseRecordPath = (paths: AppPaths, vsn: string): string => `${statePath(paths, 'releaseRecords')}/${vsn}`
