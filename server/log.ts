/** One line per event, timestamped; enough for a single process, replaced by structured logs later. */
export function log(message: string): void {
  console.log(`${new Date().toISOString()} ${message}`)
}
