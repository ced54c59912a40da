import type {SetupContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {type RemoteFile, fileMatches, writeFile} from '../remote/files.js'
import {cmd, sh} from '../remote/shell.js'
import {DB_BACKUP_UNIT, HELPER, SHARE_DIR} from '../server/layout.js'
import {renderBackupService, renderBackupTimer, renderPgHba, renderPostgresConf} from '../server/scripts.js'
import {apt} from './install-packages.js'

/** The server and its client (psql, pg_dump, pg_restore: gatling-root's, and the apps' own, in their sandbox). */
export const POSTGRES_PACKAGES = ['postgresql', 'postgresql-client']

const files = (): RemoteFile[] => [
  // what gatling-root db-server installs into the cluster's configuration
  {path: `${SHARE_DIR}/postgresql.conf`, content: renderPostgresConf(), mode: '0644'},
  {path: `${SHARE_DIR}/pg_hba.conf`, content: renderPgHba(), mode: '0644'},
  // the daily backup (database.backups), enabled per app by gatling-root db-schedule
  {path: `/etc/systemd/system/${DB_BACKUP_UNIT}@.service`, content: renderBackupService(), mode: '0644'},
  {path: `/etc/systemd/system/${DB_BACKUP_UNIT}@.timer`, content: renderBackupTimer(), mode: '0644'},
]

/**
 * PostgreSQL from the distribution, for a project with "database": listening on localhost and its unix socket
 * only, every app's role confined to its own database (pg_hba.conf). gatling-root db-server configures it,
 * starts it and waits for it: a server that does not come up fails setup with its log lines.
 */
export const installPostgresql: Step<SetupContext> = {
  title: 'Install PostgreSQL (localhost only)',
  skip: (ctx) => (ctx.postgres ? false : 'no "database" in gatling.json (or the env file sets DATABASE_URL)'),
  check: () => [
    cmd(`! dpkg-query -W -f '\${db:Status-Status}\\n' ${sh(...POSTGRES_PACKAGES)} 2>/dev/null | grep -qv '^installed$' && ${sh('dpkg-query', '-W', ...POSTGRES_PACKAGES)} >/dev/null 2>&1`),
    ...files().map(fileMatches),
    cmd(sh(HELPER, 'db-server', 'check'), {sudo: true}),
  ],
  commands: () => [
    cmd(apt('update'), {sudo: true}),
    cmd(apt('install', '-y', '--no-install-recommends', ...POSTGRES_PACKAGES), {sudo: true}),
    ...files().map(writeFile),
    cmd(sh('systemctl', 'daemon-reload'), {sudo: true}),
    cmd(sh(HELPER, 'db-server'), {sudo: true}),
  ],
}
