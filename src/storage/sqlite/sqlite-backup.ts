/**
 * An online copy of a SQLite database with SQLite's backup API, while other connections (a serving
 * process) read and write it. The copy is one consistent snapshot: the pages are copied in a single
 * step, inside one read transaction, so a write that lands meanwhile neither tears the copy nor makes
 * it start over (WAL mode lets writers go on during that step).
 */
import SqliteDatabase from 'better-sqlite3';

/** Copies the live database at `source` to the new file `target`; resolves to the pages copied. */
export async function backupSqliteDatabase(source: string, target: string): Promise<number> {
  const connection = new SqliteDatabase(source, { readonly: true, fileMustExist: true });
  try {
    connection.pragma('busy_timeout = 5000');
    const { totalPages } = await connection.backup(target, {
      // After the first (empty) step, every remaining page in one step: one snapshot.
      progress: () => 0x7fffffff,
    });
    return totalPages;
  } finally {
    connection.close();
  }
}

/**
 * Every row of every table of the SQLite database at `path`, by table, in a stable order, for
 * comparing two copies. Virtual tables (FTS5) are left out: their shadow tables hold their data.
 */
export function sqliteTableRows(path: string): Map<string, unknown[]> {
  const connection = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
  try {
    const tables = connection
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and sql not like 'CREATE VIRTUAL TABLE%' order by name",
      )
      .pluck()
      .all() as string[];
    return new Map(
      tables.map((table) => [
        table,
        connection
          .prepare(`select * from "${table.replaceAll('"', '""')}"`)
          .all()
          .map((row) => JSON.stringify(row))
          .sort()
          .map((row) => JSON.parse(row) as unknown),
      ]),
    );
  } finally {
    connection.close();
  }
}
