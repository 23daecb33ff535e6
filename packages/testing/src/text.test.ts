import { describe, expect, it } from 'vitest';
import { jsonWithoutIds } from './text.js';

describe('jsonWithoutIds', () => {
  it('blanks every id and keeps everything else, so a fragment of personal data is still found', () => {
    const text = jsonWithoutIds({ id: '19798264-e5f4-46fa-9a7f-a128a36ab7ea', ids: ['C550D795-909E-49EC-B1B2-91A021EFF281'], ssn: '321-54-9876', born: 1979 });
    expect(text).toBe('{"id":"<id>","ids":["<id>"],"ssn":"321-54-9876","born":1979}');
    expect(text).toMatch(/9876/);
  });
});
