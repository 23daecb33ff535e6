/**
 * File builders for tests and benchmarks (`@mso/x12/testing`, source only: not in the published
 * build): large deterministic 837P and 835 files, and functions that write X12 text.
 */
export { envelope, header835, isaSegment, joinSegments, type Delimiters } from './fixtures.js';
export { generate835, prng, type Generated835 } from './generate835.js';
export { generate837P, generatedNpi, GENERATED_FEES, type Generate837Options, type Generated837P } from './generate837.js';
export { generateRemittance835, type ExpectedClaim, type GeneratedRemittance, type RemittanceOptions, type RemittanceOutcome } from './remittance835.js';
