/**
 * A worker's write made conditional on the worker still holding the run (its `locked_by`), in the
 * write's own statement: a worker that froze past its lease while another took the run over writes
 * nothing on waking (the statement matches no row), and no statement is added to do the check. On
 * PostgreSQL the runs row is read `for share`: a takeover being committed is waited for, and one
 * cannot commit until the write does.
 */
import type { RunHolder } from '../ports/runs-port.ts';
import { gated, SINGLE_ROW_INSERT } from './compare-and-set-statement.ts';
import type { WrittenSql, WrittenStatement } from './written-sql.ts';

const HELD = `exists (select 1 from "runs" where "id" = ? and "locked_by" = ?`;

/** The condition, written out per dialect: `and`-ed to an update, the `where` of an insert's select. */
function condition(postgres: boolean): string {
  return `${HELD}${postgres ? ' for share' : ''})`;
}

/**
 * `text` (an update or delete, or a single-row `insert … values (…)`) made to write only while held.
 * The condition's two placeholders come last, as its parameters do.
 */
function heldText(text: string, postgres: boolean): string {
  if (SINGLE_ROW_INSERT.exec(text)?.[3]!.includes('?'))
    throw new Error(`Not a single-row insert with its placeholders in its values: ${text}`);
  return gated(text, condition(postgres));
}

const texts = new WeakMap<WrittenSql, WrittenSql>();

function heldSql(statement: WrittenSql): WrittenSql {
  let held = texts.get(statement);
  if (!held) {
    let index = 0;
    held = {
      sqlite: heldText(statement.sqlite, false),
      postgres: heldText(statement.sqlite, true).replace(/\?/g, () => `$${++index}`),
    };
    texts.set(statement, held);
  }
  return held;
}

/** `statement`, writing only while `holder` holds the run: its row count is 0 otherwise. */
export function whileHeld(statement: WrittenStatement, holder: RunHolder): WrittenStatement {
  return {
    sql: heldSql(statement.sql),
    parameters: [...statement.parameters, holder.runId, holder.workerId],
  };
}
