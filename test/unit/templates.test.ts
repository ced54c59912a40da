// src/templates.ts, and every server template rendered the way gatling renders it (the content of
// each: test/unit/templates/server/, and test/unit/server/ for gatling-root and gatling-deploy).
import {expect} from 'chai'
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

import {renderScript} from '../../src/pipeline/script.js'
import {deployScript} from '../../src/pipelines/deploy.js'
import {renderBackupService, renderBackupTimer, renderGatlingRoot, renderPgHba, renderPostgresConf, renderSiteTemplate, renderSudoers, renderUnitTemplate} from '../../src/server/scripts.js'
import {renderDeployTool} from '../../src/steps/install-deploy-hook.js'
import {readTemplate, render, templatesDir} from '../../src/templates.js'
import {deployContext} from './support.js'

/** How gatling renders each template under templates/server: a new template without an entry here fails the suite. */
const RENDERED: Record<string, () => string> = {
  'app.env.ejs': () => render('server/app.env.ejs', {app: 'hello', source: '/home/me/hello/.env.production', entries: [['SECRET_KEY_BASE', 'abc'], ['DATABASE_URL', 'ecto://db/hello']], kept: ['DATABASE_URL']}),
  'app@.service.ejs': () => renderUnitTemplate(),
  'certbot-deploy-hook.ejs': () => render('server/certbot-deploy-hook.ejs'),
  'authorized_keys.ejs': () => render('server/authorized_keys.ejs', {keys: ['ssh-ed25519 AAAAC3Nza alice@laptop', 'ssh-rsa AAAAB3Nza bob@desk']}),
  'db-backup@.service.ejs': () => renderBackupService(),
  'db-backup@.timer.ejs': () => renderBackupTimer(),
  'deploy.sh.ejs': () => deployScript(deployContext()),
  'epmd-loopback.conf.ejs': () => render('server/epmd-loopback.conf.ejs'),
  'gatling-deploy.sh.ejs': () => renderDeployTool(deployContext()),
  'gatling-root.sh.ejs': () => renderGatlingRoot(),
  'nftables.conf.ejs': () => render('server/nftables.conf.ejs', {sshPort: 2222}),
  'nginx-default.ejs': () => render('server/nginx-default.ejs'),
  'nginx-http.ejs': () => render('server/nginx-http.ejs'),
  'nginx-main.ejs': () => render('server/nginx-main.ejs', {drainSeconds: 5}),
  'nginx-site.ejs': () => renderSiteTemplate(),
  'pg_hba.conf.ejs': () => renderPgHba(),
  'postgresql.conf.ejs': () => renderPostgresConf(),
  'pre-receive.ejs': () => render('server/pre-receive.ejs', {app: 'hello', deployScript: '/srv/gatling/hello/tools/deploy'}),
  'sudoers.ejs': () => renderSudoers(),
}

describe('templates', () => {
  const names = readdirSync(join(templatesDir, 'server')).sort()

  it('knows how gatling renders every server template', () => {
    expect(names).to.deep.equal(Object.keys(RENDERED).sort())
  })

  for (const name of Object.keys(RENDERED)) {
    it(`renders server/${name} without leftover EJS or undefined values`, () => {
      const text = RENDERED[name]()
      expect(text.length).to.be.greaterThan(0)
      expect(text).to.not.match(/<%|%>|\bundefined\b|\[object Object\]|\bNaN\b/)
    })
  }

  it('does not HTML-escape values (these are config files, not web pages)', () => {
    const text = render('server/app.env.ejs', {app: 'hello', source: 'a&b<c>"d"', entries: [['A', `x&y<z>'q'`]], kept: []})
    expect(text).to.contain('from a&b<c>"d"').and.contain(`A="x&y<z>'q'"`)
  })

  it('fails loudly on missing data', () => {
    expect(() => render('server/nginx-site.ejs', {})).to.throw(/is not defined/)
    expect(() => renderScript('server/deploy.sh.ejs', [], {}, {})).to.throw(/app is not defined/)
  })

  it('readTemplate returns a file as is', () => {
    expect(readTemplate('server/nginx-http.ejs')).to.equal(readFileSync(join(templatesDir, 'server', 'nginx-http.ejs'), 'utf8'))
    expect(readTemplate('elixir/set_version.exs').length).to.be.greaterThan(0)
  })
})
