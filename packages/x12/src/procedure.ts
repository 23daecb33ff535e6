import type { SegmentReader } from './reader.js';
import { pad2 } from './reader.js';
import type { Procedure } from './types835.js';

/** Reads a procedure composite (qualifier:code:mod1:mod2:mod3:mod4:description) from element i. */
export function readProcedure(r: SegmentReader, i: number): Procedure {
  const n = r.splitComposite(i);
  const qualifier = n > 0 ? r.component(0) : '';
  const code = n > 1 ? r.component(1) : '';
  const modifiers: string[] = [];
  let last = Math.min(n, 6);
  while (last > 2 && r.component(last - 1) === '') last--;
  for (let k = 2; k < last; k++) modifiers.push(r.component(k));
  const description = n > 6 ? r.component(6) : '';
  const extra = n > 7;
  if (code === '') {
    const raw = r.str(i);
    r.warn(
      'missing-element',
      r.hasComponentSeparator(i) || raw === ''
        ? `${r.id}${pad2(i)} has no procedure code`
        : `${r.id}${pad2(i)} '${raw}' contains no component separator '${r.separators?.component ?? ''}'; it is read as a qualifier without a code`,
      i,
    );
  }
  const p: Procedure = { qualifier, code, modifiers };
  if (description !== '') p.description = description;
  if (extra) r.warn('unmapped-segment', `${r.id}${pad2(i)} has components after the description; they are ignored`, i);
  return p;
}
