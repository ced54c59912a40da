import {expect} from 'chai'
import {spawnSync} from 'node:child_process'

import {render} from '../../../../src/templates.js'
import {hookData, shSyntaxCheck} from '../../support.js'

// The template with the deploy pipeline in it: test/unit/pipelines/deploy.test.ts and test/unit/pipeline/script.test.ts.
describe('templates/server/deploy.sh', () => {
  it('renders an empty pipeline into a valid script that announces the deploy', () => {
    const script = render('server/deploy.sh.ejs', {...hookData('hello'), steps: []})
    const check = shSyntaxCheck(script)
    expect(check.status, check.stderr).to.equal(0)
    expect(script).to.contain('-----> gatling: deploying hello')
    const run = spawnSync('/bin/sh', ['-c', script, 'deploy', '0123456789abcdef'], {encoding: 'utf8', env: {PATH: process.env.PATH}})
    expect(run.status, run.stderr).to.equal(0)
    expect(run.stdout).to.match(/^-----> gatling: deploying hello 0123456789ab\n-----> gatling: hello deployed in \d+ ms\n$/)
  })

  it("passes the hook's quarantined objects on to the checkout and forgets git's own variables", () => {
    const script = render('server/deploy.sh.ejs', {...hookData('hello'), steps: []})
    expect(script).to.contain('GATLING_OBJECTS=${GIT_OBJECT_DIRECTORY:-}').and.contain('GATLING_ALTERNATES=${GIT_ALTERNATE_OBJECT_DIRECTORIES:-}')
    expect(script).to.match(/\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_QUARANTINE_PATH\n/)
  })
})
