/**
 * @module The machine a run happened on, for RESULTS.md.
 */
import { execFileSync } from 'node:child_process'
import os from 'node:os'

/** Lines describing the machine. */
export function describeMachine(postgresVersion: string): string[] {
  const run = (command: string, args: string[]) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8' }).trim()
    } catch {
      return 'unavailable'
    }
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown'
  return [
    `- CPU: ${cpu}; \`nproc\`: ${run('nproc', [])}; load average at the start: ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(', ')}`,
    `- \`free -h\`:\n\n\`\`\`\n${run('free', ['-h'])}\n\`\`\``,
    `- Node.js ${process.version} on ${os.type()} ${os.release()}`,
    `- ${postgresVersion}`,
  ]
}
