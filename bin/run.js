#!/usr/bin/env -S node --
// "--": node itself reads --env-file anywhere on its command line, even after the script (and
// exits with "node: FILE: not found"); after "--" it leaves gatling's own --env-file alone.
import {execute} from '@oclif/core/execute'

await execute({dir: import.meta.url})
