import {expect} from 'chai'

import {writeEnvFile} from '../../../src/steps/write-env-file.js'
import {deployContext} from '../support.js'

// What `gatling-root env` accepts is tested with the script: test/unit/server/gatling-root.test.ts.
describe('steps/write-env-file', () => {
  it('is CLI-only, skipped without an env file, and sends it as secret input', () => {
    expect(writeEnvFile.cliOnly).to.equal(true)
    expect(writeEnvFile.skip!(deployContext())).to.match(/no local env file/)
    const ctx = deployContext({app: 'hello_world', envFile: 'A="1"\n'})
    expect(writeEnvFile.skip!(ctx)).to.equal(false)
    expect(writeEnvFile.commands(ctx)).to.deep.equal([{script: 'sudo -n /usr/local/sbin/gatling-root env hello_world', input: 'A="1"\n', secretInput: true}])
  })
})
