// Domain tables as data + pure functions (DOMAIN.md §1–§2.6).
export * from './dates.ts';
export * from './warranty.ts';
export * from './reinstall.ts';
export * from './business-days.ts';
export * from './exchange.ts';
export * from './contacts.ts';
