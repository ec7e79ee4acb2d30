#!/usr/bin/env node
/**
 * @module The `pgstore` executable. Everything is in `dispatch.ts`; this file only binds it to the
 * process, so tests can run commands in-process without exiting.
 */
import { runCli } from './dispatch.ts'
import { processIO } from './output.ts'

// `pgstore stats | head -1` closes the pipe early: that is not a failure worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
})

process.exitCode = await runCli(process.argv.slice(2), processIO())
