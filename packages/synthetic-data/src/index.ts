// Public surface of @placements/synthetic-data: deterministic children's homes and referrals for
// tests, benchmarks and the demo.
export * from './homes.ts';
export * from './postcode-districts.ts';
export * from './random.ts';
export * from './referrals.ts';
