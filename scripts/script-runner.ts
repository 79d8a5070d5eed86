import { connectDatabase, type DbHandle } from '../db/connect.js'

/**
 * Runs a command's main: the number it returns is the exit code; an error it throws is printed
 * after `failed` (what could not be done, Chinese first) and exits 2, so callers can tell
 * "the check says no" (1) from "the check could not run" (2).
 */
export function runScript(failed: string, main: () => Promise<number>, describe: (error: unknown) => string = String): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${failed}: ${describe(error)}`)
      process.exit(2)
    },
  )
}

/** DATABASE_URL's database for the length of `use`, closed whatever happens. */
export async function withDatabase<T>(use: (database: DbHandle) => Promise<T>): Promise<T> {
  const database = connectDatabase(process.env.DATABASE_URL)
  try {
    return await use(database)
  } finally {
    await database.close()
  }
}
