const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * `value` as JSON with every UUID replaced by `<id>`, for tests that search it for fragments of
 * personal data (the last four of an SSN, a birth year): random ids contain such digits now and then,
 * and would fail the search by chance.
 */
export function jsonWithoutIds(value: unknown): string {
  return JSON.stringify(value).replace(UUID, '<id>');
}
