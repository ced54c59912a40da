import {expect} from 'chai'

import {APPS_GROUP, APPS_ROOT, DEPLOY_USER, ETC_ROOT, HELPER, HOMES_ROOT, NGINX_UPSTREAMS, SHARED_DIRS, SHARE_DIR, appDirs, appPaths, cookieInHome} from '../../../src/server/layout.js'

describe('server/layout', () => {
  const p = appPaths('hello')

  it('puts an app under the shared roots, by name', () => {
    expect(p).to.deep.equal({
      root: '/srv/gatling/hello',
      repo: '/srv/gatling/hello/repo.git',
      build: '/srv/gatling/hello/build',
      state: '/srv/gatling/hello/state',
      tools: '/srv/gatling/hello/tools',
      releases: '/srv/gatling/hello/releases',
      slots: '/srv/gatling/hello/slots',
      current: '/srv/gatling/hello/current',
      etc: '/etc/gatling/hello',
      envFile: '/etc/gatling/hello/app.env',
      runtimeEnv: '/etc/gatling/hello/gatling.env',
      databaseEnv: '/etc/gatling/hello/database.env',
      backupDays: '/etc/gatling/hello/backup_days',
      secretKeyBase: '/etc/gatling/hello/secret_key_base',
      cookie: '/etc/gatling/hello/cookie',
      ports: '/etc/gatling/hello/ports',
      home: '/var/lib/gatling/hello',
      upstream: '/etc/nginx/gatling/hello.upstream',
      tlsCertificate: '/etc/gatling/hello/tls.crt',
      tlsKey: '/etc/gatling/hello/tls.key',
      lock: '/srv/gatling/hello/state/lock',
      lockHolder: '/srv/gatling/hello/state/lock.holder',
      auditLog: '/var/log/gatling/hello.log',
    })
    expect([APPS_ROOT, ETC_ROOT, HOMES_ROOT, NGINX_UPSTREAMS]).to.deep.equal(['/srv/gatling', '/etc/gatling', '/var/lib/gatling', '/etc/nginx/gatling'])
    expect(cookieInHome('hello')).to.equal('/var/lib/gatling/hello/.erlang.cookie')
  })

  it('names the deploy user, its helper and the group of the apps once', () => {
    expect(DEPLOY_USER).to.equal('gatling')
    expect(HELPER).to.equal('/usr/local/sbin/gatling-root')
    expect(SHARE_DIR).to.equal('/usr/local/share/gatling')
    expect(APPS_GROUP).to.equal('gatling-apps')
  })

  describe('who owns what', () => {
    const dirs = appDirs('hello')
    const owner = (path: string) => dirs.find((d) => d.path === path)

    it('the deploy user owns only what it builds with: repo.git, build, state, tools', () => {
      expect(dirs.filter((d) => d.owner === 'deploy').map((d) => d.path)).to.deep.equal([p.repo, p.build, p.state, p.tools])
    })

    it('root owns the app root and everything root installs into: releases, slots, /etc/gatling/APP', () => {
      for (const path of [p.root, p.releases, p.slots, p.etc]) expect(owner(path)?.owner, path).to.equal('root')
    })

    it('the app owns only its home (its slot copy is made by gatling-root at start)', () => {
      expect(dirs.filter((d) => d.owner === 'app')).to.deep.equal([{path: p.home, owner: 'app', group: 'app', mode: '0700'}])
    })

    it("every app directory is the app group's and closed to others", () => {
      for (const d of dirs) {
        expect(d.group, d.path).to.equal('app')
        expect(d.mode, d.path).to.match(/^07[05]0$/)
      }
    })

    it('every directory lies below the app root, /etc/gatling/APP or its home; the root comes before what is in it', () => {
      for (const d of dirs) expect([p.root, p.etc, p.home].some((r) => d.path === r || d.path.startsWith(`${r}/`)), d.path).to.equal(true)
      expect(dirs[0].path).to.equal(p.root)
    })

    it('the shared roots are root-owned, so nobody else can swap an app directory', () => {
      expect(SHARED_DIRS.map((d) => d.path)).to.deep.equal([APPS_ROOT, ETC_ROOT, HOMES_ROOT, NGINX_UPSTREAMS, SHARE_DIR])
      for (const d of SHARED_DIRS) expect(d).to.deep.include({owner: 'root', group: 'root', mode: '0755'})
    })
  })
})
