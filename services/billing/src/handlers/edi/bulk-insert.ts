import { getTableColumns, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '@mso/kit';

/**
 * Inserts many rows with one parameter per statement: the rows travel as one JSON array that
 * PostgreSQL unpacks (`jsonb_to_recordset`) into the table's column types. Thousands of rows then cost
 * one round trip and no per-value parameter handling. Rows carry every column (by property name);
 * dates go as ISO text, jsonb columns as nested JSON. Not for bytea columns. 1,000 rows a statement:
 * as fast as larger chunks, and the JSON text (and its copy in the driver) stays a few MB.
 */
export async function bulkInsert<T extends PgTable>(tx: Db, table: T, rows: readonly T['$inferInsert'][], chunk = 1000): Promise<void> {
  if (!rows.length) return;
  const columns = Object.entries(getTableColumns(table));
  const names = columns.map(([, c]) => `"${c.name}"`).join(', ');
  const types = columns.map(([, c]) => `"${c.name}" ${c.getSQLType()}`).join(', ');
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk).map((row) => {
      const r = row as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, c] of columns) {
        const v = r[key];
        out[c.name] = v instanceof Date ? v.toISOString() : (v ?? null);
      }
      return out;
    });
    await tx.execute(sql`insert into ${table} (${sql.raw(names)}) select ${sql.raw(names)} from jsonb_to_recordset(${JSON.stringify(part)}::jsonb) as x(${sql.raw(types)})`);
  }
}
