// PostgreSQL for apps on a real server: setup installs it (localhost only), the first push creates the app's role
// and database and runs its migrations, later pushes migrate before the new code serves (hot and restart paths),
// a failing migration leaves the old version serving, db backup/restore round-trip, and two apps cannot read each
// other's databases. DATABASE_URL's value and its password appear in no output of any command here.
// The fixture (hello with the hello-db overlay) is OTP only: its Release.migrate/0 and GET /db run psql with the app's DATABASE_URL.
import {expect} from 'chai'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {TestApp, describeRun, httpGet, info, loadDuring, runProgram, type RunResult} from '../helpers/app.js'
import {buildCli, removeCliBuild, removeTempDirs, tempDir} from '../helpers/cli.js'
import {bootHost, shutdownAll, type TestHost} from '../helpers/hosts.js'
import {printLoad} from '../helpers/upgrade.js'

after(shutdownAll)
after(removeTempDirs)
after(removeCliBuild)

describe('PostgreSQL for apps', function () {
  let host: TestHost
  let app: TestApp
  let other: TestApp | undefined
  let cliDir: string
  /** every output of every gatling command of this file, for the last test */
  const outputs: string[] = []

  const gatling = async (target: TestApp, args: string[], timeoutMs?: number): Promise<RunResult> => {
    const r = await target.gatling([...args, '-i', host.keyPath], {timeoutMs})
    outputs.push(r.stdout, r.stderr)
    return r
  }
  const push = async (...extra: string[]): Promise<RunResult> => {
    const r = await app.push(host, ...extra)
    outputs.push(r.stdout, r.stderr)
    return r
  }
  const db = async (path = '/db') => {
    const r = await httpGet(`http://${host.address}${path}`, 15_000)
    return `${r.status} ${r.body.trim()}`
  }
  const root = async (command: string) => {
    const r = await host.ssh('root', command)
    expect(r.code, `${command}: ${r.stdout}${r.stderr}`).to.equal(0)
    return r.stdout.trim()
  }
  /** where "needle" first appears in the push's output (-1: nowhere) */
  const at = (r: RunResult, needle: string) => r.stdout.indexOf(needle)

  before(async function () {
    this.timeout(900_000)
    cliDir = await buildCli()
    host = await bootHost('database')
    app = await TestApp.create({fixture: ['hello', 'hello-db']})
    const setup = await app.setup(host)
    outputs.push(setup.stdout, setup.stderr)
    expect(setup.code, describeRun(setup)).to.equal(0)
    expect(setup.stdout, describeRun(setup)).to.match(/PostgreSQL 15\.\S+ .*\(15-main\) listens on localhost and its socket/)
    await app.commitAll('setup')
  })

  it('setup installs PostgreSQL listening on localhost only; the first push creates the database and migrates', async function () {
    this.timeout(600_000)
    const listening = (await root("ss -ltnH '( sport = :5432 )' | awk '{print $4}' | sort")).split('\n')
    expect(listening).to.include('127.0.0.1:5432')
    for (const address of listening) expect(['127.0.0.1:5432', '[::1]:5432'], 'loopback only').to.include(address)
    const r = await push()
    expect(r.code, describeRun(r)).to.equal(0)
    expect(r.stdout).to.include('created the PostgreSQL role and database hello')
    expect(r.stdout).to.include('HELLO_MIGRATE applied 001_create_items')
    expect(r.stdout).to.include('daily backups of hello, kept 7 days')
    expect(await db()).to.equal('200 v1 items=first,second')
    expect(await root('stat -c %a:%U /etc/gatling/hello/database.env')).to.equal('600:root')
    expect(await root('systemctl is-enabled gatling-db-backup@hello.timer')).to.equal('enabled')
    // the owner is the app's role, and PUBLIC lost CONNECT
    expect(await root(`runuser -u postgres -- psql -XAtc "select pg_get_userbyid(datdba), datacl from pg_database where datname = 'hello'"`)).to.equal('hello|{hello=CTc/hello}')
  })

  it('applies a new migration before the new code serves, on the hot path', async function () {
    this.timeout(600_000)
    const before = await info(host)
    await app.overlay('hello-db-v2')
    const pushing = push()
    const load = await loadDuring(`http://${host.address}/db`, pushing, {workers: 2, pauseMs: 100})
    const r = await pushing
    printLoad('GET /db during the hot push', load)
    expect(r.code, describeRun(r)).to.equal(0)
    expect(r.stdout, describeRun(r)).to.include('hot upgrade: the running node')
    expect(at(r, 'HELLO_MIGRATE applied 002_add_color'), describeRun(r)).to.be.within(0, at(r, 'now runs') - 1)
    expect(load.failed, load.failures.join('\n')).to.equal(0)
    expect(load.lastedUntilStop).to.equal(true)
    expect(await db()).to.equal('200 v2 items=first:blue,second:blue')
    expect((await info(host)).pid, 'the same OS process').to.equal(before.pid)
  })

  it('applies a new migration before the switch, on the restart path', async function () {
    this.timeout(600_000)
    const before = await info(host)
    await app.overlay('hello-db-v3')
    const r = await push('--restart')
    expect(r.code, describeRun(r)).to.equal(0)
    expect(at(r, 'HELLO_MIGRATE applied 003_add_size'), describeRun(r)).to.be.within(0, at(r, 'switched hello from port') - 1)
    expect(await db()).to.equal('200 v3 items=first:blue:1,second:blue:1')
    expect((await info(host)).pid, 'a new OS process').to.not.equal(before.pid)
  })

  it('stops the deploy at a failing migration, with its output, and the old version keeps serving', async function () {
    this.timeout(600_000)
    const before = await info(host)
    await app.overlay('hello-db-v4')
    const r = await push()
    expect(r.code, describeRun(r)).to.not.equal(0)
    expect(r.stderr, describeRun(r)).to.include('Run migrations')
    expect(r.stderr, describeRun(r)).to.include('relation "no_such_table" does not exist')
    const after = await info(host)
    expect([after.pid, after.vsn]).to.deep.equal([before.pid, before.vsn])
    expect(await db()).to.equal('200 v3 items=first:blue:1,second:blue:1')
    expect(await root(`runuser -u postgres -- psql -XAtc "select string_agg(version, ',' order by version) from schema_migrations" hello`)).to.equal('001_create_items,002_add_color,003_add_size')
    await app.git('rm', '-q', 'priv/migrations/004_broken.sql')
    await app.commitAll('no broken migration')
  })

  it('backs the database up and restores it, all or nothing; refuses what is no dump, and an unwritable path', async function () {
    this.timeout(300_000)
    const dir = await tempDir('db-backup')
    const file = join(dir, 'hello.dump')
    const backup = await gatling(app, ['db', 'backup', '-o', file])
    expect(backup.code, describeRun(backup)).to.equal(0)
    expect(backup.stdout).to.match(/Backed up the database of hello \(.+\) to /)
    expect(readFileSync(file).subarray(0, 5).toString('latin1')).to.equal('PGDMP')

    const unwritable = await gatling(app, ['db', 'backup', '-o', join(dir, 'missing', 'x.dump')])
    expect(unwritable.code).to.equal(1)
    expect(unwritable.stderr).to.include('its directory does not exist. Nothing was dumped.')

    const changed = await gatling(app, ['db', 'psql', '-c', "delete from items where name = 'first'; insert into items (name) values ('third')"])
    expect(changed.code, describeRun(changed)).to.equal(0)
    expect(await db()).to.equal('200 v3 items=second:blue:1,third:blue:1')

    const junk = join(dir, 'junk.dump')
    writeFileSync(junk, 'this is not a dump\n')
    const refused = await gatling(app, ['db', 'restore', junk, '--yes'])
    expect(refused.code).to.equal(1)
    expect(refused.stderr).to.include('is not a pg_dump custom-format archive')
    // a PGDMP header on garbage passes the local check: the server's pg_restore --list refuses it before anything is dropped
    writeFileSync(junk, 'PGDMP but garbage after it\n')
    const garbage = await gatling(app, ['db', 'restore', junk, '--yes'])
    expect(garbage.code, describeRun(garbage)).to.equal(1)
    expect(garbage.stderr).to.include('pg_restore cannot read that archive')
    expect(await db()).to.equal('200 v3 items=second:blue:1,third:blue:1')

    const noYes = await gatling(app, ['db', 'restore', file])
    expect(noYes.code).to.equal(1)
    expect(noYes.stderr).to.include('pass --yes')

    const restore = await gatling(app, ['db', 'restore', file, '--yes'])
    expect(restore.code, describeRun(restore)).to.equal(0)
    expect(await db()).to.equal('200 v3 items=first:blue:1,second:blue:1')
    const count = await gatling(app, ['db', 'psql', '-c', 'select count(*) from items'])
    expect(count.stdout, describeRun(count)).to.match(/^\s+2$/m)
  })

  it('lists the scheduled backups and tells the database info', async function () {
    this.timeout(300_000)
    await root('systemctl start gatling-db-backup@hello.service')
    const backups = await gatling(app, ['db', 'backups', '--json'])
    expect(backups.code, describeRun(backups)).to.equal(0)
    const list = JSON.parse(backups.stdout)
    expect(list.backups).to.have.length(1)
    expect(list.backups[0].name).to.match(/^hello-\d{8}T\d{6}Z\.dump$/)
    expect(await root(`stat -c %a:%U /var/backups/gatling/hello`)).to.equal('700:root')
    const dbInfo = await gatling(app, ['db', 'info', '--json'])
    expect(dbInfo.code, describeRun(dbInfo)).to.equal(0)
    const report = JSON.parse(dbInfo.stdout)
    expect(report).to.include({app: 'hello', database: 'hello', backupDays: 7})
    expect(report.version).to.match(/^15\./)
    expect(report.sizeBytes).to.be.above(1_000_000)
    expect(report.connections).to.be.a('number')
    expect(report.lastBackup.name).to.equal(list.backups[0].name)
    const migrate = await gatling(app, ['migrate'])
    expect(migrate.code, describeRun(migrate)).to.equal(0)
    expect(migrate.stdout).to.include('HELLO_MIGRATE ok')
  })

  it('gives db psql a real terminal', async function () {
    this.timeout(120_000)
    // script(1) runs gatling on a pseudo-terminal of its own, as a user's shell would
    const r = await runProgram('script', ['-qec', `${process.execPath} -- ${join(cliDir, 'bin', 'run.js')} db psql -i ${host.keyPath}`, '/dev/null'], {
      cwd: app.dir, env: {...app.env, TERM: 'xterm'}, input: "select 'on a ' || 'terminal: ' || (select count(*) from items);\n\\q\n", timeoutMs: 90_000,
    })
    outputs.push(r.stdout, r.stderr)
    expect(r.code, describeRun(r)).to.equal(0)
    expect(r.stdout, describeRun(r)).to.include('on a terminal: 2')
    expect(r.stdout, 'psql saw a terminal: its prompt').to.include('hello=>')
  })

  it("keeps two apps out of each other's database; refuses a role it did not make", async function () {
    this.timeout(600_000)
    other = await TestApp.create({fixture: ['hello', 'hello-db'], home: app.home})
    await other.write('gatling.json', `${JSON.stringify({app: 'other', database: 'postgres', hosts: JSON.parse(readFileSync(join(app.dir, 'gatling.json'), 'utf8')).hosts})}\n`)
    await other.commitAll('the other app')
    const setup = await other.setup(host)
    outputs.push(setup.stdout, setup.stderr)
    expect(setup.code, describeRun(setup)).to.equal(0)
    // a role of the app's name that gatling did not make: refused, nothing changed
    await root(`runuser -u postgres -- psql -XAtc 'create role other'`)
    const squatted = await gatling(other, ['db', 'create'])
    expect(squatted.code).to.equal(1)
    expect(squatted.stderr).to.include('a PostgreSQL role named other already exists and gatling did not make it for this app: nothing was changed')
    expect(await root('test -e /etc/gatling/other/database.env || echo absent')).to.equal('absent')
    expect(await root(`runuser -u postgres -- psql -XAtc "select count(*) from pg_database where datname = 'other'"`)).to.equal('0')
    await root(`runuser -u postgres -- psql -XAtc 'drop role other'`)
    const create = await gatling(other, ['db', 'create'])
    expect(create.code, describeRun(create)).to.equal(0)
    expect(create.stdout).to.include('created the PostgreSQL role and database other')

    // hello's own credentials, from its running node, against the other database
    const fromHello = await db('/db?database=other')
    expect(fromHello).to.match(/^500 db error: .*(no pg_hba\.conf entry for host "(127\.0\.0\.1|::1)", user "hello", database "other"|permission denied for database other)/)
    // the other app's credentials against hello's database (and its own, which work)
    const withOther = (database: string) =>
      host.ssh('root', `cd / && PGPASSWORD=$(sed -n 's|^DATABASE_URL=postgres://other:\\([^@]*\\)@.*$|\\1|p' /etc/gatling/other/database.env) runuser -u other -- psql -XAt -h localhost -U other -d ${database} -c 'select count(*) from pg_class'`)
    const intoHello = await withOther('hello')
    expect(intoHello.code).to.not.equal(0)
    expect(intoHello.stderr).to.match(/no pg_hba\.conf entry for host "(127\.0\.0\.1|::1)", user "other", database "hello"|permission denied for database hello/)
    const own = await withOther('other')
    expect(own.code, own.stderr).to.equal(0)
    // and what pg_hba.conf lets through is also refused by the database's own grants
    expect(await root(`runuser -u postgres -- psql -XAtc "select has_database_privilege('other', 'hello', 'CONNECT')"`)).to.equal('f')

    const dropped = await root('/usr/local/sbin/gatling-root db-drop other')
    expect(dropped).to.equal('dropped the PostgreSQL database and role other')
    expect(await root(`runuser -u postgres -- psql -XAtc "select count(*) from pg_roles where rolname = 'other'"`)).to.equal('0')
  })

  it("never prints DATABASE_URL's value or a database password", async function () {
    this.timeout(60_000)
    const url = await root(`sed -n 's/^DATABASE_URL=//p' /etc/gatling/hello/database.env`)
    const password = /^postgres:\/\/hello:([^@]+)@localhost\/hello$/.exec(url)?.[1]
    expect(password, 'the URL gatling made').to.be.a('string').with.length(32)
    expect(outputs.length).to.be.above(20)
    for (const output of outputs) {
      expect(output).to.not.include(password!)
      expect(output).to.not.include('postgres://hello:')
      expect(output).to.not.include('postgres://other:')
    }
  })
})
