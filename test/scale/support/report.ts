/**
 * @module One `# figures <name>: k=v ...` line per measurement, as the fault tests print them, for
 * docs/scale-figures.md.
 */

/** Prints the figures of one measurement (numbers rounded to one decimal). */
export function figures(name: string, values: Record<string, unknown>): void {
  const line = Object.entries(values)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 10) / 10 : v}`)
    .join(' ')
  console.log(`# figures ${name}: ${line}`)
}

/** Runs `tasks` with at most `width` at a time. */
export async function limited(tasks: Array<() => Promise<void>>, width: number): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) await (tasks[next++] as () => Promise<void>)()
    }),
  )
}
