import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/**
 * The tenant wall: row-level security on every table with a `practice_id` column, behind the
 * `practice_id` filters of the queries themselves. A forgotten filter then returns the current
 * practice's rows only, and a write for another practice is refused.
 *
 * - Service code runs as {@link SERVICE_ROLE}, which owns nothing and cannot bypass RLS. Migrations
 *   run as the connecting user (the tables' owner), which can.
 * - {@link applyTenant} sets, for one transaction, that role and the practice the transaction acts for.
 * - Each tenant table carries the policy {@link tenantWallSql} writes (by convention in a migration).
 * - {@link tablesMissingTenantWall} lists the tenant tables without it, so a test can insist on none.
 */

/** The role service code runs as: NOLOGIN, NOBYPASSRLS, owner of nothing. */
export const SERVICE_ROLE = 'mso_service';

/** The name of the standard policy on every tenant table. */
export const TENANT_POLICY = 'tenant_wall';

/** The explicit, audited MSO-wide scope: the policy lets every practice's rows through. */
export const ALL_PRACTICES: unique symbol = Symbol('all practices');

/** What a transaction may see: one practice, none (platform work), or every practice (MSO-wide). */
export type TenantScope = string | null | typeof ALL_PRACTICES;

/** Any drizzle handle (database or transaction) statements can be run on. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Executor = Pick<PgDatabase<PgQueryResultHKT, any>, 'execute'>;

/** The statement applying a scope, for code below drizzle (the per-statement transactions of database.ts). */
export const APPLY_TENANT_SQL =
  "select set_config('role', $1, true), set_config('mso.practice_id', $2, true), set_config('mso.all_practices', $3, true)";

export function tenantParams(scope: TenantScope): [string, string, string] {
  if (scope === ALL_PRACTICES) return [SERVICE_ROLE, '', 'on'];
  return [SERVICE_ROLE, scope ?? '', 'off'];
}

/**
 * Switches the current transaction to the service role and scopes it to `scope`. Transaction-local
 * (`set_config(..., true)` is `SET LOCAL`): it ends with the transaction, so a pooled connection never
 * carries one request's practice into another's statements. Parameterised, never concatenated.
 *
 * Why a role per transaction rather than per connection: the connections are shared with migrations
 * and test set-up, which must run as the owner, and postgres.js opens and recycles connections on its
 * own (no hook to re-issue a session `SET ROLE`); PGlite is a single session shared by every service
 * of the process. `SET LOCAL ROLE` keeps the switch exactly as long as the scope it goes with.
 */
export async function applyTenant(tx: Executor, scope: TenantScope): Promise<void> {
  await tx.execute(tenantSql(scope));
}

/** The statement {@link applyTenant} runs, for callers that send it without waiting for it. */
export function tenantSql(scope: TenantScope): SQL {
  const [role, practiceId, all] = tenantParams(scope);
  return sql`select set_config('role', ${role}, true), set_config('mso.practice_id', ${practiceId}, true), set_config('mso.all_practices', ${all}, true)`;
}

/** The `practice_id` column type of a tenant table: the policy compares like with like. */
export type PracticeColumnType = 'uuid' | 'text';

/**
 * The policy condition: the scope's practice, or every practice on the MSO-wide path. Rows of no
 * practice (a NULL `practice_id`; in a text column also `''` or `-`, the markers some kit tables use)
 * belong to the platform scope: platform work sees and writes those, and no practice's.
 */
export function tenantCondition(column: PracticeColumnType = 'uuid'): string {
  const own =
    column === 'uuid'
      ? "practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid"
      : "coalesce(nullif(practice_id, '-'), '') = coalesce(current_setting('mso.practice_id', true), '')";
  return `current_setting('mso.all_practices', true) = 'on' OR ${own}`;
}

/**
 * The statements that put the wall on one table, for a migration (`drizzle-kit generate --custom`,
 * each statement followed by `--> statement-breakpoint`). FORCE makes the owner subject to it too.
 * `table` is schema-qualified and quoted, e.g. `"helpdesk"."tickets"`.
 */
export function tenantWallSql(table: string, column: PracticeColumnType = 'uuid'): string[] {
  const condition = tenantCondition(column);
  return [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;`,
    `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`,
    `CREATE POLICY "${TENANT_POLICY}" ON ${table} AS PERMISSIVE FOR ALL TO public USING (${condition}) WITH CHECK (${condition});`,
  ];
}

/**
 * Creates the service role once per cluster (it may race with other databases of the same server:
 * a duplicate is fine) and lets the connecting user switch to it.
 */
export const ENSURE_SERVICE_ROLE_SQL = `DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
    BEGIN
      CREATE ROLE ${SERVICE_ROLE} NOLOGIN NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  IF NOT pg_has_role(current_user, '${SERVICE_ROLE}', 'MEMBER') THEN
    EXECUTE format('GRANT ${SERVICE_ROLE} TO %I', current_user);
  END IF;
END $$`;

/**
 * Grants for one service schema, run by the migrator before the migrations. Tables the owner creates
 * later get DML for the service role by default privileges; tables older than that are granted once,
 * when the default privileges are first set. A migration may still REVOKE (e.g. UPDATE and DELETE on an
 * append-only table) and it stays revoked: nothing grants on every table again.
 */
export function serviceSchemaGrantsSql(quotedSchema: string, hasDefaultPrivileges: boolean): string[] {
  const statements = [`GRANT USAGE ON SCHEMA ${quotedSchema} TO ${SERVICE_ROLE}`];
  if (!hasDefaultPrivileges) {
    statements.push(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${quotedSchema} TO ${SERVICE_ROLE}`,
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${quotedSchema} TO ${SERVICE_ROLE}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${quotedSchema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${SERVICE_ROLE}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${quotedSchema} GRANT USAGE, SELECT ON SEQUENCES TO ${SERVICE_ROLE}`,
    );
  }
  return statements;
}

/** Whether the connecting user has already set default privileges for the service role in the schema. */
export const HAS_DEFAULT_PRIVILEGES_SQL = `SELECT 1 AS found FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace
  WHERE n.nspname = $1 AND d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND d.defaclobjtype = 'r'`;

/**
 * Tenant tables (a `practice_id` column) of the given schemas that lack the wall: RLS not enabled or
 * not forced, or no `tenant_wall` policy. Returned as `schema.table`, sorted. `except` names tables
 * (unqualified) that are deliberately outside it, each for a documented reason.
 */
export async function tablesMissingTenantWall(db: Executor, schemas: readonly string[], except: readonly string[] = []): Promise<string[]> {
  if (schemas.length === 0) return [];
  const skipped = except.length ? sql`and c.relname not in (${sql.join(except.map((t) => sql`${t}`), sql`, `)})` : sql``;
  const result = await db.execute(sql`
    select n.nspname || '.' || c.relname as name
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attname = 'practice_id' and not a.attisdropped
     where c.relkind in ('r', 'p')
       and n.nspname in (${sql.join(schemas.map((s) => sql`${s}`), sql`, `)})
       ${skipped}
       and not (c.relrowsecurity and c.relforcerowsecurity
                and exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = ${TENANT_POLICY}))
     order by 1`);
  const rows = Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows;
  return (rows as { name: string }[]).map((r) => r.name);
}
