import {expect} from 'chai'

import {createDatabase} from '../../../src/steps/create-database.js'
import {POSTGRES_PACKAGES, installPostgresql} from '../../../src/steps/install-postgresql.js'
import {runCurrentMigrations, runMigrations} from '../../../src/steps/run-migrations.js'
import {scheduleBackups} from '../../../src/steps/schedule-backups.js'
import {deployContext, onlyCommand, scriptsOf, setupContext} from '../support.js'

describe('steps: the database', () => {
  it('install-postgresql: the distribution\'s server and client, its settings and the backup units, then gatling-root db-server', () => {
    const ctx = setupContext({postgres: true})
    expect(installPostgresql.skip?.(ctx)).to.equal(false)
    expect(POSTGRES_PACKAGES).to.deep.equal(['postgresql', 'postgresql-client'])
    const scripts = installPostgresql.commands(ctx).map((c) => c.script)
    expect(scripts[1]).to.match(/apt-get .* install -y --no-install-recommends postgresql postgresql-client$/)
    expect(scripts.filter((s) => s.includes('install -m 0644')).map((s) => s.split(' ')[8])).to.deep.equal([
      '/usr/local/share/gatling/postgresql.conf.gatling-new', '/usr/local/share/gatling/pg_hba.conf.gatling-new',
      '/etc/systemd/system/gatling-db-backup@.service.gatling-new', '/etc/systemd/system/gatling-db-backup@.timer.gatling-new',
    ])
    expect(scripts.at(-1)).to.equal('/usr/local/sbin/gatling-root db-server')
    const inputs = installPostgresql.commands(ctx).map((c) => c.input ?? '').join('\n')
    expect(inputs).to.contain("listen_addresses = 'localhost'")
    expect(inputs).to.match(/^local +all +postgres +peer$/m).and.match(/^host +sameuser +all +127\.0\.0\.1\/32 +scram-sha-256$/m)
    expect(inputs).to.not.match(/^host +all /m)
    expect(inputs).to.contain('ExecStart=/usr/local/sbin/gatling-root db-backup %i').and.contain('OnCalendar=daily')
    expect(scriptsOf(installPostgresql, ctx).join('\n')).to.contain('/usr/local/sbin/gatling-root db-server check')
  })

  it('install-postgresql is skipped without "database" (or with a DATABASE_URL of the app\'s own)', () => {
    expect(installPostgresql.skip?.(setupContext())).to.match(/DATABASE_URL/)
  })

  it('create-database and schedule-backups: gatling-root db-create, db-schedule DAYS or off; skipped without "database"', () => {
    expect(onlyCommand(createDatabase, deployContext({database: {}})).script).to.equal('sudo -n /usr/local/sbin/gatling-root db-create hello')
    expect(onlyCommand(scheduleBackups, deployContext({database: {backups: 7}})).script).to.equal('sudo -n /usr/local/sbin/gatling-root db-schedule hello 7')
    expect(onlyCommand(scheduleBackups, deployContext({database: {}})).script).to.equal('sudo -n /usr/local/sbin/gatling-root db-schedule hello off')
    for (const step of [createDatabase, scheduleBackups]) expect(step.skip?.(deployContext())).to.match(/no "database"/)
  })

  it('run-migrations: the new release\'s APP.Release.migrate/0; gatling migrate: the current release\'s', () => {
    expect(onlyCommand(runMigrations, deployContext()).script).to.equal('sudo -n /usr/local/sbin/gatling-root migrate hello "$(cat /srv/gatling/hello/state/vsn)" Hello.Release')
    expect(onlyCommand(runCurrentMigrations, deployContext()).script).to.equal('sudo -n /usr/local/sbin/gatling-root migrate hello "$(basename "$(readlink /srv/gatling/hello/current)")" Hello.Release')
    expect(runCurrentMigrations.onlyIf?.(deployContext()).script).to.equal('test -L /srv/gatling/hello/current')
  })
})
