import {expect} from 'chai'

import {APPS_ROOT, ETC_ROOT, HELPER, HOMES_ROOT, NGINX_UPSTREAMS, SHARE_DIR, appDirs} from '../../../src/server/layout.js'
import {nodeEnvironment, sandbox} from '../../../src/server/node.js'
import {SERVER_DIRS, renderGatlingRoot, renderSudoers, renderUnitTemplate} from '../../../src/server/scripts.js'

// What the rendered scripts do: gatling-root.test.ts, gatling-deploy.test.ts; the unit's content: test/unit/templates/server/.
describe('server/scripts', () => {
  it("SERVER_DIRS are the layout's roots and the system's directories", () => {
    expect(SERVER_DIRS).to.deep.equal({apps: APPS_ROOT, etc: ETC_ROOT, homes: HOMES_ROOT, upstreams: NGINX_UPSTREAMS, share: SHARE_DIR, units: '/etc/systemd/system', sites: '/etc/nginx', nginxPid: '/run/nginx.pid', webroot: '/var/lib/gatling-acme', letsencrypt: '/etc/letsencrypt', caCerts: '/usr/local/share/ca-certificates', dbBackups: '/var/backups/gatling', audit: '/var/log/gatling', toolchains: '/opt/gatling/toolchains', distroErlang: '/usr/lib/erlang', osRelease: '/etc/os-release'})
  })

  describe('renderGatlingRoot', () => {
    const text = renderGatlingRoot()

    it("makes the layout's app directories with their modes and owners, through the script's own variables", () => {
      const lines = text.split('\n').filter((l) => l.trim().startsWith('ensure_dir "${'))
      expect(lines.map((l) => l.trim())).to.deep.equal(
        appDirs('hello').map((d) => {
          const path = d.path.replace(`${APPS_ROOT}/hello`, '${APPS}/${APP}').replace(`${ETC_ROOT}/hello`, '${ETC}/${APP}').replace(`${HOMES_ROOT}/hello`, '${HOMES}/${APP}')
          const owner = {root: 'root', deploy: '"$DEPLOY_USER"', app: '"$APP"'}[d.owner]
          return `ensure_dir "${path}" ${d.mode} ${owner} "$APP"`
        }),
      )
    })

    it("runs the node's commands with the unit's environment and sandbox (paths from the script's variables)", () => {
      for (const [key, value] of nodeEnvironment('${APP}', '${PORT}')) expect(text).to.contain(`-E "${key}=${value.replace(HOMES_ROOT, '${HOMES}')}"`)
      for (const [key, value] of sandbox('hello').filter(([k]) => k !== 'ReadWritePaths')) expect(text).to.contain(`-p "${key}=${value}"`)
      expect(text).to.contain('RW="${APPS}/${APP}/slots/${PORT} ${HOMES}/${APP}"').and.contain('RW="${HOMES}/${APP}"')
      expect(text).to.contain('sh "${HOMES}/${APP}/.erlang.cookie"')
    })
  })

  it('renderUnitTemplate leaves @@APP@@ for gatling-root and %i for systemd', () => {
    const unit = renderUnitTemplate()
    expect(unit).to.contain('User=@@APP@@').and.contain('Environment="PORT=%i"').and.contain('ExecStart=/srv/gatling/@@APP@@/slots/%i/bin/@@APP@@ start')
    expect(unit).to.not.contain('hello')
  })

  it('renderSudoers names gatling-root and the deploy user', () => {
    expect(renderSudoers()).to.contain(`gatling ALL=(root) NOPASSWD: ${HELPER}`)
    expect(renderSudoers('deployer')).to.contain(`deployer ALL=(root) NOPASSWD: ${HELPER}`)
  })
})
