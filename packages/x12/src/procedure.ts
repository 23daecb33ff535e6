import type { SegmentReader } from './reader.js';
import { pad2 } from './reader.js';
import type { Procedure } from './types835.js';

/** Reads a procedure composite (qualifier:code:mod1:mod2:mod3:mod4:description) from element i. */
export function readProcedure(r: SegmentReader, i: number): Procedure {
  const n = r.splitComposite(i);
  const qualifier = n > 0 ? r.component(0) : '';
  const code = n > 1 ? r.component(1) : '';
  let last = Math.min(n, 6);
  while (last > 2 && r.component(last - 1) === '') last--;
  // exact-size arrays (a pushed-to array keeps room for 17 elements)
  let modifiers: string[];
  switch (last - 2) {
    case 1:
      modifiers = [r.component(2)];
      break;
    case 2:
      modifiers = [r.component(2), r.component(3)];
      break;
    case 3:
      modifiers = [r.component(2), r.component(3), r.component(4)];
      break;
    case 4:
      modifiers = [r.component(2), r.component(3), r.component(4), r.component(5)];
      break;
    default:
      modifiers = [];
  }
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
