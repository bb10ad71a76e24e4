/** Says once, at the start of a run, which databases the suite covers. */
export default function setup(): void {
  if (process.env.TEST_DATABASE_URL) {
    console.log("Testing against SQLite and PostgreSQL (TEST_DATABASE_URL is set).");
  } else if (process.env.REQUIRE_POSTGRES === "true") {
    throw new Error("REQUIRE_POSTGRES=true but TEST_DATABASE_URL is not set: the PostgreSQL suite cannot run.");
  } else {
    console.log("PostgreSQL suite skipped: TEST_DATABASE_URL is unset (SQLite suite runs).");
  }
}
