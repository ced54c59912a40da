#!/usr/bin/env -S node --import tsx --
// "--" as in bin/run.js: node would take the --env-file of gatling push for its own
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
