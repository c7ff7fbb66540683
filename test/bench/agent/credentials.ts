// The simulated cameras' login, shared by the benchmark's processes.
export const BENCH_USER = 'bench';
export const BENCH_PASS = 'bench-secret';
