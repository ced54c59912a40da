import {expect} from 'chai'

import {appPaths} from '../../../src/server/layout.js'
import {RELEASE_RECORD_FIELDS, STATE_KEYS, releaseRecordPath, statePath} from '../../../src/server/state.js'
import {renderDeployTool} from '../../../src/steps/install-deploy-hook.js'
import {deployContext} from '../support.js'

describe('server/state', () => {
  it("keeps each value a step leaves for the next as a file in the app's state/ directory", () => {
    expect(STATE_KEYS).to.deep.equal({vsn: 'vsn', number: 'number', deploys: 'deploys', path: 'path', port: 'port', previousVsn: 'previous_vsn', upgrade: 'upgrade', checkoutIndex: 'checkout_index', commit: 'commit', releaseRecords: 'releases'})
    expect(statePath(appPaths('hello'), 'previousVsn')).to.equal('/srv/gatling/hello/state/previous_vsn')
    expect(new Set(Object.values(STATE_KEYS)).size, 'one file per key').to.equal(Object.keys(STATE_KEYS).length)
  })

  it('keeps each release record in one file per release below state/', () => {
    expect(releaseRecordPath(appPaths('hello'), '0.1.0+7')).to.equal('/srv/gatling/hello/state/releases/0.1.0+7')
    expect(Object.keys(RELEASE_RECORD_FIELDS)).to.deep.equal(['version', 'commit', 'time', 'by', 'how', 'path'])
  })

  it('the deploy tool names the same files', () => {
    const tool = renderDeployTool(deployContext())
    for (const file of Object.values(STATE_KEYS)) expect(tool).to.contain(`\nS_${file.toUpperCase()}=$STATE/${file}\n`)
  })
})
