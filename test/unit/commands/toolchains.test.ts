import {expect} from 'chai'

import {parseToolchains} from '../../../src/commands/toolchains/index.js'

describe('commands/toolchains', () => {
  it("parses gatling-root toolchains' lines into the --json entries", () => {
    expect(parseToolchains('otp-27.3.4 190000 shop,blog\nelixir-1.18.3-otp-27 30000 -\ndistribution-25.2.3 0 hello\n\ngarbage\n')).to.deep.equal([
      {name: 'otp-27.3.4', kind: 'otp', version: '27.3.4', sizeKb: 190000, apps: ['shop', 'blog']},
      {name: 'elixir-1.18.3-otp-27', kind: 'elixir', version: '1.18.3', otp: 27, sizeKb: 30000, apps: []},
      {name: 'distribution-25.2.3', kind: 'distribution', version: '25.2.3', sizeKb: 0, apps: ['hello']},
    ])
  })
})
