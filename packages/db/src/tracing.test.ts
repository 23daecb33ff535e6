import { describe, expect, it } from 'vitest';
import { summarizeQuery } from './tracing.js';

describe('summarizeQuery', () => {
  it.each([
    ['select "id" from "helpdesk"."tickets" where "tickets"."id" = $1', 'SELECT helpdesk.tickets', 'helpdesk.tickets'],
    ['insert into "billing"."claims" ("id") values ($1)', 'INSERT billing.claims', 'billing.claims'],
    ['update "billing"."claims" set "status" = $1', 'UPDATE billing.claims', 'billing.claims'],
    ['delete from "tenancy"."practices" where "id" = $1', 'DELETE tenancy.practices', 'tenancy.practices'],
    ['  /* note */ SELECT count(*) FROM pg_namespace', 'SELECT pg_namespace', 'pg_namespace'],
    ['select "a" from "weird""name" where x = $1', 'SELECT weird"name', 'weird"name'],
  ])('%s → %s', (text, summary, collection) => {
    expect(summarizeQuery(text)).toMatchObject({ summary, collection });
  });

  it('falls back to the operation when there is no single target', () => {
    expect(summarizeQuery('select 1')).toEqual({ summary: 'SELECT', operation: 'SELECT', collection: undefined });
    expect(summarizeQuery('begin')).toMatchObject({ summary: 'BEGIN' });
    expect(summarizeQuery('select * from (select 1) s')).toMatchObject({ summary: 'SELECT', collection: undefined });
    expect(summarizeQuery('   ')).toMatchObject({ summary: 'postgresql', operation: undefined });
  });
});
