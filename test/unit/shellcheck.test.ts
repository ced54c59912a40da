// Every shell script gatling puts on a server, as gatling renders it, through shellcheck at warning level.
// (CI installs shellcheck with the host packages: test/hosts/droplet.sh setup-host.)
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {deployScript} from '../../src/pipelines/deploy.js'
import {renderGatlingRoot} from '../../src/server/scripts.js'
import {renderDeployTool} from '../../src/steps/install-deploy-hook.js'
import {render} from '../../src/templates.js'
import {FIXTURES, deployContext, hasShellcheck, shellcheck} from './support.js'

const SCRIPTS: Record<string, () => string> = {
  'gatling-root (templates/server/gatling-root.sh.ejs)': () => renderGatlingRoot(),
  'gatling-deploy (templates/server/gatling-deploy.sh.ejs)': () => renderDeployTool(deployContext()),
  "the git hook's deploy script (deployScript)": () => deployScript(deployContext({app: 'hello_world', domains: ['example.com', '*.example.com']})),
  'the pre-receive hook (templates/server/pre-receive.ejs)': () => render('server/pre-receive.ejs', {app: 'hello', deployScript: '/srv/gatling/hello/tools/deploy'}),
  'the stub programs of the unit tests': () => readFileSync(join(FIXTURES, 'server-stubs', 'stub.sh'), 'utf8'),
}

describe('shellcheck -s sh -S warning', function () {
  this.timeout(20_000)
  before(function () {
    if (!hasShellcheck()) throw new Error('shellcheck is not installed: apt-get install shellcheck (test/hosts/droplet.sh setup-host installs it)')
  })

  for (const [name, script] of Object.entries(SCRIPTS)) {
    const check = () => {
      const result = shellcheck(script())
      expect(result.status, `shellcheck on ${name}:\n${result.output}`).to.equal(0)
      expect(result.output).to.equal('')
    }
    it(`${name} passes`, check)
  }
})
