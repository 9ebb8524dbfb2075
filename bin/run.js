#!/usr/bin/env node
import { run, flush, handle } from '@oclif/core'

await run(process.argv.slice(2), import.meta.url).then(() => flush()).catch((error) => handle(error))
